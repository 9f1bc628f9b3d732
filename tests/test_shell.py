"""The cabinet shell: navigation by role, security headers, Russian error pages, settings."""

import os
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


def test_cabinet_shows_scope_role_sections_and_support(as_user, org_user):
    content = as_user(org_user).get(reverse("cabinet")).content.decode()
    assert org_user.organization.name in content
    assert "Ответственный организатор ОО" in content
    for section in ("Публикации", "Сбор данных", "Форум", "Статистические отчеты"):
        assert section in content
    assert "Мониторинг" not in content
    assert "helpfisoko@fioco.ru" in content


@pytest.mark.parametrize(
    ("role", "label"),
    [
        ("regional", "Ленинградская область"),
        ("municipal", "Бокситогорский район"),
        ("operator", "Все регионы"),
    ],
)
def test_coordinators_see_monitoring_and_their_scope(as_user, request, role, label):
    user = request.getfixturevalue(role)
    content = as_user(user).get(reverse("cabinet")).content.decode()
    assert "Мониторинг" in content
    assert label in content


def test_security_headers_on_every_page(client, db):
    response = client.get(reverse("accounts:login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_scripts_or_handlers(as_user, regional, org):
    import re

    for url in (
        reverse("accounts:login"),
        reverse("cabinet"),
        reverse("accounts:organization_list"),
    ):
        html = as_user(regional if url != reverse("accounts:login") else None).get(url)
        content = html.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", content), url
        assert not re.search(r"\son[a-z]+\s*=", content), url


def test_404_page_is_russian(as_user, org_user):
    response = as_user(org_user).get("/no-such-page/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "Страница не найдена" in response.content.decode()


def test_403_page_is_russian(as_user, org_user):
    response = as_user(org_user).get(reverse("monitoring:overview"))
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "Доступ запрещен" in response.content.decode()


def test_500_page_is_russian(rf):
    from core.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    assert "Ошибка на сервере" in response.content.decode()


def test_settings_are_russian_moscow_time(settings):
    assert settings.LANGUAGE_CODE == "ru"
    assert settings.TIME_ZONE == "Europe/Moscow"
    assert settings.USE_TZ


def _manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**{"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_secret_key():
    result = _manage("check", env={"DJANGO_SETTINGS_MODULE": "fisoko.settings.production"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_deploy_check_is_clean():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_SETTINGS_MODULE": "fisoko.settings.production",
            "SECRET_KEY": "x" * 64 + "-production-like-key-for-the-deploy-check",
            "ALLOWED_HOSTS": "lk.example.ru",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_postgres_url_turns_on_the_psycopg_pool():
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings; d = settings.DATABASES['default'];"
        "print(d['ENGINE'], d['NAME'], sorted(d['OPTIONS']['pool']), d['CONN_HEALTH_CHECKS'])",
        env={"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/fisoko_example"},
    )
    assert result.stdout.strip().splitlines()[-1] == (
        "django.db.backends.postgresql fisoko_example ['max_size', 'min_size', 'timeout'] True"
    ), result.stderr


def test_the_pool_really_opens_a_connection(db, settings):
    """The settings above must start a pool, not only look right: a query through it (on the
    test database, which exists while this test runs)."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    url = (
        f"postgres://{database['USER'] or 'postgres'}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )
    result = _manage(
        "shell",
        "-c",
        "from django.db import connection; c = connection.cursor(); c.execute('select 1');"
        "print('pooled', c.fetchone()[0], connection.pool is not None)",
        env={"DATABASE_URL": url},
    )
    assert result.stdout.strip().splitlines()[-1] == "pooled 1 True", result.stderr


@pytest.mark.parametrize(
    ("cache_url", "engine"),
    [
        ("", "django.contrib.sessions.backends.db"),
        ("redis://127.0.0.1:6379/1", "django.contrib.sessions.backends.cached_db"),
    ],
)
def test_sessions_come_from_the_cache_when_a_shared_cache_is_set(cache_url, engine):
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SESSION_ENGINE)",
        env={"CACHE_URL": cache_url} if cache_url else {},
    )
    assert result.stdout.strip().splitlines()[-1] == engine, result.stderr
