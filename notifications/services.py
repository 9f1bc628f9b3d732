"""Writes of notifications: `notify` (called by other apps' services and by the scheduler's
sources), marking as read, the user's preferences, and sending the queued e-mails.

`notify` writes the in-cabinet notices and the e-mail rows in the caller's transaction; the
e-mails go out from the task queue after commit (`transaction.on_commit`), so a rolled-back
write never mails anyone. Both kinds of rows are inserted with ON CONFLICT DO NOTHING against a
unique (event, recipient) key: calling `notify` twice for one event changes nothing.
"""

import uuid
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from itertools import islice

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts import audit
from accounts.models import Organization, User
from core.errors import ServiceError
from core.text import absolute_url

from .models import EmailDelivery, Kind, Notification, Preference, is_essential

CHUNK = 2000
SEND_BATCH = 200
# A row «Отправляется» longer than this belonged to a worker that died: it is sent again.
STALE_CLAIM = timedelta(minutes=15)
NO_ADDRESS = "Не указан адрес электронной почты."
UNKNOWN_KIND = "Неизвестный вид уведомления."


def _chunks(items: Iterable, size: int = CHUNK) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _organization_ids(organizations) -> Iterator[int]:
    if organizations is None:
        return iter(())
    if isinstance(organizations, QuerySet):
        return organizations.values_list("pk", flat=True).order_by().iterator(chunk_size=CHUNK)
    return (org if isinstance(org, int) else org.pk for org in organizations)


def _opt_outs(kind: str) -> tuple[set[int], set[int]]:
    """Users who switched this kind off in the cabinet, and by e-mail (the few who did)."""
    rows = Preference.objects.filter(kind=kind).filter(Q(in_cabinet=False) | Q(by_email=False))
    no_cabinet, no_email = set(), set()
    for user_id, in_cabinet, by_email in rows.values_list("user_id", "in_cabinet", "by_email"):
        if not in_cabinet and not is_essential(kind):
            no_cabinet.add(user_id)
        if not by_email:
            no_email.add(user_id)
    return no_cabinet, no_email


def _delivery(
    *, event_key, recipient_key, kind, text, link, address, subject, **who
) -> EmailDelivery:
    return EmailDelivery(
        event_key=event_key,
        subject=subject[:300],
        recipient_key=recipient_key,
        kind=kind,
        text=text,
        link=link,
        address=address,
        status=EmailDelivery.Status.PENDING if address else EmailDelivery.Status.FAILED,
        error="" if address else NO_ADDRESS,
        **who,
    )


@transaction.atomic
def notify(
    *,
    kind: str,
    text: str,
    link: str = "",
    event_key: str,
    organizations=None,
    users: Iterable[User] | None = None,
    subject: str = "",
    at: datetime | None = None,
) -> int:
    """Tell the users of `organizations` (a queryset, objects or ids) and `users` (coordinators,
    or one user of an organization) about one event. Each organization gets one e-mail to its
    address; each user named directly gets one to their own address (else their organization's).
    `subject` replaces the e-mail's default subject (the kind). Returns the number of in-cabinet
    notices created; repeated calls create none."""
    if kind not in Kind.values:
        raise ServiceError(UNKNOWN_KIND)
    at = at or timezone.now()
    no_cabinet, no_email = _opt_outs(kind)
    common = {"kind": kind, "text": text, "link": link, "event_key": event_key}
    created = 0
    queued = False
    already = Notification.objects.filter(event_key=event_key, recipient=OuterRef("pk"))
    for ids in _chunks(_organization_ids(organizations)):
        members: dict[int, list[int]] = {}
        fresh = (
            User.objects.filter(organization_id__in=ids, is_active=True)
            .exclude(Exists(already))
            .values_list("pk", "organization_id")
        )
        for user_id, organization_id in fresh:
            members.setdefault(organization_id, []).append(user_id)
        notices = [
            Notification(recipient_id=user_id, organization_id=org_id, created_at=at, **common)
            for org_id, user_ids in members.items()
            for user_id in user_ids
            if user_id not in no_cabinet
        ]
        Notification.objects.bulk_create(notices, ignore_conflicts=True)
        created += len(notices)
        mailed = set(
            EmailDelivery.objects.filter(
                event_key=event_key, recipient_key__in=[f"org:{pk}" for pk in ids]
            ).values_list("organization_id", flat=True)
        )
        everyone = _all_members(ids)
        deliveries = []
        for org_id, email in Organization.objects.filter(pk__in=ids).values_list("pk", "email"):
            if org_id in mailed:
                continue
            # The organization's mailbox is shared by its users: it is written to unless every
            # one of them has switched this kind's e-mail off.
            member_ids = everyone.get(org_id, [])
            if member_ids and all(user_id in no_email for user_id in member_ids):
                continue
            deliveries.append(
                _delivery(
                    recipient_key=f"org:{org_id}",
                    organization_id=org_id,
                    address=email,
                    subject=subject,
                    created_at=at,
                    **common,
                )
            )
        EmailDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        queued |= bool(deliveries)
    people = [user for user in users or () if user.is_active]
    if people:
        notified = set(
            Notification.objects.filter(event_key=event_key, recipient__in=people).values_list(
                "recipient_id", flat=True
            )
        )
        notices = [
            Notification(
                recipient=user, organization_id=user.organization_id, created_at=at, **common
            )
            for user in people
            if user.pk not in notified and user.pk not in no_cabinet
        ]
        Notification.objects.bulk_create(notices, ignore_conflicts=True)
        created += len(notices)
        mailed = set(
            EmailDelivery.objects.filter(
                event_key=event_key, recipient_key__in=[f"user:{user.pk}" for user in people]
            ).values_list("user_id", flat=True)
        )
        deliveries = [
            _delivery(
                recipient_key=f"user:{user.pk}",
                user=user,
                organization_id=user.organization_id,
                address=user.email or (user.organization.email if user.organization_id else ""),
                subject=subject,
                created_at=at,
                **common,
            )
            for user in people
            if user.pk not in mailed and user.pk not in no_email
        ]
        EmailDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
        queued |= bool(deliveries)
    if queued:
        transaction.on_commit(_enqueue_sending)
    return created


def _all_members(organization_ids: list[int]) -> dict[int, list[int]]:
    members: dict[int, list[int]] = {}
    rows = User.objects.filter(organization_id__in=organization_ids, is_active=True)
    for user_id, organization_id in rows.values_list("pk", "organization_id"):
        members.setdefault(organization_id, []).append(user_id)
    return members


def _enqueue_sending() -> None:
    from .tasks import send_queued_emails

    send_queued_emails.enqueue()


# ------------------------------------------------------------------ reading


def notification_mark_read(*, user: User, notification: Notification) -> Notification:
    """The caller has scoped `notification` to `user` (selectors.notification_for_user_or_404)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, recipient=user).update(
            read_at=notification.read_at
        )
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# ------------------------------------------------------------------ preferences


@transaction.atomic
def preferences_save(*, user: User, choices: dict[str, tuple[bool, bool]], request=None) -> None:
    """`choices`: kind → (in the cabinet, by e-mail). Essential kinds stay in the cabinet
    whatever is asked; only their e-mail can be switched off."""
    for kind in Kind.values:
        in_cabinet, by_email = choices.get(kind, (True, True))
        if is_essential(kind):
            in_cabinet = True
        if in_cabinet and by_email:
            Preference.objects.filter(user=user, kind=kind).delete()
        else:
            Preference.objects.update_or_create(
                user=user, kind=kind, defaults={"in_cabinet": in_cabinet, "by_email": by_email}
            )
    audit.record(
        actor=user,
        action="notifications.preferences_saved",
        organization=user.organization,
        target=f"user:{user.pk}",
        request=request,
        choices={kind: list(value) for kind, value in choices.items()},
    )


# ------------------------------------------------------------------ sending


def _claim(limit: int) -> list[EmailDelivery]:
    """Take up to `limit` queued rows for this worker. The conditional UPDATE is the lock: of
    two workers claiming one row, only one changes it (PostgreSQL and SQLite alike)."""
    now = timezone.now()
    waiting = Q(status=EmailDelivery.Status.PENDING) | Q(
        status=EmailDelivery.Status.SENDING, claimed_at__lt=now - STALE_CLAIM
    )
    ids = list(
        EmailDelivery.objects.filter(waiting).order_by("pk").values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return []
    claim = uuid.uuid4().hex
    EmailDelivery.objects.filter(waiting, pk__in=ids).update(
        status=EmailDelivery.Status.SENDING, claim=claim, claimed_at=now
    )
    return list(EmailDelivery.objects.filter(claim=claim).order_by("pk"))


def email_message(delivery: EmailDelivery) -> EmailMultiAlternatives:
    context = {
        "kind": delivery.get_kind_display(),
        "text": delivery.text,
        "url": absolute_url(delivery.link) if delivery.link else "",
        "settings_url": absolute_url(reverse("notifications:preferences")),
        "support_email": settings.SUPPORT_EMAIL,
    }
    message = EmailMultiAlternatives(
        subject=delivery.subject or f"{delivery.get_kind_display()} · ЛК ФИС ОКО · НИКО",
        body=render_to_string("notifications/email/notification.txt", context),
        to=[delivery.address],
    )
    message.attach_alternative(
        render_to_string("notifications/email/notification.html", context), "text/html"
    )
    return message


def send_queued_emails(*, batch: int = SEND_BATCH) -> int:
    """Send everything in the queue, `batch` rows at a time, recording each result. Returns the
    number sent. Several workers may run this at once: each row is claimed by one."""
    sent = 0
    connection = get_connection()
    while deliveries := _claim(batch):
        delivered, failed = [], []
        for delivery in deliveries:
            try:
                connection.send_messages([email_message(delivery)])
            except Exception as error:  # any mail failure is recorded, not raised
                delivery.status = EmailDelivery.Status.FAILED
                delivery.error = f"{type(error).__name__}: {error}"[:1000]
                failed.append(delivery)
            else:
                delivered.append(delivery.pk)
        # One UPDATE for the batch's successes; failures are few and each has its reason.
        EmailDelivery.objects.filter(pk__in=delivered).update(
            status=EmailDelivery.Status.SENT, sent_at=timezone.now()
        )
        EmailDelivery.objects.bulk_update(failed, ["status", "error"])
        sent += len(delivered)
    connection.close()
    return sent
