"""«Загрузить из Excel»: the values of a filled template written as one edit."""

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.http import HttpRequest

from accounts.models import User

from ..errors import DataCollectionError
from ..models import Cell, Report, ReportRow
from .writing import NO_TABLE_MESSAGE, report_write

if TYPE_CHECKING:
    from ..excel import ImportedRow

IMPORT_ROW_LIMIT_MESSAGE = (
    "В таблице «{table}» получится {count} строк, а допускается не больше {max_rows}. "
    "Уменьшите число строк в файле."
)


@dataclass(frozen=True)
class ImportResult:
    cells_changed: int
    rows_added: int


def report_excel_import(
    *,
    report: Report,
    user: User,
    rows: list["ImportedRow"],
    request: HttpRequest | None = None,
    at: datetime | None = None,
) -> ImportResult:
    """«Загрузить из Excel»: every value of the file (already cleaned by `excel`) saved as one
    edit: one transaction, one audit record. Only cells whose value differs are written and
    get a new version, so a tab holding an older version sees a conflict, not a silent loss.
    Rows of a dynamic table the file does not know are added; rows missing from the file are
    left alone (a school removes a row in the table, never by omission)."""
    with report_write(
        report=report, user=user, action="report.excel_import", at=at, request=request
    ) as write:
        report, at = write.report, write.at
        existing: dict[int, set[str]] = {}
        for table_id, key in ReportRow.objects.filter(report=report).values_list("table_id", "key"):
            existing.setdefault(table_id, set()).add(key)
        new_rows: list[ReportRow] = []
        for row in rows:
            table = row.definition.table
            if table.form_id != report.collection.form_id:
                raise DataCollectionError(NO_TABLE_MESSAGE)
            if table.is_dynamic and row.key not in existing.get(table.pk, set()):
                row.key = f"r{secrets.token_hex(4)}"
                new_rows.append(ReportRow(report=report, table=table, key=row.key))
        tables = {row.definition.table.pk: row.definition.table for row in rows}
        for table in tables.values():
            if not table.is_dynamic:
                continue
            count = len(existing.get(table.pk, ())) + sum(r.table_id == table.pk for r in new_rows)
            if count > (table.max_rows or 0):
                raise DataCollectionError(
                    IMPORT_ROW_LIMIT_MESSAGE.format(
                        table=table.title, count=count, max_rows=table.max_rows
                    )
                )
        ReportRow.objects.bulk_create(new_rows)
        current = {
            (cell.table_id, cell.row_key, cell.column_key): cell
            for cell in Cell.objects.filter(report=report).only(
                "pk", "table_id", "row_key", "column_key", "value", "version"
            )
        }
        created, updated = [], []
        for row in rows:
            table = row.definition.table
            for column_key, value in row.values.items():
                cell = current.get((table.pk, row.key, column_key))
                if cell is None:
                    if value:
                        created.append(
                            Cell(
                                report=report,
                                table=table,
                                row_key=row.key,
                                column_key=column_key,
                                value=value,
                                version=1,
                            )
                        )
                elif cell.value != value:
                    cell.value = value
                    cell.version += 1
                    cell.updated_at = at
                    updated.append(cell)
        Cell.objects.bulk_create(created, batch_size=500)
        Cell.objects.bulk_update(updated, ["value", "version", "updated_at"], batch_size=500)
        changed = len(created) + len(updated)
        write.changed = bool(changed or new_rows)
        write.details = {"count": changed, "rows_added": len(new_rows)}
    return ImportResult(cells_changed=changed, rows_added=len(new_rows))
