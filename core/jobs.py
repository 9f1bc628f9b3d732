"""Background jobs that write a file in the task worker (`manage.py db_worker`) and report back to
a page that polls them: monitoring's «Экспорт результатов», the questionnaires' «Выгрузка
ответов». The generic part lives here once: the fields, the heartbeat, when a job counts as dead
or never taken, the attempt number that stops a run taken for dead, and «Повторить» (`retry`,
and `retry_from_page` for the button's view).

A running job beats every HEARTBEAT_EVERY while it writes (`Heartbeat`); one silent for
DEAD_AFTER lost its worker (a killed process, a restart) and may be started again at once. A
queued job has no heartbeat: the queue may be busy; one nobody took for QUEUED_STALLED_AFTER was
lost with the queue (or no worker runs). Each run writes under its attempt number: once the job
was retried, a late write of the previous run matches nothing and that run stops (`Superseded`),
so one job never has two writers."""

import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.contrib import messages
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from .errors import ServiceError

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]

INTERRUPTED_MESSAGE = (
    "Выгрузка прервана: обработчик фоновых задач остановился, не дописав файл (больше минуты "
    "без сигнала о работе). Запустите экспорт снова кнопкой «Повторить экспорт»."
)
STALLED_MESSAGE = (
    "Экспорт не начат: за 15 минут его не взял ни один обработчик фоновых задач. "
    "Запустите экспорт снова кнопкой «Повторить экспорт»."
)


class BackgroundJob(models.Model):
    """Abstract: a job's state and the signs of life of its worker."""

    class Status(models.TextChoices):
        QUEUED = "queued", "В очереди"
        RUNNING = "running", "Выполняется"
        DONE = "done", "Готово"
        FAILED = "failed", "Ошибка"

    status = models.CharField(
        "статус", max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    error = models.TextField("причина ошибки", blank=True)
    started_at = models.DateTimeField("начато", null=True, blank=True)
    finished_at = models.DateTimeField("завершено", null=True, blank=True)
    updated_at = models.DateTimeField("последнее изменение", default=timezone.now)
    heartbeat_at = models.DateTimeField("последний сигнал обработчика", null=True, blank=True)
    attempt = models.PositiveIntegerField("попытка", default=1)

    # The margin covers the longest step between two beats (one chunk of rows, zipping the
    # finished workbook), a few seconds even for every organization of the country.
    HEARTBEAT_EVERY = timedelta(seconds=5)
    DEAD_AFTER = timedelta(seconds=60)
    QUEUED_STALLED_AFTER = timedelta(minutes=15)

    class Meta:
        abstract = True

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    def is_interrupted(self, *, at: datetime | None = None) -> bool:
        """Running, but its worker has not beaten for DEAD_AFTER: it died mid-job."""
        last_sign = self.heartbeat_at or self.started_at or self.updated_at
        return (
            self.status == self.Status.RUNNING
            and last_sign < (at or timezone.now()) - self.DEAD_AFTER
        )

    def is_stalled(self, *, at: datetime | None = None) -> bool:
        """Interrupted, or queued and never taken: the page offers «Повторить»."""
        now = at or timezone.now()
        return self.is_interrupted(at=now) or (
            self.status == self.Status.QUEUED and self.updated_at < now - self.QUEUED_STALLED_AFTER
        )

    @property
    def can_retry(self) -> bool:
        return self.status == self.Status.FAILED or self.is_stalled()

    @property
    def status_label(self) -> str:
        """The status as the page names it: a dead worker's job is not «Выполняется»."""
        if self.is_interrupted():
            return "Прервана"
        if self.is_stalled():
            return "Не начата"
        return self.get_status_display()

    @property
    def stopped_message(self) -> str:
        """What the page says of a job whose worker died or never came; empty otherwise."""
        if self.is_interrupted():
            return INTERRUPTED_MESSAGE
        if self.is_stalled():
            return STALLED_MESSAGE
        return ""


class Superseded(Exception):
    """The job was taken for dead and started again meanwhile: this run stops, writes nothing."""


class Heartbeat:
    """A running job's sign of life. `beat()` is called for every row written: at most every
    `HEARTBEAT_EVERY` it stores the time (one UPDATE, saved at once, no surrounding transaction,
    so the polling page sees it). With fields (progress, the outcome) it stores them at once.
    Each write names the run's attempt: a run whose job was retried stops with `Superseded`."""

    def __init__(self, job: BackgroundJob, *, clock: Clock = timezone.now):
        self.model, self.job_id, self.attempt, self.clock = type(job), job.pk, job.attempt, clock
        self.last = None

    def beat(self, **fields) -> None:
        now = self.clock()
        if not fields and self.last and now - self.last < self.model.HEARTBEAT_EVERY:
            return
        if fields:
            fields["updated_at"] = now
        written = self.model.objects.filter(
            pk=self.job_id, attempt=self.attempt, status=self.model.Status.RUNNING
        ).update(heartbeat_at=now, **fields)
        if not written:
            raise Superseded
        self.last = now

    def finish_with_file(self, job: BackgroundJob, **fields) -> None:
        """DONE with `job.file` (already written): a run superseded at this last step removes
        its file, the retried run writes its own."""
        try:
            self.beat(
                file=job.file.name,
                status=self.model.Status.DONE,
                finished_at=timezone.now(),
                **fields,
            )
        except Superseded:
            job.file.delete(save=False)
            raise


def run(
    model: type[BackgroundJob],
    job_id: int,
    work: Callable[[Heartbeat], None],
    *,
    clock: Clock | None = None,
    failed: dict | None = None,
) -> bool:
    """Take the queued job (nothing if another worker took it, or it is not queued any more)
    and call `work(heartbeat)`. A run superseded meanwhile stops quietly; any error marks the
    job FAILED with its reason (and the `failed` fields, e.g. a message). True if it ran."""
    clock = clock or timezone.now
    now = clock()
    claimed = model.objects.filter(pk=job_id, status=model.Status.QUEUED).update(
        status=model.Status.RUNNING, started_at=now, updated_at=now, heartbeat_at=now
    )
    if not claimed:
        return False
    heartbeat = Heartbeat(model.objects.only("pk", "attempt").get(pk=job_id), clock=clock)
    try:
        work(heartbeat)
    except Superseded:
        logger.warning("%s %s was started again meanwhile; this run stops", model.__name__, job_id)
    except Exception as error:
        logger.exception("%s %s failed", model.__name__, job_id)
        reason = str(error) or type(error).__name__
        with contextlib.suppress(Superseded):
            heartbeat.beat(
                status=model.Status.FAILED,
                error=f"{type(error).__name__}: {reason}"[:2000],
                finished_at=timezone.now(),
                **(failed or {}),
            )
    return True


def live(jobs: models.QuerySet, *, lock: models.QuerySet) -> BackgroundJob | None:
    """The queued or running job among `jobs` that is still alive (a second click gets it
    instead of a second writer). `lock` (e.g. the requester's row) is locked first: two clicks
    at once wait for each other, so they cannot both find none and queue two. In a transaction."""
    list(lock.select_for_update(no_key=True).values_list("pk"))
    active = jobs.filter(status__in=[BackgroundJob.Status.QUEUED, BackgroundJob.Status.RUNNING])
    return next((job for job in active if not job.is_stalled()), None)


def retry(job: BackgroundJob, *, refused: ServiceError, extra: dict | None = None) -> BackgroundJob:
    """«Повторить» (the caller has checked access; in a transaction): the job, locked, is queued
    again under the next attempt, so a late beat of the previous run no longer matches and that
    run stops. `refused` is raised for a job that neither failed nor stopped (`can_retry`): one
    still alive may be about to finish. `extra`: the app's own fields to reset."""
    job = type(job).objects.select_for_update().get(pk=job.pk)
    if not job.can_retry:
        raise refused
    fields = {
        "status": job.Status.QUEUED,
        "error": "",
        "started_at": None,
        "finished_at": None,
        "heartbeat_at": None,
        "updated_at": timezone.now(),
        "attempt": job.attempt + 1,
        **(extra or {}),
    }
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=list(fields))
    return job


def retry_from_page(
    request: HttpRequest, job: BackgroundJob, retry_service: Callable[..., Any], detail: str
) -> HttpResponse:
    """The «Повторить» button of a job's page, for every app: the app's service
    (`retry_service(job=…, actor=…, request=…)`, which checks access and calls `retry`), a
    refusal shown as a message, back to the job's page (the URL name `detail`)."""
    try:
        retry_service(job=job, actor=request.user, request=request)
    except ServiceError as error:
        messages.error(request, error.message)
    return redirect(detail, pk=job.pk)
