"""Coordinators' and operators' pages at national scale: every page whole (view, selectors,
template) against the bare login-protected view in the same process, and «Экспорт
результатов» against openpyxl fed with the same rows read from the database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fisoko_bench_monitoring \\
        .venv/bin/python bench/monitoring.py [--organizations 45000] [--repeat 7]
        [--export regional|national|none] [--trace] [--only TEXT]

Uses `bench.settings` (the portal plus `/bench/bare/`, which only answers "ok" behind the
login). The database is migrated and, if it holds fewer organizations than asked, filled with
`seed_scale` (a scratch database: it is reused on the next run). Without DATABASE_URL a
temporary SQLite database is used. The demo's questionnaires with codes and answers in three of
five schools of region 01 are added once (`bench.readiness.questionnaires`), so the list and the
grid show their columns.

Each page is requested through Django's test client (the whole stack: middleware, session,
view, template) once to warm up, then `--repeat` times, each right after a request of the
bare view; the medians of both are printed in ms, with their ratio and the number of SQL
queries (the same as at 10 organizations: tests/test_monitoring_queries.py,
tests/test_studies_grid.py and tests/test_organizations.py pin them). The goals: the national
page ≤ 50 ms, every page ≤ 15× the bare view (marked «> 15×» otherwise).

The export runs the job (`services.export_run`) and then a baseline that reads the same rows
the job reads (`selectors.export_records`, in the job's chunks: the participants and their last
snapshots) and writes them straight into an openpyxl write-only workbook, into the cells the
export's file holds: the ratio is the cost of the export's own conversions (numbers and dates
typed, Moscow time, the formula guard, headers). `--trace` adds the tracemalloc peak of both.
"""

import argparse
import shutil
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pages import run, setup, uptime
from bench.readiness import questionnaires


def plan_and_users():
    from django.urls import reverse

    from accounts.models import Organization, Region, User
    from datacollection.models import Collection
    from monitoring.models import ExportJob

    collection = Collection.objects.get(form__code="niko_results", study__code="niko2026")
    study = collection.study
    # The questionnaires' columns of «Список участников» and «Готовность ОО» (kept in the
    # scratch database, as `bench/readiness.py` seeds them).
    questionnaires(study)
    region = Region.objects.get(code="01")
    users = {
        "оператор": User.objects.get(username="operator_scale"),
        "рег. координатор": User.objects.get(username="reg010000"),
        "мун. координатор": User.objects.get(username="reg01_m001"),
    }
    organization = Organization.objects.filter(region=region).order_by("login").first()
    municipality = organization.municipality_id
    detail = reverse("monitoring:collection_detail", args=[collection.pk])
    listing = reverse("monitoring:participant_list", args=[collection.pk])
    data = reverse("monitoring:participant_data", args=[collection.pk, organization.pk])
    organizations = reverse("accounts:organization_list")
    grid = reverse("studies:grid", args=[study.pk])
    exports = {
        role: reverse(
            "monitoring:export_detail",
            args=[
                ExportJob.objects.get_or_create(
                    requester=user,
                    collection=collection,
                    defaults={"scope_description": user.scope_label},
                )[0].pk
            ],
        )
        for role, user in users.items()
    }
    plan = {
        "оператор": [
            ("Мониторинг (все сборы)", reverse("monitoring:overview")),
            ("Статистика, вся страна (по регионам)", detail),
            (
                "Статистика региона 01 (по муниципалитетам)",
                reverse("monitoring:collection_region", args=[collection.pk, region.pk]),
            ),
            ("Список участников, стр. 1", listing),
            ("Список, последняя стр., по дате передачи", f"{listing}?sort=-submitted&page=99999"),
            ("Список «Сдано», поиск «edu», последняя стр.",
             f"{listing}?status=submitted&q=edu&page=99999"),
            # Every name of the scale data set holds this word: the search reads them all.
            ("Список, поиск «организация», последняя стр.",
             f"{listing}?q=организация&page=99999"),
            *by_date(listing),
            ("Данные ОО (последняя передача)", data),
            ("Экспорт (страница задания)", exports["оператор"]),
            ("Организации, стр. 1", organizations),
            ("Организации, последняя стр.", f"{organizations}?page=99999"),
            ("Организации, поиск «организация», последняя стр.",
             f"{organizations}?q=организация&page=99999"),
            ("Готовность ОО, регион 01, стр. 1", f"{grid}?region=01"),
            ("Готовность ОО, регион 01, последняя стр.", f"{grid}?region=01&page=99999"),
            ("Готовность ОО, регион 01, «отстает»", f"{grid}?region=01&behind=1"),
            ("Готовность ОО, регион 01, муниципалитет",
             f"{grid}?region=01&municipality={municipality}"),
        ],
        "рег. координатор": [
            ("Мониторинг (все сборы)", reverse("monitoring:overview")),
            ("Статистика региона (по муниципалитетам)", detail),
            ("Список, последняя стр., по дате передачи", f"{listing}?sort=-submitted&page=99999"),
            *by_date(listing),
            ("Экспорт (страница задания)", exports["рег. координатор"]),
            ("Организации, последняя стр.", f"{organizations}?page=99999"),
            ("Готовность ОО, последняя стр.", f"{grid}?page=99999"),
            ("Готовность ОО, не выполнен пункт «документы»",
             f"{grid}?item=prep_documents&page=99999"),
        ],
        "мун. координатор": [
            ("Мониторинг (все сборы)", reverse("monitoring:overview")),
            ("Статистика муниципалитета", detail),
            ("Список участников, стр. 1", listing),
            ("Организации, стр. 1", organizations),
            ("Готовность ОО", grid),
        ],
    }  # fmt: skip
    print(f"ОО в сборе: {collection.organizations.count()}")
    return plan, users


# «Список участников» under a status filter sorted by a report's date (the report joined once
# for both): (label, status, sort) — every row undated, every row dated, the newest first.
FILTERED_BY_DATE = [
    ("«Не приступили» по дате передачи", "not_started", "submitted"),
    ("«В работе» по началу ввода", "in_progress", "started"),
    ("«В работе» по посл. сохранению ↓", "in_progress", "-saved"),
    ("«Сдано» по дате передачи ↓", "submitted", "-submitted"),
    ("«С опозданием» по дате передачи", "late", "submitted"),
    ("«Возвращены» по посл. сохранению", "returned", "saved"),
]


def by_date(listing: str) -> list[tuple[str, str]]:
    """The first and the last page of each of FILTERED_BY_DATE."""
    return [
        (f"Список {label}, {which}", f"{listing}?status={status}&sort={sort}{page}")
        for label, status, sort in FILTERED_BY_DATE
        for which, page in (("стр. 1", ""), ("посл.", "&page=99999"))
    ]


def pages(options) -> None:
    plan, users = plan_and_users()
    if options.only:
        chosen = {
            role: [(label, url) for label, url in items if options.only.lower() in label.lower()]
            for role, items in plan.items()
        }
        plan = {role: items for role, items in chosen.items() if items}
    print(f"повторов: {options.repeat} (медиана)")
    over = run(plan, users, options.repeat)
    print(f"выше 15× простой страницы: {', '.join(over) if over else 'нет'}")


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
    come into the cells the export's file holds: a summary row per organization, and a row
    per snapshot row with the organization's region, municipality, login and name before the
    row's label and values (as the file has them, so that Excel can filter any sheet by
    them). What the job adds is its own work: numbers and dates typed, Moscow time, the
    formula guard, headers, one sheet per table."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    summary = book.create_sheet("Сводка")
    results = book.create_sheet("Результаты")
    rows = 0
    from monitoring.services import PROGRESS_EVERY

    for record in selectors.export_records(user, collection, chunk_size=PROGRESS_EVERY):
        head = [record.region, record.municipality, record.login, record.name]
        summary.append(
            [*head, record.status,
             record.started_at and record.started_at.replace(tzinfo=None),
             record.submitted_at and record.submitted_at.replace(tzinfo=None),
             record.last_saved_at and record.last_saved_at.replace(tzinfo=None),
             record.is_late, record.has_changes]
        )  # fmt: skip
        rows += 1
        for table in (record.snapshot or {}).get("tables", []):
            for row in table["rows"]:
                results.append([*head, row["label"], *row["values"].values()])
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
    parser.add_argument(
        "--only", default="", help="only the pages whose label contains this text (any case)"
    )
    options = parser.parse_args()
    print(f"load before: {uptime()}")
    workdir = setup(options.organizations)
    from django.db import connection

    print(f"База: {connection.vendor} ({connection.settings_dict['NAME']})")
    try:
        pages(options)
        if options.export != "none":
            export(options)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"load after: {uptime()}")


if __name__ == "__main__":
    main()
