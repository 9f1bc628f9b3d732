"""Participating organizations of a collection (the federal operator, in the admin, on
«Участвующие ОО»): added by a list of logins or by region, removed by a list of logins."""

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest

from accounts import audit, permissions
from accounts.models import Organization, Region, User

from .. import status
from ..errors import (
    DataCollectionError,
    ParticipantHasDataError,
    ParticipantsDeniedError,
    UnknownLoginsError,
)
from ..login_lists import NO_LOGINS_MESSAGE
from ..models import Cell, CellFile, Collection, Extension, Report, ReportRow, Submission


@transaction.atomic
def collection_add_organizations(
    *,
    collection: Collection,
    actor: User,
    logins: list[str] | None = None,
    region: Region | None = None,
    request: HttpRequest | None = None,
) -> int:
    """Add participating organizations by a list of logins (all must exist, else nothing is
    added) or all organizations of a region. Returns how many were not yet participating."""
    _require_operator(actor)
    if region is not None:
        organizations = Organization.objects.filter(region=region)
        source = f"region:{region.code}"
    else:
        organizations = _by_logins(logins, outcome="ничего не добавлено")
        source = f"logins:{len(set(logins))}"
    already = set(collection.organizations.values_list("pk", flat=True))
    new_ids = [pk for pk in organizations.values_list("pk", flat=True) if pk not in already]
    Through = Collection.organizations.through
    Through.objects.bulk_create(
        [Through(collection_id=collection.pk, organization_id=pk) for pk in new_ids],
        batch_size=1000,
    )
    status.counts_changed(collection)
    audit.record(
        actor=actor,
        action="collection.organizations_added",
        target=f"collection:{collection.pk}",
        request=request,
        source=source,
        count=len(new_ids),
    )
    return len(new_ids)


@transaction.atomic
def collection_remove_organizations(
    *,
    collection: Collection,
    actor: User,
    logins: list[str],
    request: HttpRequest | None = None,
) -> int:
    """Remove participating organizations by a list of logins; returns how many were
    participating. All or nothing: an unknown login, or an organization that has entered
    anything in this collection, and nobody is removed.

    An organization's entered data is never dropped along with its participation: a report
    that was ever edited (status other than «Не приступило» — the first edit moves it to «В
    работе», a return for corrections leaves it there) or holds cells, added rows, files or
    transferred snapshots keeps its organization a participant, and the refusal lists those
    logins. A report nobody typed into (opened once, created empty on the first visit) goes
    with the participation, and so does the organization's extension of the deadline: both
    only mean something for a participant, and a participant added back later starts clean.
    """
    _require_operator(actor)
    organizations = _by_logins(logins, outcome="ничего не удалено")
    Through = Collection.organizations.through
    links = Through.objects.filter(collection_id=collection.pk, organization__in=organizations)
    # Locked before anything is decided. The participations: a report being opened meanwhile
    # (`report_open` locks its participation) waits and then finds none. The reports: a write
    # (autosave, an upload, a row — they all take the report lock) has either committed, and
    # its data is seen below and refuses the removal, or waits and then finds no report; a
    # check without the lock could delete a report a school was typing into that instant.
    removed_ids = list(links.select_for_update().values_list("organization_id", flat=True))
    reports = Report.objects.filter(collection=collection, organization_id__in=removed_ids)
    list(reports.select_for_update().values_list("pk", flat=True))
    entered = reports.filter(
        ~Q(status=Report.Status.NOT_STARTED)
        | Exists(Cell.objects.filter(report=OuterRef("pk")))
        | Exists(ReportRow.objects.filter(report=OuterRef("pk")))
        | Exists(CellFile.objects.filter(report=OuterRef("pk")))
        | Exists(Submission.objects.filter(report=OuterRef("pk")))
    )
    with_data = sorted(entered.values_list("organization__login", flat=True))
    if with_data:
        raise ParticipantHasDataError(with_data)
    empty_reports, _ = reports.delete()
    extensions, _ = Extension.objects.filter(
        collection=collection, organization_id__in=removed_ids
    ).delete()
    links.delete()
    status.counts_changed(collection)
    audit.record(
        actor=actor,
        action="collection.organizations_removed",
        target=f"collection:{collection.pk}",
        request=request,
        source=f"logins:{len(set(logins))}",
        count=len(removed_ids),
        empty_reports=empty_reports,
        extensions=extensions,
    )
    return len(removed_ids)


def _require_operator(actor: User) -> None:
    if not permissions.may_administer(actor):
        raise ParticipantsDeniedError


def _by_logins(logins: list[str] | None, *, outcome: str):
    """The organizations of these logins; every login must exist."""
    wanted = sorted(set(logins or []))
    if not wanted:
        raise DataCollectionError(NO_LOGINS_MESSAGE)
    organizations = Organization.objects.filter(login__in=wanted)
    found = set(organizations.values_list("login", flat=True))
    unknown = [login for login in wanted if login not in found]
    if unknown:
        raise UnknownLoginsError(unknown, outcome=outcome)
    return organizations
