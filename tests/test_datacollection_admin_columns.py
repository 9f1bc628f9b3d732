"""The operator's form builder: a table's columns are rows on the table's page (order, key,
title, required; the type shown), each column whole on its own page, reached from its row and
added from the table's page; saving there returns to the table."""

from http import HTTPStatus

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from pytest_django.asserts import assertHTMLEqual

from datacollection.admin_definitions import ColumnInline
from datacollection.models import Column, FixedRow, FormTable
from tests.factories import OperatorFactory, admin_post, make_form

from .conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def results():
    return FormTable.objects.get(form=make_form(), key="results")


def test_a_table_lists_its_columns_in_rows_and_saves_a_change(operator, results):
    client = client_for(operator)
    url = reverse("admin:datacollection_formtable_change", args=[results.pk])
    page = client.get(url)
    assert page.status_code == HTTPStatus.OK
    html = page.content.decode()
    for column in results.columns.all():
        assert reverse("admin:datacollection_column_change", args=[column.pk]) in html
    add = reverse("admin:datacollection_column_add") + f"?table={results.pk}"
    assert f'href="{add}"' in html
    columns = page.context["inline_admin_formsets"][0].formset
    assert columns.prefix == "columns"
    assert list(columns.forms[0].fields)[:4] == ["order", "key", "title", "required"]

    response = client.post(
        url,
        admin_post(
            page,
            **{"columns-0-title": "Код", "columns-1-required": "on", "_continue": "1"},
        ),
    )
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:3000]
    assert Column.objects.get(table=results, key="code").title == "Код"
    assert Column.objects.get(table=results, key="grade").required


def test_a_row_that_faults_a_field_of_the_column_page_names_it(operator, results):
    """«Итог» sums the tasks: renamed to one of them, it would sum itself; the row is refused
    with the message of the sum, which has no field in the row."""
    client = client_for(operator)
    url = reverse("admin:datacollection_formtable_change", args=[results.pk])
    response = client.post(url, admin_post(client.get(url), **{"columns-5-key": "task_1"}))
    assert response.status_code == HTTPStatus.OK
    assert (
        "Сумма столбцов: Вычисляемый столбец не может суммировать сам себя."
        in response.content.decode()
    )
    assert Column.objects.filter(table=results, key="total").exists()


@pytest.mark.parametrize("more", [0, 10])
def test_a_table_page_costs_the_same_queries_for_any_number_of_columns(
    operator, results, more, django_assert_num_queries
):
    Column.objects.bulk_create(
        Column(table=results, order=20 + n, key=f"more_{n}", title="Еще") for n in range(more)
    )
    client = client_for(operator)
    ContentType.objects.clear_cache()  # read once per process: as on the first request
    # 1 session, 2 user, 3 the table with its form, 4 its columns, 5 has it fixed rows (its
    # rows the organization adds: none, and no «Строки» to read them), 6 its checks,
    # 7 «есть ли расписание напоминаний» (the admin's menu), 8 the forms of the select,
    # 9 the content type (the «История» link)
    with django_assert_num_queries(9):
        page = client.get(reverse("admin:datacollection_formtable_change", args=[results.pk]))
    assert len(page.context["inline_admin_formsets"][0].formset.forms) == 6 + more


def test_a_column_added_to_a_table_returns_to_it(operator, results):
    client = client_for(operator)
    add = reverse("admin:datacollection_column_add") + f"?table={results.pk}"
    page = client.get(add)
    assert page.status_code == HTTPStatus.OK
    assert str(page.context["adminform"].form["table"].value()) == str(results.pk)
    data = {"table": results.pk, "order": 10, "key": "mark", "title": "Отметка"}
    response = client.post(add, {**data, "type": "choice", "choices": "2\n3\n4\n5"})
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:3000]
    assert response["Location"] == reverse(
        "admin:datacollection_formtable_change", args=[results.pk]
    )
    mark = Column.objects.get(table=results, key="mark")
    assert mark.choice_list == ["2", "3", "4", "5"]
    response = client.post(
        reverse("admin:datacollection_column_change", args=[mark.pk]), {**data, "type": "choice"}
    )
    assert response.status_code == HTTPStatus.OK  # a choice needs its choices
    assert "перечислите варианты выбора" in response.content.decode()


def test_a_new_table_says_where_its_columns_are_added(operator):
    page = client_for(operator).get(reverse("admin:datacollection_formtable_add"))
    assert page.status_code == HTTPStatus.OK
    prefixes = [inline.formset.prefix for inline in page.context["inline_admin_formsets"]]
    assert "columns" not in prefixes
    assert "Столбцы добавляются в сохраненную таблицу" in page.content.decode()


def columns_html(client, url, data=None):
    """The columns' inline of the table's page (up to the «Добавить столбец» link under it)."""
    page = client.post(url, data) if data else client.get(url)
    html = page.content.decode()
    start = html.index('<div class="js-inline-admin-formset inline-group" id="columns-group"')
    return page, html[start : html.index('<p class="column-add">', start)]


@pytest.mark.parametrize("fault", [None, {"columns-5-key": "task_1"}, {"columns-0-key": ""}])
def test_the_rows_are_djangos_tabular_inline_tag_for_tag(operator, results, fault, monkeypatch):
    """The rows' own template (named fields, ~1 ms a row less) makes the page Django's
    TabularInline makes, as shown and with a row's or a field's error after saving."""
    client = client_for(operator)
    url = reverse("admin:datacollection_formtable_change", args=[results.pk])
    data = admin_post(client.get(url), **fault) if fault else None
    page, ours = columns_html(client, url, data)
    assert page.context["inline_admin_formsets"][0].opts.template.endswith("column_rows.html")
    monkeypatch.setattr(ColumnInline, "template", "admin/edit_inline/tabular.html")
    _, djangos = columns_html(client, url, data)
    assertHTMLEqual(ours, djangos)
    assert ("errorlist" in ours) == bool(fault)


def test_an_operator_who_may_only_view_columns_sees_them_read_only(results):
    viewer = OperatorFactory(username="viewer", is_superuser=False)
    viewer.user_permissions.set(
        Permission.objects.filter(codename__in=["change_formtable", "view_column"])
    )
    page = client_for(viewer).get(
        reverse("admin:datacollection_formtable_change", args=[results.pk])
    )
    assert page.status_code == HTTPStatus.OK
    html = page.content.decode()
    assert 'id="columns-group"' in html
    assert 'name="columns-0-title"' not in html  # Django's template, every field read-only
    assert results.columns.first().title in html


def inline_prefixes(page):
    return [inline.formset.prefix for inline in page.context["inline_admin_formsets"]]


def test_a_table_whose_rows_the_organization_adds_shows_no_fixed_rows(operator, results):
    """Its fixed rows would be unused: the empty «Строки» and its new row's form are left out
    (the page of the results' table, ~7 ms), with where fixed rows are set instead; a fixed
    table, and a table left with fixed rows from before, show them."""
    client = client_for(operator)
    url = reverse("admin:datacollection_formtable_change", args=[results.pk])
    page = client.get(url)
    assert inline_prefixes(page) == ["columns", "checks"]
    assert (
        "Фиксированные строки задаются у таблицы с фиксированными строками" in page.content.decode()
    )

    fixed = FormTable.objects.create(
        form=results.form, key="counts_2", title="Численность", order=9
    )
    page = client.get(reverse("admin:datacollection_formtable_change", args=[fixed.pk]))
    assert inline_prefixes(page) == ["columns", "fixed_rows", "checks"]
    assert "Фиксированные строки задаются" not in page.content.decode()

    FixedRow.objects.create(table=results, key="left", label="Осталась", order=1)
    page = client.get(url)
    assert inline_prefixes(page) == ["columns", "fixed_rows", "checks"]
    response = client.post(url, admin_post(page, **{"fixed_rows-0-DELETE": "on"}))
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:3000]
    assert not results.fixed_rows.exists()


def test_a_table_made_fixed_gets_its_fixed_rows_once_saved(operator, results):
    client = client_for(operator)
    url = reverse("admin:datacollection_formtable_change", args=[results.pk])
    data = admin_post(client.get(url), row_mode="fixed", max_rows="", _continue="1")
    response = client.post(url, data)
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:3000]
    page = client.get(url)
    assert inline_prefixes(page) == ["columns", "fixed_rows", "checks"]
    data = admin_post(
        page,
        **{
            "fixed_rows-TOTAL_FORMS": "1",
            "fixed_rows-0-key": "grade4",
            "fixed_rows-0-label": "4 класс",
            "fixed_rows-0-order": "1",
        },
    )
    assert client.post(url, data).status_code == HTTPStatus.FOUND
    assert list(results.fixed_rows.values_list("key", flat=True)) == ["grade4"]
