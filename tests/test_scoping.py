import pytest
from django.http import Http404

from accounts import permissions, scoping
from accounts.models import User


@pytest.fixture
def world(org, org_same_municipality, org_other_municipality, org_other_region):
    return {
        "org": org,
        "same_mun": org_same_municipality,
        "other_mun": org_other_municipality,
        "other_region": org_other_region,
    }


def logins(queryset):
    return sorted(queryset.values_list("login", flat=True))


def test_operator_sees_every_organization_and_region(world, operator):
    assert logins(scoping.organizations_visible_to(operator)) == [
        "edu470001",
        "edu470002",
        "edu470003",
        "edu780001",
    ]
    assert scoping.regions_visible_to(operator).count() == 2


def test_regional_coordinator_sees_only_its_region(world, regional):
    assert logins(scoping.organizations_visible_to(regional)) == [
        "edu470001",
        "edu470002",
        "edu470003",
    ]
    assert list(scoping.regions_visible_to(regional).values_list("code", flat=True)) == ["47"]
    assert {m.code for m in scoping.municipalities_visible_to(regional)} == {
        "reg47_m001",
        "reg47_m002",
    }


def test_municipal_coordinator_sees_only_its_municipality(world, municipal):
    assert logins(scoping.organizations_visible_to(municipal)) == ["edu470001", "edu470002"]
    assert [m.code for m in scoping.municipalities_visible_to(municipal)] == ["reg47_m001"]


def test_organization_sees_only_itself(world, org_user):
    assert logins(scoping.organizations_visible_to(org_user)) == ["edu470001"]
    assert list(scoping.regions_visible_to(org_user).values_list("code", flat=True)) == ["47"]


def test_anonymous_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not scoping.organizations_visible_to(AnonymousUser()).exists()
    assert not scoping.regions_visible_to(AnonymousUser()).exists()


@pytest.mark.parametrize("other", ["same_mun", "other_mun", "other_region"])
def test_out_of_scope_organization_is_404_for_an_organization(world, org_user, other):
    with pytest.raises(Http404):
        scoping.organization_for_user_or_404(org_user, world[other].pk)
    assert scoping.organization_for_user_or_404(org_user, world["org"].pk) == world["org"]


def test_out_of_scope_organization_is_404_for_a_coordinator(world, regional, municipal):
    with pytest.raises(Http404):
        scoping.organization_for_user_or_404(regional, world["other_region"].pk)
    with pytest.raises(Http404):
        scoping.organization_for_user_or_404(municipal, world["other_mun"].pk)
    with pytest.raises(Http404):
        scoping.organization_for_user_or_404(regional, "not-a-number")


def test_only_operators_and_regional_coordinators_manage_accounts(
    operator, regional, municipal, org_user
):
    assert permissions.may_act_on_organizations(operator)
    assert permissions.may_act_on_organizations(regional)
    assert not permissions.may_act_on_organizations(municipal)
    assert not permissions.may_act_on_organizations(org_user)


@pytest.mark.django_db
def test_role_scope_constraint_refuses_a_coordinator_without_a_region():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        User.objects.create(username="reg000000", role=User.Role.REGIONAL)


def test_search_ignores_letter_case_in_cyrillic_names(regional, municipality, org):
    from tests.factories import OrganizationFactory

    OrganizationFactory(municipality=municipality, login="edu470009", name="МБОУ «Лицей № 8»")
    visible = scoping.organizations_visible_to(regional)
    for q in ("лицей", "ЛИЦЕЙ", "  Лицей № 8 ", "edu470009", "EDU470009"):
        assert logins(scoping.search_organizations(visible, q)) == ["edu470009"], q
    assert scoping.search_organizations(visible, "").count() == visible.count()
