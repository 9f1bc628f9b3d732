"""Writes for monitoring: reminders, export jobs and their clean-up. The extension and the
return for corrections are `datacollection.services`; views call those directly.

Reminders go out through `notifications` (recorded notices and e-mails). Background work (the
e-mails, the export file) is enqueued with `transaction.on_commit`, so a task never starts
before the row it reads is committed, and a rolled-back request enqueues nothing."""

import tempfile
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import BinaryIO

from django.core.files import File
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts import audit, permissions
from accounts.models import Organization, User
from core import jobs
from core.errors import AccessDenied, ServiceError
from core.jobs import Heartbeat
from core.text import plural
from datacollection.definitions import load_form
from datacollection.models import Collection
from notifications.models import Kind
from notifications.services import notify

from . import presenters, selectors
from .models import ExportJob
from .xlsx import ResultsWorkbook

NOT_ALLOWED_MESSAGE = "Это действие доступно региональному координатору и оператору."
NOT_FAILED_MESSAGE = (
    "Повторить можно только экспорт, который завершился ошибкой или перестал выполняться."
)
REMINDER_TARGETS = {
    "not_started": "не приступившим",
    "not_submitted": "не сдавшим отчет (не приступило, в работе, возвращено на доработку)",
}
PROGRESS_EVERY = 200  # organizations between two progress messages


class MonitoringError(ServiceError):
    """A monitoring action refused, with the Russian text the view shows."""


class MonitoringAccessDenied(MonitoringError, AccessDenied):
    """The actor may not act on this collection or export (out of its role or its scope)."""


OUT_OF_SCOPE_MESSAGE = "Этот сбор данных вне вашей зоны ответственности."
NOT_YOUR_EXPORT_MESSAGE = "Этот экспорт запрашивали не вы."


def _require_collection_in_scope(actor: User, collection: Collection) -> None:
    """The service's own scope check (one query): a caller cannot act across regions."""
    if not selectors.collections_visible_to(actor).filter(pk=collection.pk).exists():
        raise MonitoringAccessDenied(OUT_OF_SCOPE_MESSAGE)


def _require_export_in_scope(actor: User, job: ExportJob) -> None:
    if not selectors.export_jobs_visible_to(actor).filter(pk=job.pk).exists():
        raise MonitoringAccessDenied(NOT_YOUR_EXPORT_MESSAGE)


def organizations_dative(count: int) -> str:
    """«1 организации», «5 организациям»."""
    return (
        f"{presenters.number(count)} {plural(count, 'организации', 'организациям', 'организациям')}"
    )


# ---------------------------------------------------------------- reminders


@dataclass(frozen=True)
class ReminderResult:
    sent: int  # organizations reminded (a notice in the cabinet, an e-mail where there is one)
    skipped: list[Organization]  # no e-mail address: reminded in the cabinet only

    @property
    def message(self) -> str:
        return f"Напоминание отправлено {organizations_dative(self.sent)}"


@transaction.atomic
def reminder_send(
    *,
    collection: Collection,
    actor: User,
    target: str,
    request: HttpRequest | None = None,
) -> ReminderResult:
    """Remind the organizations in the actor's scope that have not started (or not submitted)
    through `notifications`: a notice in the cabinet of each one's users and an e-mail to its
    address, both recorded, sent after commit. One event per deadline (an extension moves an
    organization's own), so every organization reads its own date."""
    if not permissions.may_act_on_organizations(actor):
        raise MonitoringAccessDenied(NOT_ALLOWED_MESSAGE)
    _require_collection_in_scope(actor, collection)
    if target not in REMINDER_TARGETS:
        raise MonitoringError("Выберите, кому отправить напоминание.")
    recipients = list(
        selectors.reminder_recipients(actor, collection, target=target).only(
            "pk", "login", "name", "email"
        )
    )
    skipped = [org for org in recipients if not org.email]
    by_deadline: dict[str, list[int]] = defaultdict(list)
    for organization in recipients:
        deadline = presenters.deadline_label(collection, organization.extension_until)
        by_deadline[deadline].append(organization.pk)
    # Each «Напомнить» is its own event: pressing it again a day later reminds again.
    event = f"reminder:{collection.pk}:{uuid.uuid4().hex}"
    title, study = collection.form.title, collection.study.title
    for number, (deadline, organization_ids) in enumerate(sorted(by_deadline.items())):
        notify(
            kind=Kind.COORDINATOR_REMINDER,
            text=(
                f"Организация еще не сдала отчет «{title}» ({study}). Срок сдачи: {deadline}. "
                "Откройте блок «Сбор данных», заполните таблицу и нажмите «Сдать отчет»."
            ),
            link=reverse("datacollection:collection_fill", kwargs={"collection_pk": collection.pk}),
            event_key=f"{event}:{number}",
            organizations=organization_ids,
            subject=f"НИКО: напоминание о сдаче отчета «{title}»",
        )
    audit.record(
        actor=actor,
        action="monitoring.reminder_sent",
        target=f"collection:{collection.pk}",
        request=request,
        recipients=target,
        sent=len(recipients),
        skipped=[org.login for org in skipped],
    )
    return ReminderResult(sent=len(recipients), skipped=skipped)


# ---------------------------------------------------------------- exports


@transaction.atomic
def export_start(
    *, collection: Collection, requester: User, request: HttpRequest | None = None
) -> ExportJob:
    """«Экспорт результатов»: a queued job; the `export_results` task writes the file."""
    if not permissions.may_monitor(requester):
        raise MonitoringAccessDenied("Экспорт доступен координаторам и оператору.")
    _require_collection_in_scope(requester, collection)
    live = _live_export(requester=requester, collection=collection)
    if live is not None:
        return live  # a second click while it runs: the same job, not a second writer
    job = ExportJob.objects.create(
        requester=requester,
        collection=collection,
        scope_description=presenters.scope_description(requester),
        message="Экспорт поставлен в очередь",
    )
    audit.record(
        actor=requester,
        action="monitoring.export_started",
        target=f"export:{job.pk} collection:{collection.pk}",
        request=request,
        scope=job.scope_description,
    )
    _enqueue_export(job)
    return job


@transaction.atomic
def export_retry(*, job: ExportJob, actor: User, request: HttpRequest | None = None) -> ExportJob:
    _require_export_in_scope(actor, job)
    job = jobs.retry(
        job,
        refused=MonitoringError(NOT_FAILED_MESSAGE),
        extra={"message": "Экспорт поставлен в очередь", "progress_done": 0},
    )
    audit.record(
        actor=actor,
        action="monitoring.export_retried",
        target=f"export:{job.pk} collection:{job.collection_id}",
        request=request,
    )
    _enqueue_export(job)
    return job


def export_file_open(*, job: ExportJob, actor: User) -> BinaryIO:
    """«Загрузить отчет»: the finished file, for its requester (or an operator) only."""
    _require_export_in_scope(actor, job)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise ExportFileMissing("Файл экспорта не готов")
    try:
        return job.file.open("rb")
    except FileNotFoundError:
        raise ExportFileMissing("Файл экспорта удален") from None


class ExportFileMissing(MonitoringError):
    """Not written yet, or already cleaned up."""


def _enqueue_export(job: ExportJob) -> None:
    from .tasks import export_results

    transaction.on_commit(lambda: export_results.enqueue(job_id=job.pk))


def _live_export(*, requester: User, collection: Collection) -> ExportJob | None:
    """The requester's queued or running export of this collection that is still alive."""
    return jobs.live(
        ExportJob.objects.filter(requester=requester, collection=collection),
        lock=User.objects.filter(pk=requester.pk),
    )


def export_run(
    *, job_id: int, chunk_size: int = PROGRESS_EVERY, max_rows: int | None = None, clock=None
):
    """Write the file of a queued job, beating and reporting progress (`core.jobs.run`); on any
    error the job says why. `clock` (default `timezone.now`) is the time the heartbeat writes."""

    def write(heartbeat: Heartbeat) -> None:
        job = ExportJob.objects.select_related("collection__form", "requester").get(pk=job_id)
        _export_write(job, heartbeat, chunk_size=chunk_size, max_rows=max_rows)

    jobs.run(ExportJob, job_id, write, clock=clock, failed={"message": "Экспорт не выполнен"})


def _export_write(
    job: ExportJob, heartbeat: Heartbeat, *, chunk_size: int, max_rows: int | None
) -> None:
    requester, collection = job.requester, job.collection
    total = selectors.participants(requester, collection).count()
    heartbeat.beat(progress_total=total, message=presenters.prepared_message(0, total))
    definitions = load_form(collection.form)
    book = ResultsWorkbook(definitions, **({"max_rows": max_rows} if max_rows else {}))
    done = 0
    try:
        for record in selectors.export_records(requester, collection, chunk_size=chunk_size):
            book.add(record)
            done += 1
            if done % chunk_size == 0:
                heartbeat.beat(progress_done=done, message=presenters.prepared_message(done, total))
            else:
                heartbeat.beat()
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "export.xlsx"
            book.save(path)
            heartbeat.beat()
            with path.open("rb") as handle:
                job.file.save(f"export-{job.pk}.xlsx", File(handle), save=False)
    except BaseException:  # an error, or the worker stopped: no temporary sheets left over
        book.discard()
        raise
    heartbeat.finish_with_file(job, progress_done=done, message="Отчет готов")


def exports_cleanup(*, older_than: timedelta, now: datetime | None = None) -> int:
    """Delete export jobs created before `now - older_than`, with their files."""
    cutoff = (now or timezone.now()) - older_than
    deleted = 0
    for job in ExportJob.objects.filter(created_at__lt=cutoff).iterator(chunk_size=500):
        if job.file:
            job.file.delete(save=False)
        job.delete()
        deleted += 1
    return deleted
