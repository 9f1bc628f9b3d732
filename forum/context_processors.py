from functools import cache

from . import selectors


def unread_answers(request):
    """`forum_unread_answers` for the badge next to «Форум»: evaluated only when a template
    shows it (the section bar of cabinet pages), so the login page and other anonymous pages
    cost nothing; one query for a user of an organization, none for everyone else."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.organization_id:
        return {"forum_unread_answers": 0}
    # A callable: the template engine calls it on first use; cached for repeated use.
    return {"forum_unread_answers": cache(lambda: selectors.unread_answer_count(user))}
