"""The coordinator's readiness grid: one row per organization in scope, one column per
checklist item and per form of the study; filters, counts per column, the .xlsx and the rule
«who is behind on an item» that reminders use. Rows come from `readiness`, so the grid and the
school's own checklist cannot disagree."""

import io
from dataclasses import dataclass, field
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from openpyxl import Workbook

from accounts.models import Organization, Region, User
from accounts.scoping import organizations_visible_to
from core.files import safe_text
from core.text import msk, msk_date, msk_day_month
from datacollection.models import Collection, Report, Study

from . import checklist
from .readiness import (
    DONE,
    OVERDUE,
    OrganizationReadiness,
    applicable_items,
    checklist_settings,
    done_flags,
    readiness,
    stage_deadlines,
    study_collections,
)
from .selectors import participating_organizations

FORM_LABELS = dict(Report.Status.choices)


@dataclass
class Column:
    key: str  # item key or «form-<collection id>»
    title: str
    item: checklist.Item | None = None
    collection: Collection | None = None
    done: int = 0
    behind: int = 0


PAGE_SIZE = 50  # rows × ~15 columns: a page stays a few hundred cells


@dataclass
class Grid:
    """`rows` are the readiness of one page of organizations (`page` numbers them), or of
    every organization that passed the filters when no page was asked (the .xlsx);
    `shown` are the ids of the organizations that passed the filters (in the rows' order),
    `total` counts those in scope."""

    columns: list[Column]
    rows: list[OrganizationReadiness]
    total: int
    shown: list[int] = field(default_factory=list)
    page: Page | None = None


def grid_organizations(user: User, study: Study, *, region: Region | None) -> QuerySet:
    organizations = organizations_visible_to(user).filter(
        pk__in=participating_organizations(study).values("pk")
    )
    if region is not None:
        organizations = organizations.filter(region=region)
    return organizations.order_by("login")


def build_grid(
    user: User,
    study: Study,
    *,
    region: Region | None = None,
    municipality_id: int | None = None,
    behind_only: bool = False,
    item: str = "",
    page: str | int | None = None,
) -> Grid:
    """`item` narrows the rows to organizations that have not done that column yet; `page`
    builds the rows of that page only. Filters and the counts per column come from one query
    of «done» flags for the whole scope (`done_flags`), the dated rows from `readiness` for the
    organizations shown: a fixed number of queries for a municipality or a whole country."""
    organizations = grid_organizations(user, study, region=region)
    if municipality_id:
        organizations = organizations.filter(municipality_id=municipality_id)
    settings = checklist_settings(study)
    collections = study_collections(study)
    columns = [Column(i.key, i.short, item=i) for i in applicable_items(settings)] + [
        Column(f"form-{c.pk}", c.form.title, collection=c) for c in collections
    ]
    deadlines = stage_deadlines(study)
    flags = done_flags(
        study, organizations, settings=settings, collections=collections, deadlines=deadlines
    )
    total = len(flags)
    if behind_only:
        flags = [row for row in flags if row.any_behind]
    if item and any(column.key == item for column in columns):
        flags = [row for row in flags if not row.done[item]]
    for column in columns:
        column.done = sum(1 for row in flags if row.done[column.key])
        column.behind = sum(1 for row in flags if row.behind[column.key])
    shown = [row.pk for row in flags]
    shown_page, rows_of = None, organizations
    if page is not None:
        shown_page = Paginator(shown, PAGE_SIZE).get_page(page)
        rows_of = Organization.objects.filter(pk__in=list(shown_page.object_list))
    elif len(shown) < total:
        rows_of = Organization.objects.filter(pk__in=shown)
    rows, _ = readiness(
        study,
        rows_of.order_by("login"),
        settings=settings,
        collections=collections,
        deadlines=deadlines,
    )
    return Grid(columns, rows, total, shown=shown, page=shown_page)


def cell_label(row: OrganizationReadiness, column: Column) -> str:
    if column.collection is not None:
        state = row.forms[column.collection.pk]
        label = FORM_LABELS.get(state.status, "")
        if state.behind:
            label = "Не сдано, срок истек"
        return f"{label} {msk(state.submitted_at)}".strip() if state.submitted_at else label
    state = row.items.get(column.key)
    if state is None:
        return ""
    if state.status == DONE:
        return f"Выполнено {msk_date(state.done_at)}" if state.done_at else "Выполнено"
    return "Просрочено" if state.status == OVERDUE else "Не выполнено"


def grid_workbook(grid: Grid, study: Study, share_groups=()) -> bytes:
    """`share_groups`: other apps' columns (studies.extensions) for the same rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Готовность ОО")
    sheet.append([safe_text(f"Готовность ОО: {study}")])
    shares = [column for group in share_groups for column in group.columns]
    sheet.append(
        [
            "Логин",
            "Организация",
            *[safe_text(c.title) for c in grid.columns],
            *[safe_text(f"{c.title}: заполнено / выдано") for c in shares],
        ]
    )
    for row in grid.rows:
        sheet.append(
            [
                row.organization.login,
                safe_text(row.organization.name),
                *[cell_label(row, column) for column in grid.columns],
                *[share_label(column.cell(row.organization.pk)) for column in shares],
            ]
        )
    sheet.append(["Выполнено", "", *[column.done for column in grid.columns]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def share_label(cell) -> str:
    return f"{cell.done} / {cell.total} ({cell.percent} %)" if cell.total else "—"


@dataclass
class GridCell:
    """What a cell shows, worked out here so the template of a page of 50 × 15 cells only
    prints values: the mark, the day it was done (дд.мм), the label for screen readers."""

    label: str
    css: str
    moment: datetime | None = None

    @property
    def mark(self) -> str:
        return CELL_MARKS[self.css]

    @property
    def day(self) -> str:
        return msk_day_month(self.moment) if self.moment else ""


CELL_MARKS = {"done": "✓", "overdue": "!", "na": "", "pending": "—"}


def cell_for(row: OrganizationReadiness, column: Column) -> GridCell:
    if column.collection is not None:
        state = row.forms[column.collection.pk]
        if state.done:
            return GridCell("Сдано", "done", state.submitted_at)
        if state.behind:
            return GridCell("Не сдано", "overdue")
        return GridCell(FORM_LABELS.get(state.status, ""), "pending")
    state = row.items.get(column.key)
    if state is None:
        return GridCell("", "na")
    if state.status == DONE:
        return GridCell("Выполнено", "done", state.done_at)
    if state.status == OVERDUE:
        return GridCell("Просрочено", "overdue")
    return GridCell("Не выполнено", "pending")


def page_rows(rows: list[OrganizationReadiness], columns: list[Column]) -> list[tuple]:
    """(organization, [GridCell per column]) for the rows shown on one page."""
    return [(row.organization, [cell_for(row, column) for column in columns]) for row in rows]
