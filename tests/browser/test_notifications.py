"""The bell, the notice list, the receipt and its printout, in a real browser."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from datacollection.models import Report, Submission
from datacollection.receipts import checksum, receipt_number
from notifications import scheduler
from tests.factories import (
    TEST_PASSWORD,
    OrganizationUserFactory,
    RegionalCoordinatorFactory,
    ReportFactory,
    make_collection,
)

from .conftest import ARTIFACTS, login

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = ARTIFACTS / "notifications"


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


@pytest.fixture
def school(org):
    return OrganizationUserFactory(organization=org)


def test_the_bell_counts_and_a_notice_leads_to_the_form(new_page, org, school):
    now = timezone.now()
    collection = make_collection(
        organizations=[org], opens_at=now - timedelta(days=3), closes_at=now + timedelta(hours=20)
    )
    scheduler.run_pass()  # «Открыт сбор данных» and «Приближается срок» (the last day)
    page = new_page()
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, school.username, TEST_PASSWORD)
    expect(page.get_by_test_id("bell-count")).to_have_text(re.compile(r"^2"))
    shot(page, "cabinet-bell-1280")
    page.get_by_test_id("bell").click()
    expect(page.get_by_role("heading", name="Уведомления")).to_be_visible()
    notices = page.get_by_test_id("notification")
    expect(notices).to_have_count(2)
    expect(notices.first).to_contain_text("Остался последний день")
    shot(page, "list-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "list-390")
    page.set_viewport_size({"width": 1280, "height": 800})
    notices.first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/collections/reports/\d+/$"))
    expect(page.get_by_role("heading", name=collection.form.title)).to_be_visible()
    expect(page.get_by_test_id("bell-count")).to_have_text(re.compile(r"^1"))
    page.goto("/notifications/settings/")
    shot(page, "preferences-1280")
    page.get_by_label("Новая публикация: по почте").uncheck()
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Настройки уведомлений сохранены.")).to_be_visible()
    expect(page.get_by_label("Новая публикация: по почте")).not_to_be_checked()
    expect(
        page.get_by_label("Приближается срок сдачи отчета: в кабинете (всегда)")
    ).to_be_disabled()
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "preferences-390")


def test_the_receipt_opens_from_the_report_and_prints_without_navigation(
    new_page, org, school, region
):
    RegionalCoordinatorFactory(region=region)
    collection = make_collection(organizations=[org])
    report = ReportFactory(
        collection=collection,
        organization=org,
        status=Report.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    data = {"organization": org.login, "tables": [{"key": "results", "rows": []}]}
    submission = Submission.objects.create(report=report, submitted_by=school, data=data)

    page = new_page()
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, school.username, TEST_PASSWORD)
    page.goto(f"/collections/reports/{report.pk}/")
    page.get_by_test_id("receipt-link").click()
    expect(page.get_by_test_id("receipt-number")).to_have_text(receipt_number(submission.pk))
    expect(page.get_by_test_id("receipt-checksum")).to_have_text(checksum(data))
    expect(page.get_by_test_id("receipt-time")).to_contain_text("(МСК)")
    shot(page, "receipt-1280")
    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
    expect(page.get_by_role("button", name="Печать")).to_be_hidden()
    expect(page.get_by_test_id("receipt")).to_be_visible()
    shot(page, "receipt-print")
    page.pdf(path=SHOTS / "receipt.pdf", format="A4")
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "receipt-390")

    coordinator = new_page()
    coordinator.set_viewport_size({"width": 1280, "height": 800})
    login(coordinator, "reg470000", TEST_PASSWORD)
    coordinator.goto(f"/monitoring/collections/{collection.pk}/participants/")
    expect(coordinator.get_by_test_id("receipt-number").first).to_contain_text(
        receipt_number(submission.pk)
    )
    coordinator.emulate_media(media="print")
    expect(coordinator.locator("form.participant-filters")).to_be_hidden()
    shot(coordinator, "participants-print")
