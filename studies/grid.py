"""The coordinator's readiness grid: one row per organization in scope, one column per
checklist item and per form of the study; filters, counts per column, the .xlsx and the rule
«who is behind on an item» that reminders use. Rows come from `readiness`, so the grid and the
school's own checklist cannot disagree."""

import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.template.loader import get_template
from django.utils import timezone
from django.utils.safestring import mark_safe
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
    column_sets,
    read_facts,
    rows_of,
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
    `total` counts those in scope, `scope` is their queryset (region and municipality applied,
    not the «отстает»/item filters)."""

    columns: list[Column]
    rows: list[OrganizationReadiness]
    total: int
    shown: list[int] = field(default_factory=list)
    page: Page | None = None
    scope: QuerySet | None = None


def grid_organizations(user: User, study: Study, *, region: Region | None) -> QuerySet:
    organizations = organizations_visible_to(user) & participating_organizations(study)
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
    builds the rows of that page only. The filters and the counts per column come from id
    sets of the whole scope (`column_sets`: one query of ids per kind of event), the dated
    rows from the facts of the organizations shown only (`read_facts`, `rows_of`, as
    `readiness` builds them): a fixed number of queries for a municipality or a whole
    country."""
    organizations = grid_organizations(user, study, region=region)
    if municipality_id:
        organizations = organizations.filter(municipality_id=municipality_id)
    settings = checklist_settings(study)
    collections = study_collections(study)
    columns = [Column(i.key, i.short, item=i) for i in applicable_items(settings)] + [
        Column(f"form-{c.pk}", c.form.title, collection=c) for c in collections
    ]
    deadlines = stage_deadlines(study)
    sets = column_sets(
        study, organizations, settings=settings, collections=collections, deadlines=deadlines
    )
    shown = sets.ids
    if behind_only:
        behind = sets.behind_on_anything()
        shown = [pk for pk in shown if pk in behind]
    if item in sets.done:
        shown = [pk for pk in shown if pk not in sets.done[item]]
    shown_set = set(shown)
    for column in columns:
        column.done = len(sets.done[column.key] & shown_set)
        column.behind = len(sets.behind[column.key] & shown_set)
    shown_page, ids = None, shown
    if page is not None:
        shown_page = Paginator(shown, PAGE_SIZE).get_page(page)
        ids = list(shown_page.object_list)
    facts = read_facts(
        study, settings, collections, ids, extended=sets.extended, db=organizations.db
    )
    rows = rows_of(
        sets.organizations(ids),
        facts,
        settings=settings,
        collections=collections,
        deadlines=deadlines,
        today=timezone.localdate(),
    )
    return Grid(columns, rows, len(sets.ids), shown=shown, page=shown_page, scope=organizations)


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
    # Other apps' columns count in their summaries when the caller asked for them.
    summaries = [column.summary for column in shares]
    sheet.append(
        [
            "Выполнено",
            "",
            *[column.done for column in grid.columns],
            *[summary.done if summary else "" for summary in summaries],
        ]
    )
    sheet.append(
        [
            "Просрочено",
            "",
            *[column.behind for column in grid.columns],
            *[summary.behind if summary else "" for summary in summaries],
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def share_label(cell) -> str:
    return f"{cell.done} / {cell.total} ({cell.percent} %)" if cell.total else "—"


class GridCell(NamedTuple):
    """What a cell shows, worked out here so the cell's template only prints values: the mark,
    the day it was done (дд.мм), the label for screen readers. Equal cells render alike, so a
    page renders each distinct cell once (`page_rows`). A named tuple: a page makes ~750 of
    them and looks each up by value (a frozen dataclass cost ~4 µs a cell in both)."""

    label: str
    css: str
    day: str = ""

    @property
    def mark(self) -> str:
        return CELL_MARKS[self.css]


CELL_MARKS = {"done": "✓", "overdue": "!", "na": "", "pending": "—"}


def _done_cell(label: str, moment: datetime | None) -> GridCell:
    return GridCell(label, "done", msk_day_month(moment) if moment else "")


# The cells that carry no day, made once (a page looks up ~750 cells).
NOT_APPLICABLE_CELL = GridCell("", "na")
OVERDUE_ITEM_CELL = GridCell("Просрочено", "overdue")
PENDING_ITEM_CELL = GridCell("Не выполнено", "pending")
OVERDUE_FORM_CELL = GridCell("Не сдано", "overdue")
PENDING_FORM_CELLS = {status: GridCell(label, "pending") for status, label in FORM_LABELS.items()}


def cell_for(row: OrganizationReadiness, column: Column) -> GridCell:
    if column.collection is not None:
        state = row.forms[column.collection.pk]
        if state.done:
            return _done_cell("Сдано", state.submitted_at)
        if state.behind:
            return OVERDUE_FORM_CELL
        return PENDING_FORM_CELLS.get(state.status) or GridCell("", "pending")
    state = row.items.get(column.key)
    if state is None:
        return NOT_APPLICABLE_CELL
    if state.status == DONE:
        return _done_cell("Выполнено", state.done_at)
    if state.status == OVERDUE:
        return OVERDUE_ITEM_CELL
    return PENDING_ITEM_CELL


CELL_TEMPLATE = "studies/partials/grid_cell.html"
SHARE_CELL_TEMPLATE = "studies/partials/grid_share_cell.html"


def page_rows(
    rows: list[OrganizationReadiness], columns: list[Column], share_groups=()
) -> list[tuple[Organization, str]]:
    """(organization, the HTML of its cells: the grid's columns, then other apps' columns of
    `share_groups`) for the rows shown on one page. A page of 50 × 15 cells holds few distinct
    ones (a mark, a day, a label), so each distinct cell is rendered once from its template and
    reused — looping over every cell in the page's template was most of the page's time."""
    grid_cell = _rendered_once(CELL_TEMPLATE)
    share_cell = _rendered_once(SHARE_CELL_TEMPLATE)
    shares = [column for group in share_groups for column in group.columns]
    page = []
    for row in rows:
        pk = row.organization.pk
        cells = [grid_cell(cell_for(row, column)) for column in columns]
        cells += [share_cell(column.cell(pk)) for column in shares]
        # Every piece is a rendered (escaped) template.
        page.append((row.organization, mark_safe("".join(cells))))  # noqa: S308
    return page


def _rendered_once(template_name: str):
    """cell → its rendered template, each distinct cell rendered once."""
    template = get_template(template_name)
    rendered: dict = {}

    def render(cell) -> str:
        html = rendered.get(cell)
        if html is None:
            html = rendered[cell] = template.render({"cell": cell}).strip()
        return html

    return render
