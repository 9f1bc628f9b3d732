"""«Напомнить»: one action for every organization in scope that has not done a chosen item of
the checklist (or not submitted a chosen form), through `notifications` like every reminder: a
recorded notice in the cabinet of the organization's users and an e-mail to its address."""

import uuid

from django.db import transaction
from django.urls import reverse

from accounts import audit, permissions
from accounts.models import Organization, Region, User
from core.errors import AccessDenied
from core.text import plural
from datacollection.models import Study
from notifications.models import Kind
from notifications.services import notify

from .. import checklist
from ..grid import build_grid
from .access import StudyError

NOT_ALLOWED = "Напоминать могут региональные координаторы и операторы."
CHOOSE_ITEM = "Выберите пункт, о котором напомнить."
NOBODY_BEHIND = "Все организации уже выполнили этот пункт: напоминать некому."


@transaction.atomic
def remind_not_done(
    *, user: User, study: Study, item_key: str, region: Region | None = None, request=None
) -> tuple[int, list[Organization]]:
    """(organizations reminded, those of them without an e-mail address: cabinet only)."""
    if not permissions.may_act_on_organizations(user):
        raise AccessDenied(NOT_ALLOWED)
    # The first page is enough: the filter and `shown` cover the whole scope.
    grid = build_grid(user, study, region=region, item=item_key, page=1)
    column = next((c for c in grid.columns if c.key == item_key), None)
    if column is None:
        raise StudyError(CHOOSE_ITEM)
    recipients = list(
        Organization.objects.filter(pk__in=grid.shown)
        .only("pk", "login", "email")
        .order_by("login")
    )
    if not recipients:
        raise StudyError(NOBODY_BEHIND)
    skipped = [org for org in recipients if not org.email]
    item = checklist.BY_KEY.get(item_key)
    what = f"«{item.text}»" if item else f"«{column.title}»"
    notify(
        kind=Kind.COORDINATOR_REMINDER,
        text=(
            f"Организация еще не выполнила пункт {what} ({study.title}). "
            "Откройте «Что сделать сейчас» в личном кабинете."
        ),
        link=reverse("studies:school_study", kwargs={"study_pk": study.pk}),
        # Each «Напомнить» is its own event: pressing it again later reminds again.
        event_key=f"item_reminder:{study.pk}:{item_key}:{uuid.uuid4().hex}",
        organizations=[org.pk for org in recipients],
        subject=f"НИКО: напоминание — {column.title}",
    )
    audit.record(
        actor=user,
        action="studies.reminder_sent",
        target=f"{study.code}: {item_key}",
        request=request,
        sent=len(recipients),
        skipped=[org.login for org in skipped],
    )
    return len(recipients), skipped


def reminded_label(count: int) -> str:
    noun = plural(count, "организации", "организациям", "организациям")
    return f"Напоминание отправлено {count} {noun}"
