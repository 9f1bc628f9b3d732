"""Statistical reports at national scale: the build on publish (time and memory) and the report
pages for a small and a national collection in the same database (time and query counts, ratio).

    .venv/bin/python bench/results.py [--organizations 45000] [--participants 25] [--no-tracemalloc]

Builds a temporary SQLite database: `seed_scale`, the demo results form (10 tasks, max 18) and
two collections — «small» with 10 organizations and «national» with every organization — each
organization with one transferred snapshot of `--participants` participants (4 класс, varied
scores, some `X`, about one absentee in 15) written with bulk inserts. Then:
- the national build (`results.services.results_build`, the task's body): wall time, peak of
  Python memory (tracemalloc) and the process's peak RSS;
- report pages through Django's test client, median of several requests, for the small and the
  national report: the school's report, the region's report (first and last page of its
  organizations, sorted by average), the national report; their ratio and query counts.
"""

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organizations", type=int, default=45_000)
    parser.add_argument("--participants", type=int, default=25)
    parser.add_argument("--requests", type=int, default=7, help="requests per page (median)")
    parser.add_argument("--no-tracemalloc", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    options = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench-results-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "fisoko.settings.test"  # DEBUG off: no query log
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]  # the test client's «testserver»
    try:
        run(options)
    finally:
        if options.keep:
            print(f"Данные оставлены в {workdir}")
        else:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)


def snapshot_rows(rng, participants):
    from datacollection.demo import TASK_MAX_SCORES

    rows = []
    level = rng.uniform(0.3, 0.9)
    for seq in range(participants):
        values = {"code": f"4{seq:04d}", "grade": "4", "variant": "1"}
        absent = rng.random() < 1 / 15
        for task, max_score in enumerate(TASK_MAX_SCORES, 1):
            if absent:
                values[f"task_{task}"] = "отсутствовал"
            elif rng.random() < 0.04:
                values[f"task_{task}"] = "X"
            else:
                values[f"task_{task}"] = str(sum(rng.random() < level for _ in range(max_score)))
        rows.append({"key": f"r{seq}", "label": str(seq + 1), "values": values})
    return rows


def build(options):
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Organization, User
    from datacollection.demo import TASK_MAX_SCORES, build_forms
    from datacollection.models import Collection, Report, Study, Submission
    from results.models import ReportDefinition, TaskDefinition

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("seed_scale", organizations=options.organizations, stdout=quiet)
    rng = random.Random(2026)
    now = timezone.now()
    organization_ids = list(Organization.objects.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        form = build_forms()["results"]
        study = Study.objects.create(code="bench", title="НИКО (замер)", year=2026)
        collections = {}
        for name, ids in (("small", organization_ids[:10]), ("national", organization_ids)):
            collection = Collection.objects.create(
                form=form,
                study=study,
                opens_at=now - timedelta(days=10),
                closes_at=now - timedelta(hours=2),
            )
            through = Collection.organizations.through
            through.objects.bulk_create(
                (through(collection_id=collection.pk, organization_id=pk) for pk in ids),
                batch_size=5000,
            )
            definition = ReportDefinition.objects.create(
                collection=collection, grade=4, mark_3_from=6, mark_4_from=10, mark_5_from=15
            )
            TaskDefinition.objects.bulk_create(
                TaskDefinition(
                    definition=definition,
                    order=n,
                    column_key=f"task_{n}",
                    title=str(n),
                    max_score=m,
                )
                for n, m in enumerate(TASK_MAX_SCORES, 1)
            )
            Report.objects.bulk_create(
                (
                    Report(
                        collection=collection,
                        organization_id=pk,
                        status=Report.Status.SUBMITTED,
                        submitted_at=now,
                    )
                    for pk in ids
                ),
                batch_size=5000,
            )
            batch = []
            for report_id in Report.objects.filter(collection=collection).values_list(
                "pk", flat=True
            ):
                data = {
                    "tables": [
                        {
                            "key": "results",
                            "title": "Результаты",
                            "rows": snapshot_rows(rng, options.participants),
                        }
                    ]
                }
                batch.append(Submission(report_id=report_id, submitted_at=now, data=data))
                if len(batch) >= 1000:
                    Submission.objects.bulk_create(batch)
                    batch = []
            Submission.objects.bulk_create(batch)
            collections[name] = (collection, definition)
        operator = User.objects.create(
            username="bench-operator", role=User.Role.OPERATOR, is_staff=True
        )
        region_id = Organization.objects.get(pk=organization_ids[0]).region_id
        regional = User.objects.create(
            username="bench-regional", role=User.Role.REGIONAL, region_id=region_id
        )
    school = User.objects.filter(organization_id=organization_ids[0]).first()
    print(
        f"Данные: {len(organization_ids)} ОО, переданных отчетов {Submission.objects.count()} "
        f"по {options.participants} участников, за {time.perf_counter() - started:.0f} с"
    )
    return collections, operator, regional, school, region_id


def timed_build(label, collection, definition, trace):
    from results.services import results_build

    if trace:
        tracemalloc.start()
    before = rss_mib()
    started = time.perf_counter()
    summary = results_build(collection_id=collection.pk, definition_ids=[definition.pk])
    elapsed = time.perf_counter() - started
    peak = f"   пик Python {tracemalloc.get_traced_memory()[1] / 2**20:7.1f} MiB" if trace else ""
    if trace:
        tracemalloc.stop()
    print(
        f"{label:<40} {elapsed:8.2f} с{peak}   пик RSS процесса {rss_mib():7.1f} MiB "
        f"(до сборки {before:.1f})   снимков {summary.snapshots}, участников "
        f"{summary.participants}"
    )
    return elapsed


def page(client, url, repeats):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm the session and template caches
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(times), len(queries)


def run(options):
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    collections, operator, regional, school, region_id = build(options)
    trace = not options.no_tracemalloc
    print(f"База: {connection.vendor}; память: tracemalloc {'вкл.' if trace else 'выкл.'}\n")
    timed_build("Сборка отчета (10 ОО)", *collections["small"], trace)
    timed_build(f"Сборка отчета ({options.organizations} ОО)", *collections["national"], trace)

    clients = {}
    for user in (operator, regional, school):
        clients[user.pk] = Client()
        clients[user.pk].force_login(user)
    organization_id = school.organization_id
    pages = [
        ("Отчет ОО", school, lambda d: reverse("results:organization", args=[d, organization_id])),
        (
            "Отчет региона, стр. 1",
            regional,
            lambda d: reverse("results:region", args=[d, region_id]),
        ),
        (
            "Отчет региона, посл. стр., по ср. баллу",
            regional,
            lambda d: reverse("results:region", args=[d, region_id]) + "?sort=-average&page=last",
        ),
        ("Отчет по всем регионам", operator, lambda d: reverse("results:national", args=[d])),
        (
            "Отчет ОО, .xlsx",
            school,
            lambda d: reverse("results:organization_xlsx", args=[d, organization_id]),
        ),
    ]
    print(
        f"\n{'страница':<42} {'10 ОО, мс':>10} {'запр.':>6} "
        f"{f'{options.organizations} ОО, мс':>12} {'запр.':>6} {'отношение':>10}"
    )
    for label, user, url in pages:
        small, small_queries = page(
            clients[user.pk], url(collections["small"][1].pk), options.requests
        )
        large, large_queries = page(
            clients[user.pk], url(collections["national"][1].pk), options.requests
        )
        print(
            f"{label:<42} {small * 1000:10.1f} {small_queries:6d} {large * 1000:12.1f} "
            f"{large_queries:6d} {large / small:10.2f}"
        )


if __name__ == "__main__":
    main()
