"""Monitoring at national scale: whole pages (view, selectors, template) against the bare
login-protected view in the same process, and «Экспорт результатов» against openpyxl fed with
the same rows read from the database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fisoko_bench_monitoring \\
        .venv/bin/python bench/monitoring.py [--organizations 45000] [--repeat 7]
        [--export regional|national|none] [--trace]

Uses `bench.settings` (the portal plus `/bench/bare/`, which only answers "ok" behind the
login). The database is migrated and, if it holds fewer organizations than asked, filled with
`seed_scale` (a scratch database: it is reused on the next run). Without DATABASE_URL a
temporary SQLite database is used.

Each page is requested through Django's test client (the whole stack: middleware, session,
view, template) once to warm up, then `--repeat` times; the median is printed in ms, with its
ratio to the bare view's median and the number of SQL queries. The goal: the national page
≤ 50 ms, every page ≤ 15× the bare view.

The export runs the job (`services.export_run`) and then a baseline that reads the same rows
the job reads (`selectors.export_records`: the participants and their last snapshots) and
writes them straight into an openpyxl write-only workbook: the ratio is the cost of the
export's own layout and conversions. `--trace` adds the tracemalloc peak of both.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(options) -> Path:
    workdir = Path(tempfile.mkdtemp(prefix="bench-monitoring-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
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
    if Organization.objects.count() < options.organizations:
        call_command("seed_scale", organizations=options.organizations)
    return workdir


def timed(client, url: str, repeat: int) -> tuple[float, int, int]:
    """(median ms, SQL queries, status) of GET url."""
    from django.db import connection

    response = client.get(url)  # warm-up
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), len(queries), response.status_code


def pages(options) -> None:
    from django.test import Client
    from django.urls import reverse

    from accounts.models import Organization, Region, User
    from bench.urls import BARE_PATH
    from datacollection.models import Collection

    collection = Collection.objects.get(form__code="niko_results", study__code="niko2026")
    region = Region.objects.get(code="01")
    users = {
        "оператор": User.objects.get(username="operator_scale"),
        "рег. координатор": User.objects.get(username="reg010000"),
        "мун. координатор": User.objects.get(username="reg01_m001"),
    }
    organization = Organization.objects.filter(region=region).order_by("login").first()
    detail = reverse("monitoring:collection_detail", args=[collection.pk])
    listing = reverse("monitoring:participant_list", args=[collection.pk])
    plan = {
        "оператор": [
            ("Мониторинг (все сборы)", reverse("monitoring:overview")),
            ("Статистика, вся страна (по регионам)", detail),
            (
                "Статистика региона 01 (по муниципалитетам)",
                reverse("monitoring:collection_region", args=[collection.pk, region.pk]),
            ),
            ("Список участников, стр. 1", listing),
            ("Список, последняя стр., по дате передачи", f"{listing}?sort=-submitted&page=last"),
            ("Список «Сдано», поиск «edu», последняя стр.",
             f"{listing}?status=submitted&q=edu&page=last"),
            (
                "Данные ОО (последняя передача)",
                reverse("monitoring:participant_data", args=[collection.pk, organization.pk]),
            ),
        ],
        "рег. координатор": [
            ("Мониторинг (все сборы)", reverse("monitoring:overview")),
            ("Статистика региона (по муниципалитетам)", detail),
            ("Список, последняя стр., по дате передачи", f"{listing}?sort=-submitted&page=last"),
        ],
        "мун. координатор": [
            ("Статистика муниципалитета", detail),
            ("Список участников, стр. 1", listing),
        ],
    }  # fmt: skip
    print(f"ОО в сборе: {collection.organizations.count()}; повторов: {options.repeat} (медиана)")
    print(f"{'роль':<17} {'страница':<46} {'мс':>8} {'× bare':>7} {'SQL':>4}")
    for role, items in plan.items():
        client = Client()
        client.force_login(users[role])
        bare, bare_queries, _ = timed(client, BARE_PATH, max(options.repeat, 21))
        print(f"{role:<17} {'bare (только «ok» за входом)':<46} {bare:8.1f} {1:7.1f} "
              f"{bare_queries:>4}")  # fmt: skip
        for label, url in items:
            elapsed, queries, status = timed(client, url, options.repeat)
            flag = "" if status == 200 else f"  HTTP {status}"
            print(f"{'':<17} {label:<46} {elapsed:8.1f} {elapsed / bare:7.1f} {queries:>4}{flag}")


def export(options) -> None:
    from django.db import connection

    from accounts.models import User
    from datacollection.models import Collection
    from monitoring import selectors, services
    from monitoring.models import ExportJob

    collection = Collection.objects.get(form__code="niko_results", study__code="niko2026")
    user = User.objects.get(
        username="operator_scale" if options.export == "national" else "reg010000"
    )
    job = ExportJob.objects.create(
        requester=user, collection=collection, scope_description=user.scope_label
    )
    print(f"\nЭкспорт ({options.export}, {connection.vendor}):")
    _, export_time, export_peak = measure(lambda: services.export_run(job_id=job.pk), options)
    job.refresh_from_db()
    if job.status != ExportJob.Status.DONE:
        print(f"Экспорт не выполнен: {job.error}")
        return
    with tempfile.TemporaryDirectory() as directory:
        rows, base_time, base_peak = measure(
            lambda: baseline(Path(directory) / "base.xlsx", selectors, user, collection), options
        )
    print(f"  экспорт: {export_time:7.2f} с{export_peak}; файл {job.file.size / 2**20:.1f} MiB, "
          f"организаций {job.progress_total}")  # fmt: skip
    print(f"  те же строки из базы → openpyxl write-only: {base_time:7.2f} с{base_peak}; "
          f"строк {rows}")  # fmt: skip
    print(f"  экспорт / базовый = {export_time / base_time:.2f}")
    job.file.delete(save=False)
    job.delete()


def baseline(path, selectors, user, collection) -> int:
    """The rows the job reads (participants, last snapshots, in its chunks), written as they
    come: a summary row per organization and a row per snapshot row."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    summary = book.create_sheet("Сводка")
    results = book.create_sheet("Результаты")
    rows = 0
    for record in selectors.export_records(user, collection):
        summary.append(
            [record.region, record.municipality, record.login, record.name, record.status,
             record.started_at and record.started_at.replace(tzinfo=None),
             record.submitted_at and record.submitted_at.replace(tzinfo=None),
             record.is_late, record.has_changes]
        )  # fmt: skip
        rows += 1
        for table in (record.snapshot or {}).get("tables", []):
            for row in table["rows"]:
                results.append([record.login, row["label"], *row["values"].values()])
                rows += 1
    book.save(path)
    return rows


def measure(function, options):
    if options.trace:
        tracemalloc.start()
    started = time.perf_counter()
    result = function()
    elapsed = time.perf_counter() - started
    peak = ""
    if options.trace:
        peak = f", пик {tracemalloc.get_traced_memory()[1] / 2**20:.1f} MiB (tracemalloc)"
        tracemalloc.stop()
    return result, elapsed, peak


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organizations", type=int, default=45_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--export", choices=["regional", "national", "none"], default="regional")
    parser.add_argument("--trace", action="store_true", help="tracemalloc peak of the export")
    options = parser.parse_args()
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"load before: {uptime}")
    workdir = setup(options)
    from django.db import connection

    print(f"База: {connection.vendor} ({connection.settings_dict['NAME']})")
    try:
        pages(options)
        if options.export != "none":
            export(options)
    finally:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"load after: {uptime}")


if __name__ == "__main__":
    main()
