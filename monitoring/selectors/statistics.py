"""The numbers of monitoring: counts per collection, per municipality and region, per day.
Every count is a conditional aggregate over `participants`, one query each.

A coordinator's numbers are counted on every request (a region's schools are read through their
indexes: a few ms). The operator's national numbers — per region, the totals and the transfers
per day, for 45,000 schools — are counted once and kept in the cache for
`MONITORING_NATIONAL_COUNTS_SECONDS` (30 s): a transfer, a return or new participants drop
them at once (`datacollection.status.counts_changed`), so only what typing changes («В работе»,
«есть несданные изменения») can lag, by at most that lifetime; the page says when it counted.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone

from accounts import permissions
from accounts.models import Region, User
from accounts.scoping import regions_visible_to
from datacollection.models import Collection, Submission
from datacollection.status import counts_cache_key

from .participants import (
    COUNTED_FILTERS,
    FILTERS,
    every_participant,
    participants,
    participations,
)


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
    sort_key: str = ""

    @property
    def query(self) -> str:
        """The list's filter for this row (each number links to the filtered list); the list
        offers a municipality only within a chosen region, so both are given."""
        if self.municipality_id:
            return f"region={self.region_id}&municipality={self.municipality_id}"
        if self.region_id:
            return f"region={self.region_id}"
        return ""


@dataclass
class Statistics:
    """`rows` are regions on the operator's national page, municipalities everywhere else
    (a coordinator's scope, or one region's drill-down): never thousands of rows."""

    totals: Counts
    rows: list[BreakdownRow] = field(default_factory=list)
    by_region: bool = False
    counted_at: datetime | None = None  # national numbers: when they were counted (cached)

    @property
    def total_row(self) -> BreakdownRow:
        return BreakdownRow("Итого", self.totals)


def _count_aggregates() -> dict[str, Count]:
    aggregates = {"total": Count("pk")}
    for name in COUNTED_FILTERS:
        aggregates[name] = Count("pk", filter=FILTERS[name][1])
    return aggregates


def collection_counts(user: User, collection: Collection) -> Counts:
    """The four numbers and the flags for one collection (1 query; none for an operator
    while the national numbers are cached)."""
    if permissions.may_see_all_regions(user):
        return national_numbers(collection).statistics.totals
    return Counts(**participants(user, collection).aggregate(**_count_aggregates()))


def counts_of_collections(user: User, collections) -> dict[int, Counts]:
    """`collection_counts` of every collection of «Мониторинг (все сборы)», by collection id,
    in 1 query grouped by collection (each row's own deadline decides «с опозданием»). An
    operator's are the national numbers (cached), as above."""
    collections = list(collections)
    if permissions.may_see_all_regions(user):
        return {
            collection.pk: national_numbers(collection).statistics.totals
            for collection in collections
        }
    counts = {collection.pk: Counts() for collection in collections}
    if not collections:
        return counts
    rows = (
        participations(user, collections)
        .values("collection_id")
        .annotate(**_count_aggregates())
        .order_by()
    )
    for row in rows:
        counts[row["collection_id"]] = Counts(
            **{name: row[name] for name in Counts.__dataclass_fields__}
        )
    return counts


def collection_statistics(
    user: User, collection: Collection, *, region: Region | None = None
) -> Statistics:
    """Counts per region (the operator's national page, cached) or per municipality (a
    coordinator's scope, or `region`'s drill-down), and the total."""
    if region is None and permissions.may_see_all_regions(user):
        return national_numbers(collection).statistics
    organizations = participants(user, collection)
    if region is not None:
        organizations = organizations.filter(region_id=region.pk)
    return _grouped(organizations, by_region=False)


def _grouped(organizations, *, by_region: bool) -> Statistics:
    """One query grouped by the region's or the municipality's id, the label carried along as
    an aggregate of the joined name (no sort of text keys; 89 or ~20 rows are sorted here).
    The total is the sum of the rows."""
    if by_region:
        rows = organizations.values("region_id").annotate(
            code=Max("region__code"), name=Max("region__name"), **_count_aggregates()
        )
    else:
        rows = organizations.values("municipality_id").annotate(
            region=Max("region_id"), name=Max("municipality__name"), **_count_aggregates()
        )
    statistics = Statistics(totals=Counts(), by_region=by_region)
    for row in rows.order_by():
        counts = Counts(**{name: row[name] for name in Counts.__dataclass_fields__})
        if by_region:
            item = BreakdownRow(
                f"{row['code']} — {row['name']}", counts, row["region_id"], sort_key=row["code"]
            )
        else:
            item = BreakdownRow(
                row["name"], counts, row["region"], row["municipality_id"], sort_key=row["name"]
            )
        statistics.rows.append(item)
        statistics.totals.add(counts)
    statistics.rows.sort(key=lambda item: item.sort_key)
    return statistics


@dataclass
class NationalNumbers:
    statistics: Statistics
    per_day: dict[date, int]


def national_numbers(collection: Collection) -> NationalNumbers:
    """Every participant's numbers per region and the transfers per day, from the cache or
    counted now (2 queries) and kept for `MONITORING_NATIONAL_COUNTS_SECONDS`."""
    key = counts_cache_key(collection)
    numbers = cache.get(key)
    if numbers is None:
        counted_at = timezone.now()
        statistics = _grouped(every_participant(collection), by_region=True)
        statistics.counted_at = counted_at
        numbers = NationalNumbers(statistics, _per_day(all_submissions(collection)))
        cache.set(key, numbers, settings.MONITORING_NATIONAL_COUNTS_SECONDS)
    return numbers


def region_for_user_or_404(user: User, pk: int) -> Region:
    """A region's drill-down: operators only (a coordinator's own page is already its
    region's or municipality's breakdown)."""
    permissions.require(permissions.may_see_all_regions(user), not_found="Регион не найден")
    try:
        return regions_visible_to(user).get(pk=pk)
    except (Region.DoesNotExist, ValueError, TypeError):
        raise Http404("Регион не найден") from None


def submissions_per_day(user: User, collection: Collection) -> dict[date, int]:
    """How many transfers to ФИС ОКО happened each Moscow day (1 query; the operator's are
    the national numbers, cached)."""
    if permissions.may_see_all_regions(user):
        return national_numbers(collection).per_day
    return _per_day(
        Submission.objects.filter(
            report__collection=collection,
            report__organization__in=participants(user, collection).values("pk"),
        )
    )


def all_submissions(collection: Collection):
    """Every transfer of the collection's participants (the operator sees every report of the
    collection, so no scope subquery)."""
    return Submission.objects.filter(
        report__collection=collection, report__organization__collections=collection
    )


def _per_day(submissions) -> dict[date, int]:
    rows = (
        submissions.annotate(day=TruncDate("submitted_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(count=Count("pk"))
        .order_by("day")
    )
    return {row["day"]: row["count"] for row in rows}
