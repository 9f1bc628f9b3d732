"""Presentation of monitoring: labels, numbers and messages in Russian, the geometry of the
daily chart (drawn as SVG by the template), the read-only layout of a report's tables and the
export's file name. Nothing here reads the database: selectors hand the data over."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization, User
from core.jobs import INTERRUPTED_MESSAGE, STALLED_MESSAGE  # noqa: F401 (the page's texts)
from core.text import date_ru, msk, msk_date, msk_time, plural
from datacollection.definitions import TableDefinition
from datacollection.models import Collection, Report
from datacollection.receipts import receipt_number
from datacollection.validation import display_value

from .models import ExportJob

Status = Report.Status

# ---------------------------------------------------------------- labels and messages


def scope_description(user: User) -> str:
    return user.scope_label


def number(value: int) -> str:
    """1 200: digits grouped by a no-break space, as Russian texts write them."""
    return f"{value:,}".replace(",", "\u00a0")


def prepared_message(done: int, total: int) -> str:
    """«Подготовлено 1 200 из 2 500 организаций»."""
    return (
        f"Подготовлено {number(done)} из {number(total)} "
        f"{plural(total, 'организации', 'организаций', 'организаций')}"
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
    elif job.stopped_message:
        messages.append(("error", job.stopped_message))
    return messages


def export_file_name(job: ExportJob) -> str:
    """«Результаты — Форма сбора результатов — Ленинградская область — 21.11.2026.xlsx»."""
    created = timezone.localtime(job.created_at)
    title = job.collection.form.title
    name = f"Результаты — {title} — {job.scope_description} — {date_ru(created)}.xlsx"
    return "".join(ch for ch in name if ch not in '\\/:*?"<>|')


def deadline_label(collection: Collection, until: datetime | None) -> str:
    return msk(max(collection.closes_at, until) if until else collection.closes_at)


# ---------------------------------------------------------------- «Список участников»


class _Printed:
    """A presenter's value a template reads field by field, looked up by key: Django's
    template engine tries `value[name]` before `value.name`, and for a plain dataclass each
    try is an exception raised and caught."""

    def __getitem__(self, name: str):
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None


@dataclass(frozen=True)
class Badge(_Printed):
    label: str
    css: str


# The flags a participant's status carries, as badges (their order is the page's).
FLAG_BADGES = (
    ("is_late", Badge("с опозданием", "text-bg-warning")),
    ("has_changes", Badge("есть несданные изменения", "text-bg-light border")),
    ("is_returned", Badge("возвращено на доработку", "text-bg-danger")),
)


def status_badges(organization: Organization) -> list[Badge]:
    """The status of a participant (annotated by `selectors.participants`) and its flags."""
    status = organization.participation_status
    badges = [Badge(Status(status).label, f"status-badge status-{status}")]
    return badges + [badge for name, badge in FLAG_BADGES if getattr(organization, name)]


@dataclass
class Moment:
    date: str
    time: str


def _moment(value: datetime | None) -> Moment | None:
    return Moment(msk_date(value), msk_time(value)) if value else None


@dataclass
class ParticipantRow:
    """A row of the list, written as HTML by `participant_html.rows_html`."""

    pk: int
    login: str
    name: str
    region: str
    municipality: str
    badges: list[Badge]
    started: Moment | None
    submitted: Moment | None
    saved: Moment | None
    receipt: str  # the number of the latest «Квитанция о сдаче отчета», or ""
    data_url: str
    extension_url: str
    return_url: str  # "" unless the report can be returned (submitted)
    share: list  # (column, cell) of the columns other apps add (studies.extensions)


class _UrlPattern:
    """A URL reversed once with a placeholder organization id, filled in per row (50 rows, one
    `reverse` instead of 50), the list's query appended."""

    PLACEHOLDER = 987654321

    def __init__(self, name: str, collection_pk: int, back: str):
        url = reverse(name, args=[collection_pk, self.PLACEHOLDER])
        self.prefix, self.suffix = url.split(str(self.PLACEHOLDER))
        self.suffix += f"?{back}" if back else ""

    def __call__(self, pk: int) -> str:
        return f"{self.prefix}{pk}{self.suffix}"


def participant_rows(organizations, collection: Collection, back: str, share_of) -> list:
    """The rows of one page of the list, every text, date and link worked out here
    (`participant_html` writes them); `share_of(pk)` gives an organization's extra columns."""
    data_url = _UrlPattern("monitoring:participant_data", collection.pk, back)
    extension_url = _UrlPattern("monitoring:extension_grant", collection.pk, back)
    return_url = _UrlPattern("monitoring:report_return", collection.pk, back)
    return [
        ParticipantRow(
            pk=org.pk,
            login=org.login,
            name=org.name,
            region=org.region.name,
            municipality=org.municipality.name,
            badges=status_badges(org),
            started=_moment(org.report_started_at),
            submitted=_moment(org.report_submitted_at),
            saved=_moment(org.report_last_saved_at),
            receipt=receipt_number(org.receipt_pk) if org.receipt_pk else "",
            data_url=data_url(org.pk),
            extension_url=extension_url(org.pk),
            return_url=return_url(org.pk) if org.report_status == Status.SUBMITTED else "",
            share=share_of(org.pk),
        )
        for org in organizations
    ]


# ---------------------------------------------------------------- the breakdown table


@dataclass
class BreakdownCell:
    value: int
    url: str  # the «Список участников» filtered to these organizations; "" for a zero
    css: str  # the cell's classes
    link_css: str = ""


@dataclass
class BreakdownLine:
    label: str
    url: str  # a region's drill-down, or ""
    cells: list[BreakdownCell]


# (count, list filter, link classes, shown on phones)
BREAKDOWN_COLUMNS = (
    ("total", "", "", True),
    ("not_started", "not_started", "text-danger fw-semibold", True),
    ("in_progress", "in_progress", "", True),
    ("submitted", "submitted", "", True),
    ("late", "late", "", False),
    ("changes", "changes", "", False),
)


def breakdown_line(row, list_url: str, url: str = "") -> BreakdownLine:
    """A row of the breakdown with every link worked out here, so the template loops over
    plain values (89 regions or 20 municipalities, no include per row). Each number links to
    the list filtered to the row's organizations and that status; the total always links."""
    cells = []
    for name, status, link_css, on_phones in BREAKDOWN_COLUMNS:
        value = getattr(row.counts, name)
        query = "&".join(part for part in (row.query, f"status={status}" if status else "") if part)
        link = f"{list_url}?{query}" if query else list_url
        css = "text-end" if on_phones else "text-end d-none d-md-table-cell"
        cells.append(BreakdownCell(value, link if value or not status else "", css, link_css))
    return BreakdownLine(row.label, url, cells)


def breakdown_parts(statistics, list_url: str, drill_url=None) -> list[tuple[str, list]]:
    """The table's body and, with more than one row, its «Итого» foot, as (tag, lines):
    `drill_url(region_id)` links a region's label to its page."""
    body = [
        breakdown_line(row, list_url, drill_url(row.region_id) if drill_url else "")
        for row in statistics.rows
    ]
    parts = [("tbody", body)]
    if len(body) > 1:
        parts.append(("tfoot", [breakdown_line(statistics.total_row, list_url)]))
    return parts


# ---------------------------------------------------------------- read-only data


# A table with more columns than this (its row head included) prints on an A4 sheet turned
# landscape: upright, 186 mm leave under 2 cm a column.
PORTRAIT_COLUMNS = 9


@dataclass
class ReadOnlyTable:
    title: str
    row_header: str
    headers: list[str]
    rows: list[tuple[str, list[str]]]

    @property
    def prints_landscape(self) -> bool:
        return len(self.headers) + 1 > PORTRAIT_COLUMNS


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
        tables.append(read_only_table(definition, rows))
    return tables


def read_only_table(definition: TableDefinition, rows) -> ReadOnlyTable:
    return ReadOnlyTable(
        title=definition.table.title,
        row_header=definition.table.row_header,
        headers=[column.title for column in definition.columns],
        rows=rows,
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
                label=date_ru(day),
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
