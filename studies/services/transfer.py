"""The school's electronic «Протокол проведения НИКО в ОО», summed from its room protocols
instead of typed again. Values go in through datacollection's own `cell_save`, so the window,
the access rule, the audit and the form's cross-checks (присутствовало + отсутствовало = по
списку) apply exactly as if typed; «Сдать отчет» stays the school's own step.

The form is the one the checklist watches (`ChecklistSettings.protocol_collection`); its table
«Явка участников» has a row per grade (`grade4`, `grade8`) and columns `listed`, `present`,
`absent`; «Проведение» has rows `date`, `observers`, `incidents` with a `value` column — the
НИКО protocol form as defined in the demo and in the operator's definition file.
"""

from collections import Counter

from django.db import transaction

from accounts.models import Organization, User
from core.text import date_ru
from datacollection import services as datacollection
from datacollection.models import Cell, Report, Study

from ..models import ParticipantCode, Room, RoomProtocol
from ..readiness import checklist_settings
from .access import StudyError, check_school_writes

ATTENDANCE_TABLE = "attendance"
CONDUCT_TABLE = "conduct"

NO_FORM = "Форма протокола проведения НИКО в ОО для этого исследования не назначена."
NO_ROOMS = "Сначала распределите участников по аудиториям."
ROOMS_WITHOUT_PROTOCOL = "Сначала заполните протоколы аудиторий: {rooms}."
NO_GRADE_ROW = "В форме протокола нет строки для {grade} класса."
FORM_MISMATCH = "Форма протокола не содержит таблиц «Явка участников» и «Проведение»."


def room_totals(study: Study, organization: Organization) -> dict[int, dict[str, int]]:
    """{grade: {listed, present, absent}} over the rooms: listed = the codes in rooms, present
    = ticked in their room's protocol, absent = listed − present."""
    listed = Counter(
        ParticipantCode.objects.filter(
            study=study, organization=organization, room__isnull=False
        ).values_list("grade", flat=True)
    )
    present = Counter(
        ParticipantCode.objects.filter(
            study=study, organization=organization, present_in__isnull=False
        ).values_list("grade", flat=True)
    )
    return {
        grade: {"listed": count, "present": present[grade], "absent": count - present[grade]}
        for grade, count in sorted(listed.items())
    }


def _conduct_values(protocols: list[RoomProtocol]) -> dict[str, str]:
    dates = sorted({p.held_on for p in protocols})
    observed = [p.room.number for p in protocols if p.observer_present]
    incidents = [f"Ауд. {p.room.number}: {p.incidents}" for p in protocols if p.incidents]
    return {
        "date": ", ".join(date_ru(d) for d in dates),
        "observers": (f"да (аудитории {', '.join(observed)})" if observed else "нет"),
        "incidents": "; ".join(incidents) or "нет",
    }


def _save(report, user, table, row, column, value, request):
    version = (
        Cell.objects.filter(report=report, table=table, row_key=row, column_key=column.key)
        .values_list("version", flat=True)
        .first()
        or 0
    )
    datacollection.cell_save(
        report=report,
        user=user,
        table=table,
        row=row,
        column=column,
        value=value,
        base_version=version,
        request=request,
    )


@transaction.atomic
def protocol_from_rooms(
    *, user: User, study: Study, organization: Organization, request=None
) -> Report:
    check_school_writes(user=user, study=study, organization=organization)
    collection = checklist_settings(study).protocol_collection
    if collection is None:
        raise StudyError(NO_FORM)
    rooms = list(
        Room.objects.filter(study=study, organization=organization, codes__isnull=False)
        .distinct()
        .select_related("protocol")
        .order_by("number")
    )
    if not rooms:
        raise StudyError(NO_ROOMS)
    missing = [room.number for room in rooms if not hasattr(room, "protocol")]
    if missing:
        raise StudyError(ROOMS_WITHOUT_PROTOCOL.format(rooms=", ".join(missing)))
    tables = {table.key: table for table in collection.form.tables.prefetch_related("columns")}
    attendance, conduct = tables.get(ATTENDANCE_TABLE), tables.get(CONDUCT_TABLE)
    if attendance is None or conduct is None:
        raise StudyError(FORM_MISMATCH)
    rows = set(attendance.fixed_rows.values_list("key", flat=True))
    columns = {column.key: column for column in attendance.columns.all()}
    report = datacollection.report_open(collection=collection, organization=organization)
    for grade, totals in room_totals(study, organization).items():
        row = f"grade{grade}"
        if row not in rows:
            raise StudyError(NO_GRADE_ROW.format(grade=grade))
        for key, value in totals.items():
            _save(report, user, attendance, row, columns[key], str(value), request)
    value_column = conduct.columns.get(key="value")
    for row, value in _conduct_values([room.protocol for room in rooms]).items():
        _save(report, user, conduct, row, value_column, value, request)
    return report
