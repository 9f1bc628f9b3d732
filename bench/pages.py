"""Whole pages at national scale, shared by `bench/monitoring.py` and `bench/readiness.py`: the
scratch database filled by `seed_scale`, and each page requested through Django's test client
(middleware, session, view, template) against the bare login-protected view in the same
process — asked right before each request of the page, so both see the same load — with its
SQL queries counted."""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.portal import ensure_database, ensure_vacuumed  # noqa: E402

# Every coordinator's and operator's page stays within this many bare views (issue 11).
RATIO_GOAL = 15


def uptime() -> str:
    # In UTC: Django sets the process's TZ to Moscow once it is set up.
    environment = {**os.environ, "TZ": "UTC"}
    return subprocess.run(
        ["uptime"], capture_output=True, text=True, env=environment
    ).stdout.strip()


def setup(organizations: int) -> Path:
    """Django with `bench.settings` on DATABASE_URL (a temporary SQLite database without it),
    migrated and filled by `seed_scale` when it holds fewer organizations than asked."""
    workdir = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    ensure_database(os.environ["DATABASE_URL"])
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ.setdefault("PYTHONWARNINGS", "ignore:No directory at:UserWarning")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from accounts.models import Organization

    settings.MEDIA_ROOT = workdir / "media"
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    if Organization.objects.count() < organizations:
        call_command("seed_scale", organizations=organizations)
    ensure_vacuumed()
    return workdir


def timed(client, url: str, bare_url: str, repeat: int) -> tuple[float, float, int, int]:
    """(median ms of GET url, median ms of the bare view, SQL queries of url, status), after
    one warm-up request. The bare view is asked right before each request of the page, so the
    ratio compares the two under the same load even on a busy machine."""
    from django.db import connection

    response = client.get(url)
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    times, bare_times = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(bare_url)
        bare_times.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return (
        statistics.median(times),
        statistics.median(bare_times),
        len(queries),
        response.status_code,
    )


def run(plan: dict, users: dict, repeat: int) -> list[str]:
    """Print each role's pages, each beside the bare view timed with it; return the pages
    over the goal."""
    from django.test import Client

    from bench.urls import BARE_PATH

    over = []
    print(f"{'роль':<17} {'страница':<52} {'мс':>8} {'bare':>6} {'× bare':>7} {'SQL':>4}")
    for role, items in plan.items():
        client = Client()
        client.force_login(users[role])
        _, _, bare_queries, _ = timed(client, BARE_PATH, BARE_PATH, 1)
        print(f"{role:<17} (bare — только «ok» за входом: {bare_queries} SQL)")
        for label, url in items:
            elapsed, bare, queries, status = timed(client, url, BARE_PATH, repeat)
            ratio = elapsed / bare
            flag = "" if status == 200 else f"  HTTP {status}"
            if ratio > RATIO_GOAL:
                flag += f"  > {RATIO_GOAL}×"
                over.append(f"{role}: {label}")
            print(f"{'':<17} {label:<52} {elapsed:8.1f} {bare:6.1f} {ratio:7.1f} "
                  f"{queries:>4}{flag}")  # fmt: skip
    return over
