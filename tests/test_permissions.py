"""accounts.permissions: every role rule, for every role, in one table; the operator as one
notion (role and admin access tied by the database); templates ask the predicates."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse

from accounts import permissions
from accounts.models import User
from tests.conftest import client_for
from tests.factories import OperatorFactory, RegionalCoordinatorFactory, ReportFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "operator", "regional", "municipal", "organization"]

# predicate → the roles for which it is true
EXPECTED = {
    permissions.may_administer: {"operator"},
    permissions.may_monitor: {"operator", "regional", "municipal"},
    permissions.may_act_on_organizations: {"operator", "regional"},
    permissions.may_see_all_regions: {"operator"},
    permissions.is_organization_user: {"organization"},
    permissions.may_ask_questions: {"organization"},
    permissions.may_answer_questions: {"operator", "regional"},
    permissions.may_moderate_forum: {"operator"},
}


@pytest.fixture
def users(users_by_role):
    return {**users_by_role, "anonymous": AnonymousUser()}


@pytest.mark.parametrize("predicate", EXPECTED, ids=lambda p: p.__name__)
def test_role_predicates(predicate, users):
    allowed = {role for role in ROLES if predicate(users[role])}
    assert allowed == EXPECTED[predicate]


def test_an_inactive_user_may_nothing(users):
    for role in ROLES[1:]:
        user = users[role]
        user.is_active = False
        assert not any(predicate(user) for predicate in EXPECTED), role


def test_data_entry_is_for_the_organization_itself(users, org, org_same_municipality):
    own = ReportFactory(organization=org)
    neighbour = ReportFactory(organization=org_same_municipality)
    assert permissions.may_enter_data(users["organization"], own)
    assert not permissions.may_enter_data(users["organization"], neighbour)
    for role in ["anonymous", "operator", "regional", "municipal"]:
        assert not permissions.may_enter_data(users[role], own), role


def test_acting_in_a_region(users, region, other_region):
    assert permissions.may_act_in_region(users["operator"], other_region.pk)
    assert permissions.may_act_in_region(users["regional"], region.pk)
    assert not permissions.may_act_in_region(users["regional"], other_region.pk)
    assert not permissions.may_act_in_region(users["municipal"], region.pk)
    assert not permissions.may_act_in_region(users["organization"], region.pk)


def test_admin_access_and_the_operator_role_are_one_notion(region):
    with pytest.raises(IntegrityError), transaction.atomic():
        RegionalCoordinatorFactory(region=region, is_staff=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        OperatorFactory(is_staff=False)
    assert User.objects.count() == 0


@pytest.mark.parametrize("role", ROLES[1:])
def test_the_admin_link_and_the_admin_site_agree(role, users):
    client = client_for(users[role])
    page = client.get(reverse("cabinet")).content.decode()
    admin = client.get(reverse("admin:index"))
    shows_link = f'href="{reverse("admin:index")}"' in page
    assert shows_link == (role == "operator")
    assert (admin.status_code == 200) == (role == "operator")


@pytest.mark.parametrize("role", ROLES[1:])
def test_monitoring_link_follows_the_predicate(role, users):
    page = client_for(users[role]).get(reverse("cabinet")).content.decode()
    shows_link = f'href="{reverse("monitoring:overview")}"' in page
    assert shows_link == permissions.may_monitor(users[role])


def test_require_passes_allowed_requests_and_refuses_with_403_or_404():
    permissions.require(True)
    permissions.require(True, not_found="Исследование не найдено")
    with pytest.raises(PermissionDenied) as refused:
        permissions.require(False)
    assert str(refused.value) == ""
    with pytest.raises(PermissionDenied, match=r"^Напоминать может координатор региона$"):
        permissions.require(False, refusal="Напоминать может координатор региона")
    with pytest.raises(Http404, match=r"^Исследование не найдено$"):
        permissions.require(False, not_found="Исследование не найдено")
