"""Writes on reports. Each locks its report row first, so writes to one report are serialized
(no lost update between two tabs) while other reports proceed in parallel; each checks
`Collection.is_open_for` on the server and records an audit row."""

import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts import audit, permissions
from accounts.models import Organization, Region, User
from core.files import CONTENT_TYPES, content_matches_extension, format_file_size

from .definition_files import NO_LOGINS_MESSAGE, lines_text
from .definitions import form_definition_errors, load_form
from .models import (
    Cell,
    CellFile,
    Collection,
    Column,
    CrossCheck,
    Extension,
    FixedRow,
    Form,
    FormTable,
    Report,
    ReportRow,
    Submission,
)
from .selectors import report_cells, report_rows, report_values
from .validation import ReportError, clean_value, computed_values, validate_report

if TYPE_CHECKING:
    from .excel import ImportedRow

CLOSED_MESSAGE = "Сбор данных закрыт: изменения и сдача отчета больше не принимаются."
NOT_YOURS_MESSAGE = "Изменять данные может только сама образовательная организация."
NO_ROW_MESSAGE = "Такой строки в таблице нет (возможно, ее удалили в другой вкладке)."
ROW_LIMIT_MESSAGE = "Достигнуто наибольшее число строк: {max_rows}."
NOT_DYNAMIC_MESSAGE = "В этой таблице строки не добавляются и не удаляются."
NOT_COORDINATOR_MESSAGE = "Это действие доступно региональному координатору и оператору."
NOT_SUBMITTED_MESSAGE = "Вернуть на доработку можно только сданный отчет."
EMPTY_COMMENT_MESSAGE = "Напишите, что нужно исправить: комментарий увидит организация."
NO_FILE_MESSAGE = "Выберите файл."
NOT_A_FILE_CELL_MESSAGE = "В этой ячейке файл не загружается."
FILE_TYPE_MESSAGE = "Файл «{name}» не принят: допускаются файлы {extensions}."
FILE_EMPTY_MESSAGE = "Файл «{name}» пустой."
FILE_SIZE_MESSAGE = "Файл «{name}» слишком большой ({size}): допускается не больше {limit}."
FILE_CONTENT_MESSAGE = "Файл «{name}» поврежден или его содержимое не соответствует расширению."
NO_FILE_IN_CELL_MESSAGE = "В ячейке нет файла."
FILE_CELL_MESSAGE = "Файл загружается и удаляется кнопками в ячейке."
IMPORT_ROW_LIMIT_MESSAGE = (
    "В таблице «{table}» получится {count} строк, а допускается не больше {max_rows}. "
    "Уменьшите число строк в файле."
)
EXTENSION_IN_PAST_MESSAGE = "Срок продления должен быть позже текущего момента."
EXTENSION_BEFORE_DEADLINE_MESSAGE = (
    "Срок продления должен быть позже окончания сбора ({closes_at} (МСК))."
)


class DataCollectionError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class CollectionClosedError(DataCollectionError):
    def __init__(self):
        super().__init__(CLOSED_MESSAGE)


class WriteNotAllowedError(DataCollectionError):
    def __init__(self):
        super().__init__(NOT_YOURS_MESSAGE)


class CellConflictError(DataCollectionError):
    """The cell changed since the client read it; the client gets the newer value."""

    def __init__(self, *, current_value: str, current_version: int):
        super().__init__("Значение изменено в другой вкладке или другим пользователем.")
        self.current_value = current_value
        self.current_version = current_version


class ReportHasErrorsError(DataCollectionError):
    def __init__(self, errors: list[ReportError]):
        super().__init__(f"Отчет не сдан: исправьте ошибки ({len(errors)}).")
        self.errors = errors


@dataclass(frozen=True)
class CellSaved:
    value: str  # stored form
    version: int
    changed: bool
    saved_at: datetime
    report: Report | None = None  # the report as written (status, last saved), when locked


@transaction.atomic
def report_open(*, collection: Collection, organization: Organization) -> Report:
    """The organization's report for a collection, created empty on first visit."""
    report, _ = Report.objects.get_or_create(collection=collection, organization=organization)
    return report


def _lock_for_write(report: Report, user: User, at: datetime) -> Report:
    if not permissions.may_enter_data(user, report):
        raise WriteNotAllowedError()
    locked = (
        Report.objects.select_for_update()
        .select_related("collection", "organization")
        .get(pk=report.pk)
    )
    if not locked.collection.is_open_for(locked.organization, at=at):
        raise CollectionClosedError()
    return locked


def ensure_writable(*, report: Report, user: User, at: datetime | None = None) -> None:
    """The same refusals as a write, before reading a large upload: not yours, or closed."""
    if not permissions.may_enter_data(user, report):
        raise WriteNotAllowedError()
    if not report.collection.is_open_for(report.organization, at=at or timezone.now()):
        raise CollectionClosedError()


def _mark_changed(report: Report, at: datetime) -> None:
    if report.status == Report.Status.NOT_STARTED:
        report.status = Report.Status.IN_PROGRESS
        report.started_at = at
    elif report.status == Report.Status.SUBMITTED:
        report.has_unsubmitted_changes = True
    report.last_saved_at = at
    report.save(update_fields=["status", "started_at", "has_unsubmitted_changes", "last_saved_at"])


def _row_exists(report: Report, table: FormTable, row: str) -> bool:
    if table.is_dynamic:
        return ReportRow.objects.filter(report=report, table=table, key=row).exists()
    return FixedRow.objects.filter(table=table, key=row).exists()


@transaction.atomic
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
    """Save one cell and nothing else.

    `base_version` is the version the client last saw (0: never saved). A different current
    version raises CellConflictError carrying the current value, so nothing is overwritten
    silently. Raises CellError for an invalid value."""
    at = at or timezone.now()
    if table.form_id != report.collection.form_id or column.table_id != table.pk:
        raise DataCollectionError("Такой ячейки в форме нет.")
    if column.type == Column.Type.FILE:
        # Even an empty value: clearing a file cell here would orphan its file.
        raise DataCollectionError(FILE_CELL_MESSAGE)
    stored = clean_value(column, value)
    report = _lock_for_write(report, user, at)
    if not _row_exists(report, table, row):
        raise DataCollectionError(NO_ROW_MESSAGE)
    cell = (
        Cell.objects.filter(report=report, table=table, row_key=row, column_key=column.key)
        .only("pk", "value", "version")
        .first()
    )
    current_version = cell.version if cell else 0
    current_value = cell.value if cell else ""
    if stored == current_value:
        # Nothing to overwrite, even from a stale tab: the client now holds the current version.
        return CellSaved(stored, current_version, False, at, report)
    if base_version != current_version:
        raise CellConflictError(current_value=current_value, current_version=current_version)
    if cell is None:
        cell = Cell.objects.create(
            report=report,
            table=table,
            row_key=row,
            column_key=column.key,
            value=stored,
            version=1,
        )
    else:
        cell.value = stored
        cell.version = current_version + 1
        cell.save(update_fields=["value", "version", "updated_at"])
    _mark_changed(report, at)
    audit.record(
        actor=user,
        action="report.cell_saved",
        organization=report.organization,
        target=f"report:{report.pk} {table.key}/{row}/{column.key}",
        request=request,
        old=current_value,
        new=stored,
        version=cell.version,
    )
    return CellSaved(stored, cell.version, True, at, report)


@transaction.atomic
def row_add(
    *,
    report: Report,
    user: User,
    table: FormTable,
    request: HttpRequest | None = None,
    at: datetime | None = None,
) -> ReportRow:
    at = at or timezone.now()
    if not table.is_dynamic or table.form_id != report.collection.form_id:
        raise DataCollectionError(NOT_DYNAMIC_MESSAGE)
    report = _lock_for_write(report, user, at)
    if ReportRow.objects.filter(report=report, table=table).count() >= (table.max_rows or 0):
        raise DataCollectionError(ROW_LIMIT_MESSAGE.format(max_rows=table.max_rows))
    # A fresh random key: a removed row's cells can never come back under a reused key.
    row = ReportRow.objects.create(report=report, table=table, key=f"r{secrets.token_hex(4)}")
    _mark_changed(report, at)
    audit.record(
        actor=user,
        action="report.row_added",
        organization=report.organization,
        target=f"report:{report.pk} {table.key}/{row.key}",
        request=request,
    )
    return row


@transaction.atomic
def row_remove(
    *,
    report: Report,
    user: User,
    table: FormTable,
    row: str,
    request: HttpRequest | None = None,
    at: datetime | None = None,
) -> None:
    at = at or timezone.now()
    if not table.is_dynamic or table.form_id != report.collection.form_id:
        raise DataCollectionError(NOT_DYNAMIC_MESSAGE)
    report = _lock_for_write(report, user, at)
    deleted, _ = ReportRow.objects.filter(report=report, table=table, key=row).delete()
    if not deleted:
        raise DataCollectionError(NO_ROW_MESSAGE)
    cells = Cell.objects.filter(report=report, table=table, row_key=row)
    old = {cell.column_key: cell.value for cell in cells}
    cells.delete()
    _delete_files(CellFile.objects.filter(report=report, table=table, row_key=row))
    _mark_changed(report, at)
    audit.record(
        actor=user,
        action="report.row_removed",
        organization=report.organization,
        target=f"report:{report.pk} {table.key}/{row}",
        request=request,
        old=old,
    )


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


@transaction.atomic
def report_submit(
    *,
    report: Report,
    user: User,
    request: HttpRequest | None = None,
    at: datetime | None = None,
) -> Submission:
    """«Сдать отчет»: validate everything; on any error raise ReportHasErrorsError and change
    nothing; otherwise store an immutable snapshot and mark the report submitted."""
    at = at or timezone.now()
    report = _lock_for_write(report, user, at)
    definitions = load_form(report.collection.form)
    rows = report_rows(report, definitions)
    values = report_values(report_cells(report))
    errors = validate_report(definitions, rows, values)
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
    audit.record(
        actor=user,
        action="report.submitted",
        organization=report.organization,
        target=f"report:{report.pk}",
        request=request,
        submission=submission.pk,
    )
    return submission


def _require_coordinator(actor: User) -> None:
    if not permissions.may_act_on_organizations(actor):
        raise DataCollectionError(NOT_COORDINATOR_MESSAGE)


@transaction.atomic
def report_return_for_corrections(
    *, report: Report, actor: User, comment: str, request: HttpRequest | None = None
) -> Report:
    """A coordinator sends a submitted report back: the organization sees the comment on its
    card and the status is «В работе» until it submits again. The caller has scoped `report`
    to `actor` (monitoring selectors)."""
    _require_coordinator(actor)
    comment = comment.strip()
    if not comment:
        raise DataCollectionError(EMPTY_COMMENT_MESSAGE)
    report = Report.objects.select_for_update().select_related("organization").get(pk=report.pk)
    if report.status != Report.Status.SUBMITTED:
        raise DataCollectionError(NOT_SUBMITTED_MESSAGE)
    at = timezone.now()
    report.status = Report.Status.IN_PROGRESS
    report.returned_at = at
    report.returned_comment = comment
    report.returned_by = actor
    report.save(update_fields=["status", "returned_at", "returned_comment", "returned_by"])
    audit.record(
        actor=actor,
        action="report.returned",
        organization=report.organization,
        target=f"report:{report.pk}",
        request=request,
        comment=comment,
    )
    return report


@transaction.atomic
def extension_grant(
    *,
    collection: Collection,
    organization: Organization,
    until: datetime,
    actor: User,
    request: HttpRequest | None = None,
) -> Extension:
    """Give one organization more time. Granting again moves the date (later or earlier);
    the caller has scoped `organization` to `actor`."""
    _require_coordinator(actor)
    if until <= timezone.now():
        raise DataCollectionError(EXTENSION_IN_PAST_MESSAGE)
    if until <= collection.closes_at:
        closes_at = timezone.localtime(collection.closes_at)
        raise DataCollectionError(
            EXTENSION_BEFORE_DEADLINE_MESSAGE.format(closes_at=f"{closes_at:%d.%m.%Y %H:%M}")
        )
    previous = (
        Extension.objects.filter(collection=collection, organization=organization)
        .values_list("until", flat=True)
        .first()
    )
    extension, _ = Extension.objects.update_or_create(
        collection=collection,
        organization=organization,
        defaults={"until": until, "granted_by": actor},
    )
    audit.record(
        actor=actor,
        action="collection.extension_granted",
        organization=organization,
        target=f"collection:{collection.pk}",
        request=request,
        old=previous.isoformat() if previous else None,
        new=until.isoformat(),
    )
    return extension


@dataclass(frozen=True)
class ImportResult:
    cells_changed: int
    rows_added: int


@transaction.atomic
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
    at = at or timezone.now()
    report = _lock_for_write(report, user, at)
    existing: dict[int, set[str]] = {}
    for table_id, key in ReportRow.objects.filter(report=report).values_list("table_id", "key"):
        existing.setdefault(table_id, set()).add(key)
    new_rows: list[ReportRow] = []
    for row in rows:
        table = row.definition.table
        if table.form_id != report.collection.form_id:
            raise DataCollectionError("Такой таблицы в форме нет.")
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
    if changed or new_rows:
        _mark_changed(report, at)
    audit.record(
        actor=user,
        action="report.excel_import",
        organization=report.organization,
        target=f"report:{report.pk}",
        request=request,
        count=changed,
        rows_added=len(new_rows),
    )
    return ImportResult(cells_changed=changed, rows_added=len(new_rows))


# Files of file cells (scans of protocols)


def _delete_files(files) -> None:
    """Delete the rows now and their files from storage once the transaction commits."""
    paths = [f.file.name for f in files]
    files.delete()
    for path in paths:
        transaction.on_commit(lambda path=path: default_storage.delete(path))


def _checked_upload(upload) -> tuple[str, str]:
    """The upload's original name and extension, or DataCollectionError with the reason."""
    if upload is None:
        raise DataCollectionError(NO_FILE_MESSAGE)
    name = PurePath(str(upload.name or "файл")).name.strip()[:255] or "файл"
    extension = PurePath(name).suffix.lower().lstrip(".")
    allowed = settings.DATACOLLECTION_FILE_EXTENSIONS
    if extension not in allowed:
        extensions = ", ".join(e.upper() for e in allowed if e != "jpeg")
        raise DataCollectionError(FILE_TYPE_MESSAGE.format(name=name, extensions=extensions))
    if not upload.size:
        raise DataCollectionError(FILE_EMPTY_MESSAGE.format(name=name))
    limit = settings.DATACOLLECTION_FILE_MAX_SIZE
    if upload.size > limit:
        raise DataCollectionError(
            FILE_SIZE_MESSAGE.format(
                name=name, size=format_file_size(upload.size), limit=format_file_size(limit)
            )
        )
    if not content_matches_extension(upload, extension):
        raise DataCollectionError(FILE_CONTENT_MESSAGE.format(name=name))
    return name, extension


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
    if the write is refused; a replaced file is deleted once the change is committed."""
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
    stored.file.save(name, upload, save=False)
    try:
        with transaction.atomic():
            locked = _lock_for_write(report, user, at)
            if not _row_exists(locked, table, row):
                raise DataCollectionError(NO_ROW_MESSAGE)
            _delete_files(
                CellFile.objects.filter(
                    report=locked, table=table, row_key=row, column_key=column.key
                )
            )
            stored.report = locked
            stored.save()
            old, version = _set_file_cell(locked, table, row, column, name)
            _mark_changed(locked, at)
            audit.record(
                actor=user,
                action="report.file_uploaded",
                organization=locked.organization,
                target=f"report:{locked.pk} {table.key}/{row}/{column.key}",
                request=request,
                old=old,
                new=name,
                size=upload.size,
            )
    except BaseException:
        default_storage.delete(stored.file.name)
        raise
    return CellSaved(name, version, True, at, locked)


@transaction.atomic
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
    at = at or timezone.now()
    _file_cell(report, table, column)
    report = _lock_for_write(report, user, at)
    files = CellFile.objects.filter(report=report, table=table, row_key=row, column_key=column.key)
    if not files.exists():
        raise DataCollectionError(NO_FILE_IN_CELL_MESSAGE)
    _delete_files(files)
    old, version = _set_file_cell(report, table, row, column, "")
    _mark_changed(report, at)
    audit.record(
        actor=user,
        action="report.file_removed",
        organization=report.organization,
        target=f"report:{report.pk} {table.key}/{row}/{column.key}",
        request=request,
        old=old,
    )
    return CellSaved("", version, True, at, report)


# Definitions and participants (the federal operator, in the admin)

FORM_CODE_TAKEN_MESSAGE = (
    "Форма с кодом «{code}» уже есть. Укажите для импортируемой формы новый код."
)
BAD_STRUCTURE_MESSAGE = "Неверная структура файла: {where}."
UNKNOWN_LOGINS_MESSAGE = "Неизвестные логины ({count}), ничего не добавлено: {logins}."


class DefinitionInvalidError(DataCollectionError):
    """A definition that contradicts itself: every message of the models' clean()."""

    def __init__(self, messages: list[str]):
        super().__init__("Определение формы не импортировано: " + " ".join(messages))
        self.messages = messages


def _validated(obj, where: str, messages: list[str]) -> bool:
    """Field-level checks (types, keys, lengths, unique keys); the cross-object rules of
    clean() run once everything is saved, through `form_definition_errors`."""
    try:
        obj.clean_fields()
        obj.validate_constraints()
    except ValidationError as error:
        for field, errors in error.message_dict.items():
            for message in errors:
                label = obj._meta.get_field(field).verbose_name if field != "__all__" else ""
                messages.append(f"{where}{f' ({label})' if label else ''}: {message}")
        return False
    return True


def _items(data: dict, key: str, where: str) -> list[dict]:
    items = data.get(key, [])
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise DefinitionInvalidError([BAD_STRUCTURE_MESSAGE.format(where=f"{where}, «{key}»")])
    return items


@transaction.atomic
def form_import(
    *,
    definition: dict,
    actor: User,
    code: str = "",
    title: str = "",
    request: HttpRequest | None = None,
) -> Form:
    """A new form from an exported definition (`definition_files.definition_from_file`), under
    a new code if given. A taken code or a definition that contradicts itself raises
    DefinitionInvalidError with every message, and nothing is created."""
    code = (code or str(definition.get("code") or "")).strip()
    if Form.objects.filter(code=code).exists():
        raise DefinitionInvalidError([FORM_CODE_TAKEN_MESSAGE.format(code=code)])
    messages: list[str] = []
    form = Form(
        code=code,
        title=(title or str(definition.get("title") or "")).strip(),
        description=str(definition.get("description") or ""),
    )
    if not _validated(form, "Форма", messages):
        raise DefinitionInvalidError(messages)
    form.save()
    for number, data in enumerate(_items(definition, "tables", "форма"), 1):
        table = FormTable(
            form=form,
            key=str(data.get("key", "")),
            title=str(data.get("title", "")),
            order=data.get("order", number),
            row_mode=data.get("row_mode", FormTable.RowMode.FIXED),
            row_header=str(data.get("row_header", "")),
            max_rows=data.get("max_rows"),
        )
        where = f"Таблица «{table.title or table.key}»"
        if not _validated(table, where, messages):
            continue
        table.save()
        for order, item in enumerate(_items(data, "columns", where), 1):
            column = Column(
                table=table,
                **{
                    name: item[name]
                    for name in ("key", "title", "type", "required", "max_length", "sum_of")
                    if item.get(name) is not None
                },
                order=item.get("order", order),
                help_text=str(item.get("help_text") or ""),
                min_value=item.get("min_value"),
                max_value=item.get("max_value"),
                choices=lines_text(item.get("choices")),
                special_codes=lines_text(item.get("special_codes")),
            )
            if _validated(column, f"{where}, столбец «{column.title or column.key}»", messages):
                column.save()
        for order, item in enumerate(_items(data, "fixed_rows", where), 1):
            row = FixedRow(
                table=table,
                key=str(item.get("key", "")),
                label=str(item.get("label", "")),
                order=item.get("order", order),
            )
            if _validated(row, f"{where}, строка «{row.label or row.key}»", messages):
                row.save()
        for item in _items(data, "checks", where):
            check = CrossCheck(
                table=table,
                **{k: str(item.get(k, "")) for k in ("left", "operator", "right", "message")},
            )
            if _validated(check, f"{where}, проверка «{check.message}»", messages):
                check.save()
    messages += form_definition_errors(form)
    if messages:
        raise DefinitionInvalidError(messages)  # the atomic block undoes what was saved
    audit.record(
        actor=actor,
        action="form.imported",
        target=f"form:{form.pk} {form.code}",
        request=request,
        source_code=str(definition.get("code") or ""),
    )
    return form


class UnknownLoginsError(DataCollectionError):
    def __init__(self, logins: list[str]):
        shown = ", ".join(logins[:50]) + (" …" if len(logins) > 50 else "")
        super().__init__(UNKNOWN_LOGINS_MESSAGE.format(count=len(logins), logins=shown))
        self.logins = logins


@transaction.atomic
def collection_add_organizations(
    *,
    collection: Collection,
    actor: User,
    logins: list[str] | None = None,
    region: Region | None = None,
    request: HttpRequest | None = None,
) -> int:
    """Add participating organizations by a list of logins (all must exist, else nothing is
    added) or all organizations of a region. Returns how many were not yet participating."""
    if region is not None:
        organizations = Organization.objects.filter(region=region)
        source = f"region:{region.code}"
    else:
        wanted = sorted(set(logins or []))
        if not wanted:
            raise DataCollectionError(NO_LOGINS_MESSAGE)
        organizations = Organization.objects.filter(login__in=wanted)
        found = set(organizations.values_list("login", flat=True))
        unknown = [login for login in wanted if login not in found]
        if unknown:
            raise UnknownLoginsError(unknown)
        source = f"logins:{len(wanted)}"
    already = set(collection.organizations.values_list("pk", flat=True))
    new_ids = [pk for pk in organizations.values_list("pk", flat=True) if pk not in already]
    Through = Collection.organizations.through
    Through.objects.bulk_create(
        [Through(collection_id=collection.pk, organization_id=pk) for pk in new_ids],
        batch_size=1000,
    )
    audit.record(
        actor=actor,
        action="collection.organizations_added",
        target=f"collection:{collection.pk}",
        request=request,
        source=source,
        count=len(new_ids),
    )
    return len(new_ids)
