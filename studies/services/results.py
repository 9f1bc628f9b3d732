"""The results form pre-filled with the school's participant codes: one row per issued code
with its class and variant, the absent (from the room protocols) marked «отсутствовал» in every
task. Rows and cells go in through datacollection's services (window, access, audit apply);
a code already in the form is not added again, so pre-filling twice changes nothing."""

from django.db import transaction

from accounts.models import Organization, User
from datacollection import services as datacollection
from datacollection.models import Cell, Report, Study

from ..models import ParticipantCode
from ..readiness import checklist_settings
from .access import StudyError, check_school_writes

ABSENT = "отсутствовал"
CODE, GRADE, VARIANT = "code", "grade", "variant"

NO_FORM = "Форма сбора результатов для этого исследования не назначена."
NO_CODES = "Кодов участников пока нет: укажите участвующие классы."
FORM_MISMATCH = "В форме результатов нет таблицы со столбцом «Код участника»."


def results_table(collection):
    for table in collection.form.tables.prefetch_related("columns"):
        if table.is_dynamic and any(c.key == CODE for c in table.columns.all()):
            return table
    return None


def absent_codes(study: Study, organization: Organization) -> set[str]:
    """Codes listed in a room whose protocol did not tick them present."""
    return set(
        ParticipantCode.objects.filter(
            study=study, organization=organization, room__protocol__isnull=False
        )
        .exclude(present_in__isnull=False)
        .values_list("code", flat=True)
    )


@transaction.atomic
def results_from_codes(
    *, user: User, study: Study, organization: Organization, request=None
) -> Report:
    check_school_writes(user=user, study=study, organization=organization)
    collection = checklist_settings(study).results_collection
    if collection is None:
        raise StudyError(NO_FORM)
    table = results_table(collection)
    if table is None:
        raise StudyError(FORM_MISMATCH)
    codes = list(
        ParticipantCode.objects.filter(study=study, organization=organization)
        .select_related("school_class")
        .order_by("grade", "number")
    )
    if not codes:
        raise StudyError(NO_CODES)
    columns = {column.key: column for column in table.columns.all()}
    tasks = [c for c in columns.values() if ABSENT in c.special_code_list]
    report = datacollection.report_open(collection=collection, organization=organization)
    cells = {
        (row, column): (value, version)
        for row, column, value, version in Cell.objects.filter(
            report=report, table=table
        ).values_list("row_key", "column_key", "value", "version")
    }
    present_codes = {value for (row, column), (value, _) in cells.items() if column == CODE}
    absent = absent_codes(study, organization)
    for code in codes:
        if code.code in present_codes:
            continue
        row = datacollection.row_add(report=report, user=user, table=table, request=request).key
        values = {CODE: code.code, GRADE: str(code.grade), VARIANT: str(code.variant)}
        if code.code in absent:
            values.update({task.key: ABSENT for task in tasks})
        for key, value in values.items():
            if key in columns:
                datacollection.cell_save(
                    report=report,
                    user=user,
                    table=table,
                    row=row,  # a row added just now: no cell has a version yet
                    column=columns[key],
                    value=value,
                    base_version=0,
                    request=request,
                )
    return report
