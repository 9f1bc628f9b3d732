from http import HTTPStatus

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from tests.factories import TEST_PASSWORD, OrganizationFactory, OrganizationUserFactory


def reset_url(organization):
    return reverse("accounts:organization_password_reset", args=[organization.pk])


def test_regional_coordinator_resets_a_password_in_its_region(as_user, regional, org):
    school_user = OrganizationUserFactory(organization=org)
    response = as_user(regional).post(reset_url(org))
    assert response.status_code == HTTPStatus.OK
    assert response["Cache-Control"] == "no-store"
    password = response.context["credentials"][0][1]
    assert password in response.content.decode()

    school_user.refresh_from_db()
    assert school_user.check_password(password)
    assert not school_user.check_password(TEST_PASSWORD)
    assert school_user.must_change_password
    assert password not in school_user.password  # stored hashed only
    event = AuditEvent.objects.get(action="organization.password_reset")
    assert (event.actor, event.organization) == (regional, org)
    assert password not in str(event.details)


def test_coordinator_of_another_region_gets_404_and_changes_nothing(as_user, other_regional, org):
    school_user = OrganizationUserFactory(organization=org)
    response = as_user(other_regional).post(reset_url(org))
    assert response.status_code == HTTPStatus.NOT_FOUND
    school_user.refresh_from_db()
    assert school_user.check_password(TEST_PASSWORD)
    assert not AuditEvent.objects.exists()


def test_forged_id_is_404(as_user, regional, db):
    response = as_user(regional).post(reverse("accounts:organization_password_reset", args=[999]))
    assert response.status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("role", ["municipal", "org_user"])
def test_municipal_coordinator_and_organization_cannot_reset(as_user, request, role, org, org_user):
    school_user = org_user
    user = request.getfixturevalue(role)
    response = as_user(user).post(reset_url(org))
    assert response.status_code == HTTPStatus.FORBIDDEN
    school_user.refresh_from_db()
    assert school_user.check_password(TEST_PASSWORD)


def test_reset_requires_post(as_user, regional, org):
    assert as_user(regional).get(reset_url(org)).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_organization_list_is_scoped_and_searchable(
    as_user, regional, org, org_other_municipality, org_other_region
):
    response = as_user(regional).get(reverse("accounts:organization_list"))
    content = response.content.decode()
    assert "edu470001" in content and "edu470003" in content
    assert "edu780001" not in content
    assert "Сбросить пароль" in content

    response = as_user(regional).get(reverse("accounts:organization_list"), {"q": "470003"})
    assert [o.login for o in response.context["page"]] == ["edu470003"]


def test_municipal_coordinator_sees_its_municipality_without_reset(
    as_user, municipal, org, org_other_municipality
):
    response = as_user(municipal).get(reverse("accounts:organization_list"))
    content = response.content.decode()
    assert "edu470001" in content and "edu470003" not in content
    assert "Сбросить пароль" not in content


@pytest.mark.parametrize("count", [3, 60])
def test_organization_list_query_count_does_not_grow(
    as_user, regional, municipality, count, django_assert_num_queries
):
    OrganizationFactory.create_batch(count, municipality=municipality)
    client = as_user(regional)
    # 1 session, 2 user, 3 count for the paginator, 4 the page of organizations,
    # 5 the page's regions, 6 the page's municipalities (read for its rows only, not joined
    # to every match before the sort), 7 the bell's unread notifications.
    with django_assert_num_queries(7):
        response = client.get(reverse("accounts:organization_list"), {"page": 2})
    assert response.status_code == HTTPStatus.OK


def test_pagination_links_keep_the_search(as_user, regional, municipality):
    OrganizationFactory.create_batch(60, municipality=municipality, name="Лицей")
    response = as_user(regional).get(reverse("accounts:organization_list"), {"q": "Лицей"})
    assert 'href="?q=%D0%9B%D0%B8%D1%86%D0%B5%D0%B9&amp;page=2"' in response.content.decode()
