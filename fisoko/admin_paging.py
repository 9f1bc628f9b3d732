"""Changelists of tables of millions of rows (participants' codes, the audit journal): Django's
admin counts every row of the table on each page, exactly (1.9 M codes: 65 ms, twice). Without
a filter or a search such a count says nothing the operator acts on, so PostgreSQL's own
estimate from the last ANALYZE stands in for it (the pagination says «около»); a filtered or
searched list, a small table, SQLite and a table never analyzed are counted exactly."""

from django.contrib.admin import ShowFacets
from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

# Below this many rows an exact count is cheap enough (a few milliseconds).
ESTIMATE_FROM = 100_000


def estimated_rows(queryset) -> int | None:
    """PostgreSQL's estimate of the rows of an unfiltered queryset's table; None when only an
    exact count tells (a filter, a search, DISTINCT, another database, never analyzed)."""
    query = queryset.query
    connection = connections[queryset.db]
    if connection.vendor != "postgresql" or query.has_filters() or query.distinct:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)",
            [connection.ops.quote_name(queryset.model._meta.db_table)],
        )
        row = cursor.fetchone()
    return row[0] if row and row[0] >= 0 else None


class EstimatedCountPaginator(Paginator):
    """A paginator whose count is the estimate for a large unfiltered table (`estimated`
    tells the template); the pages past the estimate's last are not offered."""

    estimated = False

    @cached_property
    def count(self):
        estimate = estimated_rows(self.object_list)
        if estimate is not None and estimate >= ESTIMATE_FROM:
            self.estimated = True
            return estimate
        return super().count


class EstimatedCountMixin:
    """For a ModelAdmin of a table of millions of rows: the estimated count unfiltered, no
    second exact count for «(N всего)» beside a filtered one, and no «Показать счётчики» (a
    count per filter choice over every row)."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = ShowFacets.NEVER
