"""Reads of notifications: every read is the user's own rows (`recipient=user`), so a notice
of another user or organization is simply not there (404)."""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User

from .models import ESSENTIAL_KINDS, Kind, Notification, Preference

PAGE_SIZE = 30


def notifications_for(user: User) -> QuerySet[Notification]:
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user)


def notification_for_user_or_404(user: User, pk) -> Notification:
    try:
        return notifications_for(user).get(pk=pk)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise Http404("Уведомление не найдено") from None


def notification_page(user: User, page_number) -> Page:
    """Newest first: one query for the count, one for the page."""
    notices = notifications_for(user).order_by("-created_at", "-pk")
    return Paginator(notices, PAGE_SIZE).get_page(page_number)


def unread_count(user: User) -> int:
    """The bell's number: one query on the partial index of unread rows."""
    return notifications_for(user).filter(read_at__isnull=True).count()


def preferences_for(user: User) -> list[dict]:
    """Every kind with the user's choice; essential kinds are always in the cabinet."""
    stored = {
        kind: (in_cabinet, by_email)
        for kind, in_cabinet, by_email in Preference.objects.filter(user=user).values_list(
            "kind", "in_cabinet", "by_email"
        )
    }
    rows = []
    for kind in Kind:
        in_cabinet, by_email = stored.get(kind.value, (True, True))
        essential = kind in ESSENTIAL_KINDS
        rows.append(
            {
                "kind": kind.value,
                "label": kind.label,
                "essential": essential,
                "in_cabinet": in_cabinet or essential,
                "by_email": by_email,
            }
        )
    return rows
