"""Export jobs in scope and the rows an export writes, streamed in chunks."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    OuterRef,
    QuerySet,
    Subquery,
)
from django.http import Http404

from accounts import permissions
from accounts.models import Organization, User
from datacollection.models import Collection, Submission

from ..models import ExportJob
from .participants import Status, participants


def export_jobs_visible_to(user: User) -> QuerySet[ExportJob]:
    """Only the requester sees an export (it holds the data of its scope); operators see all."""
    jobs = ExportJob.objects.select_related("collection__form", "collection__study", "requester")
    if not permissions.may_monitor(user):
        return jobs.none()
    if permissions.may_see_all_regions(user):
        return jobs
    return jobs.filter(requester=user)


def export_job_for_user_or_404(user: User, pk: int) -> ExportJob:
    try:
        return export_jobs_visible_to(user).get(pk=pk)
    except (ExportJob.DoesNotExist, ValueError, TypeError):
        raise Http404("Экспорт не найден") from None


def recent_exports(user: User, collection: Collection, *, limit: int = 5) -> list[ExportJob]:
    return list(export_jobs_visible_to(user).filter(collection=collection, requester=user)[:limit])


@dataclass
class ExportRecord:
    """One organization of an export: its summary row and the snapshot it transferred."""

    region: str
    municipality: str
    login: str
    name: str
    status: str
    started_at: datetime | None
    submitted_at: datetime | None
    last_saved_at: datetime | None
    is_late: bool
    has_changes: bool
    snapshot: dict | None


def export_participants(user: User, collection: Collection) -> QuerySet[Organization]:
    """The organizations of an export in file order, each with its last transfer's id."""
    last_submission = (
        Submission.objects.filter(report_id=OuterRef("report_pk"))
        .order_by("-submitted_at", "-pk")
        .values("pk")[:1]
    )
    return (
        participants(user, collection)
        .annotate(last_submission_id=Subquery(last_submission))
        .values(
            "pk",
            "region__code",
            "region__name",
            "municipality__name",
            "login",
            "name",
            "participation_status",
            "report_started_at",
            "report_submitted_at",
            "report_last_saved_at",
            "is_late",
            "has_changes",
            "last_submission_id",
        )
        .order_by("region__code", "municipality__name", "login")
    )


def export_records(user: User, collection: Collection, *, chunk_size: int = 200):
    """Every organization of the export with its last snapshot, streamed: the organizations
    come from one cursor read in chunks, and the snapshots of each chunk in one query, so no
    more than `chunk_size` snapshots are in memory at a time."""
    batch: list[dict] = []
    for row in export_participants(user, collection).iterator(chunk_size=chunk_size):
        batch.append(row)
        if len(batch) >= chunk_size:
            yield from _records_of(batch)
            batch = []
    if batch:
        yield from _records_of(batch)


def _records_of(batch: list[dict]):
    ids = [row["last_submission_id"] for row in batch if row["last_submission_id"]]
    snapshots = dict(Submission.objects.filter(pk__in=ids).values_list("pk", "data")) if ids else {}
    for row in batch:
        yield ExportRecord(
            region=f"{row['region__code']} — {row['region__name']}",
            municipality=row["municipality__name"],
            login=row["login"],
            name=row["name"],
            status=Status(row["participation_status"]).label,
            started_at=row["report_started_at"],
            submitted_at=row["report_submitted_at"],
            last_saved_at=row["report_last_saved_at"],
            is_late=bool(row["is_late"]),
            has_changes=bool(row["has_changes"]),
            snapshot=snapshots.pop(row["last_submission_id"], None),
        )
