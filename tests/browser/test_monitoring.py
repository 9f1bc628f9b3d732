"""A regional coordinator in a real browser: the list of participants, the «Не приступило»
filter, one organization's transferred data, then «Экспорт результатов» and the file."""

import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from datacollection.models import Report, Submission
from tests.factories import (
    TEST_PASSWORD,
    RegionalCoordinatorFactory,
    column,
    make_collection,
    result_row,
    snapshot,
    submit_results,
)

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(region, org, org_same_municipality, org_other_municipality):
    coordinator = RegionalCoordinatorFactory(region=region)
    collection = make_collection(organizations=[org, org_same_municipality, org_other_municipality])
    report = Report.objects.create(
        collection=collection,
        organization=org_same_municipality,
        status=Report.Status.SUBMITTED,
        started_at=timezone.now() - timedelta(hours=3),
        submitted_at=timezone.now() - timedelta(hours=1),
        last_saved_at=timezone.now() - timedelta(hours=1),
    )
    Submission.objects.create(
        report=report,
        submitted_at=report.submitted_at,
        data=snapshot(org_same_municipality.login, "80417"),
    )
    return coordinator, collection


def test_coordinator_filters_opens_data_and_downloads_the_export(page, world, tmp_path):
    coordinator, collection = world
    login(page, coordinator.username, TEST_PASSWORD)
    page.get_by_role("link", name="Мониторинг", exact=True).click()
    card = page.get_by_test_id("monitoring-collection")
    assert card.get_by_test_id("count-total").inner_text() == "3"
    assert card.get_by_test_id("count-submitted").inner_text() == "1"
    card.get_by_role("link", name="Список участников").click()

    # «Не приступило»: the two schools without a transfer.
    page.get_by_label("Статус").select_option(label="Не приступило")
    page.get_by_role("button", name="Показать").click()
    # The filtered page has loaded before its rows are read (reading at once, under load, once
    # read the document being replaced: no rows).
    expect(page).to_have_url(re.compile("status=not_started"))
    rows = page.get_by_test_id("participant-row")
    expect(rows).to_have_count(2)
    assert sorted(rows.evaluate_all("rows => rows.map(r => r.dataset.login)")) == [
        "edu470001",
        "edu470003",
    ]

    # The submitted school: the view icon opens its transferred data; «Закрыть» comes back.
    page.get_by_label("Статус").select_option(label="Сдано")
    page.get_by_role("button", name="Показать").click()
    expect(page).to_have_url(re.compile("status=submitted"))
    page.get_by_role("link", name="Введенные данные edu470002").click()
    assert (
        page.get_by_test_id("data-source").inner_text().startswith("Данные, переданные в ФИС ОКО")
    )
    assert page.get_by_role("cell", name="80417").is_visible()
    page.get_by_role("link", name="Закрыть").click()
    expect(page).to_have_url(re.compile("status=submitted"))
    expect(page.get_by_test_id("participant-row")).to_have_count(1)

    # «Экспорт результатов»: in tests the task runs at enqueue, so the file is ready at once.
    page.get_by_role("link", name=collection.form.title).click()
    page.get_by_role("button", name="Экспорт результатов").click()
    messages = page.get_by_test_id("export-messages")
    expect(messages).to_contain_text("Экспорт поставлен в очередь")
    expect(messages).to_contain_text("Отчет готов")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Загрузить отчет").click()
    download = download_info.value
    assert download.suggested_filename.startswith("Результаты — ")
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / "export.xlsx"
    download.save_as(path)
    book = load_workbook(path)
    summary = list(book["Сводка"].values)
    assert [row[2] for row in summary[1:]] == ["edu470001", "edu470002", "edu470003"]
    assert list(book["Результаты"].values)[1][5] == "80417"


# A4 minus print.css's margins (12 mm each side), in CSS pixels (96 per inch).
A4_UPRIGHT_PX = round((210 - 24) / 25.4 * 96)
A4_LANDSCAPE_PX = round((297 - 24) / 25.4 * 96)


def test_transferred_data_prints_with_its_header_and_within_the_sheet(page, org, region):
    """Printed: no navigation or buttons; a header with the organization, the study, the
    collection and the transfer's date (МСК); each table within an A4 sheet's width — the
    results table, wider than an upright sheet, on a landscape one."""
    coordinator = RegionalCoordinatorFactory(region=region)
    collection = make_collection(organizations=[org])
    results = collection.form.tables.get(key="results")
    for number in range(4, 19):
        column(results, f"task_{number}", f"Задание {number}", 10 + number, type="integer")
    tasks = {f"task_{number}": "1" for number in range(4, 19)}
    rows = [result_row(4, 1, 2, "X", code=f"4{n:04d}") | tasks for n in range(1, 31)]
    submitted_at = timezone.make_aware(
        datetime(2026, 4, 20, 23, 30), timezone.get_fixed_timezone(180)
    )
    submit_results(collection, org, rows, at=submitted_at)

    login(page, coordinator.username, TEST_PASSWORD)
    page.goto(f"/monitoring/collections/{collection.pk}/participants/{org.pk}/")
    expect(page.get_by_role("button", name="Печать")).to_be_visible()
    page.emulate_media(media="print")
    page.set_viewport_size({"width": A4_UPRIGHT_PX, "height": 1100})
    header = page.get_by_test_id("print-header")
    expect(header).to_be_visible()
    expect(header).to_contain_text(f"{org.name} ({org.login})")
    expect(header).to_contain_text(collection.study.title)
    expect(header).to_contain_text(collection.form.title)
    expect(page.get_by_test_id("print-submitted-at")).to_have_text("20.04.2026 23:30 (МСК)")
    for hidden in (
        page.get_by_role("navigation", name="Путь"),
        page.get_by_role("navigation", name="Версии данных"),
        page.get_by_role("button", name="Печать"),
        page.get_by_role("link", name="Закрыть"),
        page.get_by_test_id("data-source"),
    ):
        expect(hidden).to_be_hidden()

    counts, wide = page.locator("section.snapshot-table").all()
    assert "print-landscape" not in (counts.get_attribute("class") or "")
    assert counts.locator("table").bounding_box()["width"] <= A4_UPRIGHT_PX
    assert "print-landscape" in (wide.get_attribute("class") or "")
    page.set_viewport_size({"width": A4_LANDSCAPE_PX, "height": 800})
    assert wide.locator("table").bounding_box()["width"] <= A4_LANDSCAPE_PX
    code = wide.get_by_role("cell", name="40030")
    expect(code).to_be_visible()
    assert code.evaluate("cell => getComputedStyle(cell).whiteSpace") == "nowrap"  # not broken
