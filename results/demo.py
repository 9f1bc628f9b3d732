"""Demo statistical reports (a `seed_demo` step, idempotent): the demo study's results form gets
report definitions for 4 and 8 класс (tasks from the form, a mark scale), the schools of region 47
that have not entered results yet get plausible, varied scores (a stronger or weaker school, easy
and hard tasks, a few absentees and `X`), transferred through `report_submit`, and the reports are
built, so «Статистические отчеты» has figures on a fresh start.

A school to which the study cycle's demo issued participant codes enters exactly those codes
(«Сдать отчет» accepts no other: studies.checks), absentees from its room protocols; the others
get generated codes. This demo step reads `studies` for that (the app itself does not).

edu470002 keeps an empty results form for the «Заполнить» walkthrough; schools that already
have a results report (from the monitoring demo) keep theirs."""

import random
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Organization, User
from datacollection import services as datacollection_services
from datacollection.demo import ABSENT, TASK_MAX_SCORES
from datacollection.models import Cell, Collection, Report, ReportRow

from . import services
from .models import ReportDefinition, TaskDefinition

KEEP_CLEAN = {"edu470002"}
GRADES = (4, 8)
MARK_SCALE = {"mark_3_from": 6, "mark_4_from": 10, "mark_5_from": 15}  # of 18
# How hard each task is (0 easy … 1 hard), the same for every school.
DIFFICULTY = [0.05, 0.15, 0.3, 0.2, 0.45, 0.35, 0.25, 0.6, 0.5, 0.7]


def _definitions(collection) -> list[ReportDefinition]:
    definitions = []
    for grade in GRADES:
        definition, _ = ReportDefinition.objects.get_or_create(
            collection=collection, grade=grade, defaults=MARK_SCALE
        )
        for number, max_score in enumerate(TASK_MAX_SCORES, 1):
            TaskDefinition.objects.get_or_create(
                definition=definition,
                column_key=f"task_{number}",
                defaults={"order": number, "title": str(number), "max_score": max_score},
            )
        definitions.append(definition)
    return definitions


def generated_codes(number: int, rng: random.Random) -> list[tuple[str, int, int, bool]]:
    """(code, class, variant, absent) for a school without issued codes: 9–16 per class."""
    return [
        (f"{grade}{number:02d}{seq:02d}", grade, 1 + seq % 2, rng.random() < 0.07)
        for grade in GRADES
        for seq in range(1, rng.randint(9, 16) + 1)
    ]


def issued_codes(study, organization: Organization):
    """The school's issued codes, when the study cycle's demo gave it some: «Сдать отчет»
    accepts exactly those (studies.checks), absentees from its room protocols."""
    from studies.models import ParticipantCode
    from studies.services.results import absent_codes

    codes = list(
        ParticipantCode.objects.filter(study=study, organization=organization)
        .order_by("grade", "number")
        .values_list("code", "grade", "variant")
    )
    if not codes:
        return None
    absent = absent_codes(study, organization)
    return [(code, grade, variant, code in absent) for code, grade, variant in codes]


def participant_rows(number: int, codes=None) -> list[dict[str, str]]:
    """The results of one school: its own level, easy and hard tasks, a few absentees and X."""
    rng = random.Random(f"niko-demo-{number}")
    # edu470001, the demo login, is a middling school: some tasks below the region, some above.
    level = 0.6 if number == 1 else rng.uniform(0.35, 0.85)
    rows = []
    for code, grade, variant, absent in codes or generated_codes(number, rng):
        row = {"code": code, "grade": str(grade), "variant": str(variant)}
        ability = min(max(rng.gauss(level, 0.15), 0.02), 0.98)
        for task, (max_score, difficulty) in enumerate(
            zip(TASK_MAX_SCORES, DIFFICULTY, strict=True), 1
        ):
            if absent:
                value = ABSENT
            elif rng.random() < 0.04:
                value = "X"
            else:
                chance = min(max(ability - difficulty + 0.35, 0.02), 0.98)
                value = str(sum(rng.random() < chance for _ in range(max_score)))
            row[f"task_{task}"] = value
        rows.append(row)
    return rows


def _fill_and_submit(collection, organization, user, rows, at) -> None:
    report = datacollection_services.report_open(collection=collection, organization=organization)
    table = collection.form.tables.get(key="results")
    cells = []
    for values in rows:
        row = ReportRow.objects.create(report=report, table=table, key=f"r{secrets.token_hex(4)}")
        cells += [
            Cell(
                report=report, table=table, row_key=row.key, column_key=key, value=value, version=1
            )
            for key, value in values.items()
        ]
    Cell.objects.bulk_create(cells)
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.IN_PROGRESS, started_at=at, last_saved_at=at
    )
    report.refresh_from_db()
    datacollection_services.report_submit(report=report, user=user, at=at + timedelta(minutes=30))


@transaction.atomic
def seed(*, stdout) -> None:
    collection = (
        Collection.objects.select_related("form")
        .filter(form__code="niko_results", study__code="niko2026")
        .first()
    )
    if collection is None:
        return
    definitions = _definitions(collection)
    now = timezone.now()
    existing = set(
        Report.objects.filter(collection=collection).values_list("organization_id", flat=True)
    )
    users = {
        user.organization_id: user
        for user in User.objects.filter(organization__region__code="47").order_by("pk")
    }
    organizations = Organization.objects.filter(region__code="47").order_by("login")
    made = 0
    for number, organization in enumerate(organizations, 1):
        if organization.pk in existing or organization.login in KEEP_CLEAN:
            continue
        if organization.pk not in users or not collection.is_open_for(organization, at=now):
            continue
        at = max(now - timedelta(days=2, hours=number % 9), collection.opens_at)
        rows = participant_rows(number, issued_codes(collection.study, organization))
        _fill_and_submit(collection, organization, users[organization.pk], rows, at)
        made += 1
    if made or not all(d.is_published for d in definitions):
        services.results_build(
            collection_id=collection.pk, definition_ids=[d.pk for d in definitions]
        )
    stdout.write(f"Статистические отчеты: результаты {made} ОО переданы, отчеты сформированы.")
