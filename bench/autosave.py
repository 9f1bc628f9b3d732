"""Autosave against a bare login-protected view, measured from outside, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fisoko_bench_autosave \\
        .venv/bin/python bench/autosave.py [--duration 15] [--clients 1,8,32] [--rate 100]

Starts gunicorn (2 workers × 4 threads, `bench.settings`: the portal's URLs plus the bare view
`/bench/bare/`, which only answers "ok" behind the login) over DATABASE_URL (a scratch
database: the script migrates it and adds 32 bench schools), or a temporary SQLite database.

Closed model: `wrk` (apt-get installs it if missing; C and epoll, a few % of a core) with a
Lua script, one connection and one thread per client, each client its own school: its own
session cookie, its own report, its own cell, the cell's version followed from the answers
so no request is a conflict. 1, 8 and 32 clients; requests/s, p50 and p99 of the bare view and
of the autosave, and their ratio.

Open model: a paced generator (asyncio, raw HTTP/1.1 keep-alive connections) sends autosaves
on a fixed schedule at `--rate` per second across the 32 schools and measures every latency
from the *scheduled* send time, so a slow server is not hidden by the generator waiting for
it (no coordinated omission); prints p50, p99 and the achieved rate. Pinned with `taskset` to
the last core when the machine has more than one.

Prints `uptime` before and after: the figures depend on the machine's load.
"""

import argparse
import asyncio
import http.client
import json
import os
import re
import shutil
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
SCHOOLS = 32
LOGIN = "edu99{:04d}"
BARE_PATH = "/bench/bare/"
# «Сведения об ОО»: each school saves into one integer cell of its own report.
TABLE, ROW, COLUMN = "classes", "grade4", "listed"

WRK_SCRIPT = r"""
-- One wrk thread = one connection = one school (setup numbers the threads).
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("index", counter)
end

function init(args)
  mode = args[1]
  local n = 0
  for line in io.lines(args[2]) do
    n = n + 1
    if n == index then
      cookie, csrf, path, version = line:match("([^\t]+)\t([^\t]+)\t([^\t]+)\t(%d+)")
      version = tonumber(version)
    end
  end
  value = index * 100000
end

function request()
  if mode == "bare" then
    return wrk.format("GET", "/bench/bare/", {["Cookie"] = cookie})
  end
  value = value + 1
  local body = '{"cells": [{"table": "classes", "row": "grade4", "column": "listed", ' ..
    '"value": "' .. value .. '", "version": ' .. version .. '}]}'
  return wrk.format("POST", path, {
    ["Cookie"] = cookie, ["X-CSRFToken"] = csrf, ["Content-Type"] = "application/json",
    ["Referer"] = "http://127.0.0.1/"}, body)
end

function response(status, headers, body)
  if mode ~= "bare" then
    local v = body:match('"version":%s*(%d+)')
    if v then version = tonumber(v) end
  end
end

function done(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %d %.6f %d %d %d\n", summary.requests,
    summary.duration / 1e6, latency:percentile(50), latency:percentile(99), errors))
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk не найден: apt-get install -y wrk")
    subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)
    return shutil.which("wrk") or "wrk"


def prepare(env: dict) -> list[tuple[str, str, str, int]]:
    """Migrate; 32 bench schools, each with its report of a bench collection and a session.
    Returns (cookie header, CSRF token, autosave path, cell version) per school."""
    os.environ.update(env)
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()
    from datetime import timedelta

    from django.conf import settings
    from django.core.management import call_command
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from accounts.models import Municipality, Organization, Region, User
    from datacollection import demo
    from datacollection.models import Cell, Collection, Report, Study

    call_command("migrate", verbosity=0)
    region, _ = Region.objects.get_or_create(code="99", defaults={"name": "Регион замера"})
    municipality, _ = Municipality.objects.get_or_create(
        code="reg99_m001", defaults={"region": region, "name": "Муниципалитет замера"}
    )
    study, _ = Study.objects.get_or_create(
        code="bench", defaults={"title": "Замер автосохранения", "year": 2026}
    )
    form = demo.build_forms()["info"]
    collection = Collection.objects.filter(form=form, study=study).first()
    if collection is None:
        collection = Collection.objects.create(
            form=form,
            study=study,
            opens_at=timezone.now() - timedelta(days=1),
            closes_at=timezone.now() + timedelta(days=7),
        )
    schools = []
    for number in range(1, SCHOOLS + 1):
        login = LOGIN.format(number)
        organization, _ = Organization.objects.get_or_create(
            login=login,
            defaults={
                "name": f"ОО замера {number}",
                "region": region,
                "municipality": municipality,
            },
        )
        user = User.objects.filter(username=login).first() or User.objects.create_user(
            username=login,
            password=None,
            role=User.Role.ORGANIZATION,
            organization=organization,
            region=region,
            municipality=municipality,
        )
        if hasattr(user, "must_change_password") and user.must_change_password:
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])
        collection.organizations.add(organization)
        report, _ = Report.objects.get_or_create(collection=collection, organization=organization)
        cell = Cell.objects.filter(
            report=report, table__key=TABLE, row_key=ROW, column_key=COLUMN
        ).first()
        client = Client()
        client.force_login(user)  # a real session row (or cache entry) of the configured engine
        token = _get_new_csrf_string()
        cookie = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}; "
            f"{settings.CSRF_COOKIE_NAME}={token}"
        )
        path = reverse("datacollection:report_autosave", args=[report.pk])
        schools.append((cookie, token, path, cell.version if cell else 0))
    return schools


def start_server(env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "fisoko.wsgi",
            f"--bind=127.0.0.1:{port}",
            "--workers=2",
            "--worker-class=gthread",
            "--threads=4",
            "--keep-alive=60",
            "--backlog=256",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def run_wrk(wrk, port, script, schools_file, mode, clients, duration):
    command = [
        wrk, f"-t{clients}", f"-c{clients}", f"-d{duration}s", "--timeout", "10s",
        "-s", script, f"http://127.0.0.1:{port}", "--", mode, schools_file,
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = re.search(r"RESULT (\d+) ([\d.]+) (\d+) (\d+) (\d+)", output)
    if not match:
        raise SystemExit(f"wrk: no result\n{output}")
    requests, seconds, p50, p99, errors = match.groups()
    return {
        "rate": int(requests) / float(seconds),
        "p50": int(p50) / 1000,
        "p99": int(p99) / 1000,
        "errors": int(errors),
        "requests": int(requests),
    }


# ------------------------------------------------------------------ open model


async def _send(pool, port, request: bytes) -> tuple[int, bytes]:
    reader, writer = await pool.get()
    try:
        writer.write(request)
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))
        body = await reader.readexactly(length)
        pool.put_nowait((reader, writer))
        return status, body
    except (OSError, asyncio.IncompleteReadError, AttributeError):
        writer.close()
        pool.put_nowait(await asyncio.open_connection("127.0.0.1", port))
        return 0, b""


async def open_model(
    port: int, schools, versions: dict, rate: float, duration: float, connections: int = 64
):
    pool: asyncio.Queue = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(await asyncio.open_connection("127.0.0.1", port))
    latencies: list[float] = []
    errors = conflicts = 0
    start = time.perf_counter() + 0.2
    total = int(rate * duration)

    async def one(index: int):
        nonlocal errors, conflicts
        scheduled = start + index / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        school = index % len(schools)
        row, column = OPEN_CELLS[(index // len(schools)) % len(OPEN_CELLS)]
        key = (school, row, column)
        cookie, token, path, _ = schools[school]
        body = json.dumps(
            {"cells": [{"table": TABLE, "row": row, "column": column,
                        "value": str(index + 1), "version": versions[key]}]}
        ).encode()  # fmt: skip
        request = (
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\n"
            f"X-CSRFToken: {token}\r\nReferer: http://127.0.0.1/\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        status, answer = await _send(pool, port, request)
        latencies.append(time.perf_counter() - scheduled)
        found = re.search(rb'"version":\s*(\d+)', answer)
        if found:
            versions[key] = max(versions[key], int(found.group(1)))
        if status == 409:
            # Answered with the cell's current version (taken above): an earlier save of the
            # cell was still in flight, or the cell was already ahead of the version we had.
            conflicts += 1
        elif status != 200:
            errors += 1

    began = time.perf_counter()
    await asyncio.gather(*(one(index) for index in range(total)))
    elapsed = time.perf_counter() - began
    while not pool.empty():
        _, writer = pool.get_nowait()
        writer.close()
    latencies.sort()
    return {
        "offered": rate,
        "achieved": total / elapsed,
        "p50": latencies[len(latencies) // 2] * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "max": latencies[-1] * 1000,
        "errors": errors,
        "conflicts": conflicts,
        "requests": total,
    }


OPEN_CELLS = [("grade4", "classes"), ("grade4", "listed"), ("grade8", "classes"),
              ("grade8", "listed")]  # fmt: skip


def _cell_keys(schools):
    return [(school, row, column) for school in range(len(schools)) for row, column in OPEN_CELLS]


def _versions(schools) -> dict:
    from datacollection.models import Cell

    reports = {int(path.rstrip("/").split("/")[-2]): n for n, (_, _, path, _) in enumerate(schools)}
    cells = Cell.objects.filter(report_id__in=reports, table__key=TABLE).values_list(
        "report_id", "row_key", "column_key", "version"
    )
    return {(reports[report], row, column): version for report, row, column, version in cells}


# ------------------------------------------------------------------ thread clients
# One bench organization and keep-alive thread clients, kept for `bench/surveys.py`, which
# compares the questionnaire's autosave with this form autosave using them.

LOGIN = "edu999001"
PASSWORD = "bench-autosave-2026"


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


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per wrk run")
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--rate", type=float, default=100.0, help="open model: autosaves/s")
    parser.add_argument("--open-duration", type=float, default=20.0)
    parser.add_argument("--open-only", action="store_true")
    args = parser.parse_args()
    clients = [min(SCHOOLS, max(1, int(c))) for c in args.clients.split(",")]

    tmp = tempfile.TemporaryDirectory(prefix="bench-autosave-")
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "MEDIA_ROOT": str(Path(tmp.name) / "media"),
        "LOG_LEVEL": "ERROR",
        "PYTHONWARNINGS": "ignore:No directory at:UserWarning",
        "DATABASE_URL": os.environ.get("DATABASE_URL")
        or f"sqlite:///{Path(tmp.name) / 'bench.sqlite3'}",
    }
    database = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    wrk = ensure_wrk()
    schools = prepare(env)
    schools_file = Path(tmp.name) / "schools.tsv"
    script = Path(tmp.name) / "bench.lua"
    script.write_text(WRK_SCRIPT)
    print(f"load before: {uptime()}")
    print(
        f"Сервер: gunicorn 2 процесса × 4 потока, {database}, bench.settings "
        f"(сессии: {'CACHE_URL задан' if os.environ.get('CACHE_URL') else 'без CACHE_URL'})"
    )
    port = free_port()
    server = start_server(env, port)
    results = []
    try:
        if not args.open_only:
            for count in clients:
                # Versions come from the database afresh before each run (wrk threads keep them).
                schools_file.write_text(
                    "\n".join("\t".join(map(str, school)) for school in _fresh(schools)) + "\n"
                )
                run_wrk(wrk, port, str(script), str(schools_file), "bare", count, 2)  # warm-up
                bare = run_wrk(wrk, port, str(script), str(schools_file), "bare", count,
                               args.duration)  # fmt: skip
                save = run_wrk(wrk, port, str(script), str(schools_file), "save", count,
                               args.duration)  # fmt: skip
                results.append((count, bare, save))
                print(
                    f"клиентов {count:>2}: простая {bare['rate']:7.1f}/с p50 {bare['p50']:6.1f} "
                    f"p99 {bare['p99']:7.1f} мс (ошибок {bare['errors']}) | автосохранение "
                    f"{save['rate']:7.1f}/с p50 {save['p50']:6.1f} p99 {save['p99']:7.1f} мс "
                    f"(ошибок {save['errors']}) | отношение {save['rate'] / bare['rate']:.2f}",
                    flush=True,
                )
        # Each school's four «Классы» cells in turn, so a cell is revisited only every
        # 4 × 32 requests; the versions start from the database and follow the answers.
        versions = dict.fromkeys(_cell_keys(schools), 0)
        versions.update(_versions(schools))
        asyncio.run(open_model(port, schools, versions, args.rate, 3))  # warm-up, not counted
        opened = asyncio.run(open_model(port, schools, versions, args.rate, args.open_duration))
        print(
            f"Открытая модель: предложено {opened['offered']:.0f}/с, выполнено "
            f"{opened['achieved']:.1f}/с, p50 {opened['p50']:.1f} мс, p99 {opened['p99']:.1f} мс, "
            f"max {opened['max']:.0f} мс, ошибок {opened['errors']}, конфликтов "
            f"{opened['conflicts']} из {opened['requests']}"
        )
    finally:
        server.terminate()
        server.wait(timeout=15)
        tmp.cleanup()
    print(f"load after: {uptime()}")


def _fresh(schools):
    """The schools with their cell's current version read from the database."""
    from datacollection.models import Cell

    fresh = []
    for cookie, token, path, _ in schools:
        report_pk = int(path.rstrip("/").split("/")[-2])
        cell = Cell.objects.filter(
            report_id=report_pk, table__key=TABLE, row_key=ROW, column_key=COLUMN
        ).first()
        fresh.append((cookie, token, path, cell.version if cell else 0))
    return fresh


if __name__ == "__main__":
    main()
