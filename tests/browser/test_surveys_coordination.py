"""The coordinator follows questionnaire completion in a real browser: the questionnaire's column
in the readiness grid, a rate chosen, «Напомнить», the confirmation of how many organizations
got it; and on a phone, the same column in «Список участников»."""

import re

import pytest
from playwright.sync_api import expect

from notifications.models import Kind, Notification
from tests.factories import (
    TEST_PASSWORD,
    OrganizationUserFactory,
    RegionalCoordinatorFactory,
    issue_codes,
    make_questionnaire,
)

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def teachers(org, org_same_municipality, org_other_municipality):
    """edu470001: 2 of 2 sent; edu470002: 1 of 4; edu470003: no codes (0 %)."""
    for organization in (org, org_same_municipality, org_other_municipality):
        OrganizationUserFactory(organization=organization)
    questionnaire = make_questionnaire(
        organizations=[org, org_same_municipality, org_other_municipality]
    )
    issue_codes(questionnaire, [org], issued=2, completed=2)
    issue_codes(questionnaire, [org_same_municipality], issued=4, completed=1)
    return questionnaire


def test_coordinator_reminds_those_below_a_rate_from_the_grid(page, teachers, region):
    coordinator = RegionalCoordinatorFactory(region=region)
    login(page, coordinator.username, TEST_PASSWORD)
    page.goto(f"/studies/{teachers.study_id}/readiness/")
    grid = page.get_by_test_id("readiness-grid")
    expect(grid.get_by_role("columnheader", name="Анкета учителя")).to_be_visible()
    row = page.get_by_test_id("grid-row").filter(has_text="edu470002")
    expect(row.get_by_test_id("share-cell")).to_contain_text("1/4")
    expect(row.get_by_test_id("share-cell")).to_contain_text("25 %")
    form = page.get_by_test_id("share-remind-form")
    form.get_by_label("Напомнить об анкете").select_option(label="Анкета учителя")
    form.get_by_label("тем, у кого заполнено меньше").select_option(label="75 %")
    page.once("dialog", lambda dialog: dialog.accept())
    form.get_by_role("button", name="Напомнить").click()
    expect(page.get_by_role("status")).to_contain_text("Напоминание отправлено 2 организациям.")
    expect(page).to_have_url(re.compile(rf"/studies/{teachers.study_id}/readiness/$"))
    reminded = set(
        Notification.objects.filter(kind=Kind.COORDINATOR_REMINDER).values_list(
            "organization__login", flat=True
        )
    )
    assert reminded == {"edu470002", "edu470003"}


def test_the_column_in_the_participant_list_on_a_phone(new_page, teachers, region):
    coordinator = RegionalCoordinatorFactory(region=region)
    context_page = new_page()
    context_page.set_viewport_size({"width": 390, "height": 844})
    login(context_page, coordinator.username, TEST_PASSWORD)
    collection = teachers.study.collections.get()
    context_page.goto(f"/monitoring/collections/{collection.pk}/participants/")
    row = context_page.get_by_test_id("participant-row").filter(has_text="edu470001")
    expect(row.get_by_test_id("share-cell")).to_contain_text("2/2")
    expect(context_page.get_by_test_id("share-remind-form")).to_be_visible()


def test_the_completion_table_is_cards_on_a_phone_and_a_table_on_a_desktop(page, teachers, region):
    """At 390 px nothing scrolls sideways: each organization is a card whose numbers say what
    they are; at 1280 px the same rows are a table under its header."""
    coordinator = RegionalCoordinatorFactory(region=region)
    login(page, coordinator.username, TEST_PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/surveys/{teachers.pk}/completion/")
    table = page.get_by_role("region", name="Заполнение анкет по школам")
    row = page.get_by_test_id("completion-row").filter(has_text="edu470002")
    expect(row).to_contain_text("Выдано кодов 4")
    expect(row).to_contain_text("Заполнено 1")
    expect(row).to_contain_text("Доля 25 %")
    expect(row.get_by_role("button", name="Напомнить edu470002")).to_be_in_viewport()
    expect(page.get_by_role("columnheader", name="Выдано кодов")).to_be_hidden()
    assert table.evaluate("box => box.scrollWidth <= box.clientWidth")

    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.get_by_role("columnheader", name="Выдано кодов")).to_be_visible()
    # The header names the number; the cell's own label is hidden.
    expect(row.get_by_role("cell").nth(3)).to_have_text("4", use_inner_text=True)
    assert table.evaluate("box => box.scrollWidth <= box.clientWidth")
