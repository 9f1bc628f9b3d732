"""«Напомнить»: one action for every organization in scope that has not done a chosen item of
the checklist (or not submitted a chosen form). E-mails go out from the task worker, one per
organization, like monitoring's reminders (that mechanism is tied to one collection and lives
above this app, so the pattern is repeated here, not imported)."""

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse

from accounts import audit, permissions
from accounts.models import Organization, Region, User
from core.errors import AccessDenied
from core.text import absolute_url, plural
from datacollection.models import Study

from .. import checklist
from ..grid import build_grid, not_done_on
from .access import StudyError

NOT_ALLOWED = "Напоминать могут региональные координаторы и операторы."
CHOOSE_ITEM = "Выберите пункт, о котором напомнить."
NOBODY_BEHIND = "Все организации уже выполнили этот пункт: напоминать некому."


def remind_not_done(
    *, user: User, study: Study, item_key: str, region: Region | None = None, request=None
) -> tuple[int, list[Organization]]:
    """(e-mails queued, organizations without an address)."""
    if not permissions.may_act_on_organizations(user):
        raise AccessDenied(NOT_ALLOWED)
    grid = build_grid(user, study, region=region)
    column = next((c for c in grid.columns if c.key == item_key), None)
    if column is None:
        raise StudyError(CHOOSE_ITEM)
    recipients = not_done_on(grid.rows, item_key)
    if not recipients:
        raise StudyError(NOBODY_BEHIND)
    with_email = [org.pk for org in recipients if org.email]
    skipped = [org for org in recipients if not org.email]
    audit.record(
        actor=user,
        action="studies.reminder_sent",
        target=f"{study.code}: {item_key}",
        request=request,
        sent=len(with_email),
        skipped=[org.login for org in skipped],
    )
    if with_email:
        from ..tasks import send_item_reminders

        transaction.on_commit(
            lambda: send_item_reminders.enqueue(
                study_id=study.pk,
                title=column.title,
                item_key=item_key,
                organization_ids=with_email,
            )
        )
    return len(with_email), skipped


def reminders_deliver(
    *, study_id: int, item_key: str, title: str, organization_ids: list[int]
) -> int:
    study = Study.objects.get(pk=study_id)
    item = checklist.BY_KEY.get(item_key)
    what = f"«{item.text}»" if item else f"«{title}»"
    link = absolute_url(reverse("studies:school_study", kwargs={"study_pk": study.pk}))
    messages = []
    for organization in (
        Organization.objects.filter(pk__in=organization_ids).exclude(email="").order_by("login")
    ):
        body = (
            "Здравствуйте!\n\n"
            f"Образовательная организация {organization.name} (логин {organization.login}) "
            f"еще не выполнила пункт {what} ({study.title}).\n\n"
            f"Откройте «Что сделать сейчас» в личном кабинете: {link}\n\n"
            f"По вопросам работы ЛК ФИС ОКО: {settings.SUPPORT_EMAIL}.\n"
        )
        messages.append(
            EmailMessage(subject=f"НИКО: напоминание — {title}", body=body, to=[organization.email])
        )
    with get_connection() as connection:
        return connection.send_messages(messages) or 0


def reminded_label(count: int) -> str:
    noun = plural(count, "организации", "организациям", "организациям")
    return f"Напоминание отправлено {count} {noun}"
