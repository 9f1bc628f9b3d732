"""«Загрузить из Excel»: every data row of a filled template, each value checked by
`validation.clean_value` (the same rule as autosave and «Сдать отчет»). The write is
`services.report_excel_import`."""

import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from itertools import zip_longest

from django.conf import settings

from core.files import (
    UnreadableFile,
    UploadRefused,
    UploadRule,
    check_upload,
    format_file_size,
    open_xlsx,
)

from ..definitions import TableDefinition
from ..errors import CellError, ExcelCellErrors, ExcelFileError
from ..models import Column
from ..validation import clean_value
from .layout import FIRST_DATA_ROW, FIRST_VALUE_COLUMN

MAX_ERRORS_LISTED = 100
# Rows past the last expected one that are still read, to notice data typed below the table.
EXTRA_ROWS_READ = 200

WRONG_TYPE_MESSAGE = (
    "Загрузите файл Excel в формате .xlsx — шаблон, скачанный по кнопке «Скачать шаблон»."
)
NO_FILE_MESSAGE = "Выберите файл Excel (.xlsx) для загрузки."
TOO_LARGE_MESSAGE = "Файл слишком большой ({size}): допускается не больше {limit}."
BROKEN_MESSAGE = (
    "Файл поврежден или не является книгой Excel (.xlsx). "
    "Скачайте шаблон заново, заполните и загрузите его."
)
OTHER_FORM_MESSAGE = "Это шаблон другой формы («{code}»). Скачайте шаблон этой формы."
FORMULA_WITHOUT_VALUE_MESSAGE = (
    "в ячейке формула без сохраненного значения ({formula}). Откройте файл в Excel или "
    "LibreOffice, чтобы формула пересчиталась, и сохраните его, либо введите значение вместо "
    "формулы."
)
NO_SHEETS_MESSAGE = (
    "В файле нет ни одного листа шаблона этой формы (служебные столбцы удалены или это другой "
    "файл). Скачайте шаблон заново."
)


@dataclass
class ImportedRow:
    """One data row of a sheet: `key` None is a row to add to a dynamic table."""

    definition: TableDefinition
    key: str | None
    line: int
    values: dict[str, str] = field(default_factory=dict)  # column key → stored value


def raw_text(value) -> str | None:
    """What a cell of a filled file says, as the text a school would have typed."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, datetime):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return f"{Decimal(repr(value)):f}"
    if isinstance(value, Decimal):
        return f"{value:f}"
    return str(value)


def open_workbook(upload):
    """The workbook of an uploaded file twice: as values (what a spreadsheet program saved as
    each cell's result) and as formulas (to notice a formula saved without its result, as files
    written by scripts are); or ExcelFileError with the reason in Russian."""
    limit = settings.DATACOLLECTION_UPLOAD_MAX_SIZE
    try:  # the one upload rule (core.files), zip-bomb guard included, before any parsing
        check_upload(upload, UploadRule(extensions=("xlsx",), max_size=limit))
    except UploadRefused as refused:
        if refused.reason == "size":
            message = TOO_LARGE_MESSAGE.format(
                size=format_file_size(upload.size), limit=format_file_size(limit)
            )
        else:
            message = {
                "missing": NO_FILE_MESSAGE,
                "type": WRONG_TYPE_MESSAGE,
                "bomb": refused.message,
            }.get(refused.reason, BROKEN_MESSAGE)
        raise ExcelFileError(message) from None
    data = upload.read()
    try:
        return open_xlsx(data, size_limit=limit), open_xlsx(data, size_limit=limit, formulas=True)
    except UnreadableFile:
        raise ExcelFileError(BROKEN_MESSAGE) from None


def _where(sheet_name: str, line: int, column: Column | None = None) -> str:
    where = f"Лист «{sheet_name}», строка {line}"
    return f"{where}, «{column.title}»" if column is not None else where


def _formula_without_value(value, formula) -> str | None:
    """The formula of a cell that has one but no saved result (openpyxl reads it as None)."""
    if value is None and isinstance(formula, str) and formula.startswith("="):
        return formula
    return None


def _read_sheet(
    sheet, formula_sheet, definition: TableDefinition, errors: list[str]
) -> list[ImportedRow]:
    table = definition.table
    name = sheet.title
    header = list(
        sheet.iter_rows(min_row=2, max_row=2, max_col=FIRST_VALUE_COLUMN + 500, values_only=True)
    )
    keys = list(header[0][FIRST_VALUE_COLUMN - 1 :]) if header else []
    while keys and keys[-1] in (None, ""):
        keys.pop()
    columns: list[Column | None] = []
    for key in keys:
        column = definition.columns_by_key.get(str(key).strip()) if key else None
        if key and column is None:
            errors.append(f"Лист «{name}»: столбца «{key}» нет в форме. Скачайте шаблон заново.")
        columns.append(column)
    expected = len(definition.fixed_rows) if not table.is_dynamic else (table.max_rows or 0)
    last_line = FIRST_DATA_ROW + expected - 1
    fixed_by_key = {row.key: row for row in definition.fixed_rows}
    fixed_by_label = {row.label.strip().casefold(): row for row in definition.fixed_rows}
    seen: set[str] = set()
    result = []
    lines = sheet.iter_rows(
        min_row=FIRST_DATA_ROW,
        max_row=last_line + EXTRA_ROWS_READ,
        max_col=FIRST_VALUE_COLUMN - 1 + len(keys),
        values_only=True,
    )
    formula_lines = formula_sheet.iter_rows(
        min_row=FIRST_DATA_ROW,
        max_row=last_line + EXTRA_ROWS_READ,
        max_col=FIRST_VALUE_COLUMN - 1 + len(keys),
        values_only=True,
    )
    width = FIRST_VALUE_COLUMN - 1 + len(keys)
    for line, (cells, formula_cells) in enumerate(
        zip_longest(lines, formula_lines, fillvalue=()), FIRST_DATA_ROW
    ):
        cells = list(cells) + [None] * (width - len(cells))
        formulas = list(formula_cells)[FIRST_VALUE_COLUMN - 1 :]
        formulas += [None] * (len(keys) - len(formulas))
        row_key = raw_text(cells[0])
        row_key = row_key.strip() if row_key else None
        label = raw_text(cells[1])
        data = cells[FIRST_VALUE_COLUMN - 1 :]
        has_data = any(
            (raw_text(value) not in (None, "") or _formula_without_value(value, formula))
            and column is not None
            and _imported(column)
            for value, formula, column in zip(data, formulas, columns, strict=True)
        )
        if table.is_dynamic:
            if not row_key and not has_data:
                continue  # an empty line of the template
        else:
            fixed = fixed_by_key.get(row_key or "") or fixed_by_label.get(
                (label or "").strip().casefold()
            )
            if fixed is None:
                if has_data:
                    errors.append(f"{_where(name, line)}: такой строки в форме нет.")
                continue
            row_key = fixed.key
        if table.is_dynamic and len(result) >= expected:
            errors.append(
                f"{_where(name, line)}: в таблице «{table.title}» не больше {expected} строк."
            )
            continue
        if row_key and row_key in seen:
            errors.append(f"{_where(name, line)}: строка повторяется.")
            continue
        if row_key:
            seen.add(row_key)
        row = ImportedRow(definition=definition, key=row_key, line=line)
        for value, formula, column in zip(data, formulas, columns, strict=True):
            if column is None or not _imported(column):
                continue
            if unsaved := _formula_without_value(value, formula):
                # Never written as empty: the school's value would vanish with «success».
                message = FORMULA_WITHOUT_VALUE_MESSAGE.format(formula=unsaved[:50])
                errors.append(f"{_where(name, line, column)}: {message}")
                continue
            try:
                row.values[column.key] = clean_value(column, raw_text(value))
            except CellError as error:
                errors.append(f"{_where(name, line, column)}: {error.message}")
        result.append(row)
    return result


def _imported(column: Column) -> bool:
    return not column.is_computed and column.type != Column.Type.FILE


def read_report_workbook(upload, *, form, definitions: list[TableDefinition]) -> list[ImportedRow]:
    """Every data row of a filled template, each value cleaned. Raises ExcelFileError for a
    file that cannot be read, ExcelCellErrors listing every wrong cell («Лист «Результаты»,
    строка 5, «Задание 3»: …»)."""
    workbook, formula_workbook = open_workbook(upload)
    try:
        identifier = workbook.properties.identifier if workbook.properties else None
        if identifier and identifier != form.code:
            raise ExcelFileError(OTHER_FORM_MESSAGE.format(code=identifier))
        by_key = {definition.table.key: definition for definition in definitions}
        errors: list[str] = []
        rows: list[ImportedRow] = []
        found = set()
        try:
            for sheet, formula_sheet in zip(
                workbook.worksheets, formula_workbook.worksheets, strict=True
            ):
                marker = next(sheet.iter_rows(max_row=1, max_col=1, values_only=True), (None,))
                definition = by_key.get(str(marker[0]).strip()) if marker[0] else None
                if definition is None or definition.table.key in found:
                    continue
                found.add(definition.table.key)
                rows += _read_sheet(sheet, formula_sheet, definition, errors)
        except (
            ValueError,
            TypeError,
            KeyError,
            IndexError,
            AttributeError,
            SyntaxError,  # a broken sheet XML (ElementTree's ParseError)
            EOFError,
            zipfile.BadZipFile,
            OSError,
        ):
            raise ExcelFileError(BROKEN_MESSAGE) from None
        if not found:
            raise ExcelFileError(NO_SHEETS_MESSAGE)
        if errors:
            listed = errors[:MAX_ERRORS_LISTED]
            if len(errors) > MAX_ERRORS_LISTED:
                listed.append(f"… и еще ошибок: {len(errors) - MAX_ERRORS_LISTED}.")
            raise ExcelCellErrors(listed)
        return rows
    finally:
        workbook.close()
        formula_workbook.close()
