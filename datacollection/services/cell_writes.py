"""The write step of autosave (`autosave.cells_save`), per database: on PostgreSQL ONE prepared
statement (CTEs: check every cell's version and row, write the cells, move the report's state,
insert the audit rows, return the answer and the row values for the totals); elsewhere
(SQLite) the same decisions in a few ORM statements. Both run under the report lock taken by
`cells_save`."""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from accounts.models import AuditEvent
from core.http import client_ip
from core.sql import prepared_cursor

from ..definitions import TableDefinition
from ..models import Cell, Column, Report, ReportRow
from .writing import NO_ROW_MESSAGE


@dataclass
class CellInput:
    table: str
    row: str
    column: str
    value: object
    version: int  # the version the client last saw (0: never saved)


@dataclass
class PendingCell:
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


def has_totals(cell: PendingCell) -> bool:
    return any(column.is_computed for column in cell.definition.columns)


def mark_report_changed(report: Report, at: datetime) -> None:
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


def write_postgresql(report, user, cells, at, request) -> dict:
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
                f"s{n}": has_totals(cell),
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
    written: list[PendingCell] = []
    with prepared_cursor(connection) as cursor:  # parsed and planned once per connection
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
        mark_report_changed(report, at)  # as the statement's UPDATE did
    return rows


# ------------------------------------------------------------------ portable (SQLite)


def write_portable(report, user, cells, at, request) -> dict:
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
    mark_report_changed(report, at)
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


def write_cells(report, user, cells, at, request) -> dict:
    """Write `cells` (all resolved and valid) if none is stale or in a missing row."""
    write = write_postgresql if connection.vendor == "postgresql" else write_portable
    return write(report, user, cells, at, request)
