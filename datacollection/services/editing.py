"""The school's edits of its report besides cells (those are `autosave`): rows of dynamic tables
and «Сдать отчет»."""

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.http import HttpRequest

from accounts.models import User

from .. import status
from ..definitions import load_form
from ..errors import DataCollectionError, ReportHasErrorsError
from ..extensions import extra_report_errors
from ..models import Cell, CellFile, FormTable, Report, ReportRow, Submission
from ..selectors import report_cells, report_rows, report_values
from ..validation import computed_values, validate_report
from .writing import NO_ROW_MESSAGE, delete_files, report_write

ROW_LIMIT_MESSAGE = "Достигнуто наибольшее число строк: {max_rows}."
NOT_DYNAMIC_MESSAGE = "В этой таблице строки не добавляются и не удаляются."
FILE_CELL_MESSAGE = "Файл загружается и удаляется кнопками в ячейке."


@dataclass(frozen=True)
class CellSaved:
    value: str  # stored form
    version: int
    changed: bool
    saved_at: datetime
    report: Report | None = None  # the report as written (status, last saved), when locked


def row_add(
    *,
    report: Report,
    user: User,
    table: FormTable,
    request: HttpRequest | None = None,
    at: datetime | None = None,
) -> ReportRow:
    if not table.is_dynamic or table.form_id != report.collection.form_id:
        raise DataCollectionError(NOT_DYNAMIC_MESSAGE)
    # A fresh random key: a removed row's cells can never come back under a reused key.
    key = f"r{secrets.token_hex(4)}"
    with report_write(
        report=report,
        user=user,
        action="report.row_added",
        target=f"{table.key}/{key}",
        at=at,
        request=request,
    ) as write:
        if ReportRow.objects.filter(report=write.report, table=table).count() >= (
            table.max_rows or 0
        ):
            raise DataCollectionError(ROW_LIMIT_MESSAGE.format(max_rows=table.max_rows))
        row = ReportRow.objects.create(report=write.report, table=table, key=key)
    return row


def row_remove(
    *,
    report: Report,
    user: User,
    table: FormTable,
    row: str,
    request: HttpRequest | None = None,
    at: datetime | None = None,
) -> None:
    if not table.is_dynamic or table.form_id != report.collection.form_id:
        raise DataCollectionError(NOT_DYNAMIC_MESSAGE)
    with report_write(
        report=report,
        user=user,
        action="report.row_removed",
        target=f"{table.key}/{row}",
        at=at,
        request=request,
    ) as write:
        deleted, _ = ReportRow.objects.filter(report=write.report, table=table, key=row).delete()
        if not deleted:
            raise DataCollectionError(NO_ROW_MESSAGE)
        cells = Cell.objects.filter(report=write.report, table=table, row_key=row)
        write.details = {"old": {cell.column_key: cell.value for cell in cells}}
        cells.delete()
        delete_files(CellFile.objects.filter(report=write.report, table=table, row_key=row))


def report_snapshot(report: Report, definitions, rows, values) -> dict:
    """The transferred data: every table, row and value, computed totals included."""
    tables = []
    for definition in definitions:
        table_rows = []
        for row_key, label in rows[definition.table.pk]:
            row_values = dict(values.get((definition.table.pk, row_key), {}))
            row_values.update(computed_values(definition.columns, row_values))
            table_rows.append(
                {
                    "key": row_key,
                    "label": label,
                    "values": {c.key: row_values.get(c.key, "") for c in definition.columns},
                }
            )
        tables.append(
            {"key": definition.table.key, "title": definition.table.title, "rows": table_rows}
        )
    return {
        "collection": report.collection_id,
        "form": report.collection.form.code,
        "organization": report.organization.login,
        "tables": tables,
    }


def report_submit(
    *,
    report: Report,
    user: User,
    request: HttpRequest | None = None,
    at: datetime | None = None,
) -> Submission:
    """«Сдать отчет»: validate everything; on any error raise ReportHasErrorsError and change
    nothing; otherwise store an immutable snapshot and mark the report submitted."""
    with report_write(
        report=report,
        user=user,
        action="report.submitted",
        at=at,
        request=request,
        marks_changed=False,
    ) as write:
        report, at = write.report, write.at
        definitions = load_form(report.collection.form)
        rows = report_rows(report, definitions)
        values = report_values(report_cells(report))
        errors = validate_report(definitions, rows, values)
        errors += extra_report_errors(report, definitions, rows, values)
        if errors:
            raise ReportHasErrorsError(errors)
        submission = Submission.objects.create(
            report=report,
            submitted_at=at,
            submitted_by=user,
            data=report_snapshot(report, definitions, rows, values),
        )
        if report.started_at is None:
            report.started_at = at
        report.status = Report.Status.SUBMITTED
        report.submitted_at = at
        report.last_saved_at = report.last_saved_at or at
        report.has_unsubmitted_changes = False
        # A corrected report is submitted again: the coordinator's request is settled.
        report.returned_at = None
        report.returned_comment = ""
        report.returned_by = None
        report.save(
            update_fields=[
                "status",
                "started_at",
                "submitted_at",
                "last_saved_at",
                "has_unsubmitted_changes",
                "returned_at",
                "returned_comment",
                "returned_by",
            ]
        )
        write.details = {"submission": submission.pk}
        status.counts_changed(report.collection)
    return submission
