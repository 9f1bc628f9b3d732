"""The table editor with the keyboard alone: from the list of collections to «Заполнить», into the
table by Tab, typing, Enter and the arrows between cells; the values are saved and come back
after a reload. No click and no fill() after the login."""

import pytest
from playwright.sync_api import expect

from datacollection.models import Cell
from tests.factories import TEST_PASSWORD, OrganizationUserFactory, make_collection

from .conftest import login, saved_status

pytestmark = pytest.mark.django_db(transaction=True)


def tab_until(page, predicate_js, limit=120):
    """Presses Tab until the focused element satisfies `predicate_js` (el => bool)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => ({predicate_js})(document.activeElement)"):
            return page.evaluate(
                "() => document.activeElement.id || document.activeElement.textContent"
            )
    raise AssertionError(f"Tab never reached {predicate_js}")


def test_the_table_editor_is_usable_with_the_keyboard_alone(page, org):
    OrganizationUserFactory(organization=org)
    make_collection(organizations=[org])
    login(page, "edu470001", TEST_PASSWORD)
    page.goto("/collections/")

    tab_until(page, "el => el.tagName === 'A' && el.textContent.trim() === 'Заполнить'")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Сохранение данных, введенных в таблицу")).to_be_visible()

    # The scroll container of the first table takes the focus on its way (it can be scrolled
    # with the arrows), then the first cell.
    tab_until(page, "el => el.matches('.report-table-wrap')")
    first = tab_until(page, "el => el.matches('input.cell-input')")
    assert first == "cell-counts-grade4-listed"
    page.keyboard.type("25")
    page.keyboard.press("ArrowRight")  # at the end of the value: the next column
    page.keyboard.type("24")
    page.keyboard.press("Enter")  # down to 8 класс, same column
    page.keyboard.type("30")
    page.keyboard.press("ArrowLeft")  # not at the start: the caret moves inside the value
    page.keyboard.press("Home")
    page.keyboard.press("ArrowLeft")  # at the start: the previous column
    page.keyboard.type("31")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("() => document.activeElement.id") == "cell-counts-grade4-listed"
    saved_status(page)

    page.reload()
    expect(page.locator("#cell-counts-grade4-listed")).to_have_value("25")
    expect(page.locator("#cell-counts-grade4-present")).to_have_value("24")
    expect(page.locator("#cell-counts-grade8-present")).to_have_value("30")
    expect(page.locator("#cell-counts-grade8-listed")).to_have_value("31")
    stored = {(c.row_key, c.column_key): c.value for c in Cell.objects.filter(table__key="counts")}
    assert stored[("grade4", "listed")] == "25"
    assert stored[("grade8", "listed")] == "31"
