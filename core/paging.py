"""Pages of long lists whose later half is read from the other end."""

from collections.abc import Callable, Iterable

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property


class ReversiblePaginator(Paginator):
    """Django's paginator, except that a page past the middle of an ordered queryset is read
    with the ordering reversed and a short OFFSET, then turned back: the database sorts only
    the rows up to that page from the end, so the last page of 45,000 organizations costs what
    the first does instead of stepping over 44,950 sorted rows. The ordering must be total
    (end in a unique column) for both directions to give the same pages.

    Two options for lists whose rows are wide (joins, computed columns):
    - `counted`: a cheaper queryset with the same number of rows, counted instead of the
      ordered one (for example the rows of a link table, read from its index);
    - `rows`: `rows(ids)` reads the page's rows by primary key; the ordered queryset then gives
      only the page's ids, so the database sorts narrow rows and computes the wide columns for
      the page alone (one query more, the same number whatever the size of the list)."""

    def __init__(
        self,
        object_list,
        per_page,
        *,
        counted: QuerySet | None = None,
        rows: Callable[[list], Iterable] | None = None,
        **options,
    ):
        super().__init__(object_list, per_page, **options)
        self.counted = counted
        self.rows = rows

    @cached_property
    def count(self) -> int:
        if self.counted is not None:
            return self.counted.count()
        return super().count

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        if self.rows is not None:
            rows = rows.values_list("pk", flat=True)
        if isinstance(rows, QuerySet) and rows.ordered and bottom > self.count // 2:
            found = list(rows.reverse()[self.count - top : self.count - bottom])[::-1]
        else:
            found = rows[bottom:top]
        if self.rows is not None:
            by_pk = {row.pk: row for row in self.rows(list(found))}
            found = [by_pk[pk] for pk in found if pk in by_pk]
        return self._get_page(found, number, self)
