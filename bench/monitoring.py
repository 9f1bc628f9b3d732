"""Monitoring at national scale: statistics, the last page of «Список участников» and the
national «Экспорт результатов», each timed and with its peak of Python memory (tracemalloc).

    .venv/bin/python bench/monitoring.py [--organizations 45000] [--rows 10]

Builds a temporary SQLite database: `seed_scale`, the demo results form, one collection with
every organization, and results filled in with bulk inserts — 60 % of the organizations have
transferred (a Submission snapshot of `--rows` participants), 20 % are entering data (cells),
20 % have not started. The export is compared with writing rows of the same shape and types
straight with openpyxl's write-only mode in the same run (the ratio is what to watch: the cost
of reading the database and converting values on top of openpyxl itself).
"""

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


TRACE = True


def measure(label, function):
    """Run once: wall time and, unless --no-tracemalloc, the tracemalloc peak of the same run
    (tracemalloc slows allocation-heavy code such as openpyxl about four times; the export and
    its openpyxl baseline pay the same, so their ratio stays fair)."""
    if TRACE:
        tracemalloc.start()
    started = time.perf_counter()
    result = function()
    elapsed = time.perf_counter() - started
    peak = ""
    if TRACE:
        peak = f"   peak {tracemalloc.get_traced_memory()[1] / 2**20:8.1f} MiB"
        tracemalloc.stop()
    print(f"{label:<58} {elapsed:8.2f} s{peak}")
    return result, elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organizations", type=int, default=45_000)
    parser.add_argument("--rows", type=int, default=10, help="participants per snapshot")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--no-tracemalloc", action="store_true", help="time only, without the memory peak"
    )
    options = parser.parse_args()
    global TRACE
    TRACE = not options.no_tracemalloc

    workdir = Path(tempfile.mkdtemp(prefix="bench-monitoring-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "fisoko.settings.test"  # DEBUG off: no query log
    import django

    django.setup()
    from django.conf import settings

    settings.MEDIA_ROOT = workdir / "media"
    try:
        run(options)
    finally:
        if not options.keep:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"Данные оставлены в {workdir}")


def build(options):
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Organization, User
    from datacollection.demo import build_forms
    from datacollection.models import Cell, Collection, Report, Study, Submission

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("seed_scale", organizations=options.organizations, stdout=quiet)
    with transaction.atomic():
        form = build_forms()["results"]
        study = Study.objects.create(code="bench", title="НИКО (замер)", year=2026)
        now = timezone.now()
        collection = Collection.objects.create(
            form=form,
            study=study,
            opens_at=now - timedelta(days=10),
            closes_at=now - timedelta(hours=2),
        )
        organization_ids = list(Organization.objects.values_list("pk", flat=True))
        through = Collection.organizations.through
        through.objects.bulk_create(
            (through(collection_id=collection.pk, organization_id=pk) for pk in organization_ids),
            batch_size=5000,
        )
        reports = []
        for index, pk in enumerate(organization_ids):
            state = index % 5
            if state == 0:
                continue  # not started, no report
            report = Report(collection=collection, organization_id=pk)
            report.started_at = now - timedelta(days=3, minutes=index % 1000)
            report.last_saved_at = now - timedelta(days=1, minutes=index % 1000)
            if state == 1:
                report.status = Report.Status.IN_PROGRESS
            else:
                report.status = Report.Status.SUBMITTED
                # some after the deadline (an extension), some edited since
                report.submitted_at = now - timedelta(hours=1 if state == 4 else 30)
                report.has_unsubmitted_changes = index % 7 == 0
            reports.append(report)
        Report.objects.bulk_create(reports, batch_size=5000)
        table = form.tables.get(key="results")
        keys = [c.key for c in table.columns.order_by("order")]

        def values(number, row):
            data = {"code": f"8{row:04d}", "grade": "8", "variant": "1"}
            data.update(dict.fromkeys(keys[3:-1], "X" if (number + row) % 11 == 0 else "1"))
            data["total"] = str(sum(v == "1" for v in data.values()) - 1)
            data["code"] = f"={row}" if row == 0 and number % 1000 == 0 else data["code"]
            return data

        submissions, cells = [], []
        for report in Report.objects.filter(collection=collection).only(
            "pk", "status", "submitted_at", "organization_id"
        ):
            if report.status == Report.Status.SUBMITTED:
                rows = [
                    {
                        "key": f"r{row}",
                        "label": f"Строка {row + 1}",
                        "values": values(report.pk, row),
                    }
                    for row in range(options.rows)
                ]
                submissions.append(
                    Submission(
                        report=report,
                        submitted_at=report.submitted_at,
                        data={"tables": [{"key": "results", "title": table.title, "rows": rows}]},
                    )
                )
            else:
                for row in range(min(3, options.rows)):
                    for key, value in values(report.pk, row).items():
                        cells.append(
                            Cell(
                                report=report,
                                table=table,
                                row_key=f"r{row}",
                                column_key=key,
                                value=value,
                            )
                        )
            if len(submissions) >= 2000:
                Submission.objects.bulk_create(submissions)
                submissions = []
            if len(cells) >= 20000:
                Cell.objects.bulk_create(cells)
                cells = []
        Submission.objects.bulk_create(submissions)
        Cell.objects.bulk_create(cells)
        operator = User.objects.create(username="bench-operator", role=User.Role.OPERATOR)
        region = Organization.objects.values_list("region", flat=True).first()
        regional = User.objects.create(
            username="bench-regional", role=User.Role.REGIONAL, region_id=region
        )
    print(
        f"Данные: {len(organization_ids)} ОО, отчетов {Report.objects.count()}, "
        f"переданных {Submission.objects.count()}, значений {Cell.objects.count()} "
        f"за {time.perf_counter() - started:.0f} с"
    )
    return collection, operator, regional


def baseline(path, *, organizations, submitted, rows, columns):
    """The same number of rows, of the same shape and types, straight into openpyxl."""
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook(write_only=True)
    summary = book.create_sheet("Сводка")
    moment = datetime(2026, 11, 21, 13, 50)
    summary.append(["Регион", "Муниципалитет", "Логин", "Наименование", "Статус", "a", "b", "c"])
    head = ["01 — Регион 01", "Муниципалитет 001", "edu010001", "Школа", "Сдано"]
    for _ in range(organizations):
        summary.append([*head, moment, moment, moment, "нет", "нет"])
    sheet = book.create_sheet("Результаты")
    sheet.append(["h"] * (5 + columns))
    head = ["01 — Регион 01", "Муниципалитет 001", "edu010001", "Школа", "Строка 1"]
    values = ["80001", 8, "1", *([1] * (columns - 4)), "X"]
    for _ in range(submitted * rows):
        sheet.append(head + values)
    book.save(path)


def run(options):
    from django.db import connection

    from datacollection.models import Submission
    from monitoring import selectors, services
    from monitoring.models import ExportJob

    collection, operator, regional = build(options)
    memory = "пик памяти Python (tracemalloc), без памяти SQLite" if TRACE else "без tracemalloc"
    print(f"База: {connection.vendor}; {memory}\n")

    for user, scope in ((operator, "все регионы"), (regional, "один регион")):
        measure(
            f"Статистика ({scope})",
            lambda user=user: selectors.collection_statistics(user, collection),
        )
    for user, scope in ((operator, "все регионы"), (regional, "один регион")):
        measure(
            f"Последняя страница списка ({scope}, по дате передачи)",
            lambda user=user: list(
                selectors.participant_page(user, collection, sort="-submitted", page="last")
            ),
        )
    measure(
        "Последняя страница списка («Сдано», поиск «edu»)",
        lambda: list(
            selectors.participant_page(
                operator, collection, status="submitted", q="edu", page="last"
            )
        ),
    )

    job = ExportJob.objects.create(
        requester=operator, collection=collection, scope_description="Все регионы"
    )
    _, export_time = measure(
        "Экспорт результатов (все регионы)", lambda: services.export_run(job_id=job.pk)
    )
    job.refresh_from_db()
    if job.status != ExportJob.Status.DONE:
        print(f"Экспорт не выполнен: {job.error}")
        return
    size = job.file.size
    submitted = Submission.objects.count()
    columns = len(collection.form.tables.get(key="results").columns.all())
    with tempfile.TemporaryDirectory() as directory:
        _, base_time = measure(
            "Те же строки напрямую в openpyxl write-only",
            lambda: baseline(
                Path(directory) / "base.xlsx",
                organizations=job.progress_total,
                submitted=submitted,
                rows=options.rows,
                columns=columns,
            ),
        )
    print(
        f"\nФайл экспорта: {size / 2**20:.1f} MiB, организаций {job.progress_total}, "
        f"строк результатов {submitted * options.rows}; "
        f"экспорт / openpyxl = {export_time / base_time:.2f}"
    )
    print(f"Пик RSS процесса: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
