"""The statistics and «Список участников» cost the same number of queries for 10 and 1,000
organizations: each is a fixed set of grouped queries, never one per organization."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from datacollection.status import filter_needs_report
from tests.factories import fill, make_collection, many_organizations

# Past the end: `Paginator.get_page` answers the last page (what «Последняя» links to).
LAST_PAGE = 99999


@pytest.fixture(params=[10, 1000], ids=["10 organizations", "1000 organizations"])
def monitored(request, municipality, other_municipality):
    organizations = many_organizations(municipality, request.param // 2)
    organizations += many_organizations(
        other_municipality, request.param // 2, start=request.param // 2
    )
    collection = make_collection(organizations=organizations)
    collection.closes_at = timezone.now() - timedelta(hours=1)
    collection.save()
    fill(collection, organizations)
    return collection


def test_statistics_page_queries(as_user, regional, monitored, django_assert_num_queries):
    client = as_user(regional)
    url = reverse("monitoring:collection_detail", args=[monitored.pk])
    with django_assert_num_queries(7):
        # 1 session, 2 user (with region, municipality, organization)
        # 3 the collection, scoped to the user's organizations
        # 4 the counts grouped by municipality (regions and totals are sums of its rows)
        # 5 transfers per Moscow day for the chart
        # 6 the user's recent exports of this collection, 7 the bell's unread notifications
        response = client.get(url)
    assert response.status_code == 200


def test_participant_list_queries(as_user, regional, monitored, django_assert_num_queries):
    client = as_user(regional)
    url = reverse("monitoring:participant_list", args=[monitored.pk])
    filters = {"status": "submitted", "municipality": _municipality(monitored), "page": LAST_PAGE}
    with django_assert_num_queries(10):
        # 1 session, 2 user
        # 3 the collection, scoped
        # 4 the chosen municipality, validated against the scope
        # 5 the count of filtered participants (the collection's reports that pass the
        #   status), 6 the municipalities for the filter
        # 7 the page's ids (narrow rows sorted), 8 its rows, the report, the region and the
        #   municipality joined and the latest receipt's number a subquery, for the page's
        #   rows only (not a query per row, not before the sort),
        # 9 the study's questionnaires (STUDIES_READINESS_COLUMNS; none, so no counts),
        # 10 the bell
        response = client.get(url, filters)
    assert response.status_code == 200


def test_last_page_of_the_list_costs_the_same(
    as_user, regional, monitored, django_assert_num_queries
):
    client = as_user(regional)
    url = reverse("monitoring:participant_list", args=[monitored.pk])
    with django_assert_num_queries(9):
        # 1 session, 2 user, 3 collection, 4 count (the link table alone), 5 municipalities
        # for the filter, 6 the page's ids, 7 its rows with their regions, municipalities and
        # receipt numbers (its rows only), 8 the study's questionnaires, 9 the bell
        response = client.get(url, {"sort": "-submitted", "page": LAST_PAGE})
    assert response.status_code == 200


@pytest.mark.parametrize("page", [1, LAST_PAGE], ids=["first page", "last page"])
@pytest.mark.parametrize(
    ("status", "sort"),
    [
        ("not_started", "submitted"),
        ("in_progress", "started"),
        ("in_progress", "-saved"),
        ("submitted", "-submitted"),
        ("late", "submitted"),
        ("returned", "saved"),
    ],
)
def test_a_status_filter_sorted_by_a_date_costs_the_same_and_joins_the_report_once(
    as_user, operator, monitored, status, sort, page, django_assert_num_queries
):
    client = as_user(operator)
    url = reverse("monitoring:participant_list", args=[monitored.pk])
    with django_assert_num_queries(9) as queries:
        # 1 session, 2 user, 3 collection, 4 the regions for the filter, 5 the count (the
        # collection's reports that pass the filter, or the link table's rows less the
        # reports that fail it), 6 the page's ids (the dated and the undated apart on
        # PostgreSQL, in one query), 7 its rows with their regions, municipalities and
        # receipt numbers, 8 the study's questionnaires, 9 the bell
        response = client.get(url, {"status": status, "sort": sort, "page": page})
    assert response.status_code == 200
    assert response.context["page"].paginator.count > 0
    for query in queries.captured_queries:
        if 'FROM "accounts_organization"' not in query["sql"]:
            continue  # the count reads the link table, the report by EXISTS (filter_exists)
        # The page's ids and rows: the filter reads the columns of the report the list joins
        # for its dates and its sort — no second join of the report, no NOT EXISTS.
        assert "EXISTS" not in query["sql"]
        for select in query["sql"].split("SELECT")[1:]:
            assert len(re.findall(r'(?:FROM|JOIN) "datacollection_report"', select)) <= 1
    # Under a filter only a report passes, the page's ids do not read the list of
    # participants: organizations with a report in the collection are participants.
    ids = next(q["sql"] for q in queries.captured_queries if '."id" AS "pk"' in q["sql"])
    if filter_needs_report(status):
        assert "datacollection_collection_organizations" not in ids
    else:
        assert "datacollection_collection_organizations" in ids


def test_overview_queries(as_user, regional, monitored, django_assert_num_queries):
    client = as_user(regional)
    with django_assert_num_queries(5):
        # 1 session, 2 user, 3 the collections of the scope, 4 the counts of the one collection,
        # 5 the bell's unread notifications
        response = client.get(reverse("monitoring:overview"))
    assert response.status_code == 200


def test_overview_counts_every_collection_in_one_query(
    as_user, regional, monitored, django_assert_num_queries
):
    organizations = list(monitored.organizations.all())
    for _ in range(4):
        make_collection(organizations=organizations)
    client = as_user(regional)
    with django_assert_num_queries(5):
        # 1 session, 2 user, 3 the collections of the scope, 4 the counts of all five
        # collections (one GROUP BY collection, each its own deadline), 5 the bell
        response = client.get(reverse("monitoring:overview"))
    assert response.status_code == 200


def _municipality(collection):
    return str(collection.organizations.order_by("pk").first().municipality_id)


@pytest.fixture(params=[10, 200], ids=["10 organizations", "200 organizations"])
def national(request, municipality, other_municipality, org_other_region):
    """Participants in three municipalities of two regions."""
    half = request.param // 2
    organizations = many_organizations(municipality, half)
    organizations += many_organizations(other_municipality, half // 2, start=half)
    organizations += many_organizations(
        org_other_region.municipality, request.param - half - half // 2, start=request.param
    )
    collection = make_collection(organizations=organizations)
    collection.closes_at = timezone.now() - timedelta(hours=1)
    collection.save()
    fill(collection, organizations)
    return collection


def test_national_statistics_page_queries(as_user, operator, national, django_assert_num_queries):
    client = as_user(operator)
    url = reverse("monitoring:collection_detail", args=[national.pk])
    with django_assert_num_queries(7):
        # 1 session, 2 user
        # 3 the collection (every one for operators)
        # 4 the counts grouped by region id, the region's code and name carried as aggregates
        # 5 transfers per Moscow day for the chart (4 and 5 are then kept in the cache)
        # 6 the user's recent exports of this collection, 7 the bell's unread notifications
        response = client.get(url)
    assert response.status_code == 200
    with django_assert_num_queries(5):
        # 1 session, 2 user, 3 the collection, 4 recent exports, 5 the bell: the national
        # numbers come from the cache
        response = client.get(url)
    assert response.status_code == 200


def test_region_drill_down_queries(as_user, operator, national, django_assert_num_queries):
    client = as_user(operator)
    region = national.organizations.order_by("pk").first().region_id
    url = reverse("monitoring:collection_region", args=[national.pk, region])
    with django_assert_num_queries(6):
        # 1 session, 2 user, 3 the collection, 4 the region (in the operator's scope)
        # 5 the counts of the region grouped by municipality id, 6 the bell
        response = client.get(url)
    assert response.status_code == 200


def test_national_participant_list_queries(as_user, operator, national, django_assert_num_queries):
    client = as_user(operator)
    url = reverse("monitoring:participant_list", args=[national.pk])
    with django_assert_num_queries(9) as queries:
        # 1 session, 2 user, 3 collection, 4 the regions for the filter, 5 count (the link
        # table's rows of the collection, nothing joined), 6 the page's ids, 7 its rows with
        # their regions, municipalities and receipt numbers (its rows only, not joined to
        # every participant before the sort), 8 the study's questionnaires, 9 the bell
        response = client.get(url, {"sort": "-submitted", "page": LAST_PAGE})
    assert response.status_code == 200
    # Without a filter the count reads the link table alone (the report's columns that a
    # status filter reads are joined only for one).
    count = next(q["sql"] for q in queries.captured_queries if "COUNT(*)" in q["sql"])
    assert '"datacollection_collection_organizations"' in count and "JOIN" not in count


def test_national_overview_queries(as_user, operator, national, django_assert_num_queries):
    client = as_user(operator)
    with django_assert_num_queries(6):
        # 1 session, 2 user, 3 every collection, 4-5 the national numbers of the one
        # collection (per region, per day: then cached), 6 the bell
        response = client.get(reverse("monitoring:overview"))
    assert response.status_code == 200
    with django_assert_num_queries(4):
        # 1 session, 2 user, 3 every collection, 4 the bell: the numbers from the cache
        response = client.get(reverse("monitoring:overview"))
    assert response.status_code == 200


def test_national_list_filtered_and_searched_queries(
    as_user, operator, national, django_assert_num_queries
):
    client = as_user(operator)
    url = reverse("monitoring:participant_list", args=[national.pk])
    with django_assert_num_queries(9):
        # 1 session, 2 user, 3 collection, 4 the regions for the filter, 5 the count (the
        # collection's reports that pass the filter, the organization joined for the
        # search), 6 the page's ids, 7 its rows with their regions, municipalities and
        # receipt numbers, 8 the study's questionnaires, 9 the bell
        response = client.get(url, {"status": "submitted", "q": "EDU", "page": LAST_PAGE})
    assert response.status_code == 200
    # Every login matches «EDU»; the count and the last page are those of «Сдано» alone.
    submitted = (
        national.reports.filter(submitted_at__isnull=False).count()
        + national.reports.filter(submitted_at__isnull=True, status="submitted").count()
    )
    assert response.context["page"].paginator.count == submitted
    assert len(response.context["rows"]) == (submitted - 1) % 50 + 1


def test_national_list_with_the_study_questionnaires_costs_the_same(
    as_user, operator, national, django_assert_num_queries
):
    """The questionnaires' columns («заполнено») cost one query for the page's organizations,
    whatever the number of participants."""
    from tests.factories.surveys import issue_codes, make_questionnaire

    questionnaire = make_questionnaire(study=national.study)
    organizations = list(national.organizations.order_by("login"))
    issue_codes(questionnaire, organizations[::2], issued=3, completed=2)
    client = as_user(operator)
    url = reverse("monitoring:participant_list", args=[national.pk])
    with django_assert_num_queries(10):
        # 1 session, 2 user, 3 collection, 4 the regions for the filter, 5 count, 6 the
        # page's ids, 7 its rows with their regions, municipalities and receipt numbers,
        # 8 the study's questionnaires, 9 their codes issued and completed for the page's
        # organizations, 10 the bell
        response = client.get(url, {"status": "submitted", "page": LAST_PAGE})
    assert response.status_code == 200
    cells = [cell for row in response.context["rows"] for _column, cell in row.share]
    assert cells and {cell.total for cell in cells} <= {0, 3}
