"""Columns other apps add to the readiness grid (and to monitoring's «Список участников")
without studies importing them.

`settings.STUDIES_READINESS_COLUMNS` lists dotted paths of providers
`provider(study, organization_ids, *, summary_of=None) -> ColumnGroup | None`. A provider's
cells are for the organizations of the page being shown (never the whole scope), read in a
number of queries that does not depend on how many there are; `None` when it has nothing for
the study. The questionnaires (`surveys.readiness`) add their completion per organization
this way.

The readiness grid also asks for a summary (its row «Выполнено / просрочено»): `summary_of`
(`SummaryScope`) names the organizations the grid counts — every page, after its filters — and
the provider fills each column's `summary`, still in a fixed number of queries (`shown` can be
tens of thousands of ids: too many for `__in`, so filter by them with `core.sql.InIds`, one
parameter, or read the scope's queryset as a subquery).
Callers that need no summary (monitoring's list) pass nothing and get `summary = None`.

A group may offer «Напомнить» to the organizations below a share the coordinator chooses: the
page posts `column`, `below` (a percent of `rates`), `region`, `municipality` and `next` (where
to come back) to `remind_url`; the provider's own view and service decide who is reminded.
"""

from collections.abc import Collection as Ids
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet
from django.utils.module_loading import import_string

REMIND_RATES = (25, 50, 75, 100)


@dataclass(frozen=True)
class ShareCell:
    """`done` of `total` (completed of issued); no total — nothing to count yet."""

    done: int
    total: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.done / self.total) if self.total else None

    @property
    def css(self) -> str:
        """The grid's cell classes: all done, some missing, nothing issued."""
        if not self.total:
            return "na"
        return "done" if self.done >= self.total else "pending"


EMPTY = ShareCell(0, 0)


@dataclass(frozen=True)
class ShareSummary:
    """The summary row of a column: organizations that have done it, and those past its
    deadline without having done it."""

    done: int
    behind: int


@dataclass(frozen=True)
class SummaryScope:
    """The organizations a summary counts: `shown` (ids, any number) out of `organizations`
    (a queryset of the grid's scope, for reading them in one query)."""

    organizations: QuerySet
    shown: Ids[int]


@dataclass
class ShareColumn:
    key: str  # unique among all providers, e.g. «survey-12»
    title: str
    cells: dict[int, ShareCell] = field(default_factory=dict)  # organization id → cell
    summary: ShareSummary | None = None  # filled when the caller asked for one

    def cell(self, organization_id: int) -> ShareCell:
        return self.cells.get(organization_id, EMPTY)


@dataclass
class ColumnGroup:
    title: str  # heading over the columns, e.g. «Анкеты: заполнено»
    columns: list[ShareColumn]
    empty_label: str = "нет данных"  # what a cell without a total means
    remind_url: str = ""  # empty: no reminders from this group
    remind_help: str = ""
    rates: tuple[int, ...] = REMIND_RATES


def readiness_columns(
    study, organization_ids: Ids[int], *, summary_of: SummaryScope | None = None
) -> list[ColumnGroup]:
    """Every provider's group for these organizations (providers with nothing are left out),
    with each column's summary over `summary_of` when it is given."""
    groups = []
    for path in getattr(settings, "STUDIES_READINESS_COLUMNS", ()):
        group = import_string(path)(study, organization_ids, summary_of=summary_of)
        if group is not None and group.columns:
            groups.append(group)
    return groups


def cells_of(
    groups: list[ColumnGroup], organization_id: int
) -> list[tuple[ShareColumn, ShareCell]]:
    """One organization's (column, cell) of every group, in the order of the columns."""
    return [(column, column.cell(organization_id)) for group in groups for column in group.columns]
