"""Pages of long lists whose later half is read from the other end."""

from django.core.paginator import Paginator
from django.db.models import QuerySet


class ReversiblePaginator(Paginator):
    """Django's paginator, except that a page past the middle of an ordered queryset is read
    with the ordering reversed and a short OFFSET, then turned back: the database sorts only
    the rows up to that page from the end, so the last page of 45,000 organizations costs what
    the first does instead of stepping over 44,950 sorted rows. The ordering must be total
    (end in a unique column) for both directions to give the same pages."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        if isinstance(rows, QuerySet) and rows.ordered and bottom > self.count // 2:
            from_end = list(rows.reverse()[self.count - top : self.count - bottom])
            return self._get_page(from_end[::-1], number, self)
        return self._get_page(rows[bottom:top], number, self)
