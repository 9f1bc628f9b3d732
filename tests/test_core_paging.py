"""Pages past the middle are read from the other end, and are the same pages Django's own
paginator gives, for every sort of «Список участников» (nulls included) and every page."""

import pytest
from django.core.paginator import Paginator
from django.db.models import F

from core.paging import ReversiblePaginator
from monitoring import selectors
from tests.factories import fill, make_collection, many_organizations


@pytest.mark.parametrize("sort", ["login", "-submitted", "started", "-status", "municipality"])
def test_every_page_equals_djangos(sort, operator, municipality, other_municipality):
    organizations = many_organizations(municipality, 12)
    organizations += many_organizations(other_municipality, 11, start=12)
    collection = make_collection(organizations=organizations)
    fill(collection, organizations)  # some never started: their dates are NULL
    field = selectors.SORTS[sort.lstrip("-")][0]
    order = (
        F(field).desc(nulls_last=True) if sort.startswith("-") else F(field).asc(nulls_last=True)
    )
    rows = selectors.participants(operator, collection).order_by(order, "login")
    plain, reversible = Paginator(rows, 5), ReversiblePaginator(rows, 5)
    assert reversible.num_pages == 5
    for number in plain.page_range:
        assert [o.login for o in reversible.page(number)] == [o.login for o in plain.page(number)]


@pytest.mark.parametrize(
    "sort", ["login", "-submitted", "status", "submitted", "-started", "saved"]
)
def test_ids_first_and_a_cheaper_count_give_the_same_pages(
    sort, operator, municipality, other_municipality, django_assert_num_queries
):
    """`rows` reads a page by the ids the ordered queryset gives, `counted` counts another
    queryset of the same size: the pages are Django's, one query more per page. A sort by a
    report's date reads the dated and the undated apart (`nulls_apart`, on PostgreSQL) and
    still gives Django's pages, those where the two meet included, in the same queries."""
    organizations = many_organizations(municipality, 12)
    organizations += many_organizations(other_municipality, 11, start=12)
    collection = make_collection(organizations=organizations)
    fill(collection, organizations)
    field = selectors.SORTS[sort.lstrip("-")][0]
    order = (
        F(field).desc(nulls_last=True) if sort.startswith("-") else F(field).asc(nulls_last=True)
    )
    rows = selectors.participants(operator, collection).order_by(order, "login")
    plain = Paginator(rows, 5)
    by_ids = ReversiblePaginator(
        rows,
        5,
        counted=collection.organizations.all(),
        rows=lambda ids: selectors.participants(operator, collection).filter(pk__in=ids),
        nulls_apart=field if sort.lstrip("-") in selectors.NULLABLE_SORTS else "",
    )
    assert by_ids.num_pages == 5
    undated = []
    for number in plain.page_range:
        expected = [(o.login, o.participation_status) for o in plain.page(number)]
        with django_assert_num_queries(2):  # the page's ids, then its rows
            page = by_ids.page(number)
        assert [(o.login, o.participation_status) for o in page] == expected
        undated.append({getattr(o, field) is None for o in page})
    if (
        sort.lstrip("-") in selectors.NULLABLE_SORTS
        and rows.filter(**{f"{field}__isnull": False}).count() % 5
    ):
        assert {True, False} in undated  # a page where the dated and the undated meet
