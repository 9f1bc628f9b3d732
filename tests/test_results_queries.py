"""Every statistical report page and its .xlsx read a fixed number of rows: the same SQL count
with one organization as with a hundred and twenty over several municipalities and regions
(issue 11: the pages are timed at 45,000 organizations by bench/results.py), and the page's
organizations table shows one page of them whatever their number."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from results.selectors import PAGE_SIZE
from results.services import results_build
from tests.factories import (
    MunicipalityFactory,
    OrganizationFactory,
    RegionFactory,
    make_collection,
    make_definition,
    result_row,
    submit_results,
)

# Per page: (role, url name, needs, query string, pinned SQL count). Common to every page:
# 1 the session, 2 the user, 3 the report definition (collection, study, form joined), then the
# subject in scope, 4 the tasks and the aggregates of the levels compared (one query), …
PAGES = [
    # 4 the organization in scope (region, municipality joined), 5 the tasks, 6 the four
    # levels' aggregates, 7 the checklist's «report opened», 8 the forum's unread badge, 9 the
    # notification bell.
    ("school", "results:organization", "organization", "", 9),
    # 4 the municipality in scope, 5 tasks, 6 three levels' aggregates, 7 count and 8 one page
    # of the organizations, 9 the notification bell.
    ("municipal", "results:municipality", "municipality", "", 9),
    # 4 the region in scope, 5 tasks, 6 two levels' aggregates, 7 the municipalities' table,
    # 8 count and 9 one page of the organizations, 10 the notification bell.
    ("regional", "results:region", "region", "", 10),
    ("regional", "results:region", "region", "?sort=-average&page=99999", 10),
    # 4 tasks, 5 the aggregate of all participants, 6 the regions' table, 7 the bell.
    ("operator", "results:national", "", "", 7),
    # 4 the organization, 5 tasks, 6 the four levels' aggregates.
    ("school", "results:organization_xlsx", "organization", "", 6),
]


def _more_organizations(municipality, count, collection):
    """`count` organizations with results: a third in the school's municipality, a third in
    new municipalities of its region, a third in new regions."""
    for index in range(count):
        if index % 3 == 0:
            where = municipality
        elif index % 3 == 1:
            where = MunicipalityFactory(region=municipality.region)
        else:
            where = MunicipalityFactory(region=RegionFactory())
        organization = OrganizationFactory(municipality=where)
        collection.organizations.add(organization)
        submit_results(collection, organization, [result_row(4, index % 3, 1, 2)])


@pytest.mark.parametrize("extra", [0, PAGE_SIZE + 20])
@pytest.mark.parametrize(("role", "name", "needs", "query", "pinned"), PAGES)
def test_report_page_queries_do_not_grow_with_the_organizations(
    extra,
    role,
    name,
    needs,
    query,
    pinned,
    org,
    municipality,
    request,
    as_user,
    django_assert_num_queries,
):
    collection = make_collection(organizations=[org])
    definition = make_definition(collection)
    submit_results(collection, org, [result_row(4, 1, 1, 1)])
    _more_organizations(municipality, extra, collection)
    results_build(collection_id=collection.pk)
    user = request.getfixturevalue({"school": "org_user"}.get(role, role))
    args = {
        "organization": [org.pk],
        "municipality": [org.municipality_id],
        "region": [org.region_id],
        "": [],
    }[needs]
    url = reverse(name, args=[definition.pk, *args]) + query
    client = as_user(user)
    client.get(url)  # the session and the checklist's first opening
    with django_assert_num_queries(pinned):
        response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    if response.context and "organization_table" in response.context:
        assert 0 < len(response.context["organization_table"]) <= PAGE_SIZE
