"""«Готовность ОО» at national scale: the grid's pages whole (view, template) against the bare
login-protected view in the same process; the .xlsx of a region (a file, not a page) against
the same rows read by the selectors and written by openpyxl write-only, as the export of results
is measured; and the grid of the whole country built by the selector (the operator's page
always shows one region; the figure shows what one query of «done» flags costs for every
organization).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fisoko_bench_monitoring \\
        .venv/bin/python bench/readiness.py [--organizations 45000] [--repeat 7]

The database is the one of `bench/monitoring.py` (migrated, filled by `seed_scale` when it
holds fewer organizations than asked; without DATABASE_URL a temporary SQLite database). The
seeded study takes part with every organization; a third of the schools of region 01 get a
room with its list issued (their seeded codes seated in it) and three manual ticks, so the
grid's columns are not all empty. The number of queries of every page is the same as at 10
organizations (tests/test_studies_grid.py pins it).
"""

import argparse
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pages import run, setup, uptime


def progress(study) -> None:
    """A room with its list issued for a third of the schools of region 01 (their seeded codes
    seated in it) and three manual ticks each (once: kept in the scratch database)."""
    from django.utils import timezone

    from accounts.models import Organization, User
    from studies.models import ChecklistTick, ParticipantCode, Room

    if Room.objects.filter(study=study, number="Б-1").exists():
        return
    region = Organization.objects.filter(region__code="01").order_by("login")
    schools = list(region.values_list("pk", flat=True))[::3]
    now = timezone.now()
    rooms = Room.objects.bulk_create(
        Room(study=study, organization_id=o, number="Б-1", capacity=60, list_issued_at=now)
        for o in schools
    )
    for room in rooms:
        ParticipantCode.objects.filter(study=study, organization_id=room.organization_id).update(
            room=room
        )
    user = User.objects.get(username="operator_scale")
    ChecklistTick.objects.bulk_create(
        ChecklistTick(study=study, organization_id=o, item=item, ticked_by=user)
        for o in schools
        for item in ("prep_documents", "prep_readiness", "conduct_briefing")
    )


def questionnaires(study) -> None:
    """The demo's three questionnaires (pupils, teachers — closed yesterday, so the grid counts
    who is behind on it —, administration) and their codes with answers in three of every five
    schools of region 01: a pupil's code for each of its participant codes (two in three
    sent), eight teachers' codes (six sent) and one administration's code (sent in four schools
    of five) — ~15,000 codes and ~33,000 answers, written in bulk (once: kept in the scratch
    database; `ensure_vacuumed` analyzes them)."""
    import random
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from accounts.models import Organization, User
    from studies.models import ParticipantCode
    from surveys import demo, services
    from surveys.models import AccessCode, Answer, Question, Questionnaire, Respondent, new_code

    if Questionnaire.objects.filter(study=study).exists():
        return
    started = time.perf_counter()
    now = timezone.now()
    operator = User.objects.get(username="operator_scale")
    closes = {Respondent.TEACHER: now - timedelta(days=1)}
    made = {
        respondent: services.questionnaire_import(
            definition=demo._definition(spec),
            study=study,
            code="",
            title="",
            opens_at=now - timedelta(days=10),
            closes_at=closes.get(respondent, now + timedelta(days=12)),
            actor=operator,
        )
        for respondent, spec in demo.DEFINITIONS.items()
    }
    region = Organization.objects.filter(region__code="01").order_by("login")
    schools = [
        pk for number, pk in enumerate(region.values_list("pk", flat=True)) if number % 5 < 3
    ]
    pupils = ParticipantCode.objects.filter(study=study, organization_id__in=schools).values_list(
        "pk", "organization_id", "grade", "number"
    )
    moment = now - timedelta(days=2)
    codes = [
        AccessCode(
            questionnaire=made[Respondent.PUPIL], organization_id=organization_id, code=new_code(),
            participant_id=pk, grade=grade, issued_at=moment,
            submitted_at=moment if number % 3 else None,
        )
        for pk, organization_id, grade, number in pupils
    ] + [
        AccessCode(
            questionnaire=made[Respondent.TEACHER], organization_id=organization_id,
            code=new_code(), issued_at=moment, submitted_at=moment if number < 6 else None,
        )
        for organization_id in schools
        for number in range(8)
    ] + [
        AccessCode(
            questionnaire=made[Respondent.ADMINISTRATION], organization_id=organization_id,
            code=new_code(), issued_at=moment, submitted_at=moment if number % 5 else None,
        )
        for number, organization_id in enumerate(schools)
    ]  # fmt: skip
    codes = AccessCode.objects.bulk_create(codes, batch_size=5000)
    questions = {
        questionnaire.pk: [
            question
            for question in Question.objects.filter(section__questionnaire=questionnaire)
            if question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.SCALE)
        ]
        for questionnaire in made.values()
    }
    rng = random.Random(2026)

    def value(question):
        if question.kind == Question.Kind.MULTIPLE:
            return rng.sample(question.choice_list, rng.randint(1, 2))
        return rng.choice(question.choice_list)

    Answer.objects.bulk_create(
        (
            Answer(access_code=code, question=question, value=value(question), saved_at=moment)
            for code in codes
            if code.submitted_at
            for question in questions[code.questionnaire_id]
        ),
        batch_size=5000,
    )
    if connection.vendor == "postgresql":
        # The whole database was vacuumed after seeding (`ensure_vacuumed`) while these tables
        # were empty: their statistics would still say so.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) surveys_accesscode, surveys_answer")
    print(f"Анкеты: {len(schools)} ОО региона 01, кодов {len(codes)}, ответов "
          f"{Answer.objects.count()}, {time.perf_counter() - started:.1f} с")  # fmt: skip


def country(study) -> None:
    """The selector for every organization of the country (no page: rows for all of them)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from studies.grid import build_grid

    operator = User.objects.get(username="operator_scale")
    for label, page in (("стр. 1", 1), ("все строки (как для .xlsx)", None)):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            grid = build_grid(operator, study, page=page)
            elapsed = time.perf_counter() - started
        print(f"  build_grid, вся страна ({grid.total} ОО), {label}: {elapsed * 1000:8.0f} мс, "
              f"SQL {len(queries)}")  # fmt: skip


def xlsx_against_openpyxl(study, repeat: int) -> None:
    """The region's .xlsx (all its rows) against what it cannot do without: the grid's rows
    and the questionnaires' columns read by the same selectors, and openpyxl write-only given
    the same cells as ready strings — the ratio is the cost of the file's own layout and
    conversions, as for the export of results (bench/monitoring.py)."""
    import io
    import statistics

    from django.test import Client
    from django.urls import reverse
    from openpyxl import Workbook

    from accounts.models import Region, User
    from studies.extensions import readiness_columns
    from studies.grid import build_grid, cell_label

    operator = User.objects.get(username="operator_scale")
    region = Region.objects.get(code="01")
    client = Client()
    client.force_login(operator)
    url = f"{reverse('studies:grid_xlsx', args=[study.pk])}?region=01"

    def baseline() -> int:
        grid = build_grid(operator, study, region=region)
        groups = readiness_columns(study, [row.organization.pk for row in grid.rows])
        shares = [column for group in groups for column in group.columns]
        cells = [
            [
                row.organization.login,
                row.organization.name,
                *[cell_label(row, column) for column in grid.columns],
                *[str(column.cell(row.organization.pk)) for column in shares],
            ]
            for row in grid.rows
        ]
        book = Workbook(write_only=True)
        sheet = book.create_sheet("Готовность ОО")
        for line in cells:
            sheet.append(line)
        book.save(io.BytesIO())
        return len(cells)

    client.get(url)
    rows = baseline()
    views, bases = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        views.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        baseline()
        bases.append((time.perf_counter() - started) * 1000)
    view, base = statistics.median(views), statistics.median(bases)
    print(f"  .xlsx региона 01 ({rows} строк): {view:.1f} мс; те же строки селекторами + "
          f"openpyxl write-only: {base:.1f} мс; отношение {view / base:.2f}")  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--organizations", type=int, default=45_000)
    parser.add_argument("--repeat", type=int, default=7)
    options = parser.parse_args()
    print(f"load before: {uptime()}")
    workdir = setup(options.organizations)
    try:
        from django.db import connection
        from django.urls import reverse

        from accounts.models import Organization, User
        from datacollection.models import Study

        print(f"База: {connection.vendor} ({connection.settings_dict['NAME']})")
        study = Study.objects.get(code="niko2026")
        progress(study)
        questionnaires(study)
        grid = reverse("studies:grid", args=[study.pk])
        municipality = Organization.objects.filter(region__code="01").first().municipality_id
        users = {
            "оператор": User.objects.get(username="operator_scale"),
            "рег. координатор": User.objects.get(username="reg010000"),
            "мун. координатор": User.objects.get(username="reg01_m001"),
        }
        in_region = Organization.objects.filter(region__code="01").count()
        print(f"ОО: {Organization.objects.count()}, в регионе 01: {in_region}; "
              f"повторов: {options.repeat} (медиана)")  # fmt: skip
        plan = {
            "оператор": [
                ("Готовность ОО, регион 01, стр. 1", f"{grid}?region=01"),
                ("Готовность ОО, регион 01, последняя стр.", f"{grid}?region=01&page=99999"),
                ("Готовность ОО, регион 01, «отстает хоть в чем-то»",
                 f"{grid}?region=01&behind=1&page=99999"),
                ("Готовность ОО, регион 01, не выполнен пункт",
                 f"{grid}?region=01&item=prep_documents"),
                ("Готовность ОО, регион 01, муниципалитет",
                 f"{grid}?region=01&municipality={municipality}"),
            ],
            "рег. координатор": [
                ("Готовность ОО, стр. 1", grid),
                ("Готовность ОО, «отстает хоть в чем-то», последняя стр.",
                 f"{grid}?behind=1&page=99999"),
            ],
            "мун. координатор": [
                ("Готовность ОО", grid),
                ("Готовность ОО, «отстает хоть в чем-то»", f"{grid}?behind=1"),
            ],
        }  # fmt: skip
        over = run(plan, users, options.repeat)
        print(f"выше 15× простой страницы: {', '.join(over) if over else 'нет'}")
        xlsx_against_openpyxl(study, options.repeat)
        country(study)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"load after: {uptime()}")


if __name__ == "__main__":
    main()
