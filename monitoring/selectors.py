"""Reads for monitoring. Everything starts from `participants(user, collection)`: the
organizations taking part in the collection that the user may see (`accounts.scoping`), each
with its report joined in and its status annotated by the one rule of
`datacollection.status` (the school's card reads the same rule in Python). The statistics,
the «Список участников», the reminder, the read-only data and the export all ask it, so they
cannot disagree about whom they count or how.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone

from accounts import permissions
from accounts.models import Organization, User
from accounts.scoping import organizations_visible_to, search_organizations
from core.text import msk, plural
from datacollection import status as participant_status
from datacollection.definitions import TableDefinition
from datacollection.models import Collection, Extension, Report, Submission
from datacollection.selectors import report_grid
from datacollection.validation import display_value

from .models import ExportJob

PAGE_SIZE = 50


# A participant's status is one of the report's own statuses (the same values and Russian
# labels as the organization's card), decided by `datacollection.status`.
Status = Report.Status

# Filters of the list; each number of the statistics links to one of them.
FILTERS = participant_status.FILTERS
COUNTED_FILTERS = ["not_started", "in_progress", "submitted", "late", "changes", "returned"]

# «Список участников» sorts by these columns only (the key is what the URL carries).
SORTS = {
    "login": ("login",),
    "name": ("name",),
    "region": ("region__code",),
    "municipality": ("municipality__name",),
    "status": ("status_order",),
    "started": ("report_started_at",),
    "submitted": ("report_submitted_at",),
    "saved": ("report_last_saved_at",),
}
DEFAULT_SORT = "login"


def collections_visible_to(user: User) -> QuerySet[Collection]:
    """Collections with at least one participant the user may see (every one for operators)."""
    collections = Collection.objects.select_related("form", "study")
    if permissions.may_see_all_regions(user):
        return collections
    if not permissions.may_monitor(user):
        return collections.none()
    return collections.filter(
        Exists(
            Collection.organizations.through.objects.filter(
                collection_id=OuterRef("pk"),
                organization_id__in=organizations_visible_to(user).values("pk"),
            )
        )
    )


def collection_for_user_or_404(user: User, pk: int) -> Collection:
    try:
        return collections_visible_to(user).get(pk=pk)
    except (Collection.DoesNotExist, ValueError, TypeError):
        raise Http404("Сбор данных не найден") from None


def participants(user: User, collection: Collection) -> QuerySet[Organization]:
    """The participants the user may see, with the report's dates and the statuses above."""
    report = "collection_report"
    return (
        organizations_visible_to(user)
        .filter(collections=collection)
        .annotate(
            collection_report=FilteredRelation(
                "reports", condition=Q(reports__collection=collection)
            )
        )
        .annotate(
            report_pk=F(f"{report}__pk"),
            report_status=F(f"{report}__status"),
            report_started_at=F(f"{report}__started_at"),
            report_submitted_at=F(f"{report}__submitted_at"),
            report_last_saved_at=F(f"{report}__last_saved_at"),
            report_returned_at=F(f"{report}__returned_at"),
            report_returned_comment=F(f"{report}__returned_comment"),
            **participant_status.status_annotations(report, collection),
        )
    )


def participant_for_user_or_404(user: User, collection: Collection, pk: int) -> Organization:
    try:
        return participants(user, collection).select_related("region", "municipality").get(pk=pk)
    except (Organization.DoesNotExist, ValueError, TypeError):
        raise Http404("Организация не найдена") from None


def status_label(organization: Organization) -> str:
    return Status(organization.participation_status).label


# ---------------------------------------------------------------- statistics


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


# ---------------------------------------------------------------- «Список участников»


def participant_page(
    user: User,
    collection: Collection,
    *,
    status: str = "",
    region: int | None = None,
    municipality: int | None = None,
    q: str = "",
    sort: str = DEFAULT_SORT,
    page: Any = 1,
) -> Page:
    """One page of the list (2 queries: the count and the page). The report is a join, not a
    subquery, so the last page costs the database a scan of the filtered participants and
    nothing per organization."""
    organizations = participants(user, collection).select_related("region", "municipality")
    if status in FILTERS:
        organizations = organizations.filter(FILTERS[status][1])
    if region:
        organizations = organizations.filter(region_id=region)
    if municipality:
        organizations = organizations.filter(municipality_id=municipality)
    if q:
        organizations = search_organizations(organizations, q)
    descending = sort.startswith("-")
    fields = SORTS.get(sort.lstrip("-"), SORTS[DEFAULT_SORT])
    ordering = [
        F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True)
        for name in fields
    ]
    organizations = organizations.order_by(*ordering, "login")
    return Paginator(organizations, PAGE_SIZE).get_page(page)


def reminder_recipients(
    user: User, collection: Collection, *, target: str
) -> QuerySet[Organization]:
    """Whom «Напомнить» writes to: the participants that have not started, or that have not
    submitted (not started, in progress or returned)."""
    return (
        participants(user, collection)
        .filter(FILTERS[target][1])
        .annotate(
            extension_until=Subquery(
                Extension.objects.filter(collection=collection, organization=OuterRef("pk")).values(
                    "until"
                )[:1]
            )
        )
        .order_by("login")
    )


# ---------------------------------------------------------------- read-only data


@dataclass
class ReadOnlyTable:
    title: str
    row_header: str
    headers: list[str]
    rows: list[tuple[str, list[str]]]


def snapshot_tables(definitions: list[TableDefinition], snapshot: dict) -> list[ReadOnlyTable]:
    """A transferred snapshot laid out by the form definition: headers as in the form, values
    as the table page shows them."""
    by_key = {table["key"]: table for table in snapshot.get("tables", [])}
    tables = []
    for definition in definitions:
        data = by_key.get(definition.table.key, {"rows": []})
        rows = [
            (
                row.get("label", ""),
                [
                    display_value(column, str(row.get("values", {}).get(column.key, "")))
                    for column in definition.columns
                ],
            )
            for row in data["rows"]
        ]
        tables.append(_table(definition, rows))
    return tables


def current_tables(report: Report, definitions: list[TableDefinition]) -> list[ReadOnlyTable]:
    """The values as they are now, submitted or not (2 queries)."""
    return [
        _table(
            grid.definition,
            [
                (
                    row.label,
                    [cell.value for cell in row.cells],
                )
                for row in grid.rows
            ],
        )
        for grid in report_grid(report, definitions)
    ]


def _table(definition: TableDefinition, rows) -> ReadOnlyTable:
    return ReadOnlyTable(
        title=definition.table.title,
        row_header=definition.table.row_header,
        headers=[column.title for column in definition.columns],
        rows=rows,
    )


def report_of(collection: Collection, organization: Organization) -> Report | None:
    return Report.objects.filter(collection=collection, organization=organization).first()


def submissions_of(report: Report | None) -> list[Submission]:
    if report is None:
        return []
    return list(
        Submission.objects.filter(report=report)
        .order_by("-submitted_at", "-pk")
        .only("pk", "submitted_at", "report_id")
    )


# ---------------------------------------------------------------- chart


@dataclass
class ChartBar:
    day: date
    label: str
    count: int
    x: float
    y: float
    width: float
    height: float
    after_deadline: bool


@dataclass
class DailyChart:
    bars: list[ChartBar]
    width: int
    height: int
    baseline: float
    max_count: int
    deadline_x: float | None
    axis_labels: list[tuple[float, str]]
    total: int


CHART_MAX_DAYS = 60


def daily_chart(
    per_day: dict[date, int], collection: Collection, *, today: date | None = None
) -> DailyChart:
    """Geometry of a small bar chart, one bar per Moscow day from the opening to the deadline
    (or today, or the last late transfer), drawn as SVG by the template: no script, no CDN."""
    today = today or timezone.localdate()
    first = timezone.localtime(collection.opens_at).date()
    deadline = timezone.localtime(collection.closes_at).date()
    last = max([deadline, *per_day.keys()]) if per_day else deadline
    if (last - first).days >= CHART_MAX_DAYS:
        first = last - timedelta(days=CHART_MAX_DAYS - 1)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    width, height, top, bottom, left = 640, 160, 10, 24, 28
    plot_height = height - top - bottom
    max_count = max(per_day.values(), default=0) or 1
    step = (width - left) / max(len(days), 1)
    bars = []
    for index, day in enumerate(days):
        count = per_day.get(day, 0)
        bar_height = plot_height * count / max_count
        bars.append(
            ChartBar(
                day=day,
                label=f"{day:%d.%m.%Y}",
                count=count,
                x=round(left + index * step + step * 0.15, 1),
                y=round(top + plot_height - bar_height, 1),
                width=round(step * 0.7, 1),
                height=round(bar_height, 1),
                after_deadline=day > deadline,
            )
        )
    deadline_x = None
    if first <= deadline <= last:
        deadline_x = round(left + ((deadline - first).days + 1) * step, 1)
    every = max(1, len(days) // 6)
    axis_labels = [
        (round(left + index * step + step / 2, 1), f"{day:%d.%m}")
        for index, day in enumerate(days)
        if index % every == 0
    ]
    return DailyChart(
        bars=bars,
        width=width,
        height=height,
        baseline=top + plot_height,
        max_count=max(per_day.values(), default=0),
        deadline_x=deadline_x,
        axis_labels=axis_labels,
        total=sum(per_day.values()),
    )


# ---------------------------------------------------------------- exports


def export_jobs_visible_to(user: User) -> QuerySet[ExportJob]:
    """Only the requester sees an export (it holds the data of its scope); operators see all."""
    jobs = ExportJob.objects.select_related("collection__form", "collection__study", "requester")
    if not permissions.may_monitor(user):
        return jobs.none()
    if permissions.may_see_all_regions(user):
        return jobs
    return jobs.filter(requester=user)


def export_job_for_user_or_404(user: User, pk: int) -> ExportJob:
    try:
        return export_jobs_visible_to(user).get(pk=pk)
    except (ExportJob.DoesNotExist, ValueError, TypeError):
        raise Http404("Экспорт не найден") from None


def recent_exports(user: User, collection: Collection, *, limit: int = 5) -> list[ExportJob]:
    return list(export_jobs_visible_to(user).filter(collection=collection, requester=user)[:limit])


def scope_description(user: User) -> str:
    return user.scope_label


@dataclass
class ExportRecord:
    """One organization of an export: its summary row and the snapshot it transferred."""

    region: str
    municipality: str
    login: str
    name: str
    status: str
    started_at: datetime | None
    submitted_at: datetime | None
    last_saved_at: datetime | None
    is_late: bool
    has_changes: bool
    snapshot: dict | None


def export_participants(user: User, collection: Collection) -> QuerySet[Organization]:
    """The organizations of an export in file order, each with its last transfer's id."""
    last_submission = (
        Submission.objects.filter(report_id=OuterRef("report_pk"))
        .order_by("-submitted_at", "-pk")
        .values("pk")[:1]
    )
    return (
        participants(user, collection)
        .annotate(last_submission_id=Subquery(last_submission))
        .values(
            "pk",
            "region__code",
            "region__name",
            "municipality__name",
            "login",
            "name",
            "participation_status",
            "report_started_at",
            "report_submitted_at",
            "report_last_saved_at",
            "is_late",
            "has_changes",
            "last_submission_id",
        )
        .order_by("region__code", "municipality__name", "login")
    )


def export_records(user: User, collection: Collection, *, chunk_size: int = 200):
    """Every organization of the export with its last snapshot, streamed: the organizations
    come from one cursor read in chunks, and the snapshots of each chunk in one query, so no
    more than `chunk_size` snapshots are in memory at a time."""
    batch: list[dict] = []
    for row in export_participants(user, collection).iterator(chunk_size=chunk_size):
        batch.append(row)
        if len(batch) >= chunk_size:
            yield from _records_of(batch)
            batch = []
    if batch:
        yield from _records_of(batch)


def _records_of(batch: list[dict]):
    ids = [row["last_submission_id"] for row in batch if row["last_submission_id"]]
    snapshots = dict(Submission.objects.filter(pk__in=ids).values_list("pk", "data")) if ids else {}
    for row in batch:
        yield ExportRecord(
            region=f"{row['region__code']} — {row['region__name']}",
            municipality=row["municipality__name"],
            login=row["login"],
            name=row["name"],
            status=Status(row["participation_status"]).label,
            started_at=row["report_started_at"],
            submitted_at=row["report_submitted_at"],
            last_saved_at=row["report_last_saved_at"],
            is_late=bool(row["is_late"]),
            has_changes=bool(row["has_changes"]),
            snapshot=snapshots.pop(row["last_submission_id"], None),
        )


def number(value: int) -> str:
    """1 200: digits grouped by a no-break space, as Russian texts write them."""
    return f"{value:,}".replace(",", "\u00a0")


def prepared_message(done: int, total: int) -> str:
    """«Подготовлено 1 200 из 2 500 организаций»."""
    return (
        f"Подготовлено {number(done)} из {number(total)} "
        f"{plural(total, 'организации', 'организаций', 'организаций')}"
    )


STALLED_MESSAGE = (
    "Экспорт прерван: обработчик фоновых задач давно не сообщал о ходе работы. "
    "Запустите экспорт повторно."
)


def export_messages(job: ExportJob) -> list[tuple[str, str]]:
    """The messages the export page shows, oldest first, as (kind, text)."""
    messages = [("info", "Экспорт поставлен в очередь")]
    if job.status != ExportJob.Status.QUEUED:
        messages.append(("info", prepared_message(job.progress_done, job.progress_total)))
    if job.status == ExportJob.Status.DONE:
        messages.append(("success", "Отчет готов"))
    elif job.status == ExportJob.Status.FAILED:
        messages.append(("error", f"Экспорт не выполнен: {job.error}"))
    elif job.is_stalled():
        messages.append(("error", STALLED_MESSAGE))
    return messages


def export_file_name(job: ExportJob) -> str:
    """«Результаты — Форма сбора результатов — Ленинградская область — 21.11.2026.xlsx»."""
    created = timezone.localtime(job.created_at)
    title = job.collection.form.title
    name = f"Результаты — {title} — {job.scope_description} — {created:%d.%m.%Y}.xlsx"
    return "".join(ch for ch in name if ch not in '\\/:*?"<>|')


def deadline_label(collection: Collection, until: datetime | None) -> str:
    return msk(max(collection.closes_at, until) if until else collection.closes_at)
