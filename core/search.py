"""Case-insensitive search, one way everywhere: text is folded to lower case (Cyrillic too, on
SQLite as on PostgreSQL: see core.apps), a query is split into words, and a row matches when it
contains every word."""

from django.db.models import Q, QuerySet


def fold(text: str) -> str:
    """The form text is stored and compared in (the `search_text` columns)."""
    return text.lower()


def search_text(*parts: str) -> str:
    """A row's stored search text: its parts folded, one per line."""
    return fold("\n".join(parts))


def words(q: str) -> list[str]:
    return fold(q or "").split()


def filter_by_words(queryset: QuerySet, q: str, *, field: str = "search_text") -> QuerySet:
    """Rows whose folded `field` contains every word of the query."""
    for word in words(q):
        queryset = queryset.filter(**{f"{field}__contains": word})
    return queryset


def any_field_contains(q: str, *fields: str) -> Q | None:
    """The condition «any of `fields` contains the whole query, in any letter case» (None for
    an empty query). The fields are stored folded by their own rule (a constraint, a generated
    column: `fold` of the query is Python's lower case, theirs the database's LOWER, which
    core.apps makes Python's on SQLite), so they are compared as they are, without folding
    every row's value on each search (folding 45,000 values costs the database more than
    reading them). Put first the field most likely to match: a row it matches is not compared
    again."""
    q = fold((q or "").strip())
    if not q:
        return None
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__contains": q})
    return condition
