"""The operator edits a form's table in the admin: the columns in rows, each column whole on
its own page, reached from its row; saving there returns to the table."""

import re

import pytest
from playwright.sync_api import expect

from datacollection.models import Column, FormTable
from tests.factories import TEST_PASSWORD, make_form

from .conftest import login, shots

pytestmark = pytest.mark.django_db(transaction=True)


def test_operator_edits_a_table_and_its_columns(page, operator):
    results = FormTable.objects.get(form=make_form(), key="results")
    login(page, operator.username, TEST_PASSWORD)
    page.goto(f"/admin/datacollection/formtable/{results.pk}/change/")
    shots(page, "formtable-change")
    rows = page.locator("#columns-group tbody tr.has_original")
    expect(rows).to_have_count(6)
    rows.nth(2).get_by_role("link", name="Изменить").click()
    expect(page.locator("textarea[name=special_codes]")).to_have_value("X\nотсутствовал")
    shots(page, "column-change")
    page.locator("input[name=max_value]").fill("3")
    page.get_by_role("button", name="Сохранить", exact=True).click()
    expect(page).to_have_url(re.compile(f"/admin/datacollection/formtable/{results.pk}/change/$"))
    assert Column.objects.get(table=results, key="task_1").max_value == 3
