"""The study cycle in a real browser: the school's checklist (a manual tick with the order's
scan), classes → codes → rooms → automatic distribution → moving a code by its select →
printing a room list; the coordinator's grid filter «отстает хоть в чем-то»."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from studies.models import ParticipantCode, Room, Stage, StageDate
from tests.factories import (
    TEST_PASSWORD,
    OrganizationUserFactory,
    RegionalCoordinatorFactory,
    participating_study,
)

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def study(org, org_same_municipality):
    study = participating_study(org, org_same_municipality)
    StageDate.objects.create(
        study=study,
        stage=Stage.PREPARATION,
        starts_on=date.today() - timedelta(days=10),
        ends_on=date.today() - timedelta(days=1),
    )
    return study


def test_school_ticks_the_order_with_its_scan(page, study, org, tmp_path):
    user = OrganizationUserFactory(organization=org)
    login(page, user.username, TEST_PASSWORD)
    page.goto(f"/studies/{study.pk}/")
    item = page.locator("[data-item=prep_specialists]")
    expect(item.get_by_test_id("item-state")).to_have_text("Просрочено")
    scan = tmp_path / "Приказ.pdf"
    scan.write_bytes(PDF)
    item.locator("input[type=file]").set_input_files(scan)
    item.get_by_role("button", name="Выполнено").click()
    item = page.locator("[data-item=prep_specialists]")
    expect(item.get_by_test_id("item-state")).to_have_text("Выполнено")
    expect(item).to_contain_text(user.username)
    expect(item.get_by_role("link", name="Приказ.pdf")).to_be_visible()


def test_school_issues_codes_distributes_them_moves_one_and_prints_a_room_list(page, study, org):
    user = OrganizationUserFactory(organization=org)
    login(page, user.username, TEST_PASSWORD)
    page.goto(f"/studies/{study.pk}/participants/")
    form = page.get_by_test_id("class-form")
    form.get_by_label("Класс").fill("8")
    form.get_by_label("Литера").fill("А")
    form.get_by_label("Обучающихся").fill("5")
    form.get_by_role("button", name="Сохранить и выдать коды").click()
    expect(page.get_by_test_id("code-row")).to_have_count(5)
    expect(page.get_by_test_id("code-row").first).to_contain_text("80001")

    page.get_by_role("link", name="Аудитории и протоколы").click()
    for number, capacity in (("101", "3"), ("102", "3")):
        room_form = page.get_by_test_id("room-form")
        room_form.get_by_label("Номер аудитории").fill(number)
        room_form.get_by_label("Мест").fill(capacity)
        room_form.get_by_role("button", name="Добавить аудиторию").click()
    page.get_by_role("button", name="Распределить автоматически").click()
    expect(page.locator("[data-room='101'] [data-testid=room-listed]")).to_have_text("3")
    expect(page.locator("[data-room='102'] [data-testid=room-listed]")).to_have_text("2")

    page.get_by_label("Аудитория участника 80001").select_option(label="102")  # saved at once
    expect(page.get_by_test_id("distribution-status")).to_have_text(
        "Сохранено: 80001 — аудитория 102."
    )
    expect(page.locator("[data-room='102'] [data-testid=room-listed]")).to_have_text("3")
    assert ParticipantCode.objects.get(code="80001").room.number == "102"

    page.locator("[data-room='102']").get_by_role("link", name="Печать").click()
    expect(page.get_by_role("heading", name="Список участников в аудитории 102")).to_be_visible()
    expect(page.get_by_test_id("room-list-row")).to_have_count(3)
    expect(page.get_by_test_id("room-list")).to_contain_text("80001")
    assert Room.objects.get(number="102").list_issued_at is not None


def test_coordinator_filters_the_grid_to_organizations_behind(page, study, org, region):
    school = OrganizationUserFactory(organization=org)
    from studies import services

    for item in ("prep_documents", "prep_readiness"):
        services.tick_item(user=school, study=study, organization=org, item_key=item)
    coordinator = RegionalCoordinatorFactory(region=region)
    login(page, coordinator.username, TEST_PASSWORD)
    page.goto(f"/studies/{study.pk}/readiness/")
    expect(page.get_by_test_id("grid-row")).to_have_count(2)
    page.get_by_label("Не выполнен пункт").select_option(label="Документы изучены")
    page.get_by_role("button", name="Показать").click()
    expect(page.get_by_test_id("grid-row")).to_have_count(1)
    expect(page.get_by_test_id("grid-row")).to_contain_text("edu470002")
    expect(page.locator("[data-column=prep_documents]")).to_have_text("0 / 1")  # done / overdue
    page.get_by_label("Не выполнен пункт").select_option(label="Любой")
    page.get_by_label("отстает хоть в чем-то").check()
    page.get_by_role("button", name="Показать").click()
    expect(page.get_by_test_id("grid-row")).to_have_count(2)  # both miss other prep items
