"""Autosave against a bare login-protected view, measured from outside, in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fisoko_bench_autosave \\
    CACHE_URL=redis://127.0.0.1:6379/2 \\
        .venv/bin/python bench/autosave.py [--duration 15] [--clients 1,8,32] [--rate 100]
        [--schools 128] [--open-duration 20] [--workers 2] [--threads 4]

Starts gunicorn (2 workers × 4 threads, `bench.settings`: the portal's URLs plus the bare view
`/bench/bare/`, which only answers "ok" behind the login, and the portal's connection pool)
over DATABASE_URL (a scratch database: the script migrates it and adds `--schools` bench
schools, reused by later runs), or a temporary SQLite database. With CACHE_URL the sessions are
read from the cache (`cached_db`), as in production; the script says which.

Every school is its own organization with its own login, session and report of one bench
collection («Сведения об ОО»).

Closed model: `wrk` (apt-get installs it if missing; C and epoll) with a Lua script, one
thread and one connection per client, each client its own school; the Lua `response()` reads
the cell's version from the JSON answer and sends it as the next request's version, so a
correct run has no conflict at all. 1, 8 and 32 clients; requests/s, p50 and p99 of the bare
view and of the autosave, and their ratio.

Open model: a paced generator (asyncio, raw HTTP/1.1 keep-alive connections opened as saves
need them; no `wrk2` in Debian or PyPI) sends autosaves at fixed times, `--rate` per second,
whatever the answers, round-robin over all the schools and four cells of each (a cell comes
round every 4 × schools / rate seconds; like the table page, its save is sent once the
previous one of that cell has answered with the version to send), and measures every latency
from the *scheduled* send time, so a slow server is not hidden by the generator waiting for it (no
coordinated omission). Prints offered and achieved rate, p50/p99/max, the errors, how many
saves had to wait for their cell's previous answer (the server not keeping up), and the
generator's own CPU use.

A run is valid only if every autosave answered 2xx with every cell saved, and the database
holds exactly the saves answered (cell versions summed before and after). Otherwise the
script prints «INVALID» with the counts and exits with status 1.

Both generators are pinned (sched_setaffinity) to the last core when there is more than one;
gunicorn, started before, keeps every core. Prints `uptime` before and after: the figures
depend on the machine's load.
"""

import argparse
import asyncio
import http.client
import json
import os
import re
import resource
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
from bench.portal import ensure_database  # noqa: E402

SCHOOL_LOGIN = "edu99{:04d}"
BARE_PATH = "/bench/bare/"
# «Сведения об ОО», table «Классы»: the closed model saves one cell per school, the open model
# goes round its four cells.
TABLE = "classes"
WRK_CELL = ("grade4", "listed")
OPEN_CELLS = [("grade4", "classes"), ("grade4", "listed"), ("grade8", "classes"),
              ("grade8", "listed")]  # fmt: skip

WRK_SCRIPT = r"""
-- One wrk thread = one connection = one school (setup numbers the threads).
local counter = 0
local threads = {}
function setup(thread)
  counter = counter + 1
  thread:set("index", counter)
  table.insert(threads, thread)
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
  if not cookie then error("no school for wrk thread " .. index) end
  non2xx, conflicts, unsaved, saved = 0, 0, 0, 0
end

function request()
  if mode == "bare" then
    return wrk.format("GET", "/bench/bare/", {["Cookie"] = cookie})
  end
  -- The value is the version it will get: never the value stored, so every save writes.
  local body = '{"cells": [{"table": "classes", "row": "grade4", "column": "listed", ' ..
    '"value": "' .. (version + 1) .. '", "version": ' .. version .. '}]}'
  return wrk.format("POST", path, {
    ["Cookie"] = cookie, ["X-CSRFToken"] = csrf, ["Content-Type"] = "application/json",
    ["Referer"] = "http://127.0.0.1/"}, body)
end

function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
  if status == 409 then conflicts = conflicts + 1 end
  if mode == "bare" then return end
  -- {"results": [{"table": …, "status": "saved", "version": N, …}], …}: the next request
  -- sends N. A 409 answers the cell's current version too, so even then the next one is right.
  local v = body:match('"version":%s*(%d+)')
  if v then version = tonumber(v) end
  if body:match('"status":%s*"saved"') then saved = saved + 1 else unsaved = unsaved + 1 end
end

function done(summary, latency, requests)
  local non2xx_all, conflicts_all, unsaved_all, saved_all = 0, 0, 0, 0
  for _, thread in ipairs(threads) do
    non2xx_all = non2xx_all + thread:get("non2xx")
    conflicts_all = conflicts_all + thread:get("conflicts")
    unsaved_all = unsaved_all + thread:get("unsaved")
    saved_all = saved_all + thread:get("saved")
  end
  local socket_errors = summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout
  io.write(string.format("RESULT %d %.6f %d %d %d %d %d %d %d\n", summary.requests,
    summary.duration / 1e6, latency:percentile(50), latency:percentile(99), socket_errors,
    non2xx_all, conflicts_all, unsaved_all, saved_all))
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


def uptime() -> str:
    # In UTC like `date` (django.setup() sets this process's TZ to Moscow).
    command = ["uptime"]
    return subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, "TZ": "UTC"}
    ).stdout.strip()


# ------------------------------------------------------------------ the schools


def bench_schools(env: dict, logins: list[str], *, password: str | None = None) -> list:
    """Migrate (creating the scratch database if missing); the bench collection of «Сведения об
    ОО» (fixed rows, integer columns) and, per login, a school with its user (the `password`, or
    none for sessions made by `force_login`) and its report. Returns [(user, report)]."""
    ensure_database(env["DATABASE_URL"])
    os.environ.update(env)
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import Municipality, Organization, Region, User
    from datacollection import demo
    from datacollection.models import Collection, Report, Study

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
    for login in logins:
        organization, _ = Organization.objects.get_or_create(
            login=login,
            defaults={
                "name": f"ОО замера {login}",
                "region": region,
                "municipality": municipality,
            },
        )
        user = User.objects.filter(username=login).first() or User(
            username=login,
            role=User.Role.ORGANIZATION,
            organization=organization,
            region=region,
            municipality=municipality,
        )
        user.set_password(password)  # None: an unusable password
        user.must_change_password = False
        user.save()
        collection.organizations.add(organization)
        report, _ = Report.objects.get_or_create(collection=collection, organization=organization)
        schools.append((user, report))
    return schools


def prepare(env: dict, count: int) -> list[dict]:
    """`count` bench schools (`bench_schools`), each with a fresh session. Returns per school:
    cookie header, CSRF token, autosave path, report."""
    logins = [SCHOOL_LOGIN.format(number) for number in range(1, count + 1)]
    created = bench_schools(env, logins)
    from django.conf import settings
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client
    from django.urls import reverse

    schools = []
    for user, report in created:
        client = Client()
        client.force_login(user)  # a real session row (and cache entry) of the configured engine
        token = _get_new_csrf_string()
        cookie = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}; "
            f"{settings.CSRF_COOKIE_NAME}={token}"
        )
        path = reverse("datacollection:report_autosave", args=[report.pk])
        schools.append({"cookie": cookie, "token": token, "path": path, "report": report.pk})
    if len({school["report"] for school in schools}) != len(logins):
        raise SystemExit("INVALID: the bench schools do not each have their own report")
    return schools


def versions(schools) -> dict:
    """(school index, row, column) → the cell's version in the database (0: no cell yet)."""
    from datacollection.models import Cell

    index = {school["report"]: n for n, school in enumerate(schools)}
    found = dict.fromkeys(
        ((n, row, column) for n in range(len(schools)) for row, column in OPEN_CELLS), 0
    )
    cells = Cell.objects.filter(report_id__in=index, table__key=TABLE).values_list(
        "report_id", "row_key", "column_key", "version"
    )
    for report, row, column, version in cells:
        if (index[report], row, column) in found:
            found[index[report], row, column] = version
    return found


# ------------------------------------------------------------------ the server


def start_server(env: dict, port: int, workers: int, threads: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "fisoko.wsgi",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            "--worker-class=gthread",
            f"--threads={threads}",
            "--keep-alive=60",
            "--backlog=256",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
    )
    # Ready when answering (the workers import Django after the socket is open): a few
    # requests, so that every worker has most likely answered one.
    answered, deadline = 0, time.monotonic() + 60
    while answered < 4 * workers and time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            connection.request("GET", BARE_PATH)
            answered += connection.getresponse().status == 302  # to the login page
            connection.close()
        except OSError:
            time.sleep(0.2)
    if answered < 4 * workers:
        server.terminate()
        raise SystemExit("gunicorn did not start")
    return server


def _cpu_seconds(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds used so far) of a process, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu(server: subprocess.Popen) -> float:
    """CPU seconds used so far by gunicorn's master and workers."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        found = _cpu_seconds(int(stat.parent.name))
        if found and (int(stat.parent.name) == server.pid or found[0] == server.pid):
            total += found[1]
    return total


def database_cpu() -> dict[int, float]:
    """CPU seconds used so far by each PostgreSQL backend serving the bench database other
    than this script's own (gunicorn's pooled connections); {} on SQLite or another host."""
    from django.db import connection

    if connection.vendor != "postgresql" or connection.settings_dict["HOST"] not in (
        "127.0.0.1",
        "localhost",
        "",
    ):
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        pids = [pid for (pid,) in cursor.fetchall()]
    return {pid: found[1] for pid in pids if (found := _cpu_seconds(pid))}


def database_cpu_since(before: dict[int, float]) -> float | None:
    """CPU seconds the backends alive before and now used in between."""
    if not before:
        return None
    now = database_cpu()
    return sum(now[pid] - before[pid] for pid in now.keys() & before.keys())


def cpu_ms(seconds: float | None, requests: int) -> str:
    return "—" if seconds is None else f"{seconds * 1000 / max(1, requests):.1f} мс"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def pin_generator() -> str:
    """Pin this process (and the wrk it starts) to the last core; the server keeps them all."""
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) > 1:
        os.sched_setaffinity(0, {cores[-1]})
        return f"ядро {cores[-1]}"
    return "одно ядро на всех"


# ------------------------------------------------------------------ closed model (wrk)


def run_wrk(wrk, server, port, script, schools_file, mode, clients, duration):
    command = [
        wrk, f"-t{clients}", f"-c{clients}", f"-d{duration}s", "--timeout", "10s",
        "-s", script, f"http://127.0.0.1:{port}", "--", mode, schools_file,
    ]  # fmt: skip
    before, server_before, database_before = children_cpu(), server_cpu(server), database_cpu()
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    cpu, server_used = children_cpu() - before, server_cpu(server) - server_before
    database_used = database_cpu_since(database_before)
    match = re.search(r"RESULT " + r" ".join([r"(\d+)", r"([\d.]+)"] + [r"(\d+)"] * 7), output)
    if not match:
        raise SystemExit(f"INVALID: wrk gave no result\n{output}")
    requests, seconds, p50, p99, errors, non2xx, conflicts, unsaved, saved = match.groups()
    if int(requests) == 0:
        raise SystemExit(f"INVALID: wrk got no answer in {duration} s\n{output}")
    return {
        "rate": int(requests) / float(seconds),
        "p50": int(p50) / 1000,
        "p99": int(p99) / 1000,
        "errors": int(errors),
        "non2xx": int(non2xx),
        "conflicts": int(conflicts),
        "unsaved": int(unsaved),
        "saved": int(saved),
        "requests": int(requests),
        "cpu": cpu / float(seconds),
        "server_ms": server_used * 1000 / max(1, int(requests)),
        "database_ms": cpu_ms(database_used, int(requests)),
    }


def write_schools(path: Path, schools, clients: int) -> None:
    """One line per wrk thread: its school's cookie, token, path and the cell's version now."""
    found = versions(schools)
    lines = []
    for n, school in enumerate(schools[:clients]):
        version = found[(n, *WRK_CELL)]
        lines.append("\t".join([school["cookie"], school["token"], school["path"], str(version)]))
    path.write_text("\n".join(lines) + "\n")


# ------------------------------------------------------------------ open model


async def _exchange(connection, request: bytes) -> tuple[int, bytes]:
    reader, writer = connection
    writer.write(request)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))
    return status, await reader.readexactly(length)


async def open_model(port, schools, known: dict, rate, duration) -> dict:
    """Autosaves at fixed times (`rate` per second for `duration` s), whatever the answers.

    `known` maps (school, row, column) to the cell's version and follows the answers. Like the
    table page, a cell's save is sent after the previous save of the same cell has answered
    (else it would carry a stale version): when the server is so slow that a cell comes round
    again before its answer, the save waits, the wait counts in its latency (measured from the
    scheduled time all the same) and the save counts as «waited»."""
    # Connections are opened when a save needs one and then kept alive, as a browser does. Opened
    # ahead and left silent, a connection holds a gunicorn thread until its first request
    # (gthread reads a new connection's request in a worker thread; nginx in front, as in
    # production, passes on only whole requests): that showed as saves stuck for 5–10 s.
    idle: list = []
    opened = 0
    locks = {key: asyncio.Lock() for key in known}
    latencies: list[float] = []
    lags: list[float] = []
    counts = dict.fromkeys(["non2xx", "conflicts", "unsaved", "saved", "errors", "waited"], 0)
    total = int(rate * duration)
    cpu_before = time.process_time()
    start = time.perf_counter() + 0.2

    async def one(index: int):
        scheduled = start + index / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        lags.append(time.perf_counter() - scheduled)  # the generator's own lateness
        school = index % len(schools)
        row, column = OPEN_CELLS[(index // len(schools)) % len(OPEN_CELLS)]
        key = (school, row, column)
        if locks[key].locked():
            counts["waited"] += 1
        async with locks[key]:
            status, answer = await save(school, row, column, key)
        latencies.append(time.perf_counter() - scheduled)
        if status == 0:
            counts["errors"] += 1
            return
        if not 200 <= status < 300:
            counts["non2xx"] += 1
        if status == 409:
            counts["conflicts"] += 1
        saved = re.search(rb'"status":\s*"saved"', answer)
        counts["saved" if saved and status == 200 else "unsaved"] += 1

    async def save(school, row, column, key) -> tuple[int, bytes]:
        body = json.dumps(
            {"cells": [{"table": TABLE, "row": row, "column": column,
                        "value": str(known[key] + 1), "version": known[key]}]}
        ).encode()  # fmt: skip
        request = (
            f"POST {schools[school]['path']} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Cookie: {schools[school]['cookie']}\r\nX-CSRFToken: {schools[school]['token']}\r\n"
            f"Referer: http://127.0.0.1/\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        # A free keep-alive connection, or a new one when all are busy (as a browser would).
        nonlocal opened
        if idle:
            connection = idle.pop()
        else:
            opened += 1
            connection = await asyncio.open_connection("127.0.0.1", port)
        try:
            status, answer = await _exchange(connection, request)
            idle.append(connection)
        except (OSError, asyncio.IncompleteReadError, AttributeError, ValueError):
            connection[1].close()
            return 0, b""
        found = re.search(rb'"version":\s*(\d+)', answer)
        if found:
            known[key] = int(found.group(1))
        return status, answer

    began = time.perf_counter()
    await asyncio.gather(*(one(index) for index in range(total)))
    elapsed = time.perf_counter() - began
    cpu = time.process_time() - cpu_before
    for _, writer in idle:
        writer.close()
    latencies.sort()
    return {
        "offered": rate,
        "achieved": total / elapsed,
        "p50": latencies[len(latencies) // 2] * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "max": latencies[-1] * 1000,
        "lag": max(lags) * 1000,
        "requests": total,
        "cpu": cpu / elapsed,
        "connections": opened,
        **counts,
    }


# ------------------------------------------------------------------ validity


INVALID_COUNTS = {
    "non2xx": "ответов не 2xx",
    "conflicts": "из них 409",
    "unsaved": "ячеек не сохранено",
    "errors": "ошибок соединения",
}


def invalid_reasons(label: str, run: dict, written: int | None, slack: int) -> list[str]:
    """Why a run's figures cannot be trusted (empty when they can)."""
    reasons = []
    for key, words in INVALID_COUNTS.items():
        if run.get(key):
            reasons.append(f"{label}: {words} {run[key]}")
    if written is not None and not run["saved"] <= written <= run["saved"] + slack:
        reasons.append(
            f"{label}: в базе {written} сохранений, а ответов «saved» {run['saved']}"
            f" (допустимо еще {slack} незавершенных)"
        )
    return reasons


def written_saves(schools) -> int:
    return sum(versions(schools).values())


# ------------------------------------------------------------------ thread clients
# One bench organization and keep-alive thread clients, kept for `bench/surveys.py`, which
# compares the questionnaire's autosave with this form autosave using them.

LOGIN = "edu999001"
PASSWORD = "bench-autosave-2026"


def prepare_database(env: dict) -> tuple[int, str]:
    """The one bench school that logs in with LOGIN and PASSWORD (`bench_schools`): its
    report and autosave path."""
    [(_user, report)] = bench_schools(env, [LOGIN], password=PASSWORD)
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


# ------------------------------------------------------------------ the run


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per wrk run")
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--rate", type=float, default=100.0, help="open model: autosaves/s")
    parser.add_argument("--open-duration", type=float, default=20.0)
    parser.add_argument("--schools", type=int, default=128, help="open model: 64–200 schools")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument("--open-only", action="store_true")
    args = parser.parse_args()
    clients = [max(1, int(c)) for c in args.clients.split(",")]
    count = max([args.schools, *clients])

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
    schools = prepare(env, count)
    from django.conf import settings

    schools_file = Path(tmp.name) / "schools.tsv"
    script = Path(tmp.name) / "bench.lua"
    script.write_text(WRK_SCRIPT)
    print(f"load before: {uptime()}")
    pooled = "pool" in settings.DATABASES["default"].get("OPTIONS", {})
    print(
        f"Сервер: gunicorn {args.workers} процесса × {args.threads} потока, {database}"
        f"{' (пул соединений)' if pooled else ''}, bench.settings; сессии: "
        f"{settings.SESSION_ENGINE.rsplit('.', 1)[-1]}"
        f"{' (CACHE_URL задан)' if os.environ.get('CACHE_URL') else ' (CACHE_URL не задан)'}; "
        f"ОО замера: {count}, у каждой свой вход, своя сессия, свой отчет"
    )
    port = free_port()
    server = start_server(env, port, args.workers, args.threads)
    print(f"Генератор нагрузки: {pin_generator()}")
    problems: list[str] = []
    try:
        if not args.open_only:
            for n in clients:
                write_schools(schools_file, schools, n)
                wrk_args = (wrk, server, port, str(script), str(schools_file))
                run_wrk(*wrk_args, "bare", n, 2)  # warm-up
                bare = run_wrk(*wrk_args, "bare", n, args.duration)
                problems += invalid_reasons(f"простая, {n} клиентов", bare, None, 0)
                before = written_saves(schools)
                save = run_wrk(*wrk_args, "save", n, args.duration)
                written = written_saves(schools) - before
                problems += invalid_reasons(f"автосохранение, {n} клиентов", save, written, n)
                print(
                    f"клиентов {n:>2}: простая {bare['rate']:7.1f}/с p50 {bare['p50']:6.1f} "
                    f"p99 {bare['p99']:7.1f} мс | автосохранение {save['rate']:7.1f}/с "
                    f"p50 {save['p50']:6.1f} p99 {save['p99']:7.1f} мс | отношение "
                    f"{save['rate'] / bare['rate']:.2f}\n"
                    f"            автосохранений {save['requests']}, не 2xx "
                    f"{bare['non2xx'] + save['non2xx']} (409: {save['conflicts']}), не сохранено "
                    f"{save['unsaved']}, ошибок соединения {bare['errors'] + save['errors']}; "
                    f"в базе записей {written}; ЦП gunicorn на запрос: простая "
                    f"{bare['server_ms']:.1f} мс, автосохранение {save['server_ms']:.1f} мс; "
                    f"ЦП PostgreSQL на запрос: простая {bare['database_ms']}, автосохранение "
                    f"{save['database_ms']}; "
                    f"ЦП wrk {save['cpu'] * 100:.0f} % ядра",
                    flush=True,
                )
        known = versions(schools)
        asyncio.run(open_model(port, schools, known, args.rate, 3))  # warm-up, not counted
        known = versions(schools)
        before, cpu, database = written_saves(schools), server_cpu(server), database_cpu()
        opened = asyncio.run(open_model(port, schools, known, args.rate, args.open_duration))
        cpu, database = server_cpu(server) - cpu, database_cpu_since(database)
        written = written_saves(schools) - before
        problems += invalid_reasons("открытая модель", opened, written, 0)
        seconds = opened["requests"] / opened["achieved"]
        print(
            f"Открытая модель ({len(schools)} ОО × {len(OPEN_CELLS)} ячейки, открыто "
            f"{opened['connections']} соединений): предложено {opened['offered']:.0f}/с, "
            f"выполнено {opened['achieved']:.1f}/с, p50 {opened['p50']:.1f} мс, "
            f"p99 {opened['p99']:.1f} мс, max {opened['max']:.0f} мс\n"
            f"            автосохранений {opened['requests']}, не 2xx {opened['non2xx']} "
            f"(409: {opened['conflicts']}), не сохранено {opened['unsaved']}, ошибок соединения "
            f"{opened['errors']}, ждали ответа на прошлое сохранение ячейки {opened['waited']}"
            f"{' (сервер не успевал)' if opened['waited'] else ''}; в базе записей "
            f"{written}\n            ЦП на автосохранение: gunicorn "
            f"{cpu * 1000 / opened['requests']:.1f} мс ({cpu / seconds * 100:.0f} % ядра), "
            f"PostgreSQL {cpu_ms(database, opened['requests'])}"
            f"{f' ({database / seconds * 100:.0f} % ядра)' if database is not None else ''}; "
            f"генератор: ЦП {opened['cpu'] * 100:.0f} % ядра, опоздание отправки до "
            f"{opened['lag']:.1f} мс"
        )
    finally:
        server.terminate()
        server.wait(timeout=15)
        tmp.cleanup()
    print(f"load after: {uptime()}")
    if problems:
        print("INVALID: замер недостоверен —\n  " + "\n  ".join(problems))
        raise SystemExit(1)
    print("VALID: все ответы 2xx, все ячейки сохранены, в базе ровно столько записей")


if __name__ == "__main__":
    main()
