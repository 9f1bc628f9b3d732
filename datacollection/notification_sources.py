"""What the notification scheduler asks of data collection: «Открыт сбор данных» when a window
opens and «Приближается срок» before it closes (the operator's days, see «Расписание
напоминаний»). Only what is still true is said: nothing for a window that is closed, nothing
to an organization that has submitted, and after downtime only the latest reminder that is due
(not the 2-day one in the last day)."""

from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse

from accounts.models import Organization
from core.text import msk
from notifications.models import Kind, ReminderSettings
from notifications.scheduler import source
from notifications.services import notify

from .models import Collection, Extension, Report


def _open_collections(now: datetime):
    return Collection.objects.filter(opens_at__lte=now, closed_manually=False).select_related(
        "form", "study"
    )


@source
def collections_opened(*, now: datetime) -> int:
    created = 0
    for collection in _open_collections(now).filter(closes_at__gt=now):
        created += notify(
            kind=Kind.COLLECTION_OPENED,
            text=(
                f"Открыт сбор данных «{collection.form.title}» ({collection.study.title}). "
                f"Срок сдачи отчета — {msk(collection.closes_at)}."
            ),
            link=reverse("datacollection:collection_fill", args=[collection.pk]),
            event_key=f"collection_opened:{collection.pk}",
            organizations=collection.organizations.all(),
            at=now,
        )
    return created


def deadline_groups(collection: Collection, *, now: datetime, offsets: list[int]):
    """(deadline, days) → organization ids due a reminder now. The deadline is per organization
    (an extension moves it); of the reminders due, only the nearest to the deadline is kept."""
    latest_start = max(offsets)
    extended = Extension.objects.filter(collection=collection, organization=OuterRef("pk"))
    submitted = Report.objects.filter(
        collection=collection, status=Report.Status.SUBMITTED, has_unsubmitted_changes=False
    ).values("organization_id")
    rows = (
        Organization.objects.filter(collections=collection)
        .exclude(pk__in=submitted)
        .annotate(until=Subquery(extended.values("until")[:1]))
        .filter(Q(until__gt=now) | Q(until__isnull=True))
        .values_list("pk", "until")
        .order_by()
    )
    groups: dict[tuple[datetime, int], list[int]] = defaultdict(list)
    for organization_id, until in rows.iterator(chunk_size=5000):
        deadline = max(collection.closes_at, until) if until else collection.closes_at
        if deadline <= now or deadline - timedelta(days=latest_start) > now:
            continue
        due = [days for days in offsets if deadline - timedelta(days=days) <= now]
        groups[(deadline, min(due))].append(organization_id)
    return groups


@source
def deadlines_near(*, now: datetime) -> int:
    offsets = ReminderSettings.current().day_offsets
    if not offsets:
        return 0
    horizon = now + timedelta(days=max(offsets))
    candidates = _open_collections(now).filter(
        Q(closes_at__gt=now, closes_at__lte=horizon)
        | Q(extensions__until__gt=now, extensions__until__lte=horizon)
    )
    created = 0
    for collection in candidates.distinct():
        for (deadline, days), organization_ids in deadline_groups(
            collection, now=now, offsets=offsets
        ).items():
            last_day = " Остался последний день." if days == 1 else ""
            created += notify(
                kind=Kind.DEADLINE_NEAR,
                text=(
                    f"Отчет «{collection.form.title}» ({collection.study.title}) еще не сдан: "
                    f"срок сдачи — {msk(deadline)}.{last_day}"
                ),
                link=reverse("datacollection:collection_fill", args=[collection.pk]),
                event_key=f"deadline_near:{collection.pk}:{deadline:%Y%m%d%H%M}:{days}",
                organizations=organization_ids,
                at=now,
            )
    return created
