"""Shared by bench/load.py and bench/faults.py: the scratch PostgreSQL database with the scale
data set, gunicorn started like production on loopback, and a plain keep-alive HTTP session.

Everything here listens on 127.0.0.1 only and every wait is bounded.
"""

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
import warnings
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
DATABASE_URL = os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fisoko_ops")
SCHOOL_CELLS = [
    ("classes", "grade4", "classes"),
    ("classes", "grade4", "listed"),
    ("classes", "grade8", "classes"),
    ("classes", "grade8", "listed"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(workdir: Path) -> dict:
    """Production-like: the local settings with DEBUG off (static files from collectstatic's
    manifest), Redis as the cache, the media directory in workdir."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fisoko.settings.local",
        "DEBUG": "false",
        "SECRET_KEY": "bench-load-only-not-a-secret",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": DATABASE_URL,
        "CACHE_URL": os.environ.get("LOAD_CACHE_URL", "redis://127.0.0.1:6379/7"),
        "MEDIA_ROOT": str(workdir / "media"),
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "AXES_FAILURE_LIMIT": "1000",
        "DB_POOL_TIMEOUT": "5",
        "LOG_LEVEL": "ERROR",
        "PYTHONWARNINGS": "ignore:No directory at:UserWarning",
    }


def django_setup(env: dict) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()


def ensure_database(url: str) -> None:
    """Create the scratch PostgreSQL database of `url` if it is not there yet (no-op otherwise)."""
    if url.startswith("postgres"):
        name = url.rsplit("/", 1)[1]
        # Already there: fine.
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], capture_output=True)


def ensure_vacuumed() -> None:
    """VACUUM (ANALYZE) a PostgreSQL database no vacuum has been through yet. The machines here
    run PostgreSQL with autovacuum off; in production autovacuum would have set the visibility
    map long before anyone opens a page, and without it an index-only scan still reads the
    table (so freshly seeded figures were worse than production's)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_user_tables WHERE n_live_tup > 0"
            " AND last_vacuum IS NULL AND last_autovacuum IS NULL"
        )
        if cursor.fetchone()[0]:
            print("VACUUM (ANALYZE) …", flush=True)
            started = time.perf_counter()
            cursor.execute("VACUUM (ANALYZE)")
            print(f"VACUUM (ANALYZE): {time.perf_counter() - started:.1f} s", flush=True)


def ensure_data(env: dict, organizations: int) -> None:
    """Migrate and seed the scale data set when the scratch database has fewer organizations."""
    ensure_database(DATABASE_URL)
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    from accounts.models import Organization

    if Organization.objects.count() < organizations:
        print(f"seed_scale --organizations {organizations} …", flush=True)
        subprocess.run(
            [PYTHON, "manage.py", "seed_scale", "--organizations", str(organizations)],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=1800,
        )
    ensure_vacuumed()


def collectstatic(env: dict) -> None:
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )


def scale_password() -> str:
    from monitoring import scale

    return scale.SCALE_PASSWORD


def start_gunicorn(env: dict, port: int, workers: int = 2, threads: int = 4, as_user=None):
    """gunicorn like production; `as_user` (e.g. nobody) drops root, so file modes count."""
    drop = ["setpriv", f"--reuid={as_user}", "--regid=nogroup", "--clear-groups"]
    process = subprocess.Popen(
        [
            *(drop if as_user else []),
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "fisoko.wsgi",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            "--worker-class=gthread",
            f"--threads={threads}",
            "--keep-alive=30",
            "--timeout=60",
            "--graceful-timeout=10",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited at start")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/accounts/login/")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.5)
    process.terminate()
    raise SystemExit("gunicorn did not answer in 60 s")


def stop(process, timeout: float = 20) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def school_accounts(count: int, skip: int = 0) -> dict:
    """Schools whose «Сведения об ОО» report is untouched (no report yet or not started), each
    with its own login, and the regional coordinators; the collection and study ids."""
    from accounts.models import User
    from datacollection.models import Collection, Report
    from monitoring import scale

    collection = Collection.objects.get(study__code="niko2026", form__code="niko_oo_info")
    touched = Report.objects.filter(collection=collection).exclude(status=Report.Status.NOT_STARTED)
    schools = list(
        User.objects.filter(role=User.Role.ORGANIZATION, is_active=True)
        .exclude(organization__reports__in=touched)
        .exclude(organization__reports__cells__isnull=False)
        .order_by("organization_id")
        .values_list("username", flat=True)[skip : skip + count]
    )
    coordinators = list(
        User.objects.filter(role=User.Role.REGIONAL, username__regex=r"^reg[0-9]{2}0000$")
        .order_by("username")
        .values_list("username", flat=True)
    )
    User.objects.filter(username__in=schools + coordinators).update(must_change_password=False)
    return {
        "password": scale.SCALE_PASSWORD,
        "collection": collection.pk,
        "study": collection.study_id,
        "schools": [{"login": login, "number": n} for n, login in enumerate(schools)],
        "coordinators": [{"login": login} for login in coordinators],
    }


def check_acknowledged(acks: list[dict]) -> tuple[int, int, list[str]]:
    """(acknowledged edits, cells checked, missing): the last acknowledged version of every
    cell must be the cell's version in the database with the same value."""
    from datacollection.models import Cell

    last: dict[tuple, dict] = {}
    for ack in acks:
        key = (
            int(ack["report"].rstrip("/").rsplit("/", 1)[1]),
            ack["table"],
            ack["row"],
            ack["column"],
        )
        if key not in last or ack["version"] > last[key]["version"]:
            last[key] = ack
    stored = {
        (c.report_id, c.table.key, c.row_key, c.column_key): c
        for c in Cell.objects.filter(report_id__in={k[0] for k in last}).select_related("table")
    }
    missing = []
    for key, ack in last.items():
        cell = stored.get(key)
        if (
            cell is None
            or cell.version < ack["version"]
            or (cell.version == ack["version"] and cell.value != ack["value"])
        ):
            missing.append(
                f"{key}: подтверждено {ack['value']} v{ack['version']}, в базе "
                f"{cell and cell.value} v{cell and cell.version}"
            )
    return len(acks), len(last), missing


class Session:
    """One keep-alive connection with cookies; reconnects once when the server closed it."""

    def __init__(self, port: int, timeout: float = 30):
        self.port, self.timeout = port, timeout
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.cookies: dict[str, str] = {}

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        headers["Referer"] = f"http://127.0.0.1:{self.port}/"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if "csrftoken" in self.cookies:
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection(
                "127.0.0.1", self.port, timeout=self.timeout
            )
            raise
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, response.headers, data

    def login(self, username: str, password: str) -> None:
        _, _, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urlencode(
            {"csrfmiddlewaretoken": token.decode(), "username": username, "password": password}
        )
        status, _, _ = self.request(
            "POST", "/accounts/login/", body, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        if status != 302:
            raise SystemExit(f"вход {username}: HTTP {status}")

    def autosave(self, report_url: str, cell: tuple, value: str, version: int):
        table, row, column = cell
        body = json.dumps(
            {
                "cells": [
                    {
                        "table": table,
                        "row": row,
                        "column": column,
                        "value": value,
                        "version": version,
                    }
                ]
            }
        )
        status, _, data = self.request(
            "POST", report_url + "cells/", body, {"Content-Type": "application/json"}
        )
        return status, data
