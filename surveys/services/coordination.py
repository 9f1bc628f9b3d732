"""Coordinators and the operator: reminders and the answers export."""

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts import audit, permissions
from accounts.models import User
from core import jobs
from core.text import msk, plural
from notifications.models import Kind
from notifications.services import notify

from ..models import Questionnaire, SurveyExport
from .errors import (
    REMIND_FOREIGN,
    REMIND_NOBODY,
    REMIND_NOT_ALLOWED,
    REMIND_RATE,
    AccessDenied,
    SurveyError,
)

# ------------------------------------------------------------------ coordinators


@dataclass(frozen=True)
class ReminderResult:
    reminded: int  # organizations
    without_email: list[str]  # their logins: reminded in the cabinet only

    @property
    def message(self) -> str:
        noun = plural(self.reminded, "организации", "организациям", "организациям")
        return f"Напоминание отправлено {self.reminded} {noun}."


def reminders_request(
    *,
    questionnaire: Questionnaire,
    actor: User,
    below_percent: int | None,
    region_id: int | None = None,
    municipality_id: int | None = None,
    organization_ids: list[int] | None = None,
    request: HttpRequest | None = None,
) -> ReminderResult:
    """Remind every organization in the actor's scope (narrowed to a region or municipality,
    or to the chosen `organization_ids`) whose completion is below `below_percent`: a notice in
    the cabinet of its users and an e-mail to its address, through `notifications`. A chosen
    organization outside the scope refuses the whole request."""
    from .. import selectors

    if not permissions.may_act_on_organizations(actor):
        raise AccessDenied(REMIND_NOT_ALLOWED)
    if below_percent is None or not 1 <= below_percent <= 100:
        raise SurveyError(REMIND_RATE)
    scope = {"questionnaire": questionnaire, "user": actor}
    if organization_ids is not None:
        wanted = set(organization_ids)
        known = set(
            selectors.completion_organizations(**scope)
            .filter(pk__in=wanted)
            .values_list("pk", flat=True)
        )
        if not wanted or known != wanted:
            raise AccessDenied(REMIND_FOREIGN)
    lagging = selectors.completion_organizations(
        **scope,
        region_id=region_id,
        municipality_id=municipality_id,
        below_percent=below_percent,
    )
    if organization_ids is not None:
        lagging = lagging.filter(pk__in=organization_ids)
    recipients = list(lagging.values_list("pk", "login", "email"))
    if not recipients:
        raise SurveyError(REMIND_NOBODY.format(below=below_percent))
    ids = [pk for pk, _, _ in recipients]
    without_email = [login for _, login, email in recipients if not email]
    with transaction.atomic():
        notify(
            kind=Kind.COORDINATOR_REMINDER,
            text=(
                f"Заполнение анкеты «{questionnaire.title}» ({questionnaire.study.title}) в вашей "
                f"организации ниже {below_percent} %. Раздайте коды доступа респондентам и "
                "проследите, чтобы каждый нажал «Отправить». Срок заполнения: до "
                f"{msk(questionnaire.closes_at)}."
            ),
            link=reverse("surveys:school_detail", kwargs={"pk": questionnaire.pk}),
            # Each «Напомнить» is its own event: a second reminder a day later is sent too.
            event_key=f"survey_reminder:{questionnaire.pk}:{uuid.uuid4().hex}",
            organizations=ids,
            subject=f"НИКО: напоминание об анкете «{questionnaire.title}»",
        )
        audit.record(
            actor=actor,
            action="surveys.remind",
            target=f"questionnaire:{questionnaire.pk} {questionnaire.title}",
            request=request,
            below_percent=below_percent,
            organizations=len(ids),
            without_email=without_email[:100],
        )
    return ReminderResult(len(ids), without_email)


EXPORT_NOT_RETRIABLE = (
    "Повторить можно только выгрузку, которая завершилась ошибкой или перестала выполняться."
)


def export_start(
    *, questionnaire: Questionnaire, actor: User, request: HttpRequest | None = None
) -> SurveyExport:
    """«Выгрузить ответы»: a queued job; the `export_answers` task writes the file. A second
    click while it is alive gives the same job (`core.jobs.live`), not a second writer."""
    if not permissions.may_monitor(actor):
        raise AccessDenied("Выгрузка ответов — для координаторов и оператора.")
    with transaction.atomic():
        live = jobs.live(
            SurveyExport.objects.filter(requester=actor, questionnaire=questionnaire),
            lock=User.objects.filter(pk=actor.pk),
        )
        if live is not None:
            return live
        job = SurveyExport.objects.create(requester=actor, questionnaire=questionnaire)
        audit.record(
            actor=actor,
            action="surveys.export",
            target=f"questionnaire:{questionnaire.pk} {questionnaire.title}",
            request=request,
        )
        _enqueue_export(job)
    return job


def export_retry(
    *, job: SurveyExport, actor: User, request: HttpRequest | None = None
) -> SurveyExport:
    """«Повторить экспорт» of a failed, interrupted or never taken job (the view found it in
    the actor's scope): queued again under the next attempt, so a late run of the old one
    stops."""
    from .. import selectors

    if not selectors.exports_visible_to(actor).filter(pk=job.pk).exists():
        raise AccessDenied("Эту выгрузку запрашивали не вы.")
    with transaction.atomic():
        job = jobs.retry(job, refused=SurveyError(EXPORT_NOT_RETRIABLE), extra={"rows": 0})
        audit.record(
            actor=actor,
            action="surveys.export_retried",
            target=f"export:{job.pk} questionnaire:{job.questionnaire_id}",
            request=request,
        )
        _enqueue_export(job)
    return job


def _enqueue_export(job: SurveyExport) -> None:
    from .. import tasks  # tasks import services: imported when used

    transaction.on_commit(lambda: tasks.export_answers.enqueue(job.pk))


def export_run(*, export_id: int, clock=None) -> None:
    """Write the file of a queued job, beating for every row (`core.jobs.run`): a killed worker
    is seen a minute later, an error marks the job failed with its reason. `clock` (default
    `timezone.now`) is the time the heartbeat writes."""
    from django.core.files.base import ContentFile

    from ..xlsx import answers_workbook

    def write(heartbeat: jobs.Heartbeat) -> None:
        job = SurveyExport.objects.select_related("questionnaire", "requester").get(pk=export_id)
        content, rows = answers_workbook(
            questionnaire=job.questionnaire, user=job.requester, beat=heartbeat.beat
        )
        heartbeat.beat()
        job.file.save(
            f"answers-{job.questionnaire.code}-{job.pk}.xlsx", ContentFile(content), save=False
        )
        heartbeat.finish_with_file(job, rows=rows)

    jobs.run(SurveyExport, export_id, write, clock=clock)


def exports_cleanup(*, older_than: timedelta) -> int:
    removed = 0
    for job in SurveyExport.objects.filter(created_at__lt=timezone.now() - older_than):
        if job.file:
            job.file.delete(save=False)
        job.delete()
        removed += 1
    return removed
