"""Coordinators and the operator: reminders and the answers export."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts import audit, permissions
from accounts.models import Organization, User
from core.text import msk

from ..models import Questionnaire, SurveyExport
from .errors import REMIND_RATE, AccessDenied, SurveyError

# ------------------------------------------------------------------ coordinators


def reminders_request(
    *,
    questionnaire: Questionnaire,
    actor: User,
    below_percent: int | None,
    request: HttpRequest | None = None,
) -> list[int]:
    """Queue an e-mail to each organization in the actor's scope whose completion is below
    the chosen share; returns the organizations' ids."""
    from .. import selectors, tasks  # tasks import services: imported when used

    if not permissions.may_act_on_organizations(actor):
        raise AccessDenied("Напоминания отправляют региональный координатор и оператор.")
    if below_percent is None or not 1 <= below_percent <= 100:
        raise SurveyError(REMIND_RATE)
    rows = selectors.completion_by_organization(questionnaire=questionnaire, user=actor)
    ids = [row.pk for row in rows if row.completion_percent < below_percent and row.email]
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="surveys.remind",
            target=f"questionnaire:{questionnaire.pk} {questionnaire.title}",
            request=request,
            below_percent=below_percent,
            organizations=len(ids),
        )
        if ids:
            transaction.on_commit(lambda: tasks.send_reminders.enqueue(questionnaire.pk, ids))
    return ids


def reminders_deliver(*, questionnaire_id: int, organization_ids: list[int]) -> int:
    from django.core.mail import EmailMessage, get_connection
    from django.urls import reverse

    from core.text import absolute_url

    questionnaire = Questionnaire.objects.select_related("study").get(pk=questionnaire_id)
    url = absolute_url(reverse("surveys:school_detail", kwargs={"pk": questionnaire.pk}))
    messages = [
        EmailMessage(
            subject=f"НИКО: напоминание об анкетах «{questionnaire.title}»",
            body=(
                "Здравствуйте!\n\n"
                f"В образовательной организации {organization.name} (логин {organization.login}) "
                f"заполнена не вся анкета «{questionnaire.title}» ({questionnaire.study.title}).\n"
                f"Срок заполнения: до {msk(questionnaire.closes_at)}.\n\n"
                "Раздайте коды доступа респондентам и проследите, чтобы каждый нажал «Отправить»: "
                f"{url}\n\n"
                f"По вопросам работы ЛК ФИС ОКО: {settings.SUPPORT_EMAIL}.\n"
            ),
            to=[organization.email],
        )
        for organization in Organization.objects.filter(pk__in=organization_ids)
        .exclude(email="")
        .order_by("login")
    ]
    with get_connection() as connection:
        return connection.send_messages(messages) or 0


def export_start(
    *, questionnaire: Questionnaire, actor: User, request: HttpRequest | None = None
) -> SurveyExport:
    from .. import tasks  # tasks import services: imported when used

    if not permissions.may_monitor(actor):
        raise AccessDenied("Выгрузка ответов — для координаторов и оператора.")
    with transaction.atomic():
        job = SurveyExport.objects.create(requester=actor, questionnaire=questionnaire)
        audit.record(
            actor=actor,
            action="surveys.export",
            target=f"questionnaire:{questionnaire.pk} {questionnaire.title}",
            request=request,
        )
        transaction.on_commit(lambda: tasks.export_answers.enqueue(job.pk))
    return job


def export_run(*, export_id: int) -> SurveyExport:
    from django.core.files.base import ContentFile

    from ..xlsx import answers_workbook

    job = SurveyExport.objects.select_related("questionnaire", "requester").get(pk=export_id)
    job.status = SurveyExport.Status.RUNNING
    job.save(update_fields=["status"])
    try:
        content, rows = answers_workbook(questionnaire=job.questionnaire, user=job.requester)
    except Exception as error:  # the page shows the failure instead of waiting forever
        job.status = SurveyExport.Status.FAILED
        job.error = str(error)[:2000]
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        raise
    job.file.save(
        f"answers-{job.questionnaire.code}-{job.pk}.xlsx", ContentFile(content), save=False
    )
    job.rows = rows
    job.status = SurveyExport.Status.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["file", "rows", "status", "finished_at"])
    return job


def exports_cleanup(*, older_than: timedelta) -> int:
    removed = 0
    for job in SurveyExport.objects.filter(created_at__lt=timezone.now() - older_than):
        if job.file:
            job.file.delete(save=False)
        job.delete()
        removed += 1
    return removed
