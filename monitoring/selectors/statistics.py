"""The numbers of monitoring: counts per collection, per municipality and region, per day.
Every count is a conditional aggregate over `participants`, one query each."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import (
    Count,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import User
from datacollection.models import Collection, Submission

from .participants import COUNTED_FILTERS, FILTERS, participants


@dataclass
class Counts:
    total: int = 0
    not_started: int = 0
    in_progress: int = 0
    submitted: int = 0
    late: int = 0
    changes: int = 0
    returned: int = 0

    def add(self, other: "Counts") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class BreakdownRow:
    label: str
    counts: Counts
    region_id: int | None = None
    municipality_id: int | None = None

    @property
    def query(self) -> str:
        """The list's filter for this row (each number links to the filtered list)."""
        if self.municipality_id:
            return f"municipality={self.municipality_id}"
        if self.region_id:
            return f"region={self.region_id}"
        return ""


@dataclass
class Statistics:
    totals: Counts
    by_municipality: list[BreakdownRow] = field(default_factory=list)
    by_region: list[BreakdownRow] = field(default_factory=list)

    @property
    def total_row(self) -> BreakdownRow:
        return BreakdownRow("Итого", self.totals)


def _count_aggregates() -> dict[str, Count]:
    aggregates = {"total": Count("pk")}
    for name in COUNTED_FILTERS:
        aggregates[name] = Count("pk", filter=FILTERS[name][1])
    return aggregates


def collection_counts(user: User, collection: Collection) -> Counts:
    """The four numbers and the flags for one collection (1 query)."""
    return Counts(**participants(user, collection).aggregate(**_count_aggregates()))


def collection_statistics(user: User, collection: Collection) -> Statistics:
    """Counts by municipality (and by region for operators) and in total, in one query: the
    participants grouped by municipality with conditional counts; regions and the total are sums
    of those rows."""
    rows = (
        participants(user, collection)
        .values(
            "region_id", "region__code", "region__name", "municipality_id", "municipality__name"
        )
        .annotate(**_count_aggregates())
        .order_by("region__code", "municipality__name")
    )
    statistics = Statistics(totals=Counts())
    regions: dict[int, BreakdownRow] = {}
    for row in rows:
        counts = Counts(**{name: row[name] for name in Counts.__dataclass_fields__})
        statistics.by_municipality.append(
            BreakdownRow(
                row["municipality__name"], counts, row["region_id"], row["municipality_id"]
            )
        )
        region = regions.setdefault(
            row["region_id"],
            BreakdownRow(
                f"{row['region__code']} — {row['region__name']}", Counts(), row["region_id"]
            ),
        )
        region.counts.add(counts)
        statistics.totals.add(counts)
    statistics.by_region = list(regions.values())
    return statistics


def submissions_per_day(user: User, collection: Collection) -> dict[date, int]:
    """How many transfers to ФИС ОКО happened each Moscow day (1 query)."""
    rows = (
        Submission.objects.filter(
            report__collection=collection,
            report__organization__in=participants(user, collection).values("pk"),
        )
        .annotate(day=TruncDate("submitted_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(count=Count("pk"))
        .order_by("day")
    )
    return {row["day"]: row["count"] for row in rows}
