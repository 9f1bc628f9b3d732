"""The operator removes participating organizations on «Участвующие ОО», reached from the
collection's change page, which shows their number instead of a widget of every one."""

import pytest
from playwright.sync_api import expect

from datacollection import services
from tests.factories import TEST_PASSWORD, make_collection, save_cell

from .conftest import login, shots

pytestmark = pytest.mark.django_db(transaction=True)


def test_operator_removes_participants_by_logins(
    page, operator, org, org_same_municipality, org_other_region, org_user
):
    collection = make_collection(organizations=[org, org_same_municipality, org_other_region])
    report = services.report_open(collection=collection, organization=org)
    save_cell(report, org_user, "counts", "grade4", "listed", "25")
    login(page, operator.username, TEST_PASSWORD)
    page.goto(f"/admin/datacollection/collection/{collection.pk}/change/")
    expect(page.locator(".field-participants")).to_contain_text("3 · добавить или удалить")
    expect(page.locator("select[name=organizations]")).to_have_count(0)
    shots(page, "collection-change")

    page.locator(".field-participants").get_by_role("link", name="добавить или удалить").click()
    expect(page.get_by_test_id("participants")).to_have_text("3")
    removal = page.get_by_role("group", name="Удалить из участвующих")
    removal.get_by_label("Или логины списком").fill("edu470001, edu470002")
    page.get_by_role("button", name="Удалить по списку").click()

    # edu470001 has typed into its report: nobody is removed, the login is named.
    expect(page.get_by_test_id("import-errors")).to_contain_text("Ничего не удалено")
    expect(page.get_by_test_id("import-errors")).to_contain_text(
        "ничего не удалено: edu470001. Данные ОО не удаляются вместе с участием."
    )
    assert collection.organizations.count() == 3
    shots(page, "collection-participants-refused")

    removal.get_by_label("Или логины списком").fill("edu470002\nedu780001")
    page.get_by_role("button", name="Удалить по списку").click()
    expect(page.locator(".messagelist .success")).to_have_text("Удалено участвующих ОО: 2.")
    expect(page.locator(".field-participants")).to_contain_text("1 · добавить или удалить")
    assert list(collection.organizations.values_list("login", flat=True)) == ["edu470001"]
    page.goto(f"/admin/datacollection/collection/{collection.pk}/organizations/")
    shots(page, "collection-participants")
