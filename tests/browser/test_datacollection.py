"""The table editor in a real browser: autosave survives a reload, pasting a block from Excel,
«Сдать отчет» with an error, then fixed."""

import pytest
from playwright.sync_api import expect

from datacollection.models import Cell, Report, Submission
from tests.factories import TEST_PASSWORD, OrganizationUserFactory, make_collection

from .conftest import login, saved_status

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def table_page(page, org):
    OrganizationUserFactory(organization=org)
    collection = make_collection(organizations=[org])
    login(page, "edu470001", TEST_PASSWORD)
    card = page.get_by_test_id("collection-card").filter(has_text=collection.form.title)
    expect(card).to_contain_text("Открыт")
    card.get_by_role("link", name="Заполнить").click()
    expect(page.get_by_text("Сохранение данных, введенных в таблицу")).to_be_visible()
    return page


def test_typed_values_are_saved_and_persist_after_reload(table_page):
    page = table_page
    page.locator("#cell-counts-grade4-listed").click()
    page.keyboard.type("25")
    page.keyboard.press("Tab")
    page.keyboard.type("24")
    page.keyboard.press("Enter")  # down to 8 класс, same column
    page.keyboard.type("30")
    page.keyboard.press("Tab")
    saved_status(page)
    expect(page.locator("#cell-counts-grade8-present")).to_have_value("30")
    page.locator("#cell-counts-grade4-absent").fill("abc")
    page.locator("#cell-counts-grade4-absent").press("Tab")
    expect(page.locator("#cell-counts-grade4-absent").locator("xpath=..")).to_contain_text(
        "Введите целое число."
    )
    page.locator("#cell-counts-grade4-absent").fill("1")
    page.locator("#cell-counts-grade4-absent").press("Tab")
    saved_status(page)
    page.reload()
    expect(page.locator("#cell-counts-grade4-listed")).to_have_value("25")
    expect(page.locator("#cell-counts-grade4-present")).to_have_value("24")
    expect(page.locator("#cell-counts-grade8-present")).to_have_value("30")
    expect(page.locator("#cell-counts-grade4-absent")).to_have_value("1")
    assert Report.objects.get().status == Report.Status.IN_PROGRESS


def test_pasting_a_3_by_4_block_fills_and_saves_every_cell(table_page):
    page = table_page
    rows = page.locator("table[data-table=results] tbody tr[data-row]")
    for count in range(1, 4):
        page.get_by_role("button", name="Добавить строку").click()
        expect(rows).to_have_count(count)
    expect(rows).to_have_count(3)
    first_row = rows.first.get_attribute("data-row")
    block = "80001\t8\t1\t2\n80002\t8\tx\t0\n80003\t8\t2\tотсутствовал\n"
    page.locator(f"#cell-results-{first_row}-code").click()
    page.evaluate(
        """(text) => {
            const data = new DataTransfer();
            data.setData('text/plain', text);
            document.activeElement.dispatchEvent(
                new ClipboardEvent('paste', {clipboardData: data, bubbles: true}));
        }""",
        block,
    )
    saved_status(page)
    assert Cell.objects.filter(table__key="results").count() == 12
    keys = [rows.nth(i).get_attribute("data-row") for i in range(3)]
    expect(page.locator(f"#cell-results-{keys[1]}-task_1")).to_have_value("X")
    expect(page.locator(f"#cell-results-{keys[0]}-total")).to_have_text("3")
    page.reload()
    expect(page.locator(f"#cell-results-{keys[2]}-code")).to_have_value("80003")
    expect(page.locator(f"#cell-results-{keys[2]}-task_2")).to_have_value("отсутствовал")


def test_submit_with_an_error_then_fixed(table_page):
    page = table_page
    values = {"listed": "25", "present": "20", "absent": "1"}
    for row in ("grade4", "grade8"):
        for column, value in values.items():
            page.locator(f"#cell-counts-{row}-{column}").fill(value)
            page.locator(f"#cell-counts-{row}-{column}").press("Tab")
    saved_status(page)
    page.get_by_role("button", name="Сдать отчет").click()
    errors = page.get_by_test_id("submit-errors")
    expect(errors).to_contain_text("Отчет не сдан. Исправьте ошибки (2)")
    errors.get_by_role("link").first.click()
    assert page.url.endswith("#cell-counts-grade4-present")
    assert not Submission.objects.exists()
    for row in ("grade4", "grade8"):
        page.locator(f"#cell-counts-{row}-present").fill("24")
        page.locator(f"#cell-counts-{row}-present").press("Tab")
    saved_status(page)
    page.get_by_role("button", name="Сдать отчет").click()
    expect(page.get_by_role("heading", name="Раздел «НИКО»")).to_be_visible()
    expect(page.locator(".alert-success")).to_contain_text("Отчет «Форма сбора результатов» сдан")
    expect(page.get_by_test_id("last-action").first).to_contain_text("Отчет сдан")
    assert Submission.objects.count() == 1
