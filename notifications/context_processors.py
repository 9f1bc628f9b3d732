from functools import cache

from . import selectors


def bell(request):
    """`notifications_unread` for the bell in the header: one query, made only when a template
    shows it (pages of the cabinet), none for anonymous pages."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"notifications_unread": 0}
    return {"notifications_unread": cache(lambda: selectors.unread_count(user))}
