"""Who may do what: every role rule of the portal, each a named predicate.

Views, services, selectors and (through `accounts.context_processors.cabinet`, as `perms_niko`)
templates ask these functions and never compare `user.role` themselves, so a rule changes in
one place. *Which objects* a user may see is the other half, in `accounts.scoping`; a predicate
here answers *whether* the user's role may act, given an object already in scope.

Services that act on an object call the matching predicate themselves (and scope the object
through `accounts.scoping`), so a new caller cannot skip the check.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import User


def _authenticated(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


# ------------------------------------------------------------------ roles as capabilities


def may_administer(user: Any) -> bool:
    """The Django admin: federal operators. `is_staff` follows the role (a database constraint
    ties the two), so the admin link, the admin site and the portal agree on who operates."""
    return _authenticated(user) and user.is_operator and user.is_staff


def may_monitor(user: Any) -> bool:
    """«Мониторинг», «Организации», the download log: operators and coordinators of both
    levels (a municipal coordinator watches, read-only)."""
    return _authenticated(user) and (user.is_operator or user.is_coordinator)


def may_act_on_organizations(user: Any) -> bool:
    """Acting on organizations in scope — resetting a password, granting an extension, returning
    a report for corrections, reminding: operators and regional coordinators."""
    return _authenticated(user) and (user.is_operator or user.is_regional_coordinator)


def may_see_all_regions(user: Any) -> bool:
    """National figures and per-region breakdowns: operators."""
    return _authenticated(user) and user.is_operator


def is_coordinator_user(user: Any) -> bool:
    """A regional or municipal coordinator: watches organizations and makes sure they have what
    is addressed to them."""
    return _authenticated(user) and user.is_coordinator


def is_organization_user(user: Any) -> bool:
    """A school's or college's responsible organizer: fills forms, asks in the forum."""
    return _authenticated(user) and user.is_organization


def acts_for_organization(user: Any, organization_id: int | None) -> bool:
    """The user is the organization itself (not a coordinator who can see it)."""
    return (
        is_organization_user(user)
        and organization_id is not None
        and (user.organization_id == organization_id)
    )


def may_enter_data(user: Any, report: Any) -> bool:
    """Typing into a report, uploading its files, submitting it: the organization itself only;
    coordinators in scope read."""
    return acts_for_organization(user, report.organization_id)


# ------------------------------------------------------------------ statistical reports


def may_view_results_of(user: Any, organization: Any) -> bool:
    """An organization's statistical report (the organization already in the user's scope):
    the organization itself, and the coordinators and operators who watch it. Another school
    is never in a school's scope, so a school sees only its own figures."""
    return acts_for_organization(user, organization.pk) or may_monitor(user)


def may_view_area_results(user: Any) -> bool:
    """A municipality's or a region's report with its table of organizations (the area already
    in scope): coordinators and operators; a school sees these figures only as the comparison
    columns of its own report."""
    return may_monitor(user)


def may_view_region_results(user: Any, region_id: int | None) -> bool:
    """A region's report with every organization of the region: the operator and the region's
    coordinator (a municipal coordinator's scope is its municipality)."""
    return _authenticated(user) and (
        user.is_operator or (user.is_regional_coordinator and user.region_id == region_id)
    )


# ------------------------------------------------------------------ forum


def may_ask_questions(user: Any) -> bool:
    return is_organization_user(user)


def may_answer_questions(user: Any) -> bool:
    """Answering the forum: regional coordinators (their region) and operators (everything)."""
    return may_act_on_organizations(user)


def may_act_in_region(user: Any, region_id: int | None) -> bool:
    """An operator anywhere, a regional coordinator in its own region."""
    if not may_act_on_organizations(user):
        return False
    return user.is_operator or user.region_id == region_id


def may_moderate_forum(user: Any) -> bool:
    """Moving, editing, merging questions and publishing them to the FAQ: operators."""
    return may_see_all_regions(user)


# ------------------------------------------------------------------ refusing


def require(allowed: bool, *, not_found: str = "", refusal: str = "") -> None:
    """Stop a request whose role the predicate in `allowed` refused: 403 (`PermissionDenied`,
    with `refusal` as its text where one is given), or, with `not_found`, a 404 saying that —
    where even the page's existence is not the user's to know (a school's own pages for anyone
    else). Views and services call it with a predicate of this module:
    `permissions.require(permissions.may_monitor(request.user))`."""
    if allowed:
        return
    if not_found:
        raise Http404(not_found)
    raise PermissionDenied(refusal) if refusal else PermissionDenied


# ------------------------------------------------------------------ for templates


class TemplatePermissions:
    """The predicates without arguments, as template attributes: `{% if perms_niko.monitor %}`.
    Computed lazily, so a page that does not ask costs nothing."""

    def __init__(self, user: Any):
        self._user = user

    @property
    def administer(self) -> bool:
        return may_administer(self._user)

    @property
    def monitor(self) -> bool:
        return may_monitor(self._user)

    @property
    def act_on_organizations(self) -> bool:
        return may_act_on_organizations(self._user)

    @property
    def see_all_regions(self) -> bool:
        return may_see_all_regions(self._user)

    @property
    def organization(self) -> bool:
        return is_organization_user(self._user)

    @property
    def answer_questions(self) -> bool:
        return may_answer_questions(self._user)

    @property
    def watch_only(self) -> bool:
        """Monitors without acting: the municipal coordinator."""
        return may_monitor(self._user) and not may_act_on_organizations(self._user)


__all__ = [
    "TemplatePermissions",
    "User",
    "acts_for_organization",
    "is_coordinator_user",
    "is_organization_user",
    "may_act_in_region",
    "may_act_on_organizations",
    "may_administer",
    "may_answer_questions",
    "may_ask_questions",
    "may_enter_data",
    "may_moderate_forum",
    "may_monitor",
    "may_see_all_regions",
    "may_view_area_results",
    "may_view_region_results",
    "may_view_results_of",
    "require",
]
