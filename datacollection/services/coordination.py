"""What a coordinator does to an organization's data: return a report for corrections, grant
more time. Each service checks itself that the actor may act (`accounts.permissions`) and that
the organization is in the actor's scope (`accounts.scoping`), so no caller can act across
regions by passing a foreign object."""

from datetime import datetime

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts import audit, permissions
from accounts.models import Organization, User
from accounts.scoping import organizations_visible_to
from core.text import msk

from .. import notifying, status
from ..errors import (
    NOT_COORDINATOR_MESSAGE,
    NOT_PARTICIPATING_MESSAGE,
    OUT_OF_SCOPE_MESSAGE,
    CoordinationDeniedError,
    DataCollectionError,
)
from ..models import Collection, Extension, Report

NOT_SUBMITTED_MESSAGE = "Вернуть на доработку можно только сданный отчет."
EMPTY_COMMENT_MESSAGE = "Напишите, что нужно исправить: комментарий увидит организация."
EXTENSION_IN_PAST_MESSAGE = "Срок продления должен быть позже текущего момента."
EXTENSION_BEFORE_DEADLINE_MESSAGE = (
    "Срок продления должен быть позже окончания сбора ({closes_at})."
)


def _require_coordinator(actor: User) -> None:
    if not permissions.may_act_on_organizations(actor):
        raise CoordinationDeniedError(NOT_COORDINATOR_MESSAGE)


@transaction.atomic
def report_return_for_corrections(
    *, report: Report, actor: User, comment: str, request: HttpRequest | None = None
) -> Report:
    """A coordinator sends a submitted report back: the organization sees the comment on its
    card and the status is «В работе» until it submits again. A report of an organization out
    of the actor's scope is refused."""
    _require_coordinator(actor)
    comment = comment.strip()
    if not comment:
        raise DataCollectionError(EMPTY_COMMENT_MESSAGE)
    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("organization")
        .filter(pk=report.pk, organization__in=organizations_visible_to(actor))
        .first()
    )
    if report is None:
        raise CoordinationDeniedError(OUT_OF_SCOPE_MESSAGE)
    if report.status != Report.Status.SUBMITTED:
        raise DataCollectionError(NOT_SUBMITTED_MESSAGE)
    at = timezone.now()
    report.status = Report.Status.IN_PROGRESS
    report.returned_at = at
    report.returned_comment = comment
    report.returned_by = actor
    report.save(update_fields=["status", "returned_at", "returned_comment", "returned_by"])
    status.counts_changed(report.collection)
    audit.record(
        actor=actor,
        action="report.returned",
        organization=report.organization,
        target=f"report:{report.pk}",
        request=request,
        comment=comment,
    )
    notifying.report_returned(report)
    return report


def extension_check(*, collection: Collection, until: datetime) -> None:
    """The date rules of an extension: in the future and after the collection's end
    (DataCollectionError otherwise). Forms ask it before saving; `extension_grant` always does."""
    if until <= timezone.now():
        raise DataCollectionError(EXTENSION_IN_PAST_MESSAGE)
    if until <= collection.closes_at:
        raise DataCollectionError(
            EXTENSION_BEFORE_DEADLINE_MESSAGE.format(closes_at=msk(collection.closes_at))
        )


@transaction.atomic
def extension_grant(
    *,
    collection: Collection,
    organization: Organization,
    until: datetime,
    actor: User,
    request: HttpRequest | None = None,
) -> Extension:
    """Give one participating organization more time. Granting again moves the date (later or
    earlier). An organization out of the actor's scope is refused."""
    _require_coordinator(actor)
    if not organizations_visible_to(actor).filter(pk=organization.pk).exists():
        raise CoordinationDeniedError(OUT_OF_SCOPE_MESSAGE)
    if not collection.organizations.filter(pk=organization.pk).exists():
        raise DataCollectionError(NOT_PARTICIPATING_MESSAGE)
    extension_check(collection=collection, until=until)
    previous = (
        Extension.objects.select_for_update()
        .filter(collection=collection, organization=organization)
        .values_list("until", flat=True)
        .first()
    )
    extension, _ = Extension.objects.update_or_create(
        collection=collection,
        organization=organization,
        defaults={"until": until, "granted_by": actor},
    )
    audit.record(
        actor=actor,
        action="collection.extension_granted",
        organization=organization,
        target=f"collection:{collection.pk}",
        request=request,
        old=previous.isoformat() if previous else None,
        new=until.isoformat(),
    )
    notifying.deadline_extended(extension)
    return extension


@transaction.atomic
def extension_revoke(
    *, extension: Extension, actor: User, request: HttpRequest | None = None
) -> None:
    """Take an extension back: the organization's deadline is the collection's again."""
    _require_coordinator(actor)
    if not organizations_visible_to(actor).filter(pk=extension.organization_id).exists():
        raise CoordinationDeniedError(OUT_OF_SCOPE_MESSAGE)
    audit.record(
        actor=actor,
        action="collection.extension_revoked",
        organization=extension.organization,
        target=f"collection:{extension.collection_id}",
        request=request,
        old=extension.until.isoformat(),
    )
    extension.delete()
