"""Statistical reports at national scale: the build on publish (time and memory) and every
report page whole (view, selectors, template) for a small and a national collection in the same
database, each against the bare login-protected view in the same process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fisoko_bench_results \\
        .venv/bin/python bench/results.py [--organizations 45000] [--participants 25]
        [--repeat 7] [--rebuild] [--no-tracemalloc]

Uses `bench.settings` (the portal plus `/bench/bare/`, which only answers "ok" behind the login)
on DATABASE_URL: a scratch database (created if missing, migrated, filled by `seed_scale` when it
holds fewer organizations than asked, reused on the next run); without DATABASE_URL a temporary
SQLite database. On it: the demo results form (10 tasks, max 18) and two collections of the
study «bench-results» — «small» with 10 organizations and «national» with every organization —
each organization with one transferred snapshot of `--participants` participants (4 класс,
varied scores, some `X`, about one absentee in 15) written with bulk inserts. Both are kept for
the next run (`--rebuild` builds the figures again; they are built anyway when missing). Then:
- the national build (`results.services.results_build`, the task's body): wall time, peak of
  Python memory (tracemalloc) and the process's peak RSS;
- report pages through Django's test client (`bench.pages.timed`: one warm-up, then `--repeat`
  requests, each right after a request of the bare view), for the small and the national
  report: the school's report, the municipality's, the region's (first page and the last page of
  its organizations sorted by average), all regions, the school's .xlsx; the median in ms, the
  ratio to the bare view and the number of SQL queries (pinned equal at any scale by
  tests/test_results_queries.py), and the same ratio in this process's CPU time, steadier on a
  shared machine. The goal: every page ≤ 15× the bare view.
"""

import argparse
import random
import resource
import shutil
import statistics
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import RATIO_GOAL, setup, timed, uptime  # noqa: E402

STUDY_CODE = "bench-results"


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organizations", type=int, default=45_000)
    parser.add_argument("--participants", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=7, help="requests per page (median)")
    parser.add_argument("--rebuild", action="store_true", help="build the figures again")
    parser.add_argument("--no-tracemalloc", action="store_true")
    options = parser.parse_args()
    print(f"load before: {uptime()}")
    workdir = setup(options.organizations)
    try:
        run(options)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"load after: {uptime()}")


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


def bench_data():
    """The bench's two collections and definitions from an earlier run, or None."""
    from results.models import ReportDefinition

    definitions = list(
        ReportDefinition.objects.filter(collection__study__code=STUDY_CODE)
        .select_related("collection")
        .order_by("collection_id")
    )
    if len(definitions) != 2:
        return None
    return {
        name: (d.collection, d) for name, d in zip(("small", "national"), definitions, strict=True)
    }


def build(options):
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import Organization
    from datacollection.demo import TASK_MAX_SCORES, build_forms
    from datacollection.models import Collection, Form, Report, Study, Submission
    from results.models import ReportDefinition, TaskDefinition

    started = time.perf_counter()
    rng = random.Random(2026)
    now = timezone.now()
    organization_ids = list(Organization.objects.order_by("pk").values_list("pk", flat=True))
    with transaction.atomic():
        form = Form.objects.filter(code="niko_results").first() or build_forms()["results"]
        study = Study.objects.create(code=STUDY_CODE, title="НИКО (замер)", year=2026)
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
    print(
        f"Данные: {len(organization_ids)} ОО, переданных отчетов {Submission.objects.count()} "
        f"по {options.participants} участников, за {time.perf_counter() - started:.0f} с"
    )
    return collections


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


def users(organization_id):
    """The operator, the region's and the municipality's coordinators and the school's login."""
    from accounts.models import Organization, User

    organization = Organization.objects.get(pk=organization_id)
    made = {}
    for name, role, scope in (
        ("bench-results-operator", User.Role.OPERATOR, {"is_staff": True}),
        ("bench-results-regional", User.Role.REGIONAL, {"region_id": organization.region_id}),
        (
            "bench-results-municipal",
            User.Role.MUNICIPAL,
            {"region_id": organization.region_id, "municipality_id": organization.municipality_id},
        ),
        (
            "bench-results-school",
            User.Role.ORGANIZATION,
            {
                "region_id": organization.region_id,
                "municipality_id": organization.municipality_id,
                "organization": organization,
            },
        ),
    ):
        made[role], _ = User.objects.update_or_create(
            username=name, defaults={"role": role, "must_change_password": False, **scope}
        )
    return organization, made


def cpu_client():
    """A test client that also notes this process's CPU time per request and URL: on a machine
    shared with other benchmarks the wall-clock ratio to the bare view swings with the load,
    the CPU ratio much less (it leaves out PostgreSQL's own work, which the SQL count shows)."""
    from django.test import Client

    class CpuClient(Client):
        cpu: dict[str, list[float]]

        def get(self, path, *args, **kwargs):
            started = time.process_time()
            response = super().get(path, *args, **kwargs)
            self.cpu.setdefault(path, []).append((time.process_time() - started) * 1000)
            return response

        def cpu_median(self, path, last):
            return statistics.median(self.cpu[path][-last:])

    return CpuClient


def run(options):
    from django.db import connection
    from django.urls import reverse

    from accounts.models import User
    from bench.urls import BARE_PATH

    Client = cpu_client()

    collections = bench_data()
    if collections is None:
        collections = build(options)
        options.rebuild = True
    small, national = collections["small"], collections["national"]
    trace = not options.no_tracemalloc
    sizes = [small[0].organizations.count(), national[0].organizations.count()]
    print(f"База: {connection.vendor} ({connection.settings_dict['NAME']})")
    if options.rebuild or not national[1].is_published or not small[1].is_published:
        print(f"память: tracemalloc {'вкл.' if trace else 'выкл.'}")
        timed_build(f"Сборка отчета ({sizes[0]} ОО)", *small, trace)
        timed_build(f"Сборка отчета ({sizes[1]} ОО)", *national, trace)

    organization_id = small[0].organizations.order_by("pk").values_list("pk", flat=True)[0]
    organization, by_role = users(organization_id)
    region, municipality = organization.region_id, organization.municipality_id
    pages = [
        ("Отчет ОО", User.Role.ORGANIZATION, "results:organization", [organization_id], ""),
        ("Отчет муниципалитета", User.Role.MUNICIPAL, "results:municipality", [municipality], ""),
        ("Отчет региона, стр. 1", User.Role.REGIONAL, "results:region", [region], ""),
        ("Отчет региона, посл. стр., по ср. баллу", User.Role.REGIONAL, "results:region",
         [region], "?sort=-average&page=99999"),
        ("Отчет по всем регионам", User.Role.OPERATOR, "results:national", [], ""),
        ("Отчет ОО, .xlsx", User.Role.ORGANIZATION, "results:organization_xlsx",
         [organization_id], ""),
    ]  # fmt: skip
    clients = {}
    for role, user in by_role.items():
        clients[role] = Client()
        clients[role].force_login(user)
    print(
        f"повторов: {options.repeat} (медиана); мс — время ответа, × — к простой странице; "
        "ЦП× — то же по времени ЦП этого процесса (без PostgreSQL)"
    )
    print(
        f"{'страница':<42}"
        + "".join(f" {f'{n} ОО, мс':>13} {'×':>5} {'ЦП×':>5} {'SQL':>4}" for n in sizes)
    )
    over = []
    for label, role, name, args, query in pages:
        line = f"{label:<42}"
        for size, (_, definition) in zip(sizes, (small, national), strict=True):
            url = reverse(name, args=[definition.pk, *args]) + query
            client = clients[role]
            client.cpu = {}
            elapsed, bare, queries, status = timed(client, url, BARE_PATH, options.repeat)
            assert status == 200, (url, status)
            cpu = client.cpu_median(url, options.repeat) / client.cpu_median(
                BARE_PATH, options.repeat
            )
            line += f" {elapsed:13.1f} {elapsed / bare:5.1f} {cpu:5.1f} {queries:4d}"
            if elapsed / bare > RATIO_GOAL and not name.endswith("xlsx"):
                over.append(f"{label} ({size} ОО)")
        print(line)
    print(f"выше {RATIO_GOAL}× простой страницы: {', '.join(over) if over else 'нет'}")


if __name__ == "__main__":
    main()
