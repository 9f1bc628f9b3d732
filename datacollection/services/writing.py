"""What every write on a report shares: the school's access, the report lock, the open window,
the form and row checks, marking the report changed and the audit row (`report_write`)."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from django.core.files.storage import default_storage
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts import audit, permissions
from accounts.models import Organization, User

from ..errors import (
    NOT_PARTICIPATING_MESSAGE,
    CollectionClosedError,
    DataCollectionError,
    WriteNotAllowedError,
)
from ..models import Collection, FixedRow, FormTable, Report, ReportRow

NO_ROW_MESSAGE = "Такой строки в таблице нет (возможно, ее удалили в другой вкладке)."
NO_TABLE_MESSAGE = "Такой таблицы в форме нет."


@transaction.atomic
def report_open(*, collection: Collection, organization: Organization) -> Report:
    """The organization's report for a collection, created empty on first visit — for a
    participant only: every report belongs to a participant of its collection (removing a
    participant with entered data is refused, an empty report goes with it:
    `collection_remove_organizations`), which «Список участников» counts on."""
    report = Report.objects.filter(collection=collection, organization=organization).first()
    if report is not None:
        return report
    # The participation locked: a removal of it running meanwhile (which locks it first) has
    # either committed, and there is nothing to lock, or waits until this report exists and
    # then sees it (and deletes it while it is empty).
    participation = Collection.organizations.through.objects.select_for_update().filter(
        collection_id=collection.pk, organization_id=organization.pk
    )
    if not list(participation.values_list("pk", flat=True)):
        raise DataCollectionError(NOT_PARTICIPATING_MESSAGE)
    report, _ = Report.objects.get_or_create(collection=collection, organization=organization)
    return report


def ensure_writable(*, report: Report, user: User, at: datetime | None = None) -> None:
    """The same refusals as a write, before reading a large upload: not yours, or closed."""
    if not permissions.may_enter_data(user, report):
        raise WriteNotAllowedError()
    if not report.collection.is_open_for(report.organization, at=at or timezone.now()):
        raise CollectionClosedError()


def lock_for_write(report: Report, user: User, at: datetime) -> Report:
    """The report row locked (writes to one report are serialized, other reports proceed),
    after checking that the user is the organization and the window is open for it."""
    if not permissions.may_enter_data(user, report):
        raise WriteNotAllowedError()
    locked = (
        Report.objects.select_for_update()
        .select_related("collection", "organization")
        .get(pk=report.pk)
    )
    if not locked.collection.is_open_for(locked.organization, at=at):
        raise CollectionClosedError()
    return locked


def mark_changed(report: Report, at: datetime) -> None:
    """«Не приступило» → «В работе» on the first edit; a submitted report keeps «Сдано» and
    notes that it has changes not yet submitted."""
    if report.status == Report.Status.NOT_STARTED:
        report.status = Report.Status.IN_PROGRESS
        report.started_at = at
    elif report.status == Report.Status.SUBMITTED:
        report.has_unsubmitted_changes = True
    report.last_saved_at = at
    report.save(update_fields=["status", "started_at", "has_unsubmitted_changes", "last_saved_at"])


def row_exists(report: Report, table: FormTable, row: str) -> bool:
    if table.is_dynamic:
        return ReportRow.objects.filter(report=report, table=table, key=row).exists()
    return FixedRow.objects.filter(table=table, key=row).exists()


def delete_files(files) -> None:
    """Delete the rows now and their files from storage once the transaction commits."""
    paths = [f.file.name for f in files]
    files.delete()
    for path in paths:
        transaction.on_commit(lambda path=path: default_storage.delete(path))


@dataclass
class ReportWrite:
    """The open write: `report` is the locked row. The body sets `details` for the audit row,
    or calls `unchanged()` when it wrote nothing (no status change, no audit row)."""

    report: Report
    at: datetime
    details: dict = field(default_factory=dict)
    changed: bool = True  # marks the report changed («В работе», last saved)
    recorded: bool = True  # writes the audit row

    def unchanged(self) -> None:
        self.changed = self.recorded = False


@contextmanager
def report_write(
    *,
    report: Report,
    user: User,
    action: str,
    target: str = "",
    table: FormTable | None = None,
    row: str | None = None,
    at: datetime | None = None,
    request: HttpRequest | None = None,
    marks_changed: bool = True,
) -> Iterator[ReportWrite]:
    """One write on a report by its organization, in one transaction:

    refuses a user who is not the organization and a closed window, locks the report, checks
    that `table` belongs to the form and `row` exists in it; after the body, marks the report
    changed and records `action` in the audit log. Any error undoes everything."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = lock_for_write(report, user, at)
        if table is not None and table.form_id != locked.collection.form_id:
            raise DataCollectionError(NO_TABLE_MESSAGE)
        if row is not None and not row_exists(locked, table, row):
            raise DataCollectionError(NO_ROW_MESSAGE)
        write = ReportWrite(report=locked, at=at, changed=marks_changed)
        yield write
        if write.changed:
            mark_changed(locked, at)
        if write.recorded:
            audit.record(
                actor=user,
                action=action,
                organization=locked.organization,
                target=f"report:{locked.pk} {target}".strip(),
                request=request,
                **write.details,
            )
