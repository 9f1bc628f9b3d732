"""`CACHE_URL=redis://…`, as README and .env.example suggest for several instances: the
settings start with it, and the portal runs on it (a value and a logged-in session round-trip
through Redis). CI starts Redis and sets REQUIRE_REDIS=1, so there the test cannot skip."""

import os
import subprocess
import sys
import uuid
from http import HTTPStatus

import environ
import pytest
from django.core.cache import caches
from django.test import Client, override_settings
from django.urls import reverse

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/1")


def redis_cache_settings():
    config = environ.Env.cache_url_config(REDIS_URL)
    # Helpers and CI runs share one Redis: every test run keeps to its own keys.
    return {"default": {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}}


@pytest.fixture
def redis_cache():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("REQUIRE_REDIS"):
            raise
        pytest.skip(f"Redis is not running at {REDIS_URL}; CI starts it")
    with override_settings(CACHES=redis_cache_settings()):
        yield caches["default"]
        caches["default"].clear()


def test_the_portal_starts_with_cache_url_redis(redis_cache):
    """The settings read CACHE_URL into Django's Redis backend, and it works (the redis client
    library is installed): what failed on start before."""
    key = f"start-{uuid.uuid4().hex}"
    code = (
        "import django; django.setup(); from django.conf import settings;"
        "from django.core.cache import cache;"
        f"cache.set('{key}', 'работает', 30);"
        "print(settings.CACHES['default']['BACKEND'], cache.get('" + key + "'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={
            **os.environ,
            "CACHE_URL": REDIS_URL,
            "DJANGO_SETTINGS_MODULE": "fisoko.settings.local",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.core.cache.backends.redis.RedisCache", "работает"]


def test_a_value_round_trips_through_redis(redis_cache):
    redis_cache.set("ответ", {"число": 42}, timeout=30)
    assert redis_cache.get("ответ") == {"число": 42}
    assert redis_cache.add("счетчик", 0)
    assert redis_cache.incr("счетчик") == 1


def test_a_login_session_lives_in_redis(redis_cache, org_user):
    with override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cache"):
        client = Client()
        client.force_login(org_user)
        session_key = client.cookies["sessionid"].value
        assert redis_cache.get(f"django.contrib.sessions.cache{session_key}")
        assert client.get(reverse("cabinet")).status_code == HTTPStatus.OK
        client.post(reverse("accounts:logout"))
        assert redis_cache.get(f"django.contrib.sessions.cache{session_key}") is None
