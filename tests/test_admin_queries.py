"""The operator's admin pages that grow with the country cost the same number of queries for 10
and 110 organizations: a list reads its page of rows with what it shows in one query, and its
filters never one query per collection or per row (bench/admin.py times them at 45,000)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.urls import reverse

from accounts import audit
from accounts.models import User
from studies.models import ParticipantCode, SchoolClass
from tests.factories import fill, make_collection, many_organizations


@pytest.fixture(params=[10, 110], ids=["10 organizations", "110 organizations"])
def country(request, municipality, other_municipality, operator):
    half = request.param // 2
    organizations = many_organizations(municipality, half)
    organizations += many_organizations(other_municipality, half, start=half)
    collection = make_collection(organizations=organizations)
    fill(collection, organizations)
    make_collection(organizations=organizations[:3])  # a second collection for the filters
    classes = SchoolClass.objects.bulk_create(
        SchoolClass(study=collection.study, organization=o, grade=grade, letter="А", pupils=2)
        for o in organizations
        for grade in (4, 8)
    )
    ParticipantCode.objects.bulk_create(
        ParticipantCode(
            study=collection.study,
            organization=school_class.organization,
            school_class=school_class,
            grade=school_class.grade,
            number=index,
            code=f"{school_class.grade}{index:05d}",
        )
        for index, school_class in enumerate(classes)
    )
    User.objects.bulk_create(
        User(
            username=o.login,
            role=User.Role.ORGANIZATION,
            region=o.region,
            municipality=o.municipality,
            organization=o,
        )
        for o in organizations
    )
    for organization in organizations:
        audit.record(actor=operator, action="organization.viewed", organization=organization)
    return collection


# PostgreSQL first asks its estimate of a table's rows (none yet in a test database: the
# exact count follows) for the lists that count millions of rows only when filtered.
ESTIMATE = 1 if connection.vendor == "postgresql" else 0

# Every page: 1 session, 2 user, 3 «есть ли расписание напоминаний» (the admin's menu).
PAGES = {
    "admin:datacollection_report_changelist": (
        # 4 count, 5 the page of reports with organization, collection, form, study,
        # 6 the collections of the filter with their forms and studies
        6,
        None,
    ),
    "admin:datacollection_submission_changelist": (
        # 4 count, 5 the page of transfers with report, organization, collection, form,
        # study, sender (no snapshots)
        5,
        None,
    ),
    "admin:studies_participantcode_changelist": (
        # 4 count (estimate first on PostgreSQL), 5 the page with organization, study, room,
        # 6 the studies of the filter (the grades are fixed)
        6 + ESTIMATE,
        None,
    ),
    "admin:studies_schoolclass_changelist": (
        # 4 count, 5 the page with organization and study, 6 the studies of the filter
        6,
        None,
    ),
    "admin:accounts_auditevent_changelist": (
        # 4 count (estimate first on PostgreSQL), 5 the page with actor and organization,
        # 6 the journal's actions for the filter
        6 + ESTIMATE,
        None,
    ),
    "admin:accounts_user_changelist": (
        # 4 count, 5 the page of users with region, municipality, organization,
        # 6 the regions of the filter
        6,
        None,
    ),
    "admin:datacollection_collection_change": (
        # 4 the collection with its form and study, 5 its extensions, 6 the content type (the
        # «История» link), 7 forms and 8 studies of the selects, 9 its participants counted
        None,
        9,
    ),
    "admin:datacollection_collection_organizations": (
        # 4 the collection with form and study, 5 participants counted, 6 and 7 the regions
        # of the select (Django's select reads its choices twice)
        None,
        7,
    ),
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_admin_page_queries(name, as_user, operator, country, django_assert_num_queries):
    list_queries, object_queries = PAGES[name]
    url = reverse(name, args=[] if list_queries is not None else [country.pk])
    client = as_user(operator)
    ContentType.objects.clear_cache()  # read once per process: as on the first request
    with django_assert_num_queries(list_queries if list_queries is not None else object_queries):
        response = client.get(url)
    assert response.status_code == 200
