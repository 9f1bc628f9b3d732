"""What the table page says about the report's state: submitted (when, what further editing
means), changed after submission, returned for corrections, closed — and the hooks the table
editor uses to keep it live (issues 10.8, 10.11)."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from django.utils import timezone

from core.text import msk
from datacollection.models import Report
from tests.factories import ReportFactory, make_collection

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(org):
    return ReportFactory(collection=make_collection(organizations=[org]), organization=org)


def page(client, report):
    response = client.get(reverse("datacollection:report_detail", args=[report.pk]))
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def text(node):
    return " ".join(node.get_text().split())


def submit(report, *, changed=False):
    report.status = Report.Status.SUBMITTED
    report.submitted_at = timezone.now() - timedelta(hours=2)
    report.has_unsubmitted_changes = changed
    report.save()


def test_a_report_not_yet_submitted_has_no_submitted_notice(as_user, org_user, report):
    soup = page(as_user(org_user), report)
    assert text(soup.select_one("[data-testid=report-status-label]")) == "Не приступило"
    assert soup.select_one("[data-testid=submitted-notice]") is None
    assert soup.select_one("[data-testid=returned-notice]") is None
    assert soup.select_one("form[action$='/submit/'] button").get_text() == "Сдать отчет"


def test_a_submitted_report_says_when_and_what_further_editing_means(as_user, org_user, report):
    submit(report)
    soup = page(as_user(org_user), report)
    notice = text(soup.select_one("[data-testid=submitted-notice]"))
    assert f"Отчет сдан {msk(report.submitted_at)}" in notice
    assert "изменения сохраняются автоматически, но передаются в ФИС ОКО только после" in notice
    assert "повторного нажатия «Сдать отчет»" in notice
    # Hidden until a change after the submission; the table editor shows it live.
    unsubmitted = soup.select_one("[data-testid=unsubmitted-notice]")
    assert unsubmitted.has_attr("hidden") and unsubmitted.has_attr("data-show-if-unsubmitted")
    assert text(soup.select_one("[data-testid=report-status-label]")) == "Сдано"


def test_changes_after_submission_are_named_on_the_page(as_user, org_user, report):
    submit(report, changed=True)
    soup = page(as_user(org_user), report)
    unsubmitted = soup.select_one("[data-testid=unsubmitted-notice]")
    assert not unsubmitted.has_attr("hidden")
    assert "Есть несданные изменения: нажмите «Сдать отчет»" in text(unsubmitted)
    assert "Сдано, есть несданные изменения" in text(soup.select_one("[data-testid=report-status]"))


def test_a_returned_report_shows_the_coordinators_comment(as_user, org_user, report):
    report.status = Report.Status.IN_PROGRESS
    report.returned_at = timezone.now()
    report.returned_comment = "Проверьте численность 8 класса."
    report.save()
    notice = text(page(as_user(org_user), report).select_one("[data-testid=returned-notice]"))
    assert f"Отчет возвращен на доработку {msk(report.returned_at)}" in notice
    assert "Проверьте численность 8 класса." in notice
    assert "снова нажмите «Сдать отчет»" in notice


def test_the_coordinator_sees_the_return_without_the_call_to_submit(as_user, regional, report):
    report.status = Report.Status.IN_PROGRESS
    report.returned_at = timezone.now()
    report.returned_comment = "Проверьте численность 8 класса."
    report.save()
    notice = text(page(as_user(regional), report).select_one("[data-testid=returned-notice]"))
    assert "Проверьте численность 8 класса." in notice and "Сдать отчет" not in notice


def test_closed_after_submission_says_when_it_was_submitted(as_user, org_user, report):
    submit(report, changed=True)
    report.collection.closes_at = timezone.now() - timedelta(minutes=1)
    report.collection.save()
    soup = page(as_user(org_user), report)
    assert soup.select_one("[data-testid=submitted-notice]") is None
    notice = text(soup.select_one("[data-testid=read-only-notice]"))
    assert f"Отчет сдан {msk(report.submitted_at)}" in notice
    assert "изменения, сохраненные после этого, не переданы" in notice


def test_the_editor_knows_whose_edits_it_keeps(as_user, org_user, report):
    """localStorage keys of kept edits are per user and report (table-editor.js)."""
    editor = page(as_user(org_user), report).select_one("#report-editor")
    assert editor["data-user"] == str(org_user.pk) and editor["data-report"] == str(report.pk)


def test_logout_forms_carry_the_user_for_logout_js(as_user, org_user):
    client = as_user(org_user)
    soup = BeautifulSoup(client.get(reverse("cabinet")).content, "html.parser")
    forms = soup.select("form.js-logout")
    assert forms and all(form["data-user"] == str(org_user.pk) for form in forms)
    assert soup.select_one("script[src$='js/logout.js'][type=module]") is not None
