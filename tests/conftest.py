"""Role fixtures: one world with two regions, so every scoping test has a "not yours" side.

region 47 (Ленинградская область): municipalities m001 and m002, organizations org (m001),
org_same_municipality (m001), org_other_municipality (m002);
region 78: org_other_region.
"""

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import (
    MunicipalCoordinatorFactory,
    MunicipalityFactory,
    OperatorFactory,
    OrganizationFactory,
    OrganizationUserFactory,
    RegionalCoordinatorFactory,
    RegionFactory,
    build_world,
)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: ids are reused between tests (SQLite), and cached
    numbers of a collection of an earlier test must not show up in the next one."""
    cache.clear()


@pytest.fixture
def region(db):
    return RegionFactory(code="47", name="Ленинградская область")


@pytest.fixture
def other_region(db):
    return RegionFactory(code="78", name="Санкт-Петербург")


@pytest.fixture
def municipality(region):
    return MunicipalityFactory(region=region, code="reg47_m001", name="Бокситогорский район")


@pytest.fixture
def other_municipality(region):
    return MunicipalityFactory(region=region, code="reg47_m002", name="Волосовский район")


@pytest.fixture
def org(municipality):
    return OrganizationFactory(municipality=municipality, login="edu470001")


@pytest.fixture
def org_same_municipality(municipality):
    return OrganizationFactory(municipality=municipality, login="edu470002")


@pytest.fixture
def org_other_municipality(other_municipality):
    return OrganizationFactory(municipality=other_municipality, login="edu470003")


@pytest.fixture
def org_other_region(other_region):
    municipality = MunicipalityFactory(region=other_region, code="reg78_m001")
    return OrganizationFactory(municipality=municipality, login="edu780001")


@pytest.fixture
def operator(db):
    return OperatorFactory(username="admin")


@pytest.fixture
def regional(region):
    return RegionalCoordinatorFactory(region=region)


@pytest.fixture
def other_regional(other_region):
    return RegionalCoordinatorFactory(region=other_region)


@pytest.fixture
def municipal(municipality):
    return MunicipalCoordinatorFactory(municipality=municipality)


@pytest.fixture
def org_user(org):
    return OrganizationUserFactory(organization=org)


@pytest.fixture
def other_org_user(org_other_region):
    return OrganizationUserFactory(organization=org_other_region)


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def as_user():
    """`as_user(user)` gives a logged-in test client; `as_user(None)` an anonymous one."""
    return client_for


ROLE_FIXTURES = ["operator", "regional", "municipal", "org_user"]


@pytest.fixture
def users_by_role(operator, regional, municipal, org_user):
    return {
        "anonymous": None,
        "operator": operator,
        "regional": regional,
        "municipal": municipal,
        "organization": org_user,
    }


@pytest.fixture
def url_world(
    users_by_role,
    org,
    org_same_municipality,
    org_other_municipality,
    org_other_region,
    other_org_user,
):
    """The objects every URL of the URL walk points at (tests/factories/url_walk.py)."""
    return build_world(
        users_by_role,
        org,
        org_same_municipality,
        org_other_municipality,
        org_other_region,
        other_org_user,
    )
