"""Reads for data collection. Every report a user can reach goes through
`report_for_user_or_404`, built on `accounts.scoping`, so the table page, autosave and submit
cannot disagree about whose report it is."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from accounts import permissions
from accounts.models import Organization, User
from accounts.scoping import organizations_visible_to

from .definitions import TableDefinition, load_form
from .models import (
    Cell,
    CellFile,
    Collection,
    Column,
    Extension,
    Form,
    Report,
    ReportRow,
)
from .presenters import CollectionCard, collection_card, column_hint
from .validation import cell_anchor, computed_values, display_value


def reports_visible_to(user: User) -> QuerySet[Report]:
    return Report.objects.filter(organization__in=organizations_visible_to(user))


def report_for_user_or_404(user: User, pk: int) -> Report:
    try:
        return (
            reports_visible_to(user)
            .select_related("collection__form", "collection__study", "organization")
            .get(pk=pk)
        )
    except (Report.DoesNotExist, ValueError, TypeError):
        raise Http404("Отчет не найден") from None


def collections_for_organization(organization: Organization) -> QuerySet[Collection]:
    """The organization's collections with its extension and its report attached (3 queries)."""
    extension = Extension.objects.filter(
        collection=OuterRef("pk"), organization=organization
    ).values("until")[:1]
    return (
        Collection.objects.filter(organizations=organization)
        .select_related("form", "study")
        .annotate(extension_until=Subquery(extension))
        .prefetch_related(
            Prefetch(
                "reports",
                queryset=Report.objects.filter(organization=organization),
                to_attr="organization_reports",
            )
        )
        .order_by("opens_at", "pk")
    )


def collection_for_organization_or_404(organization: Organization | None, pk: int) -> Collection:
    if organization is None:
        raise Http404("Сбор данных не найден")
    try:
        return collections_for_organization(organization).get(pk=pk)
    except (Collection.DoesNotExist, ValueError, TypeError):
        raise Http404("Сбор данных не найден") from None


def collection_cards_for_user(user: User, *, at: datetime | None = None) -> list[CollectionCard]:
    """The «Сбор данных» block: one card per collection of the user's organization."""
    if not permissions.is_organization_user(user):
        return []
    at = at or timezone.now()
    organization = user.organization
    cards = []
    for collection in collections_for_organization(organization):
        reports = getattr(collection, "organization_reports", None)
        if reports is None:
            reports = list(collection.reports.filter(organization=organization))
        cards.append(
            collection_card(collection, organization, reports[0] if reports else None, at=at)
        )
    return cards


@dataclass
class GridCell:
    column: object
    anchor: str
    value: str  # as shown
    version: int
    computed: bool


@dataclass
class GridRow:
    key: str
    label: str
    number: int
    cells: list[GridCell]
    removable: bool


@dataclass
class GridTable:
    definition: TableDefinition
    rows: list[GridRow]
    can_add_row: bool

    @property
    def headers(self) -> list[tuple[Column, str]]:
        return [(column, column_hint(column)) for column in self.definition.columns]


def report_rows(report: Report, definitions: list[TableDefinition]) -> dict[int, list]:
    """(key, label) of every row of every table: fixed rows, or the rows the ОО added."""
    added: dict[int, list[str]] = {}
    for row in ReportRow.objects.filter(report=report).order_by("pk"):
        added.setdefault(row.table_id, []).append(row.key)
    rows = {}
    for definition in definitions:
        if definition.table.is_dynamic:
            keys = added.get(definition.table.pk, [])
            rows[definition.table.pk] = [
                (key, f"Строка {number}") for number, key in enumerate(keys, 1)
            ]
        else:
            rows[definition.table.pk] = [(row.key, row.label) for row in definition.fixed_rows]
    return rows


def report_cells(report: Report) -> dict[tuple[int, str, str], Cell]:
    return {
        (cell.table_id, cell.row_key, cell.column_key): cell
        for cell in Cell.objects.filter(report=report).only(
            "table_id", "row_key", "column_key", "value", "version"
        )
    }


def report_values(cells: dict[tuple[int, str, str], Cell]) -> dict[tuple[int, str], dict]:
    values: dict[tuple[int, str], dict] = {}
    for (table_id, row_key, column_key), cell in cells.items():
        values.setdefault((table_id, row_key), {})[column_key] = cell.value
    return values


def report_grid(report: Report, definitions: list[TableDefinition]) -> list[GridTable]:
    """The table page: every table with its rows and current cell values (2 queries)."""
    rows = report_rows(report, definitions)
    cells = report_cells(report)
    values = report_values(cells)
    grid = []
    for definition in definitions:
        table = definition.table
        grid_rows = []
        for number, (row_key, label) in enumerate(rows[table.pk], 1):
            row_values = values.get((table.pk, row_key), {})
            totals = computed_values(definition.columns, row_values)
            grid_cells = []
            for column in definition.columns:
                cell = cells.get((table.pk, row_key, column.key))
                if column.is_computed:
                    shown = display_value(column, totals[column.key])
                else:
                    shown = display_value(column, cell.value) if cell else ""
                grid_cells.append(
                    GridCell(
                        column=column,
                        anchor=cell_anchor(table.key, row_key, column.key),
                        value=shown,
                        version=cell.version if cell else 0,
                        computed=column.is_computed,
                    )
                )
            grid_rows.append(GridRow(row_key, label, number, grid_cells, table.is_dynamic))
        can_add = table.is_dynamic and len(grid_rows) < (table.max_rows or 0)
        grid.append(GridTable(definition, grid_rows, can_add))
    return grid


def form_columns(form: Form) -> dict[tuple[str, str], Column]:
    """(table key, column key) → Column with its table, for resolving autosave addresses."""
    return {
        (column.table.key, column.key): column
        for column in Column.objects.filter(table__form=form).select_related("table")
    }


@dataclass
class ReportContents:
    definitions: list[TableDefinition]
    rows: dict[int, list]  # table pk → (row key, label)
    values: dict[tuple[int, str], dict]  # (table pk, row key) → column key → stored value


def report_contents(report: Report) -> ReportContents:
    """Everything entered in a report, as stored: for the Excel template (6 queries)."""
    definitions = load_form(report.collection.form)
    return ReportContents(
        definitions=definitions,
        rows=report_rows(report, definitions),
        values=report_values(report_cells(report)),
    )


def cell_file_for_user_or_404(
    user: User, report_pk: int, table_key: str, row_key: str, column_key: str
) -> CellFile:
    """The file of a cell, for whoever may read the report: the organization, coordinators in
    scope, operators. Anything else is missing (404), like the report itself."""
    report = report_for_user_or_404(user, report_pk)
    try:
        return CellFile.objects.get(
            report=report, table__key=table_key, row_key=row_key, column_key=column_key
        )
    except CellFile.DoesNotExist:
        raise Http404("Файл не найден") from None
