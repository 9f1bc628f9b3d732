"""The table editor in a real browser, harder cases: the connection drops while typing, two tabs
edit the same cell, the Excel template goes out and comes back, a scan is uploaded."""

from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from datacollection import services
from datacollection.models import Cell, CellFile, Report, ReportRow
from tests.factories import TEST_PASSWORD, OrganizationUserFactory, make_collection, make_form

from .conftest import login, saved_status

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def table_page(page, org):
    """The table of `make_form()` (with the «Протокол» scan table) opened by edu470001."""
    OrganizationUserFactory(organization=org)
    make_collection(organizations=[org], form=make_form(scan=True))
    login(page, "edu470001", TEST_PASSWORD)
    page.get_by_role("link", name="Заполнить").click()
    expect(page.get_by_text("Сохранение данных, введенных в таблицу")).to_be_visible()
    return page


AUTOSAVE = "**/cells/"


def values():
    return {(c.table.key, c.row_key, c.column_key): c.value for c in Cell.objects.all()}


def type_into(page, cell_id, value):
    page.locator(cell_id).fill(value)
    page.locator(cell_id).press("Tab")


def kept_values(page):
    """{cell address: value} of every edit the browser keeps for the server (localStorage)."""
    return page.evaluate(
        """() => Object.assign({}, ...Object.keys(localStorage)
            .filter((key) => key.startsWith('niko-pending:'))
            .flatMap((key) => Object.entries(JSON.parse(localStorage.getItem(key))))
            .map(([address, entry]) => ({[address]: entry.value})))"""
    )


def test_edits_typed_while_the_connection_is_down_all_arrive(table_page):
    page = table_page
    page.route(AUTOSAVE, lambda route: route.abort("internetdisconnected"))
    type_into(page, "#cell-counts-grade4-listed", "25")
    type_into(page, "#cell-counts-grade4-present", "2")
    type_into(page, "#cell-counts-grade4-present", "24")  # typed again: the newer value wins
    type_into(page, "#cell-counts-grade8-listed", "30")
    type_into(page, "#cell-counts-grade8-absent", "0")
    expect(page.get_by_test_id("save-status")).to_contain_text("Нет связи с сервером")
    expect(page.locator("#cell-counts-grade8-listed").locator("xpath=..")).to_contain_text(
        "Ждет связи"
    )
    assert not Cell.objects.exists()
    # Every edit, in its newest value, is also kept by the browser until the server answers.
    assert kept_values(page) == {
        "counts|grade4|listed": "25",
        "counts|grade4|present": "24",
        "counts|grade8|listed": "30",
        "counts|grade8|absent": "0",
    }
    page.unroute(AUTOSAVE)
    # No reload, no click: the queue retries by itself.
    expect(page.get_by_test_id("save-status")).to_contain_text(
        "Все изменения сохранены в",
        timeout=40_000,  # above the 30 s cap of the retry backoff
    )
    assert kept_values(page) == {}
    assert values() == {
        ("counts", "grade4", "listed"): "25",
        ("counts", "grade4", "present"): "24",
        ("counts", "grade8", "listed"): "30",
        ("counts", "grade8", "absent"): "0",
    }
    page.reload()
    expect(page.locator("#cell-counts-grade4-present")).to_have_value("24")


def test_two_tabs_the_stale_edit_gets_the_newer_value(table_page, new_page):
    tab_a = table_page
    tab_b = new_page(tab_a.context)  # a second tab of the same user
    tab_b.goto(tab_a.url)
    type_into(tab_b, "#cell-counts-grade4-listed", "25")
    saved_status(tab_b)
    # Tab A still holds version 0 of that cell; its other edits are unaffected.
    type_into(tab_a, "#cell-counts-grade8-listed", "30")
    type_into(tab_a, "#cell-counts-grade4-listed", "31")
    cell = tab_a.locator("#cell-counts-grade4-listed")
    expect(cell.locator("xpath=..")).to_have_attribute("data-state", "conflict")
    expect(cell.locator("xpath=..")).to_contain_text(
        "Значение изменено в другой вкладке: показано новое «25»."
    )
    expect(cell).to_have_value("25")
    assert values() == {("counts", "grade4", "listed"): "25", ("counts", "grade8", "listed"): "30"}
    # Now based on the newer version, tab A's edit goes through.
    type_into(tab_a, "#cell-counts-grade4-listed", "31")
    saved_status(tab_a)
    assert values()[("counts", "grade4", "listed")] == "31"


def test_excel_template_download_fill_upload(table_page, tmp_path):
    page = table_page
    with page.expect_download() as download:
        page.get_by_role("link", name="Скачать шаблон").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    workbook = load_workbook(BytesIO(Path(download.value.path()).read_bytes()))
    counts, results, _protocol = workbook.worksheets
    counts["C5"], counts["D5"], counts["E5"] = 25, 24, 1
    results["C5"], results["D5"], results["E5"] = "80001", 8, "x"
    results["C6"], results["D6"], results["G6"] = "80002", 8, 7  # Задание 3 takes 0–2
    filled = tmp_path / "заполненный.xlsx"
    workbook.save(filled)
    page.locator("#excel-file").set_input_files(filled)
    page.get_by_role("button", name="Загрузить из Excel").click()
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_contain_text("Файл не загружен, данные не изменены. Ошибки в файле (1)")
    expect(errors).to_contain_text(
        "Лист «Результаты», строка 6, «Задание 3»: Значение должно быть не больше 2."
    )
    assert not Cell.objects.exists()
    results["G6"] = 2
    workbook.save(filled)
    page.locator("#excel-file").set_input_files(filled)
    page.get_by_role("button", name="Загрузить из Excel").click()
    expect(page.locator(".alert-success")).to_contain_text(
        "Данные из Excel загружены: изменено ячеек — 9, добавлено строк — 2."
    )
    expect(page.locator("#cell-counts-grade4-listed")).to_have_value("25")
    rows = page.locator("table[data-table=results] tbody tr[data-row]")
    expect(rows).to_have_count(2)
    first = ReportRow.objects.order_by("pk").first().key
    expect(page.locator(f"#cell-results-{first}-task_1")).to_have_value("X")
    assert values()[("results", first, "task_1")] == "X"


def test_a_scan_is_uploaded_from_the_table(table_page, tmp_path):
    page = table_page
    scan = tmp_path / "Протокол 4 класс.pdf"
    scan.write_bytes(b"%PDF-1.4\n%%EOF\n")
    cell = page.locator("#cell-protocol-grade4-scan")
    cell.locator("input[type=file]").set_input_files(scan)
    expect(cell.get_by_test_id("file-link")).to_have_text("Протокол 4 класс.pdf")
    expect(cell).to_contain_text("Заменить")
    with page.expect_download() as download:
        cell.get_by_test_id("file-link").click()
    assert download.value.suggested_filename == "Протокол 4 класс.pdf"
    assert Path(download.value.path()).read_bytes() == scan.read_bytes()
    page.once("dialog", lambda dialog: dialog.accept())
    cell.get_by_role("button", name="Удалить").click()
    expect(cell.get_by_test_id("file-link")).to_be_hidden()
    expect(cell).to_contain_text("Загрузить файл")
    assert not CellFile.objects.exists()


def test_an_edit_typed_before_the_editor_script_runs_is_saved(table_page):
    """Under load the page is visible before its module script has run: a value typed then
    must still be sent (it was once taken for the saved value and silently dropped)."""
    page = table_page
    held = []
    page.route("**/js/table-editor*.js", lambda route: held.append(route))
    page.goto(page.url, wait_until="commit")
    type_into(page, "#cell-counts-grade4-listed", "25")
    assert held, "the editor script was requested"
    held[0].continue_()
    saved_status(page)
    assert values() == {("counts", "grade4", "listed"): "25"}


def pending_keys(page):
    """The table editor's copies of unanswered edits in this browser's localStorage."""
    return page.evaluate(
        "() => Object.keys(localStorage).filter((key) => key.startsWith('niko-pending:'))"
    )


def type_offline_and_close(page):
    """Types while every autosave fails, closes the tab; returns the report's address."""
    # The browser itself is offline: every request fails at once in the browser (a route
    # holds each request until Python answers it).
    page.context.set_offline(True)
    type_into(page, "#cell-counts-grade4-listed", "25")
    type_into(page, "#cell-counts-grade4-present", "2")
    type_into(page, "#cell-counts-grade4-present", "24")  # typed again: the newer value wins
    expect(page.get_by_test_id("save-status")).to_contain_text("Нет связи с сервером")
    page.locator("#cell-counts-grade8-listed").fill("30")  # still in the cell when the tab goes
    user, report = page.locator("#report-editor").get_attribute("data-user"), page.url
    assert pending_keys(page) == [f"niko-pending:{user}:{report.rstrip('/').split('/')[-1]}"]
    # A closed tab's renderer can outlive page.close() by a moment, and a retry timer firing
    # then found the browser online again: the first user's edits reached the server after the
    # tab was gone (CI, 1 run in 8 here). Its fetch fails for good before it goes.
    page.evaluate("() => { window.fetch = () => Promise.reject(new TypeError('offline')); }")
    page.close()  # the laptop is closed: no «leave the page?» question, the tab is gone
    page.context.set_offline(False)
    assert not Cell.objects.exists()
    return report


def test_edits_typed_offline_are_sent_when_the_report_is_opened_again(table_page, new_page):
    url = type_offline_and_close(table_page)
    page = new_page(table_page.context)
    page.goto(url)
    saved_status(page)
    assert values() == {
        ("counts", "grade4", "listed"): "25",
        ("counts", "grade4", "present"): "24",
        ("counts", "grade8", "listed"): "30",
    }
    expect(page.locator("#cell-counts-grade4-present")).to_have_value("24")
    assert pending_keys(page) == []  # answered: nothing is kept any more
    page.reload()
    expect(page.locator("#cell-counts-grade8-listed")).to_have_value("30")


def test_a_kept_edit_of_a_cell_changed_meanwhile_gets_the_conflict_note(table_page, new_page):
    url = type_offline_and_close(table_page)
    other = new_page(table_page.context)  # meanwhile, from another computer… here another tab
    other.route("**/js/table-editor*.js", lambda route: route.abort())  # no replay in it
    other.goto(url)
    report = Report.objects.get()
    user = report.organization.users.get()
    counts = report.collection.form.tables.get(key="counts")
    services.cell_save(
        report=report,
        user=user,
        table=counts,
        row="grade4",
        column=counts.columns.get(key="listed"),
        value="31",
        base_version=0,
    )
    other.close()
    page = new_page(table_page.context)
    page.goto(url)
    cell = page.locator("#cell-counts-grade4-listed")
    expect(cell.locator("xpath=..")).to_have_attribute("data-state", "conflict")
    expect(cell.locator("xpath=..")).to_contain_text("показано новое «31»")
    expect(cell).to_have_value("31")
    saved_status(page)
    assert values() == {
        ("counts", "grade4", "listed"): "31",
        ("counts", "grade4", "present"): "24",
        ("counts", "grade8", "listed"): "30",
    }
    assert pending_keys(page) == []


def test_logout_forgets_the_kept_edits_and_another_user_never_gets_them(table_page, new_page, org):
    url = type_offline_and_close(table_page)
    # Another person of the same school in this browser (the first one's session ended).
    colleague = OrganizationUserFactory(organization=org, username="edu470001b")
    table_page.context.clear_cookies()
    page = new_page(table_page.context)
    login(page, colleague.username, TEST_PASSWORD)
    page.goto(url)
    expect(page.locator("#report-editor")).to_have_attribute("data-ready", "true")
    expect(page.locator("#cell-counts-grade4-listed")).to_have_value("")
    assert len(pending_keys(page)) == 1  # the first user's, untouched and unused
    page.get_by_role("button", name="Выйти").first.click()
    assert len(pending_keys(page)) == 1  # logging out forgets only one's own
    login(page, "edu470001", TEST_PASSWORD)
    page.get_by_role("button", name="Выйти").first.click()
    expect(page.get_by_label("Логин")).to_be_visible()
    assert pending_keys(page) == []
    login(page, "edu470001", TEST_PASSWORD)
    page.goto(url)
    expect(page.locator("#report-editor")).to_have_attribute("data-ready", "true")
    expect(page.locator("#cell-counts-grade4-listed")).to_have_value("")
    assert not Cell.objects.exists()


def test_edits_after_the_session_ended_wait_in_the_browser_for_the_next_login(table_page):
    page = table_page
    url = page.url
    type_into(page, "#cell-counts-grade4-listed", "25")
    saved_status(page)
    page.context.clear_cookies()  # the session ended (12 hours, or a logout in another tab)
    type_into(page, "#cell-counts-grade4-present", "24")
    expect(page.get_by_test_id("save-status")).to_contain_text(
        "Сеанс работы завершен, изменения не отправлены, но сохранены в этом браузере"
    )
    expect(page.locator("#cell-counts-grade4-present").locator("xpath=..")).to_contain_text(
        "Ждет отправки"
    )
    assert kept_values(page) == {"counts|grade4|present": "24"}
    login(page, "edu470001", TEST_PASSWORD)
    page.goto(url)
    saved_status(page)
    assert values() == {("counts", "grade4", "listed"): "25", ("counts", "grade4", "present"): "24"}
    assert kept_values(page) == {}
