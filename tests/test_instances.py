"""Two gunicorn instances on one PostgreSQL and one Redis behave as one portal: a session made
on one is valid on the other, a lockout earned across both holds on both, an autosave conflict
is seen across them, the forum's flood limit counts both, and an export started on one is
finished by the worker and downloaded from the other.

Needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL, default redis://127.0.0.1:6379/1);
skipped without them, unless REQUIRE_INSTANCES=1 (as in CI's PostgreSQL run), where a missing
service is a failure.
"""

import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import closing
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from tests.factories import (
    OrganizationUserFactory,
    RegionalCoordinatorFactory,
    category,
    make_collection,
)

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Dva-servera-2026"
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/1")
LOCKOUT_TEXT = "Вход временно заблокирован"

pytestmark = [pytest.mark.django_db(transaction=True)]


def _unavailable(reason: str):
    if os.environ.get("REQUIRE_INSTANCES"):
        pytest.fail(reason)
    pytest.skip(reason)


def _free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def instances():
    """Two gunicorn processes on the test database, sharing Redis as the cache."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        _unavailable("two instances need PostgreSQL (DATABASE_URL)")
    try:
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
    except Exception as error:
        _unavailable(f"two instances need Redis at {REDIS_URL}: {error}")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fisoko.settings.local",
        "DEBUG": "true",  # static files by their plain names, no collectstatic needed
        "SECRET_KEY": "two-instances-test-key",
        "DATABASE_URL": (
            f"postgres://{database['USER'] or 'postgres'}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "CACHE_URL": REDIS_URL,
        "DB_POOL_MIN": "1",
        "DB_POOL_MAX": "4",
        "FORUM_QUESTIONS_PER_HOUR": "2",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "LOG_LEVEL": "ERROR",
    }
    processes, urls = [], []
    for _ in range(2):
        port = _free_port()
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "fisoko.wsgi", "-b", f"127.0.0.1:{port}",
                 "-w", "1", "--threads", "2", "--timeout", "60"],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )
        )  # fmt: skip
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for url, process in zip(urls, processes, strict=True):
            _wait_until_up(url, process)
        yield {"urls": urls, "env": env}
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


def _wait_until_up(url, process, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stderr.read().decode()[-3000:])
        try:
            urllib.request.urlopen(f"{url}/accounts/login/", timeout=2)
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise AssertionError(f"{url} did not start in {timeout} s")


class Browser:
    """Cookies shared across both instances, as one browser behind a load balancer."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def request(self, url, data=None, *, json_body=None, headers=None):
        headers = dict(headers or {})
        body = None
        csrf = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        elif data is not None:
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": csrf}).encode()
        if body is not None:
            headers["X-CSRFToken"] = csrf
        request = urllib.request.Request(url, data=body, headers=headers)
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        return response.status, response.headers, response.read().decode("utf-8", "replace")

    def login(self, base, username, password=PASSWORD):
        self.request(f"{base}/accounts/login/")
        return self.request(f"{base}/accounts/login/", {"username": username, "password": password})


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _user(factory, **kwargs):
    user = factory(**kwargs)
    # The instances run the production hashers (the tests' own MD5 is unknown to them).
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
    user.save(update_fields=["password"])
    return user


def test_two_instances_behave_as_one(instances, org, region):
    a, b = instances["urls"]
    school = _user(OrganizationUserFactory, organization=org)
    coordinator = _user(RegionalCoordinatorFactory, region=region)
    collection = make_collection(organizations=[org])

    # A session made on A is valid on B.
    browser = Browser()
    status, headers, page = browser.login(a, school.username)
    assert status == 302, re.findall(r"exception_value\">(.*?)<", page, re.S) or page[:500]
    status, _, page = browser.request(f"{b}/")
    assert status == 200 and "Раздел «НИКО»" in page, "the session made on A, read on B"

    # An autosave on A, then the same cell from the same version on B: a conflict.
    status, headers, _ = browser.request(f"{b}/collections/{collection.pk}/fill/")
    report_url = headers["Location"]
    cell = {"table": "counts", "row": "grade4", "column": "listed", "version": 0}
    status, _, body = browser.request(
        f"{a}{report_url}cells/", json_body={"cells": [{**cell, "value": "25"}]}
    )
    assert status == 200, body
    status, _, body = browser.request(
        f"{b}{report_url}cells/", json_body={"cells": [{**cell, "value": "26"}]}
    )
    assert status == 409, body
    assert json.loads(body)["results"][0]["value"] == "25"

    # The forum's flood limit (2 an hour here) counts questions asked on both instances.
    topic = category()  # made again: a transactional test empties the data migration's rows
    asked = []
    for base in (a, b, a):
        browser.request(f"{base}/forum/ask/")
        status, _, _ = browser.request(
            f"{base}/forum/ask/",
            {"category": topic.pk, "title": "Вопрос о сроках", "text": "Когда?", "send": "1"},
        )
        asked.append(status)
    assert asked == [302, 302, 429], asked

    # Failed logins on both instances add up to one lockout, seen on both.
    intruder = Browser()
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        intruder.login((a, b)[attempt % 2], coordinator.username, "wrong-password")
    for base in (a, b):
        status, _, page = intruder.login(base, coordinator.username)
        assert status == 429 and LOCKOUT_TEXT in page, base

    # An export started on A is done by the worker and downloaded from B.
    other_computer = Browser()
    from axes.models import AccessAttempt

    AccessAttempt.objects.all().delete()  # let the coordinator in again
    status, _, _ = other_computer.login(b, coordinator.username)
    assert status == 302
    status, headers, _ = other_computer.request(
        f"{a}/monitoring/collections/{collection.pk}/export/", {}
    )
    assert status == 302, "export started on A"
    job_url = headers["Location"]
    subprocess.run(
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
        cwd=ROOT, env=instances["env"], check=True, timeout=120, capture_output=True,
    )  # fmt: skip
    status, _, body = other_computer.request(f"{b}{job_url}status/")
    assert status == 200 and json.loads(body)["status"] == "done", body
    status, headers, _ = other_computer.request(f"{b}{job_url}download/")
    assert status == 200
    assert "spreadsheetml" in headers["Content-Type"]
    assert re.search(r"attachment", headers["Content-Disposition"])
