"""The table page states the report's real state, live: the status line follows each autosave,
after «Сдать отчет» a notice says when and what further editing means, and «есть несданные
изменения» appears as soon as an edit after the submission is saved (issue 10.8)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from core.text import msk
from datacollection.models import Report
from tests.factories import TEST_PASSWORD, OrganizationUserFactory, make_collection, make_form

from .conftest import login, saved_status

pytestmark = pytest.mark.django_db(transaction=True)

VALID = [
    ("grade4-listed", "25"),
    ("grade4-present", "24"),
    ("grade4-absent", "1"),
    ("grade8-listed", "30"),
    ("grade8-present", "30"),
    ("grade8-absent", "0"),
]


def type_into(page, cell, value):
    page.locator(f"#cell-counts-{cell}").fill(value)
    page.locator(f"#cell-counts-{cell}").press("Tab")


def open_table(page, org, **form):
    OrganizationUserFactory(organization=org)
    make_collection(organizations=[org], form=make_form(**form))
    login(page, "edu470001", TEST_PASSWORD)
    page.get_by_role("link", name="Заполнить").click()
    expect(page.locator("#report-editor")).to_have_attribute("data-ready", "true")
    return page.url


def test_the_status_and_the_submission_are_shown_live(page, org):
    url = open_table(page, org)
    status = page.get_by_test_id("report-status")
    expect(page.get_by_test_id("report-status-label")).to_have_text("Не приступило")
    type_into(page, *VALID[0])
    # The first autosave starts the report: said at once, not after a reload.
    expect(page.get_by_test_id("report-status-label")).to_have_text("В работе")
    for cell, value in VALID[1:]:
        type_into(page, cell, value)
    saved_status(page)
    expect(page.get_by_test_id("submitted-notice")).to_have_count(0)
    page.get_by_role("button", name="Сдать отчет").click()
    expect(page.locator(".alert-success")).to_contain_text("сдан")

    page.goto(url)
    report = Report.objects.get()
    notice = page.get_by_test_id("submitted-notice")
    expect(notice).to_contain_text(f"Отчет сдан {msk(report.submitted_at)}")
    expect(notice).to_contain_text(
        "изменения сохраняются автоматически, но передаются в ФИС ОКО только после повторного "
        "нажатия «Сдать отчет»"
    )
    expect(page.get_by_test_id("report-status-label")).to_have_text("Сдано")
    expect(page.get_by_test_id("unsubmitted-notice")).to_be_hidden()
    expect(status).not_to_contain_text("есть несданные изменения", use_inner_text=True)

    type_into(page, "grade8-listed", "31")
    type_into(page, "grade8-present", "31")
    saved_status(page)
    # Saved, not transferred: said at once.
    expect(page.get_by_test_id("unsubmitted-notice")).to_be_visible()
    expect(page.get_by_test_id("unsubmitted-notice")).to_have_text(
        "Есть несданные изменения: нажмите «Сдать отчет», чтобы передать их."
    )
    expect(status).to_contain_text("Сдано, есть несданные изменения", use_inner_text=True)
    assert Report.objects.get().has_unsubmitted_changes

    page.get_by_role("button", name="Сдать отчет").click()
    expect(page.locator(".alert-success")).to_contain_text("сдан")
    page.goto(url)
    expect(page.get_by_test_id("unsubmitted-notice")).to_be_hidden()
    expect(status).not_to_contain_text("есть несданные изменения", use_inner_text=True)


def test_an_uploaded_scan_updates_the_status_line(page, org, tmp_path):
    open_table(page, org, scan=True)
    expect(page.get_by_test_id("report-status-label")).to_have_text("Не приступило")
    scan = tmp_path / "Протокол.pdf"
    scan.write_bytes(b"%PDF-1.4\n%%EOF\n")
    page.locator("#cell-protocol-grade4-scan input[type=file]").set_input_files(Path(scan))
    expect(page.locator("#cell-protocol-grade4-scan").get_by_test_id("file-link")).to_be_visible()
    expect(page.get_by_test_id("report-status-label")).to_have_text("В работе")
