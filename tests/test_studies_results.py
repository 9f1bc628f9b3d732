"""The results form pre-filled with the issued codes: one row per code with class and variant,
the absent marked «отсутствовал»; «Сдать отчет» refuses a code typed twice, an invented code or
a missing one."""

from datetime import date, time
from http import HTTPStatus

import pytest
from django.urls import reverse

from datacollection import services as dc_services
from datacollection.demo import build_forms
from datacollection.models import Cell, ReportRow
from studies import services
from studies.checks import INVENTED, MISSING, TWICE
from studies.models import ChecklistSettings, ParticipantCode
from tests.factories import CollectionFactory, give_class, give_room, participating_study


@pytest.fixture
def study(org):
    study = participating_study(org)
    collection = CollectionFactory(form=build_forms()["results"], study=study, organizations=[org])
    ChecklistSettings.objects.create(study=study, results_collection=collection)
    return study


def rows_of(report):
    cells = Cell.objects.filter(report=report, table__key="results")
    by_row = {}
    for cell in cells:
        by_row.setdefault(cell.row_key, {})[cell.column_key] = cell.value
    return by_row


def held_exam(study, org, org_user, absent=1):
    """Two classes in one room, the room's protocol saved with `absent` codes absent."""
    give_class(org_user, study, grade=4, pupils=2)
    give_class(org_user, study, grade=8, pupils=3)
    room = give_room(org_user, study, capacity=10)
    services.distribute_codes(user=org_user, study=study, organization=org)
    codes = list(room.codes.order_by("grade", "number").values_list("pk", flat=True))
    services.save_room_protocol(
        user=org_user,
        room=room,
        held_on=date(2026, 4, 15),
        started_at=time(10),
        ended_at=time(11),
        present_code_ids=codes[absent:],
        observer_present=True,
    )


def prefilled(study, org, org_user, absent=1):
    held_exam(study, org, org_user, absent)
    return services.results_from_codes(user=org_user, study=study, organization=org)


def test_the_results_button_opens_the_prefilled_form(study, org, org_user, as_user):
    held_exam(study, org, org_user)
    response = as_user(org_user).post(
        reverse("studies:participants", args=[study.pk]), {"action": "results"}
    )
    report = Cell.objects.filter(table__key="results").first().report
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("datacollection:report_detail", args=[report.pk])
    assert len(rows_of(report)) == 5


def test_rows_are_exactly_the_issued_codes_with_class_and_variant(study, org, org_user):
    report = prefilled(study, org, org_user)
    rows = rows_of(report)
    issued = {c.code: c for c in ParticipantCode.objects.filter(study=study, organization=org)}
    assert sorted(row["code"] for row in rows.values()) == sorted(issued)
    for row in rows.values():
        code = issued[row["code"]]
        assert row["grade"] == str(code.grade) and row["variant"] == str(code.variant)
    absent = [row for row in rows.values() if row.get("task_1") == "отсутствовал"]
    assert [row["code"] for row in absent] == ["40001"]
    assert all(row.get(f"task_{n}") == "отсутствовал" for n in range(1, 11) for row in absent)


def test_prefilling_twice_adds_nothing_and_new_codes_are_appended(study, org, org_user):
    report = prefilled(study, org, org_user)
    services.results_from_codes(user=org_user, study=study, organization=org)
    assert ReportRow.objects.filter(report=report).count() == 5
    give_class(org_user, study, grade=8, pupils=4)
    services.results_from_codes(user=org_user, study=study, organization=org)
    assert sorted(r["code"] for r in rows_of(report).values())[-1] == "80004"


def _messages(report, user):
    with pytest.raises(dc_services.ReportHasErrorsError) as refused:
        dc_services.report_submit(report=report, user=user)
    return [error.message for error in refused.value.errors]


def _set_code(report, user, row, value):
    table = report.collection.form.tables.get(key="results")
    cell = Cell.objects.get(report=report, table=table, row_key=row, column_key="code")
    dc_services.cell_save(
        report=report,
        user=user,
        table=table,
        row=row,
        column=table.columns.get(key="code"),
        value=value,
        base_version=cell.version,
    )


def test_a_code_typed_twice_or_invented_or_missing_is_refused(study, org, org_user):
    report = prefilled(study, org, org_user, absent=5)  # everyone absent: the form is complete
    dc_services.report_submit(report=report, user=org_user)  # exactly the codes: accepted
    rows = {values["code"]: row for row, values in rows_of(report).items()}
    _set_code(report, org_user, rows["80003"], "80001")
    messages = _messages(report, org_user)
    assert TWICE.format(code="80001") in messages
    assert MISSING.format(codes="80003") in messages
    _set_code(report, org_user, rows["80003"], "89999")
    messages = _messages(report, org_user)
    assert INVENTED.format(code="89999") in messages
