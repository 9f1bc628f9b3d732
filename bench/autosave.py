"""Autosave throughput against a plain login-protected page, on one real server, in one run.

    .venv/bin/python bench/autosave.py [--requests 400] [--clients 4] [--workers 2]

Starts gunicorn on 127.0.0.1 (a free port) over a temporary SQLite database, or over
DATABASE_URL when it is set (use a scratch database: the script migrates it and adds a bench
organization). Logs in through the real login page, then measures with keep-alive connections:

  * autosave: POST …/cells/ with one changed cell, each client on its own cell, versions
    followed so no request is a conflict;
  * baseline: GET the password-change page (session, user, a rendered form: the cheapest
    login-protected page).

Prints requests per second of both and the ratio, then the SQL statements one autosave costs
(CaptureQueriesContext around the test client). Loops are bounded; only loopback is used.
"""

import argparse
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LOGIN = "edu999001"
PAGE_PATH = "/accounts/password/"  # accounts:password_change, checked in prepare_database
PASSWORD = "bench-autosave-2026"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database(env: dict) -> tuple[int, str]:
    """Migrate, and create the bench organization, its user, a collection and its report."""
    os.environ.update(env)
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import Municipality, Organization, Region, User
    from datacollection import demo
    from datacollection.models import Collection, Report, Study

    region, _ = Region.objects.get_or_create(code="99", defaults={"name": "Регион замера"})
    municipality, _ = Municipality.objects.get_or_create(
        code="reg99_m001", defaults={"region": region, "name": "Муниципалитет замера"}
    )
    organization, _ = Organization.objects.get_or_create(
        login=LOGIN,
        defaults={"name": "ОО замера", "region": region, "municipality": municipality},
    )
    user = User.objects.filter(username=LOGIN).first()
    if user is None:
        user = User(
            username=LOGIN,
            role=User.Role.ORGANIZATION,
            organization=organization,
            region=region,
            municipality=municipality,
        )
    user.set_password(PASSWORD)
    if hasattr(user, "must_change_password"):
        user.must_change_password = False
    user.save()
    study, _ = Study.objects.get_or_create(
        code="bench", defaults={"title": "Замер автосохранения", "year": 2026}
    )
    form = demo.build_forms()["info"]  # «Сведения об ОО»: fixed rows, integer columns
    collection = Collection.objects.filter(form=form, study=study).first()
    if collection is None:
        collection = Collection.objects.create(
            form=form,
            study=study,
            opens_at=timezone.now() - timedelta(days=1),
            closes_at=timezone.now() + timedelta(days=7),
        )
    collection.organizations.add(organization)
    report, _ = Report.objects.get_or_create(collection=collection, organization=organization)
    from django.urls import reverse

    assert reverse("accounts:password_change") == PAGE_PATH
    return report.pk, reverse("datacollection:report_autosave", args=[report.pk])


class Session:
    """One keep-alive connection with the cookies of a logged-in user."""

    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.version = 0  # of the cell this client autosaves, carried across runs

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
            # The server closed an idle keep-alive connection: open a new one, once.
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, data

    def login(self):
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urlencode(
            {"csrfmiddlewaretoken": token.decode(), "username": LOGIN, "password": PASSWORD}
        )
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            body,
            {"Content-Type": "application/x-www-form-urlencoded", "Referer": "http://127.0.0.1/"},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"login failed: HTTP {status}")


CELLS = [("classes", "grade4", "classes"), ("classes", "grade4", "listed")]
CELLS += [("classes", "grade8", "classes"), ("classes", "grade8", "listed")]


def autosave_client(session: Session, path: str, number: int, requests: int, out: list):
    table, row, column = CELLS[number % len(CELLS)]
    headers = {"Content-Type": "application/json", "X-CSRFToken": session.cookies["csrftoken"]}
    headers["Referer"] = "http://127.0.0.1/"
    errors = 0
    for step in range(requests):
        value = str(10_000 * (number + 1) + step + session.version)  # always a new value
        cell = {"table": table, "row": row, "column": column, "value": value}
        cell["version"] = session.version
        status, data = session.request("POST", path, json.dumps({"cells": [cell]}), headers)
        results = json.loads(data).get("results", [{}]) if status in (200, 409) else [{}]
        if status != 200 or results[0].get("status") != "saved":
            errors += 1
        session.version = results[0].get("version", session.version)
    out.append(errors)


def page_client(session: Session, requests: int, out: list):
    errors = 0
    for _ in range(requests):
        status, _ = session.request("GET", PAGE_PATH)
        errors += status != 200
    out.append(errors)


def measure(sessions, target, args_for) -> tuple[float, int]:
    errors: list[int] = []
    threads = [
        threading.Thread(target=target, args=(*args_for(i, s), errors))
        for i, s in enumerate(sessions)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, sum(errors)


def sql_per_autosave(report_pk: int, url: str) -> list[str]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from datacollection.models import Cell

    client = Client()
    client.force_login(User.objects.get(username=LOGIN))
    table, row, column = CELLS[0]
    current = Cell.objects.filter(
        report_id=report_pk, table__key=table, row_key=row, column_key=column
    ).first()
    cell = {
        "table": table,
        "row": row,
        "column": column,
        "value": str(int(current.value or 0) + 1 if current else 1),
        "version": current.version if current else 0,
    }
    client.post(url, {"cells": [cell]}, content_type="application/json")  # warm: session etc.
    cell["value"], cell["version"] = str(int(cell["value"]) + 1), cell["version"] + 1
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, {"cells": [cell]}, content_type="application/json")
    assert response.status_code == 200, response.content
    return [query["sql"] for query in queries.captured_queries]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per client")
    parser.add_argument("--clients", type=int, default=4, help="concurrent connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    args = parser.parse_args()
    requests = max(1, min(args.requests, 5000))
    clients = max(1, min(args.clients, 32))

    tmp = tempfile.TemporaryDirectory(prefix="bench-autosave-")
    env = {
        # The test settings: DEBUG off like production, but static files without the manifest
        # that only `collectstatic` builds (and fast password hashing, which only the login
        # before the timed loops uses).
        "DJANGO_SETTINGS_MODULE": "fisoko.settings.test",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "AXES_FAILURE_LIMIT": "1000",
        "MEDIA_ROOT": str(Path(tmp.name) / "media"),
        "LOG_LEVEL": "ERROR",
        "PYTHONWARNINGS": "ignore:No directory at:UserWarning",  # no collectstatic here
        "DATABASE_URL": os.environ.get("DATABASE_URL")
        or f"sqlite:///{Path(tmp.name) / 'bench.sqlite3'}",
    }
    database = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    report_pk, autosave_path = prepare_database(env)
    port = free_port()
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "fisoko.wsgi",
            f"--bind=127.0.0.1:{port}",
            f"--workers={args.workers}",
            "--worker-class=gthread",
            "--threads=4",
            "--keep-alive=30",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    try:
        for _ in range(100):  # up to 10 s for the server to listen
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.1)
        sessions = [Session(port) for _ in range(clients)]
        for session in sessions:
            session.login()
        # Warm up both paths (imports, connection pools, caches) before timing.
        measure(sessions, page_client, lambda i, s: (s, 5))
        measure(sessions, autosave_client, lambda i, s: (s, autosave_path, i, 5))
        total = requests * clients
        page_time, page_errors = measure(sessions, page_client, lambda i, s: (s, requests))
        save_time, save_errors = measure(
            sessions, autosave_client, lambda i, s: (s, autosave_path, i, requests)
        )
    finally:
        server.terminate()
        server.wait(timeout=15)
    statements = sql_per_autosave(report_pk, autosave_path)
    tmp.cleanup()

    page_rate, save_rate = total / page_time, total / save_time
    print(
        f"Сервер: gunicorn, {args.workers} процесса × 4 потока, {database}; "
        f"клиентов: {clients}, запросов на клиента: {requests}"
    )
    print(f"Простая страница (GET, вход обязателен): {page_rate:8.1f} запросов/с"
          f"  ({total} за {page_time:.2f} с, ошибок: {page_errors})")  # fmt: skip
    print(f"Автосохранение (POST, одна ячейка):       {save_rate:8.1f} запросов/с"
          f"  ({total} за {save_time:.2f} с, ошибок: {save_errors})")  # fmt: skip
    print(f"Отношение автосохранение / страница: {save_rate / page_rate:.2f}")
    print(f"SQL-запросов на одно автосохранение: {len(statements)}")
    for number, sql in enumerate(statements, 1):
        print(f"  {number:2}. {sql[:110]}")


if __name__ == "__main__":
    main()
