"""Autosave of the table page: one request, several cells, all or nothing, in few statements.

The path is built for the steady state of a school typing (issue 11): the definition comes from
the cache (`definitions.cached_form`, keyed by the form's version), ONE locking read finds the
report in the user's own scope together with its collection's window and the organization's
extension, and ONE write (a statement with CTEs on PostgreSQL) checks every cell's version and
row, writes the cells, moves the report's state and inserts the audit rows. The row totals are
computed from the values written and the row's other values read by that same statement.
Both statements are compiled once per process and run as prepared statements
(`core.sql.prepared_cursor`): parsing and planning them was half of PostgreSQL's time per
autosave, compiling the read most of the service's Python.

A request is all or nothing: when any cell is invalid, stale (changed elsewhere meanwhile) or in
a row that no longer exists, nothing is written and every cell gets its own answer, so a
«Сдать отчет» from another tab (which takes the same report lock) never snapshots half a paste.
The write step lives in `cell_writes`. SQLite has no data-modifying CTEs, so it takes the
portable path: the same decisions with ORM statements (more of them; both are pinned by
tests/test_datacollection_autosave_queries.py).
"""

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from django.db import transaction
from django.db.models import BigIntegerField, OuterRef, Subquery
from django.http import HttpRequest
from django.utils import timezone

from accounts import permissions
from accounts.models import User
from core.sql import Slot, SlotValue, Statement

from ..definitions import TableDefinition, cached_form
from ..errors import (
    NO_CELL_MESSAGE,
    CellConflictError,
    CellError,
    CollectionClosedError,
    DataCollectionError,
    WriteNotAllowedError,
)
from ..models import Collection, Column, Extension, Form, FormTable, Report
from ..validation import clean_value, computed_values, display_value
from .cell_writes import CellInput, PendingCell, has_totals, write_cells
from .editing import FILE_CELL_MESSAGE, CellSaved
from .writing import NO_ROW_MESSAGE

CONFLICT_MESSAGE = "Значение изменено в другой вкладке или другим пользователем."
NOT_SAVED_MESSAGE = (
    "Не сохранено: в этом же сохранении есть ошибка или конфликт в другой ячейке. "
    "Исправьте отмеченные ячейки — остальные сохранятся вместе с ними."
)


class ReportNotFoundForWriting(DataCollectionError):
    """No report with this id in the user's own organization (the view decides 404 or 403)."""

    def __init__(self):
        super().__init__("Отчет не найден")


@dataclass
class CellsSaved:
    results: list[dict]
    report: Report
    saved_at: datetime
    written: int = 0
    conflict: bool = False
    cells: list = field(default_factory=list)  # the decided cells, in request order


_MODELS = (Report, Collection, Form)  # the locking read's row: report, its collection, its form


def _fields(model) -> list:
    return list(model._meta.concrete_fields)


@cache
def _locking_read() -> Statement:
    """The locking read, compiled once per process (building and compiling the query was most
    of its cost in Python) and prepared by PostgreSQL on each pooled connection: the report's,
    its collection's and its form's columns and the organization's extension, FOR UPDATE OF
    the report only (locking the collection would queue every school behind one row)."""
    extension = Extension.objects.filter(
        collection=OuterRef("collection_id"), organization=OuterRef("organization_id")
    ).values("until")[:1]
    paths = ("", "collection__", "collection__form__")
    names = [
        path + field.name
        for path, model in zip(paths, _MODELS, strict=True)
        for field in _fields(model)
    ]
    return Statement(
        Report.objects.select_for_update(of=("self",))
        .annotate(extension_until=Subquery(extension))
        .filter(
            pk=SlotValue(Slot("report"), BigIntegerField()),
            organization_id=SlotValue(Slot("organization"), BigIntegerField()),
        )
        .values_list(*names, "extension_until"),
        prepared=True,
    )


def _instances(row: tuple, db: str) -> Report:
    """The report with its collection and form from one row of the locking read."""
    instances, at = [], 0
    for model in _MODELS:
        fields = _fields(model)
        values = row[at : at + len(fields)]
        instances.append(model.from_db(db, [field.attname for field in fields], values))
        at += len(fields)
    report, collection, form = instances
    collection.form = form
    collection.extension_until = row[at]
    report.collection = collection
    return report


def _locked_report(report_pk: int, user: User, at: datetime) -> Report:
    """The ONE locking read: the report (only the user's own organization's: scope), its
    collection and form version and the organization's extension, so the open window is
    decided without another query."""
    if not permissions.is_organization_user(user):
        raise ReportNotFoundForWriting()
    read = _locking_read()
    rows = read.rows(report=report_pk, organization=user.organization_id)
    if not rows:
        raise ReportNotFoundForWriting()
    report = _instances(rows[0], read.db)
    if not permissions.may_enter_data(user, report):
        raise WriteNotAllowedError()
    if not report.collection.is_open_for(None, at=at):
        raise CollectionClosedError()
    return report


def _resolve(cells: list[PendingCell], definitions: list[TableDefinition]) -> None:
    """Column, table and cleaned value of each cell, or its error (no query)."""
    tables = {definition.table.key: definition for definition in definitions}
    for cell in cells:
        definition = tables.get(cell.input.table)
        column = definition.columns_by_key.get(cell.input.column) if definition else None
        if column is None or column.is_computed:
            cell.status, cell.message = "error", NO_CELL_MESSAGE
            continue
        cell.column, cell.definition = column, definition
        if column.type == Column.Type.FILE:
            # Even an empty value: clearing a file cell here would orphan its file.
            cell.status, cell.message = "error", FILE_CELL_MESSAGE
            continue
        if not definition.table.is_dynamic and cell.input.row not in {
            row.key for row in definition.fixed_rows
        }:
            cell.status, cell.message = "error", NO_ROW_MESSAGE
            continue
        try:
            cell.stored = clean_value(column, cell.input.value)
        except CellError as error:
            cell.status, cell.message = "error", error.message


# ------------------------------------------------------------------ the service


def cells_save(
    *,
    report_pk: int,
    user: User,
    cells: list[CellInput],
    request: HttpRequest | None = None,
    at: datetime | None = None,
) -> CellsSaved:
    """Save the cells of one autosave request, all or nothing, under the report lock.

    Raises ReportNotFoundForWriting (not the user's own report), WriteNotAllowedError or
    CollectionClosedError; everything else is answered per cell: «saved» (with the row's
    totals), «conflict» (with the current value and version), «error» (with the reason) or
    «not_saved» (valid, but another cell of the request failed)."""
    at = at or timezone.now()
    pending = [PendingCell(number=n, input=cell) for n, cell in enumerate(cells)]
    # The same cell twice in one request: the last value counts, every copy gets its answer.
    last = {(c.input.table, c.input.row, c.input.column): c for c in pending}
    unique = list(last.values())
    with transaction.atomic():
        report = _locked_report(report_pk, user, at)
        form = report.collection.form
        _resolve(unique, cached_form(form.pk, form.version))
        rows: dict = {}
        if all(not cell.status for cell in unique):
            rows = write_cells(report, user, unique, at, request)
    answers = {id(cell): _answer(cell, rows) for cell in unique}
    results = [answers[id(last[(c.input.table, c.input.row, c.input.column)])] for c in pending]
    return CellsSaved(
        results=results,
        report=report,
        saved_at=at,
        written=sum(cell.status == "saved" for cell in unique),
        conflict=any(result["status"] == "conflict" for result in results),
        cells=[last[(c.input.table, c.input.row, c.input.column)] for c in pending],
    )


def _totals(cell: PendingCell, rows: dict) -> dict[str, str]:
    """The computed columns of the cell's row, from the values the write left in it."""
    if not has_totals(cell):
        return {}
    values = rows.get((cell.definition.table.pk, cell.input.row), {})
    return {
        key: display_value(cell.definition.columns_by_key[key], value)
        for key, value in computed_values(cell.definition.columns, values).items()
    }


def _answer(cell: PendingCell, rows: dict) -> dict:
    result = {"table": cell.input.table, "row": cell.input.row, "column": cell.input.column}
    if cell.status == "error":
        return {**result, "status": "error", "message": cell.message}
    unchanged = cell.read and cell.stored == cell.current_value
    if cell.status == "saved" or unchanged:
        # Unchanged: nothing to overwrite, even from a stale tab; the client gets this version.
        return {
            **result,
            "status": "saved",
            "value": display_value(cell.column, cell.stored),
            "version": cell.version if cell.status == "saved" else cell.current_version,
            "totals": _totals(cell, rows),
        }
    if cell.read and cell.input.version != cell.current_version:
        return {
            **result,
            "status": "conflict",
            "message": CONFLICT_MESSAGE,
            "value": display_value(cell.column, cell.current_value),
            "version": cell.current_version,
        }
    return {**result, "status": "not_saved", "message": NOT_SAVED_MESSAGE}


def cell_save(
    *,
    report: Report,
    user: User,
    table: FormTable,
    row: str,
    column: Column,
    value: object,
    base_version: int,
    request: HttpRequest | None = None,
    at: datetime | None = None,
) -> CellSaved:
    """One cell through the same path as the table page's autosave, with exceptions instead of
    per-cell answers: CellError for an invalid value, CellConflictError (carrying the current
    value) when the cell changed since `base_version`, DataCollectionError otherwise."""
    if table.form_id != report.collection.form_id or column.table_id != table.pk:
        raise DataCollectionError(NO_CELL_MESSAGE)
    if column.type == Column.Type.FILE:
        raise DataCollectionError(FILE_CELL_MESSAGE)
    stored = clean_value(column, value)
    if not permissions.may_enter_data(user, report):
        raise WriteNotAllowedError()
    try:
        saved = cells_save(
            report_pk=report.pk,
            user=user,
            cells=[CellInput(table.key, row, column.key, value, base_version)],
            request=request,
            at=at,
        )
    except ReportNotFoundForWriting:
        raise WriteNotAllowedError() from None
    [result] = saved.results
    if result["status"] == "conflict":
        [cell] = saved.cells
        raise CellConflictError(
            current_value=cell.current_value, current_version=cell.current_version
        )
    if result["status"] != "saved":
        raise DataCollectionError(result["message"])
    return CellSaved(stored, result["version"], saved.written > 0, saved.saved_at, saved.report)
