"""The table page, autosave endpoint and «Сдать отчет» over HTTP."""

import json
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import AuditEvent
from datacollection.models import Cell, Report, Submission
from datacollection.services import CLOSED_MESSAGE
from tests.factories import ReportFactory, make_collection

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(org):
    return ReportFactory(collection=make_collection(organizations=[org]), organization=org)


def autosave(client, report, *cells):
    return client.post(
        reverse("datacollection:report_autosave", kwargs={"pk": report.pk}),
        data=json.dumps({"cells": list(cells)}),
        content_type="application/json",
    )


def cell(row, column, value, version=0, table="counts"):
    return {"table": table, "row": row, "column": column, "value": value, "version": version}


def test_cabinet_and_list_show_the_collection_card(as_user, org_user, report):
    for url in (reverse("cabinet"), reverse("datacollection:collection_list")):
        response = as_user(org_user).get(url)
        content = response.content.decode()
        assert "Сбор данных" in content and "Открыт" in content
        assert "Закроется через 2 дня" in content
        assert "Заполнить" in content and "Данные не вводились" in content


def test_fill_opens_the_table_page(as_user, org_user, org):
    collection = make_collection(organizations=[org])
    client = as_user(org_user)
    response = client.get(reverse("datacollection:collection_fill", args=[collection.pk]))
    report = Report.objects.get(collection=collection, organization=org)
    assert response["Location"] == reverse("datacollection:report_detail", args=[report.pk])
    page = client.get(response["Location"]).content.decode()
    assert (
        "ВНИМАНИЕ!</strong> Сохранение данных, введенных в таблицу, осуществляется автоматически."
        in page
    )
    assert "Сдать отчет" in page and "Закрыть" in page
    assert 'id="cell-counts-grade4-listed"' in page
    # CSP forbids inline code: every script is a static file, no on* handlers.
    assert page.count("<script") == page.count('<script type="module" src=') + 1  # + bootstrap
    assert " onclick=" not in page and " onchange=" not in page


def test_autosave_saves_cells_and_answers_per_cell(as_user, org_user, report):
    client = as_user(org_user)
    response = autosave(
        client, report, cell("grade4", "listed", "25"), cell("grade4", "present", "24")
    )
    assert response.status_code == HTTPStatus.OK
    first, second = response.json()["results"]
    assert (first["status"], first["value"], first["version"]) == ("saved", "25", 1)
    assert (second["status"], second["value"], second["version"]) == ("saved", "24", 1)
    assert sorted(Cell.objects.values_list("value", flat=True)) == ["24", "25"]


def test_a_request_with_a_bad_cell_saves_none_of_its_cells(as_user, org_user, report):
    """All or nothing (issue 10.3): the error is answered on its cell, the valid cell is
    answered «not_saved», and nothing is written, not even the report's state."""
    response = autosave(
        as_user(org_user), report, cell("grade4", "listed", "25"), cell("grade4", "present", "abc")
    )
    assert response.status_code == HTTPStatus.OK
    valid, error = response.json()["results"]
    assert valid["status"] == "not_saved" and "Не сохранено" in valid["message"]
    assert (error["status"], error["message"]) == ("error", "Введите целое число.")
    assert not Cell.objects.exists()
    assert not AuditEvent.objects.filter(action="report.cell_saved").exists()
    assert Report.objects.get().status == Report.Status.NOT_STARTED


def test_a_request_with_a_stale_cell_saves_none_of_its_cells(as_user, org_user, report):
    client = as_user(org_user)
    autosave(client, report, cell("grade4", "listed", "25"))
    autosave(client, report, cell("grade4", "listed", "26", version=1))
    response = autosave(
        client, report, cell("grade4", "present", "24"), cell("grade4", "listed", "30", version=1)
    )
    assert response.status_code == HTTPStatus.CONFLICT
    other, stale = response.json()["results"]
    assert other["status"] == "not_saved"
    assert (stale["status"], stale["value"], stale["version"]) == ("conflict", "26", 2)
    assert list(Cell.objects.values_list("column_key", "value")) == [("listed", "26")]


def test_a_request_naming_a_removed_row_saves_none_of_its_cells(as_user, org_user, report):
    client = as_user(org_user)
    client.post(reverse("datacollection:report_row_add", args=[report.pk]), {"table": "results"})
    row = report.rows.get().key
    response = autosave(
        client,
        report,
        cell(row, "task_1", "2", table="results"),
        cell("r-gone", "task_1", "1", table="results"),
    )
    kept, gone = response.json()["results"]
    assert kept["status"] == "not_saved"
    assert gone["status"] == "error" and "Такой строки в таблице нет" in gone["message"]
    assert not Cell.objects.exists()


def test_autosave_answers_the_reports_current_state(as_user, org_user, report):
    client = as_user(org_user)
    body = autosave(client, report, cell("grade4", "listed", "25")).json()
    saved_at = timezone.localtime(Report.objects.get().last_saved_at)
    assert body["report"] == {
        "status": "in_progress",
        "status_label": "В работе",
        "has_unsubmitted_changes": False,
        "last_saved_at": f"{saved_at:%H:%M}",
    }
    Report.objects.filter(pk=report.pk).update(status=Report.Status.SUBMITTED)
    body = autosave(client, report, cell("grade4", "listed", "26", version=1)).json()
    assert body["report"]["status"] == "submitted"
    assert body["report"]["status_label"] == "Сдано"
    assert body["report"]["has_unsubmitted_changes"] is True
    # A request that saves nothing still tells the page where the report stands.
    body = autosave(client, report, cell("grade4", "listed", "abc", version=2)).json()
    assert body["report"]["status"] == "submitted"


def test_autosave_returns_row_totals(as_user, org_user, report):
    client = as_user(org_user)
    client.post(reverse("datacollection:report_row_add", args=[report.pk]), {"table": "results"})
    row = report.rows.get().key
    autosave(client, report, cell(row, "task_1", "2", table="results"))
    response = autosave(client, report, cell(row, "task_2", "x", table="results"))
    [result] = response.json()["results"]
    assert result["value"] == "X"
    assert result["totals"] == {"total": "2"}


def test_stale_edit_gets_409_with_the_current_value(as_user, org_user, report):
    client = as_user(org_user)
    autosave(client, report, cell("grade4", "listed", "25"))
    autosave(client, report, cell("grade4", "listed", "26", version=1))
    response = autosave(client, report, cell("grade4", "listed", "30", version=1))
    assert response.status_code == HTTPStatus.CONFLICT
    [result] = response.json()["results"]
    assert (result["status"], result["value"], result["version"]) == ("conflict", "26", 2)
    assert Cell.objects.get().value == "26"


def test_closed_window_refuses_autosave_and_submit_and_shows_read_only_table(
    as_user, org_user, report
):
    report.collection.closes_at = timezone.now() - timedelta(minutes=1)
    report.collection.save()
    client = as_user(org_user)
    response = autosave(client, report, cell("grade4", "listed", "25"))
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json() == {"error": CLOSED_MESSAGE}
    response = client.post(reverse("datacollection:report_submit", args=[report.pk]), follow=True)
    assert CLOSED_MESSAGE in response.content.decode()
    assert not Cell.objects.exists() and not Submission.objects.exists()
    page = client.get(reverse("datacollection:report_detail", args=[report.pk])).content.decode()
    assert "таблица доступна только для просмотра" in page
    assert "Сдать отчет" not in page and " readonly" in page


@pytest.mark.parametrize("name", ["report_detail", "report_autosave", "report_submit"])
def test_another_organizations_report_is_404(as_user, other_org_user, report, name):
    client = as_user(other_org_user)
    url = reverse(f"datacollection:{name}", args=[report.pk])
    if name == "report_detail":
        response = client.get(url)
    elif name == "report_autosave":
        response = autosave(client, report, cell("grade4", "listed", "25"))
    else:
        response = client.post(url)
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not Cell.objects.exists() and not Submission.objects.exists()


def test_coordinator_reads_but_cannot_write(as_user, regional, report):
    client = as_user(regional)
    page = client.get(reverse("datacollection:report_detail", args=[report.pk]))
    assert "только просмотр" in page.content.decode()
    assert autosave(client, report, cell("grade4", "listed", "1")).status_code == 403


def test_submit_with_errors_lists_links_then_succeeds(as_user, org_user, report):
    client = as_user(org_user)
    autosave(client, report, cell("grade4", "listed", "25"))
    url = reverse("datacollection:report_submit", args=[report.pk])
    page = client.post(url).content.decode()
    assert "Отчет не сдан. Исправьте ошибки" in page
    assert 'href="#cell-counts-grade4-present"' in page
    assert not Submission.objects.exists()
    cells = [
        cell(row, key, value)
        for row in ("grade4", "grade8")
        for key, value in (("listed", "25"), ("present", "24"), ("absent", "1"))
    ]
    cells[0]["version"] = 1
    autosave(client, report, *cells)
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("cabinet")
    content = response.content.decode()
    assert "сдан" in content and "(МСК)" in content and "Отчет сдан" in content
    assert Submission.objects.count() == 1


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    payload=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.sampled_from(["cells", "table", "row", "column", "value", "version", "x"]),
                children,
                max_size=5,
            )
        ),
        max_leaves=12,
    )
)
def test_no_autosave_payload_produces_a_500(as_user, org_user, report, payload):
    response = as_user(org_user).post(
        reverse("datacollection:report_autosave", args=[report.pk]),
        data=json.dumps(payload),
        content_type="application/json",
    )
    assert response.status_code in (200, 400, 409)


@pytest.mark.parametrize(
    "name", ["report_detail", "report_autosave", "report_row_add", "report_submit"]
)
def test_other_side_every_report_url_is_404_outside_scope(as_user, other_regional, report, name):
    """The other side of tests/test_url_access.py: a coordinator of another region."""
    client = as_user(other_regional)
    url = reverse(f"datacollection:{name}", args=[report.pk])
    response = client.get(url) if name == "report_detail" else client.post(url)
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_fill_of_a_collection_the_organization_is_not_in_is_404(as_user, other_org_user, report):
    response = as_user(other_org_user).get(
        reverse("datacollection:collection_fill", args=[report.collection.pk])
    )
    assert response.status_code == HTTPStatus.NOT_FOUND
