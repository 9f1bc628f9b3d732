"""Distributing participant codes across rooms in a real browser: dragging a code into another
room (saved at once, still there after a reload), a full room refusing a code (on the page and,
when the page is behind, on the server), a keyboard user moving a code with its select, and
the same selects without JavaScript."""

import pytest
from playwright.sync_api import expect

from studies import services
from studies.models import ParticipantCode, Room
from tests.factories import (
    TEST_PASSWORD,
    OrganizationUserFactory,
    give_class,
    give_room,
    move_codes,
    participating_study,
)

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def school(org):
    return OrganizationUserFactory(organization=org)


@pytest.fixture
def study(org, school):
    """8 А of four pupils: 80001–80003 fill room 101 (3 seats), 80004 sits in 102 (3 seats)."""
    study = participating_study(org)
    give_class(school, study, pupils=4)
    give_room(school, study, number="101", capacity=3)
    give_room(school, study, number="102", capacity=3)
    services.distribute_codes(user=school, study=study, organization=org)
    return study


def room_of(code):
    room = ParticipantCode.objects.select_related("room").get(code=code).room
    return room.number if room else None


def box(page, number):
    """A room's box by its number; "" is the box of codes not placed in any room."""
    if not number:
        return page.locator("[data-room-box][data-room-id='']")
    return page.locator(f"[data-room-box][data-number='{number}']")


def item(page, code):
    return page.get_by_test_id("distribution-row").filter(has_text=code)


def drag(page, code, number):
    """Drag by the code itself (the select beside it opens on a press, as selects do)."""
    item(page, code).locator("[data-code]").drag_to(box(page, number))


def open_rooms(page, school, study):
    login(page, school.username, TEST_PASSWORD)
    page.goto(f"/studies/{study.pk}/rooms/")
    expect(page.get_by_text("Перетащите код мышью")).to_be_visible()  # the module has started


def test_a_dragged_code_moves_to_the_other_room_and_stays_there(page, school, study):
    open_rooms(page, school, study)
    expect(page.get_by_role("button", name="Сохранить распределение")).to_be_hidden()
    drag(page, "80001", "102")
    expect(page.get_by_test_id("distribution-status")).to_have_text(
        "Сохранено: 80001 — аудитория 102."
    )
    assert room_of("80001") == "102"
    expect(box(page, "102").locator("[data-fill]")).to_have_text("занято 2 из 3")
    expect(page.locator("[data-room='101'] [data-testid=room-listed]")).to_have_text("2")

    page.reload()
    expect(box(page, "102").locator("[data-code]")).to_have_text(["80001", "80004"])
    expect(box(page, "101").get_by_test_id("distribution-row")).to_have_count(2)
    expect(page.get_by_label("Аудитория участника 80001")).to_have_value(
        str(ParticipantCode.objects.get(code="80001").room_id)
    )
    expect(page.locator("[data-room='102'] [data-testid=room-listed]")).to_have_text("2")


def test_the_rooms_table_and_totals_follow_a_drop_without_a_reload(page, school, study):
    open_rooms(page, school, study)
    protocol = page.locator("[data-room='102'] [data-testid=room-protocol]")
    listed = page.get_by_test_id("room-totals").locator("tr[data-grade='8'] td")
    expect(protocol).to_have_text("Заполнить протокол")
    expect(listed).to_have_text(["8 класс", "4", "0", "4"])

    drag(page, "80004", "")  # 102 is left empty: nothing to protocol there
    expect(page.get_by_test_id("distribution-status")).to_have_text(
        "Сохранено: 80004 — не распределен."
    )
    expect(protocol).to_have_text("—")
    expect(listed).to_have_text(["8 класс", "3", "0", "3"])
    expect(page.locator("[data-room='102'] [data-testid=room-listed]")).to_have_text("0")
    expect(page.get_by_test_id("rooms-summary")).to_have_text("мест: 6 · участников: 4")

    drag(page, "80001", "102")  # and filled again: its protocol link is back
    expect(protocol.get_by_role("link", name="Заполнить протокол")).to_have_attribute(
        "href", f"/studies/rooms/{Room.objects.get(number='102').pk}/protocol/"
    )
    expect(page.locator("[data-room='101'] [data-testid=room-protocol]")).to_have_text(
        "Заполнить протокол"
    )
    expect(listed).to_have_text(["8 класс", "3", "0", "3"])


def test_a_full_room_refuses_a_code_on_the_page_and_on_the_server(page, school, study):
    open_rooms(page, school, study)
    status = page.get_by_test_id("distribution-status")
    drag(page, "80004", "101")  # 101 is full and the page knows it
    expect(status).to_contain_text("В аудитории 101 все места заняты (3)")
    expect(box(page, "102").get_by_test_id("distribution-row")).to_have_count(1)
    assert room_of("80004") == "102"

    # Meanwhile, in another tab, 102 is filled up: this page still shows one free seat there.
    give_class(school, study, grade=4, pupils=2)
    second = Room.objects.get(number="102")
    move_codes(school, study, dict.fromkeys(ParticipantCode.objects.filter(grade=4), second))
    drag(page, "80001", "102")
    expect(status).to_contain_text(
        "В аудитории 102 не хватает мест: их 3, а участников стало бы 4. Распределение не изменено."
    )
    expect(status).to_contain_text("появятся в списках после обновления страницы")
    # The page is redrawn from what the server holds: 80001 back in 101, 102 with its three
    # (the two codes added in the other tab are counted, and listed after a reload).
    expect(box(page, "101").locator("[data-code]")).to_have_text(["80001", "80002", "80003"])
    expect(box(page, "102").locator("[data-fill]")).to_have_text("занято 3 из 3")
    drag(page, "80002", "102")
    expect(status).to_contain_text("В аудитории 102 все места заняты (3)")
    assert room_of("80001") == "101"
    assert ParticipantCode.objects.filter(room__number="102").count() == 3


def test_a_keyboard_user_moves_a_code_with_its_select(page, school, study):
    open_rooms(page, school, study)
    select = page.get_by_label("Аудитория участника 80004")
    select.focus()
    # Up from 102 through the full 101 to «не распределен»: saved where the keys stop.
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(page.get_by_test_id("distribution-status")).to_have_text(
        "Сохранено: 80004 — не распределен."
    )
    assert room_of("80004") is None
    expect(select).to_be_focused()
    expect(page.locator("[data-room-box][data-room-id='']")).to_contain_text("80004")


def test_the_selects_work_without_javascript(browser, live_server, school, study):
    context = browser.new_context(
        base_url=live_server.url, locale="ru-RU", java_script_enabled=False
    )
    try:
        page = context.new_page()
        login(page, school.username, TEST_PASSWORD)
        page.goto(f"/studies/{study.pk}/rooms/")
        page.get_by_label("Аудитория участника 80003").select_option(label="102")
        page.get_by_role("button", name="Сохранить распределение").click()
        expect(page.get_by_text("Распределение сохранено.")).to_be_visible()
        expect(box(page, "102").get_by_test_id("distribution-row")).to_have_count(2)
        assert room_of("80003") == "102"
    finally:
        context.close()
