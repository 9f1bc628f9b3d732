"""Pages past the middle are read from the other end, and are the same pages Django's own
paginator gives, for every sort of «Список участников» (nulls included) and every page."""

import sys
from datetime import timedelta

import pytest
from django.core.paginator import Paginator
from django.db.models import F, Q

from accounts.models import Organization
from core.paging import CountDifference, CountEither, ReversiblePaginator
from datacollection.status import filter_condition
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


@pytest.mark.parametrize("few_nulls", [False, True], ids=["nulls walked", "nulls sorted"])
@pytest.mark.parametrize(
    "sort", ["login", "-submitted", "status", "submitted", "-started", "saved"]
)
def test_ids_first_and_a_cheaper_count_give_the_same_pages(
    sort, few_nulls, operator, municipality, other_municipality, django_assert_num_queries
):
    """`rows` reads a page by the ids the ordered queryset gives, `counted` counts another
    queryset of the same size: the pages are Django's, one query more per page. A sort by a
    report's date reads the dated and the undated apart (`nulls_apart`, on PostgreSQL) and
    still gives Django's pages, those where the two meet included, in the same queries —
    the undated read in login order or in the whole ordering (`few_nulls`) alike."""
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
        few_nulls=few_nulls,
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


def test_a_filter_that_leaves_one_part_empty_reads_the_other(
    operator, municipality, django_assert_num_queries
):
    """«Сдано с опозданием» (a condition on the date that excludes every NULL): Django finds
    the undated part empty before any SQL, and the pages are still Django's, in the same
    queries."""
    organizations = many_organizations(municipality, 23)
    collection = make_collection(organizations=organizations)
    fill(collection, organizations)
    field = selectors.SORTS["submitted"][0]
    rows = (
        selectors.participants(operator, collection)
        .filter(filter_condition("late", selectors.REPORT, collection.closes_at))
        .order_by(F(field).desc(nulls_last=True), "login")
    )
    plain = Paginator(rows, 2)
    by_ids = ReversiblePaginator(
        rows,
        2,
        rows=lambda ids: selectors.participants(operator, collection).filter(pk__in=ids),
        nulls_apart=field,
    )
    assert by_ids.num_pages == 2  # the second read from the end
    for number in plain.page_range:
        expected = [o.login for o in plain.page(number)]
        with django_assert_num_queries(2):  # the page's ids, then its rows
            page = by_ids.page(number)
        assert [o.login for o in page] == expected


@pytest.mark.parametrize(
    "sort", ["submitted", "-submitted", "started", "-started", "saved", "-saved"]
)
@pytest.mark.parametrize("status", ["", *selectors.FILTERS])
def test_the_list_by_date_under_every_filter_is_djangos(
    status, sort, operator, municipality, monkeypatch
):
    """«Список участников» by each report date, both ways, with each status filter, every
    page: the same rows in the same order as Django's paginator over the list filtered through
    the relation (the page filters on the annotations, the report joined once for the filter
    and the sort; a filter may leave the dated or the undated part empty — «с опозданием» has
    no undated rows, «Не приступили» no dated ones by «Дата передачи»)."""
    # The module (its name in the package is the function `participants`).
    monkeypatch.setattr(sys.modules["monitoring.selectors.participants"], "PAGE_SIZE", 2)
    organizations = many_organizations(municipality, 47)
    collection = make_collection(organizations=organizations)
    fill(collection, organizations)
    _spread_dates(collection)
    field = selectors.SORTS[sort.lstrip("-")][0]
    order = (
        F(field).desc(nulls_last=True) if sort.startswith("-") else F(field).asc(nulls_last=True)
    )
    rows = selectors.participants(operator, collection)
    if status:
        rows = rows.filter(filter_condition(status, selectors.REPORT, collection.closes_at))
    plain = Paginator(rows.order_by(order, "login"), 2)
    assert plain.num_pages > 2 or status == "late"  # pages read from both ends
    for number in plain.page_range:
        page = selectors.participant_page(
            operator, collection, status=status, sort=sort, page=number
        )
        expected = [(o.login, o.participation_status) for o in plain.page(number)]
        assert [(o.login, o.participation_status) for o in page] == expected
        assert page.paginator.count == plain.count


def _spread_dates(collection):
    """`fill` gives each state one moment; spread them over a few minutes, some equal, none
    across the deadline (the order of a date and its tie-break by login both matter)."""
    for report in collection.reports.order_by("pk"):
        report.started_at = report.started_at and report.started_at + timedelta(
            minutes=report.pk * 7 % 5
        )
        report.last_saved_at = report.last_saved_at and report.last_saved_at + timedelta(
            minutes=report.pk * 3 % 4
        )
        report.submitted_at = report.submitted_at and report.submitted_at + timedelta(
            minutes=report.pk % 3
        )
        report.save(update_fields=["started_at", "last_saved_at", "submitted_at"])


def test_an_empty_list_by_date_has_one_empty_page(operator, municipality):
    """Nobody late yet: the list sorted by «Дата передачи» is one page without rows (the
    slice to 0 rows never reaches the database)."""
    organizations = many_organizations(municipality, 3)
    collection = make_collection(organizations=organizations)
    for number in (1, 99999):
        page = selectors.participant_page(
            operator, collection, status="late", sort="-submitted", page=number
        )
        assert (page.number, list(page), page.paginator.count) == (1, [], 0)


def test_a_count_difference_is_one_query(municipality, django_assert_num_queries):
    """`CountDifference`: the rows of one queryset less those of another, in one query; a
    part Django knows is empty counts 0."""
    organizations = many_organizations(municipality, 7)
    everyone = Organization.objects.all()
    some = Organization.objects.filter(pk__in=[o.pk for o in organizations[:3]])
    with django_assert_num_queries(1):
        assert CountDifference(everyone, some).count() == 4
    assert CountDifference(everyone, Organization.objects.none()).count() == 7
    assert CountDifference(Organization.objects.none(), some).count() == -3


def test_count_differences_nest_in_one_query(municipality, django_assert_num_queries):
    """(7 − 3) − (2 − 1): a part of a `CountDifference` may be one itself."""
    organizations = many_organizations(municipality, 7)
    everyone = Organization.objects.all()

    def first(number):
        return Organization.objects.filter(pk__in=[o.pk for o in organizations[:number]])

    counted = CountDifference(
        CountDifference(everyone, first(3)), CountDifference(first(2), first(1))
    )
    with django_assert_num_queries(1):
        assert counted.count() == 3


@pytest.mark.parametrize(
    "word, renamed, chosen",
    [
        ("тест", 0, "most"),  # every name in the sample passes
        ("тест", 3, "most"),  # 4 of 7
        ("тест", 4, "few"),  # 3 of 7: not more than half
        ("нет такого", 0, "few"),
    ],
)
def test_count_either_counts_the_way_its_sample_chooses(
    municipality, word, renamed, chosen, django_assert_num_queries
):
    """`CountEither` counts `most` when more than half of its sample passes the condition,
    `few` otherwise, in one query. The two ways here count different rows on purpose (a caller
    must never do so) to show which one was taken."""
    organizations = many_organizations(municipality, 7)
    Organization.objects.filter(pk__in=[o.pk for o in organizations[:renamed]]).update(
        name="Гимназия"
    )
    one = Organization.objects.filter(pk=organizations[0].pk)
    counted = CountEither(
        Organization.objects.all(),
        Q(name_folded__contains=word),
        most=Organization.objects.all(),  # 7
        few=one,  # 1
    )
    with django_assert_num_queries(1):
        assert counted.count() == {"most": 7, "few": 1}[chosen]


def test_count_either_of_no_rows_counts_the_few_way(municipality):
    """An empty sample (or one Django knows is empty) chooses `few`."""
    organizations = many_organizations(municipality, 2)
    few = Organization.objects.filter(pk=organizations[0].pk)
    for sample in (Organization.objects.filter(name="нет такой"), Organization.objects.none()):
        counted = CountEither(sample, Q(name_folded__contains="тест"), most=sample, few=few)
        assert counted.count() == 1
