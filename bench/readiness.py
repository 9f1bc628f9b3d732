"""The coordinator's readiness grid at national scale: the same number of queries for 450 and
45,000 organizations, and the time of both in the same run (the ratio per organization is what
to watch).

    .venv/bin/python bench/readiness.py [--organizations 45000]

Builds a temporary SQLite database with bulk inserts: one region per 2,500 organizations, a
study whose collection takes part with all of them and a small study with 1 % of them (the
baseline); for a third of the organizations classes, 10 codes each, one room with its list
issued and manual ticks; the grid is built for an operator (every region, no filters), with the
«отстает хоть в чем-то» filter, and its .xlsx.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(label, function):
    started = time.perf_counter()
    result = function()
    elapsed = time.perf_counter() - started
    print(f"{label:<62} {elapsed:8.2f} s")
    return result, elapsed


def build(count: int):
    from django.utils import timezone

    from accounts.models import Municipality, Organization, Region, User
    from datacollection.models import Collection, Form, Study
    from studies.models import ChecklistTick, ParticipantCode, Room, SchoolClass, Stage, StageDate

    regions = [
        Region.objects.create(code=f"{n + 1:02d}", name=f"Регион {n + 1}")
        for n in range(max(1, count // 2500))
    ]
    municipalities = [
        Municipality.objects.create(
            region=region, code=f"reg{region.code}_m001", name=f"Район {region.code}"
        )
        for region in regions
    ]
    organizations = Organization.objects.bulk_create(
        Organization(
            login=f"edu{municipalities[n % len(regions)].region.code}{n // len(regions):04d}",
            name=f"Школа № {n}",
            region_id=municipalities[n % len(regions)].region_id,
            municipality_id=municipalities[n % len(regions)].pk,
        )
        for n in range(count)
    )
    form = Form.objects.create(code="bench_form", title="Сведения об ОО")
    now = timezone.now()
    studies = []
    for code, share in (("bench_big", organizations), ("bench_base", organizations[::100])):
        study = Study.objects.create(code=code, title=code, year=2026)
        collection = Collection.objects.create(
            form=form, study=study, opens_at=now, closes_at=now + timezone.timedelta(days=5)
        )
        collection.organizations.add(*share)
        StageDate.objects.create(
            study=study,
            stage=Stage.PREPARATION,
            starts_on=now.date() - timezone.timedelta(days=10),
            ends_on=now.date() - timezone.timedelta(days=1),
        )
        studies.append((study, len(share)))
    big = studies[0][0]
    started = organizations[::3]
    classes = SchoolClass.objects.bulk_create(
        SchoolClass(study=big, organization=o, grade=8, letter="А", pupils=10) for o in started
    )
    rooms = Room.objects.bulk_create(
        Room(study=big, organization=o, number="101", capacity=10, list_issued_at=now)
        for o in started
    )
    ParticipantCode.objects.bulk_create(
        (
            ParticipantCode(
                study=big,
                organization_id=school_class.organization_id,
                school_class=school_class,
                grade=8,
                number=index * 10 + seat + 1,
                code=f"8{index * 10 + seat + 1:06d}",
                room=room,
            )
            for index, (school_class, room) in enumerate(zip(classes, rooms, strict=True))
            for seat in range(10)
        ),
        batch_size=5000,
    )
    user = User.objects.create(username="bench-operator", role=User.Role.OPERATOR, is_staff=True)
    ChecklistTick.objects.bulk_create(
        (
            ChecklistTick(study=big, organization=o, item=item, ticked_by=user)
            for o in started
            for item in ("prep_documents", "prep_readiness", "conduct_briefing")
        ),
        batch_size=5000,
    )
    return user, studies


def run(count: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from studies.grid import build_grid, grid_workbook

    (user, studies), _ = timed(f"данные: {count} ОО", lambda: build(count))
    results = {}
    for study, size in reversed(studies):
        with CaptureQueriesContext(connection) as queries:
            grid, elapsed = timed(
                f"сетка готовности, {size} ОО", lambda study=study: build_grid(user, study)
            )
        assert grid.total == size, (grid.total, size)
        results[size] = (elapsed, len(queries))
        print(f"{'':<4}запросов: {len(queries)}; отстают: {sum(r.behind for r in grid.rows)}")
    big_study, big_size = studies[0]
    timed(
        f"«отстает хоть в чем-то», {big_size} ОО",
        lambda: build_grid(user, big_study, behind_only=True),
    )
    grid = build_grid(user, big_study)
    data, _ = timed(f"экспорт .xlsx, {big_size} ОО", lambda: grid_workbook(grid, big_study))
    print(f"{'':<4}размер файла: {len(data) / 2**20:.1f} МиБ")
    (small_time, small_queries), (big_time, big_queries) = (
        sorted(results.items())[0][1],
        sorted(results.items())[-1][1],
    )
    small_size, big_size = sorted(results)[0], sorted(results)[-1]
    print(
        f"запросов: {small_queries} и {big_queries} (одинаково: {small_queries == big_queries}); "
        f"время на 1000 ОО: {small_time / small_size * 1000:.3f} с и "
        f"{big_time / big_size * 1000:.3f} с (отношение "
        f"{(big_time / big_size) / (small_time / small_size):.2f})"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organizations", type=int, default=45_000)
    options = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-readiness-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "fisoko.settings.test"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        run(options.organizations)
    finally:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
