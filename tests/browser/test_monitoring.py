"""A regional coordinator in a real browser: the list of participants, the «Не приступило»
filter, one organization's transferred data, then «Экспорт результатов» and the file."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from datacollection.models import Report, Submission
from tests.factories import TEST_PASSWORD, RegionalCoordinatorFactory, make_collection, snapshot

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
