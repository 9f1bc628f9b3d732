"""Settings shared by every environment; values that differ come from the environment."""

from datetime import timedelta
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "fisoko.apps.NikoAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "fisoko.apps.AxesConfig",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "core",
    "accounts",
    "publications",
    "datacollection",
    "studies",
    "forum",
    "monitoring",
    "results",
    "surveys",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the session or a form: NUL bytes and broken JSON answer 400 here.
    "core.middleware.RequestGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Axes must be last: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fisoko.urls"
WSGI_APPLICATION = "fisoko.wsgi.application"
ASGI_APPLICATION = "fisoko.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.cabinet",
                "forum.context_processors.unread_answers",
                "notifications.context_processors.bell",
            ],
            "builtins": ["core.templatetags.niko"],
        },
    },
]

# SQLite by default so that a fresh machine needs no server; PostgreSQL through DATABASE_URL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # psycopg 3 connection pool: one per process, sized for gunicorn threads and the worker.
    # After a database restart every pooled connection is dead: `check` tests each one as it
    # is handed out and replaces a dead one, so the portal recovers by itself; while the
    # database is down a request waits at most DB_POOL_TIMEOUT seconds and answers 503.
    DB_POOL = {
        "min_size": env.int("DB_POOL_MIN", default=2),
        "max_size": env.int("DB_POOL_MAX", default=10),
        "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
    }
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = DB_POOL
    # Prepared statements for the few statements a hot path runs on every request
    # (`core.sql.prepared_cursor`: autosave's locking read and write). Django turns psycopg's
    # preparation off by default for external poolers (PgBouncer in transaction mode); the
    # portal's pool is psycopg's own, in the process, so a statement stays prepared on its
    # connection. Django's other cursors bind on the client and never prepare anything.
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 5
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The planner's cost of a random read, for SSD storage (PostgreSQL's default 4 is for
    # spinning disks): with it a coordinator's region (500 schools of 45,000) is read through
    # the indexes of its schools' reports (2 ms) instead of a scan of the whole collection
    # (60 ms). bench/monitoring.py shows the difference; set 4 for a database on HDD.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c random_page_cost={env.float('DB_RANDOM_PAGE_COST', default=1.1)}"
    )
    # With health checks on, Django hands the pool `ConnectionPool.check_connection` itself
    # (passing `check` in the options as well makes the pool refuse to start).
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the web process and the task worker share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# How long the operator's national monitoring numbers are kept (monitoring.selectors.statistics):
# transfers and returns drop them at once; typing shows up at most this late.
MONITORING_NATIONAL_COUNTS_SECONDS = env.int("MONITORING_NATIONAL_COUNTS_SECONDS", default=30)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.ScopedModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "cabinet"
LOGOUT_REDIRECT_URL = "accounts:login"

# With a shared cache (CACHE_URL: Redis for several instances) a request reads its session from
# the cache and the database only on a miss; writes go to both. Without one, the per-process
# default cache would keep a logged-out session alive in other processes, so the database alone.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if env("CACHE_URL", default="")
    else "django.contrib.sessions.backends.db"
)
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Login lockout: five failures for the same login from the same address lock it for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "accounts.lockout.normalized_username"
AXES_VERBOSE = False
# The client's address, read by django-ipware for the lockout and by the audit log
# (core.http.client_ip) alike. PROXY_COUNT is the number of reverse proxies in front of the
# portal (1 behind one nginx, the default with BEHIND_PROXY): the address is the one the
# nearest of them saw, counted from the right of X-Forwarded-For, so a client cannot forge it
# by sending the header. Without proxies only REMOTE_ADDR counts.
PROXY_COUNT = env.int("PROXY_COUNT", default=1 if env.bool("BEHIND_PROXY", default=False) else 0)
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT - 1 if PROXY_COUNT else None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if PROXY_COUNT else ("REMOTE_ADDR",)
)

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский")]
TIME_ZONE = "Europe/Moscow"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "d.m.Y"
DATETIME_FORMAT = "d.m.Y H:i"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "media")))
# Uploaded files are never served from a public URL: every download goes through a view that
# checks access. MEDIA_URL is only a name here.
MEDIA_URL = "/media-not-served/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
IMPORT_MAX_FILE_SIZE = env.int("IMPORT_MAX_FILE_SIZE", default=20 * 1024 * 1024)
# Zip bombs (core.files): a spreadsheet of a report form or a form definition unpacks to far
# less than this; the registry of organizations (tens of thousands of rows) gets more room.
SPREADSHEET_MAX_UNPACKED_SIZE = env.int("SPREADSHEET_MAX_UNPACKED_SIZE", default=20 * 2**20)
IMPORT_MAX_UNPACKED_SIZE = env.int("IMPORT_MAX_UNPACKED_SIZE", default=100 * 2**20)
# Materials of publications: the largest file and the types an operator may attach.
PUBLICATION_ATTACHMENT_MAX_SIZE = env.int("PUBLICATION_ATTACHMENT_MAX_SIZE", default=50 * 2**20)
# An office document among the materials unpacks to at most this (core.files zip-bomb guard).
PUBLICATION_ATTACHMENT_MAX_UNPACKED_SIZE = env.int(
    "PUBLICATION_ATTACHMENT_MAX_UNPACKED_SIZE", default=200 * 2**20
)
PUBLICATION_ATTACHMENT_EXTENSIONS = [
    "pdf", "doc", "docx", "xls", "xlsx", "odt", "ods", "rtf", "txt", "csv",
    "zip", "rar", "7z", "ppt", "pptx", "jpg", "jpeg", "png",
]  # fmt: skip
# «Форум поддержки НИКО»: a screenshot or a PDF with a question, and the flood limits per user
# (counted in the database, so they hold across any number of app servers).
FORUM_ATTACHMENT_MAX_SIZE = env.int("FORUM_ATTACHMENT_MAX_SIZE", default=5 * 2**20)
FORUM_ATTACHMENT_EXTENSIONS = ["png", "jpg", "jpeg", "pdf"]
FORUM_QUESTIONS_PER_HOUR = env.int("FORUM_QUESTIONS_PER_HOUR", default=10)
FORUM_MESSAGES_PER_HOUR = env.int("FORUM_MESSAGES_PER_HOUR", default=30)

# Data collection: the filled Excel template, and files of file columns (scans of protocols).
DATACOLLECTION_UPLOAD_MAX_SIZE = env.int("DATACOLLECTION_UPLOAD_MAX_SIZE", default=10 * 2**20)
DATACOLLECTION_FILE_MAX_SIZE = env.int("DATACOLLECTION_FILE_MAX_SIZE", default=20 * 2**20)
# Checks other apps add to «Сдать отчет» (datacollection.extensions): the results form holds
# exactly the participant codes the school was issued.
DATACOLLECTION_REPORT_CHECKS = ["studies.checks.results_codes_check"]
# Columns of the readiness grid and «Список участников» from apps above studies
# (studies/extensions.py).
STUDIES_READINESS_COLUMNS = ["surveys.readiness.completion_columns"]
DATACOLLECTION_FILE_EXTENSIONS = ["pdf", "jpg", "jpeg", "png"]

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="ФИС ОКО <noreply@fioco.ru>")
SUPPORT_EMAIL = "helpfisoko@fioco.ru"
# The portal's public address, for links in e-mails (sent by the worker, outside any request).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# Security headers from the first page on. No inline scripts or event handlers anywhere:
# every script is a static file.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# «Экспорт результатов»: files older than this are deleted by `manage.py cleanup_exports`.
MONITORING_EXPORT_RETENTION_DAYS = env.int("MONITORING_EXPORT_RETENTION_DAYS", default=7)

# «Анкеты НИКО»: a school sees its own summary only from this many sent questionnaires (so one
# teacher's answers cannot be singled out); failed code entries allowed per address (the counter
# lives in the default cache, which must be shared — Redis through CACHE_URL — when more than
# one process serves).
SURVEYS_MIN_RESPONSES = env.int("SURVEYS_MIN_RESPONSES", default=5)
SURVEYS_CODE_ATTEMPTS = env("SURVEYS_CODE_ATTEMPTS", default="20/15m")
