"""Tests: fast hashing, in-memory mail, the immediate task backend unless a test asks otherwise."""

from .base import *  # noqa: F403
from .base import BASE_DIR

DEBUG = False
SECRET_KEY = "test-only-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
MEDIA_ROOT = BASE_DIR / "test-artifacts" / "media"

# No connection pool in tests: the test runner creates, flushes and drops databases, and pooled
# connections held by live-server threads would block that on PostgreSQL.
DATABASES["default"].get("OPTIONS", {}).pop("pool", None)  # noqa: F405
