"""Autosave of the table page: one request, several cells, all or nothing, in few statements.

The path is built for the steady state of a school typing (issue 11): the definition comes from
the cache (`definitions.cached_form`, keyed by the form's version), ONE locking read finds the
report in the user's own scope together with its collection's window and the organization's
extension, and ONE write (a statement with CTEs on PostgreSQL) checks every cell's version and
row, writes the cells, moves the report's state and inserts the audit rows. The row totals are
computed from the values written and the row's other values read by that same statement.

A request is all or nothing: when any cell is invalid, stale (changed elsewhere meanwhile) or in
a row that no longer exists, nothing is written and every cell gets its own answer, so a
«Сдать отчет» from another tab (which takes the same report lock) never snapshots half a paste.
SQLite has no data-modifying CTEs with RETURNING in every version Django supports, so it takes
the portable path: the same decisions with ORM statements (more of them; both are pinned by
tests/test_datacollection_autosave_queries.py).
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest
from django.utils import timezone

from accounts import permissions
from accounts.models import AuditEvent, User
from core.http import client_ip

from ..definitions import TableDefinition, cached_form
from ..errors import (
    NO_CELL_MESSAGE,
    CellConflictError,
    CellError,
    CollectionClosedError,
    DataCollectionError,
    WriteNotAllowedError,
)
from ..models import Cell, Column, Extension, FormTable, Report, ReportRow
from ..validation import clean_value, computed_values, display_value
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
class CellInput:
    table: str
    row: str
    column: str
    value: object
    version: int  # the version the client last saw (0: never saved)


@dataclass
class _Cell:
    """One requested cell on its way: resolved, cleaned, decided."""

    number: int
    input: CellInput
    column: Column | None = None
    definition: TableDefinition | None = None
    stored: str = ""
    status: str = ""  # saved / conflict / error / not_saved
    message: str = ""
    current_value: str = ""
    current_version: int = 0
    version: int = 0
    read: bool = False  # the write step has read its current value and version


@dataclass
class CellsSaved:
    results: list[dict]
    report: Report
    saved_at: datetime
    written: int = 0
    conflict: bool = False
    cells: list = field(default_factory=list)  # the decided cells, in request order


def _locked_report(report_pk: int, user: User, at: datetime) -> Report:
    """The ONE locking read: the report (only the user's own organization's: scope), its
    collection and form version (select_related) and the organization's extension (a
    subquery), so the open window is decided without another query."""
    if not permissions.is_organization_user(user):
        raise ReportNotFoundForWriting()
    extension = Extension.objects.filter(
        collection=OuterRef("collection_id"), organization=OuterRef("organization_id")
    ).values("until")[:1]
    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("collection__form")
        .annotate(extension_until=Subquery(extension))
        .filter(pk=report_pk, organization_id=user.organization_id)
        .first()
    )
    if report is None:
        raise ReportNotFoundForWriting()
    if not permissions.may_enter_data(user, report):
        raise WriteNotAllowedError()
    report.collection.extension_until = report.extension_until
    if not report.collection.is_open_for(None, at=at):
        raise CollectionClosedError()
    return report


def _resolve(cells: list[_Cell], definitions: list[TableDefinition]) -> None:
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


def _has_totals(cell: _Cell) -> bool:
    return any(column.is_computed for column in cell.definition.columns)


def _mark_changed(report: Report, at: datetime) -> None:
    """The report's state after a write, as `writing.mark_changed` and the SQL below set it."""
    if report.status == Report.Status.NOT_STARTED:
        report.status = Report.Status.IN_PROGRESS
        report.started_at = at
    elif report.status == Report.Status.SUBMITTED:
        report.has_unsubmitted_changes = True
    report.last_saved_at = at


# ------------------------------------------------------------------ PostgreSQL: one statement

_WRITE_SQL = """
WITH input (n, table_id, table_key, row_key, column_key, value, base_version, dynamic, totals)
AS (VALUES {values}),
state AS (
    SELECT i.*, c.value AS current_value, COALESCE(c.version, 0) AS current_version,
        (NOT i.dynamic OR EXISTS (
            SELECT 1 FROM {reportrow} rr
            WHERE rr.report_id = %(report)s AND rr.table_id = i.table_id AND rr.key = i.row_key
        )) AS row_exists
    FROM input i LEFT JOIN {cell} c
        ON c.report_id = %(report)s AND c.table_id = i.table_id
        AND c.row_key = i.row_key AND c.column_key = i.column_key
),
verdict AS (
    SELECT bool_and(row_exists AND (COALESCE(current_value, '') = value
                                    OR current_version = base_version)) AS ok
    FROM state
),
written AS (
    INSERT INTO {cell} (report_id, table_id, row_key, column_key, value, version, updated_at)
    SELECT %(report)s, s.table_id, s.row_key, s.column_key, s.value, s.current_version + 1,
        %(at)s
    FROM state s CROSS JOIN verdict v
    WHERE v.ok AND COALESCE(s.current_value, '') <> s.value
    ON CONFLICT (report_id, table_id, row_key, column_key) DO UPDATE
        SET value = EXCLUDED.value, version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
        WHERE {cell}.version = EXCLUDED.version - 1
    RETURNING table_id, row_key, column_key, value, version
),
report AS (
    UPDATE {report} SET
        status = CASE WHEN status = %(not_started)s THEN %(in_progress)s ELSE status END,
        started_at = CASE WHEN status = %(not_started)s THEN %(at)s ELSE started_at END,
        has_unsubmitted_changes = has_unsubmitted_changes OR status = %(submitted)s,
        last_saved_at = %(at)s
    WHERE id = %(report)s AND EXISTS (SELECT 1 FROM written)
    RETURNING id
),
audit AS (
    INSERT INTO {audit} (created_at, actor_id, organization_id, action, target, details,
                         ip_address)
    SELECT %(at)s, %(actor)s, %(organization)s, 'report.cell_saved',
        left('report:' || %(report)s || ' ' || s.table_key || '/' || w.row_key || '/'
             || w.column_key, 200),
        jsonb_build_object('old', COALESCE(s.current_value, ''), 'new', w.value,
                           'version', w.version),
        %(ip)s
    FROM written w JOIN state s
        ON s.table_id = w.table_id AND s.row_key = w.row_key AND s.column_key = w.column_key
    RETURNING id
)
SELECT 'cell', s.n, s.table_id, s.row_key, s.column_key, COALESCE(s.current_value, ''),
    s.current_version, s.row_exists, w.version
FROM state s LEFT JOIN written w
    ON w.table_id = s.table_id AND w.row_key = s.row_key AND w.column_key = s.column_key
UNION ALL
SELECT 'row', NULL, c.table_id, c.row_key, c.column_key, c.value, c.version, TRUE, NULL
FROM {cell} c
WHERE c.report_id = %(report)s
    AND (c.table_id, c.row_key) IN (SELECT table_id, row_key FROM input WHERE totals)
"""


def _write_postgresql(report, user, cells, at, request) -> dict:
    """One statement: check, write, mark the report, audit. Returns the row values (table id,
    row key) → {column key: value} after the write, for the totals."""
    values, params = [], {}
    for cell in cells:
        n = cell.number
        values.append(
            f"(%(n{n})s::int, %(t{n})s::bigint, %(tk{n})s::text, %(r{n})s::text, "
            f"%(c{n})s::text, %(v{n})s::text, %(b{n})s::int, %(d{n})s::bool, %(s{n})s::bool)"
        )
        params.update(
            {
                f"n{n}": n,
                f"t{n}": cell.definition.table.pk,
                f"tk{n}": cell.definition.table.key,
                f"r{n}": cell.input.row,
                f"c{n}": cell.column.key,
                f"v{n}": cell.stored,
                f"b{n}": cell.input.version,
                f"d{n}": cell.definition.table.is_dynamic,
                f"s{n}": _has_totals(cell),
            }
        )
    params.update(
        {
            "report": report.pk,
            "at": at,
            "actor": user.pk,
            "organization": report.organization_id,
            "ip": client_ip(request),
            "not_started": Report.Status.NOT_STARTED,
            "in_progress": Report.Status.IN_PROGRESS,
            "submitted": Report.Status.SUBMITTED,
        }
    )
    sql = _WRITE_SQL.format(
        values=", ".join(values),
        cell=Cell._meta.db_table,
        reportrow=ReportRow._meta.db_table,
        report=Report._meta.db_table,
        audit=AuditEvent._meta.db_table,
    )
    by_number = {cell.number: cell for cell in cells}
    rows: dict[tuple[int, str], dict[str, str]] = {}
    written: list[_Cell] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        answer = cursor.fetchall()
    for kind, n, table_id, row_key, column_key, value, version, row_exists, new in answer:
        if kind == "row":
            rows.setdefault((table_id, row_key), {}).setdefault(column_key, value)
            continue
        cell = by_number[n]
        cell.current_value, cell.current_version, cell.read = value, version, True
        if not row_exists:
            cell.status, cell.message = "error", NO_ROW_MESSAGE
        elif new is not None:
            cell.status, cell.version = "saved", new
            written.append(cell)
    for cell in written:  # the written values win over the row as it was read
        key = (cell.definition.table.pk, cell.input.row)
        rows.setdefault(key, {})[cell.column.key] = cell.stored
    if written:
        _mark_changed(report, at)  # as the statement's UPDATE did
    return rows


# ------------------------------------------------------------------ portable (SQLite)


def _write_portable(report, user, cells, at, request) -> dict:
    """The same decisions in ORM statements: read the cells of the rows concerned, check the
    dynamic rows, then write cells, report and audit rows in bulk."""
    row_keys = {cell.input.row for cell in cells}
    current = {
        (c.table_id, c.row_key, c.column_key): c
        for c in Cell.objects.filter(report=report, row_key__in=row_keys).only(
            "table_id", "row_key", "column_key", "value", "version"
        )
    }
    dynamic = {cell.input.row for cell in cells if cell.definition.table.is_dynamic}
    existing = (
        set(ReportRow.objects.filter(report=report, key__in=dynamic).values_list("table_id", "key"))
        if dynamic
        else set()
    )
    ok = True
    for cell in cells:
        table = cell.definition.table
        found = current.get((table.pk, cell.input.row, cell.column.key))
        cell.current_value = found.value if found else ""
        cell.current_version = found.version if found else 0
        cell.read = True
        if table.is_dynamic and (table.pk, cell.input.row) not in existing:
            cell.status, cell.message = "error", NO_ROW_MESSAGE
            ok = False
        elif cell.stored != cell.current_value and cell.input.version != cell.current_version:
            ok = False
    rows: dict[tuple[int, str], dict[str, str]] = {}
    for (table_id, row_key, column_key), found in current.items():
        rows.setdefault((table_id, row_key), {})[column_key] = found.value
    changed = [cell for cell in cells if cell.stored != cell.current_value] if ok else []
    if not changed:
        return rows
    for cell in changed:
        cell.status, cell.version = "saved", cell.current_version + 1
        rows.setdefault((cell.definition.table.pk, cell.input.row), {})[cell.column.key] = (
            cell.stored
        )
    Cell.objects.bulk_create(
        [
            Cell(
                report=report,
                table_id=cell.definition.table.pk,
                row_key=cell.input.row,
                column_key=cell.column.key,
                value=cell.stored,
                version=cell.version,
                updated_at=at,
            )
            for cell in changed
        ],
        update_conflicts=True,
        unique_fields=["report", "table", "row_key", "column_key"],
        update_fields=["value", "version", "updated_at"],
    )
    _mark_changed(report, at)
    Report.objects.filter(pk=report.pk).update(
        status=report.status,
        started_at=report.started_at,
        has_unsubmitted_changes=report.has_unsubmitted_changes,
        last_saved_at=report.last_saved_at,
    )
    AuditEvent.objects.bulk_create(
        AuditEvent(
            actor=user,
            organization_id=report.organization_id,
            action="report.cell_saved",
            target=(
                f"report:{report.pk} {cell.definition.table.key}/{cell.input.row}/{cell.column.key}"
            )[:200],
            details={"old": cell.current_value, "new": cell.stored, "version": cell.version},
            ip_address=client_ip(request),
        )
        for cell in changed
    )
    return rows


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
    pending = [_Cell(number=n, input=cell) for n, cell in enumerate(cells)]
    # The same cell twice in one request: the last value counts, every copy gets its answer.
    last = {(c.input.table, c.input.row, c.input.column): c for c in pending}
    unique = list(last.values())
    with transaction.atomic():
        report = _locked_report(report_pk, user, at)
        form = report.collection.form
        _resolve(unique, cached_form(form.pk, form.version))
        rows: dict = {}
        if all(not cell.status for cell in unique):
            write = _write_postgresql if connection.vendor == "postgresql" else _write_portable
            rows = write(report, user, unique, at, request)
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


def _totals(cell: _Cell, rows: dict) -> dict[str, str]:
    """The computed columns of the cell's row, from the values the write left in it."""
    if not _has_totals(cell):
        return {}
    values = rows.get((cell.definition.table.pk, cell.input.row), {})
    return {
        key: display_value(cell.definition.columns_by_key[key], value)
        for key, value in computed_values(cell.definition.columns, values).items()
    }


def _answer(cell: _Cell, rows: dict) -> dict:
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
