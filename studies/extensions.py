"""Columns other apps add to the readiness grid (and to monitoring's «Список участников")
without studies importing them.

`settings.STUDIES_READINESS_COLUMNS` lists dotted paths of providers
`provider(study, organization_ids) -> ColumnGroup | None`. A provider answers for the
organizations of the page being shown (never the whole scope), in a number of queries that does
not depend on how many there are; `None` when it has nothing for the study. The questionnaires
(`surveys.readiness`) add their completion per organization this way.

A group may offer «Напомнить» to the organizations below a share the coordinator chooses: the
page posts `column`, `below` (a percent of `rates`), `region`, `municipality` and `next` (where
to come back) to `remind_url`; the provider's own view and service decide who is reminded.
"""

from collections.abc import Collection as Ids
from dataclasses import dataclass, field

from django.conf import settings
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


@dataclass
class ShareColumn:
    key: str  # unique among all providers, e.g. «survey-12»
    title: str
    cells: dict[int, ShareCell] = field(default_factory=dict)  # organization id → cell

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


def readiness_columns(study, organization_ids: Ids[int]) -> list[ColumnGroup]:
    """Every provider's group for these organizations (providers with nothing are left out)."""
    groups = []
    for path in getattr(settings, "STUDIES_READINESS_COLUMNS", ()):
        group = import_string(path)(study, organization_ids)
        if group is not None and group.columns:
            groups.append(group)
    return groups


def cells_of(
    groups: list[ColumnGroup], organization_id: int
) -> list[tuple[ShareColumn, ShareCell]]:
    """One organization's (column, cell) of every group, in the order of the columns."""
    return [(column, column.cell(organization_id)) for group in groups for column in group.columns]
