"""Case-insensitive search, one way everywhere: text is folded to lower case (Cyrillic too, on
SQLite as on PostgreSQL: see core.apps), a query is split into words, and a row matches when it
contains every word."""

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower


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


def filter_any_field(
    queryset: QuerySet, q: str, *fields: str, folded: tuple[str, ...] = ()
) -> QuerySet:
    """Rows where any of `fields` or `folded` contains the whole query, in any letter case.
    `folded` are fields stored in lower case by their own rule (a validator): compared as they
    are, without folding every row's value — and first, so that a row they match is not
    folded at all (folding 45,000 values costs the database more than reading them)."""
    q = fold((q or "").strip())
    if not q:
        return queryset
    aliases = {f"{field}_folded": Lower(field) for field in fields}
    condition = Q()
    for field in folded:
        condition |= Q(**{f"{field}__contains": q})
    for alias in aliases:
        condition |= Q(**{f"{alias}__contains": q})
    return queryset.alias(**aliases).filter(condition)
