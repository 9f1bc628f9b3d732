"""Which regions, municipalities and organizations a user may see.

Every app asks these functions and nothing else, so a list, a detail page, an export and a
download cannot disagree about scope. Anything out of scope is reported as missing (404), the
same as a thing that does not exist, so ids cannot be probed.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from core.search import any_field_contains

from .models import Municipality, Organization, Region, User


def regions_visible_to(user: User) -> QuerySet[Region]:
    if not user.is_authenticated:
        return Region.objects.none()
    if user.is_operator:
        return Region.objects.all()
    return Region.objects.filter(pk=user.region_id)


def municipalities_visible_to(user: User) -> QuerySet[Municipality]:
    if not user.is_authenticated:
        return Municipality.objects.none()
    if user.is_operator:
        return Municipality.objects.all()
    if user.is_regional_coordinator:
        return Municipality.objects.filter(region_id=user.region_id)
    return Municipality.objects.filter(pk=user.municipality_id)


def organizations_visible_to(user: User) -> QuerySet[Organization]:
    if not user.is_authenticated:
        return Organization.objects.none()
    if user.is_operator:
        return Organization.objects.all()
    if user.is_regional_coordinator:
        return Organization.objects.filter(region_id=user.region_id)
    if user.is_municipal_coordinator:
        return Organization.objects.filter(municipality_id=user.municipality_id)
    if user.is_organization:
        return Organization.objects.filter(pk=user.organization_id)
    return Organization.objects.none()


def organization_for_user_or_404(user: User, pk: int) -> Organization:
    try:
        return organizations_visible_to(user).select_related("region", "municipality").get(pk=pk)
    except (Organization.DoesNotExist, ValueError, TypeError):
        raise Http404("Организация не найдена") from None


def search_organizations(organizations: QuerySet, q: str, *, via: str = "") -> QuerySet:
    """Organizations whose login or name contains `q` (`organization_search`). `via` searches
    the rows of another model through its relation to the organization ("organization__")."""
    condition = organization_search(q, via=via)
    return organizations if condition is None else organizations.filter(condition)


def organization_search(q: str, *, via: str = "") -> Q | None:
    """The condition «the organization's login or name contains `q`», in any letter case
    (Cyrillic included, on SQLite too: see `apps._unicode_lower_for_sqlite`); None for an
    empty query. Both are compared as stored: a login is lower case by a constraint
    (edu470001), the name is searched in its folded copy `name_folded`, which the database
    computes from it. On PostgreSQL both have trigram indexes (accounts migrations 0005 and
    0006)."""
    return any_field_contains(q, f"{via}login", f"{via}name_folded")
