"""Files of file cells (scans of protocols): upload, replace, remove."""

from datetime import datetime

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from core.files import (
    CONTENT_TYPES,
    UPLOAD_CONTENT_MESSAGE,
    UPLOAD_EMPTY_MESSAGE,
    UPLOAD_MISSING_MESSAGE,
    UPLOAD_SIZE_MESSAGE,
    UPLOAD_TYPE_MESSAGE,
    UploadRefused,
    UploadRule,
    atomic_with_files,
    check_upload,
    upload_stored,
)

from ..errors import DataCollectionError
from ..models import Cell, CellFile, Column, FormTable, Report
from .editing import CellSaved
from .writing import delete_files, ensure_writable, report_write

# The one upload rule's texts (core.files), under the names this package has always used.
NO_FILE_MESSAGE = UPLOAD_MISSING_MESSAGE
NOT_A_FILE_CELL_MESSAGE = "В этой ячейке файл не загружается."
FILE_TYPE_MESSAGE = UPLOAD_TYPE_MESSAGE
FILE_EMPTY_MESSAGE = UPLOAD_EMPTY_MESSAGE
FILE_SIZE_MESSAGE = UPLOAD_SIZE_MESSAGE
FILE_CONTENT_MESSAGE = UPLOAD_CONTENT_MESSAGE
NO_FILE_IN_CELL_MESSAGE = "В ячейке нет файла."


def _checked_upload(upload) -> tuple[str, str]:
    """The upload's original name and extension, or DataCollectionError with the reason (the
    one upload rule of core.files; its messages are the ones of file cells)."""
    rule = UploadRule(
        extensions=tuple(settings.DATACOLLECTION_FILE_EXTENSIONS),
        max_size=settings.DATACOLLECTION_FILE_MAX_SIZE,
    )
    try:
        return check_upload(upload, rule)
    except UploadRefused as refused:
        raise DataCollectionError(refused.message) from None


def _file_cell(report: Report, table: FormTable, column: Column) -> None:
    if (
        table.form_id != report.collection.form_id
        or column.table_id != table.pk
        or column.type != Column.Type.FILE
    ):
        raise DataCollectionError(NOT_A_FILE_CELL_MESSAGE)


def _set_file_cell(report: Report, table: FormTable, row: str, column: Column, value: str):
    """Write the cell holding the file's name; returns (old value, new version)."""
    cell = (
        Cell.objects.filter(report=report, table=table, row_key=row, column_key=column.key)
        .only("pk", "value", "version")
        .first()
    )
    if cell is None:
        Cell.objects.create(
            report=report, table=table, row_key=row, column_key=column.key, value=value, version=1
        )
        return "", 1
    old = cell.value
    cell.value = value
    cell.version += 1
    cell.save(update_fields=["value", "version", "updated_at"])
    return old, cell.version


def cell_file_upload(
    *,
    report: Report,
    user: User,
    table: FormTable,
    row: str,
    column: Column,
    upload,
    request: HttpRequest | None = None,
    at: datetime | None = None,
) -> CellSaved:
    """Upload or replace the file of a file cell. The file is written to storage before the
    report is locked (a 20 MB write must not hold up the school's autosaves) and deleted again
    if the write is refused or its commit fails; a replaced file is deleted once the change is
    committed."""
    at = at or timezone.now()
    _file_cell(report, table, column)
    ensure_writable(report=report, user=user, at=at)
    name, extension = _checked_upload(upload)
    stored = CellFile(
        table=table,
        row_key=row,
        column_key=column.key,
        name=name,
        size=upload.size,
        content_type=CONTENT_TYPES[extension],
        uploaded_by=user,
        uploaded_at=at,
    )
    with (
        atomic_with_files(),
        upload_stored(stored.file, upload, name=name),
        report_write(
            report=report,
            user=user,
            action="report.file_uploaded",
            target=f"{table.key}/{row}/{column.key}",
            table=table,
            row=row,
            at=at,
            request=request,
        ) as write,
    ):
        delete_files(
            CellFile.objects.filter(
                report=write.report, table=table, row_key=row, column_key=column.key
            )
        )
        stored.report = write.report
        stored.save()
        old, version = _set_file_cell(write.report, table, row, column, name)
        write.details = {"old": old, "new": name, "size": upload.size}
    return CellSaved(name, version, True, at, write.report)


def cell_file_remove(
    *,
    report: Report,
    user: User,
    table: FormTable,
    row: str,
    column: Column,
    request: HttpRequest | None = None,
    at: datetime | None = None,
) -> CellSaved:
    _file_cell(report, table, column)
    with report_write(
        report=report,
        user=user,
        action="report.file_removed",
        target=f"{table.key}/{row}/{column.key}",
        at=at,
        request=request,
    ) as write:
        files = CellFile.objects.filter(
            report=write.report, table=table, row_key=row, column_key=column.key
        )
        if not files.exists():
            raise DataCollectionError(NO_FILE_IN_CELL_MESSAGE)
        delete_files(files)
        old, version = _set_file_cell(write.report, table, row, column, "")
        write.details = {"old": old}
    return CellSaved("", version, True, write.at, write.report)
