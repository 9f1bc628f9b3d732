"""The school's statistical report in a real browser: from the menu to its report, the charts
(SVG, no JavaScript needed) and the comparison columns; on a phone the charts fit the width; in
print the navigation is gone and the charts stay."""

import pytest
from playwright.sync_api import expect

from results.services import results_build
from tests.factories import (
    TEST_PASSWORD,
    OrganizationUserFactory,
    make_collection,
    make_definition,
    result_row,
    submit_results,
)

from .conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def school(org, org_same_municipality, org_other_region):
    user = OrganizationUserFactory(organization=org)
    collection = make_collection(organizations=[org, org_same_municipality, org_other_region])
    make_definition(collection, grade=4, max_scores=(2, 2, 2), scale=(2, 4, 6))
    submit_results(collection, org, [result_row(4, 0, 2, 1), result_row(4, 1, 2, "X")])
    submit_results(collection, org_same_municipality, [result_row(4, 2, 1, 2)])
    submit_results(collection, org_other_region, [result_row(4, 2, 2, 2)])
    results_build(collection_id=collection.pk)
    return user


def test_the_school_opens_its_report_with_charts_and_comparison(page, school):
    login(page, school.username, TEST_PASSWORD)
    page.get_by_role("link", name="Статистические отчеты").first.click()
    page.get_by_role("link", name="Открыть отчет").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Статистический отчет")
    expect(page.get_by_test_id("results-built-at")).to_contain_text("Данные сформированы")
    for key in ("tasks", "scores", "marks"):
        chart = page.get_by_test_id(f"chart-{key}").get_by_role("img")
        expect(chart).to_be_visible()
        assert chart.locator("rect").count() > 0
    tasks = page.get_by_test_id("results-tasks")
    for column in ("ОО, %", "Муниципалитет, %", "Регион, %", "Все участники, %"):
        expect(tasks.get_by_role("columnheader", name=column)).to_be_visible()
    expect(page.get_by_test_id("task-below-region").first).to_be_visible()
    expect(page.get_by_test_id("results-rule")).to_contain_text("процентных пунктов")

    page.set_viewport_size({"width": 390, "height": 800})
    box = page.get_by_test_id("chart-tasks").get_by_role("img").bounding_box()
    assert box["width"] <= 390

    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
    expect(page.get_by_test_id("results-xlsx")).to_be_hidden()
    expect(page.get_by_test_id("chart-scores").get_by_role("img")).to_be_visible()
