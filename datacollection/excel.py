"""The Excel round trip of a report: «Скачать шаблон» and «Загрузить из Excel».

Only the file format lives here; which rows and values go into the file come from selectors,
and the import is written by `services.report_excel_import`. Every value read from a file is
checked by `validation.clean_value`, the same rule as autosave and «Сдать отчет».

One sheet per table:

    row 1   hidden column A: the table key; B1: the table title
    row 2   hidden: column keys (C2, D2, …), so renamed headers still match
    row 3   headers as in the form (B3: the row header, «Класс», «№»)
    row 4   a note under each header: limits and allowed special codes («0–2; X, отсутствовал»)
    row 5…  data: hidden column A is the row key, B the row label (or number), then the values
"""

import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from io import BytesIO

from django.conf import settings
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core.files import UnreadableFile, format_file_size, open_xlsx

from .definitions import TableDefinition
from .labels import column_hint
from .models import Column
from .validation import CellError, clean_value

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIRST_DATA_ROW = 5
FIRST_VALUE_COLUMN = 3  # C: A is the hidden row key, B the row label
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
NO_SHEETS_MESSAGE = (
    "В файле нет ни одного листа шаблона этой формы (служебные столбцы удалены или это другой "
    "файл). Скачайте шаблон заново."
)

HEADER_FILL = PatternFill("solid", fgColor="E9EEF6")
LOCKED_FILL = PatternFill("solid", fgColor="F3F5F8")
NOTE_FONT = Font(italic=True, size=9, color="6C757D")


class ExcelFileError(Exception):
    """The file as a whole cannot be read: wrong type, too large, broken."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ExcelCellErrors(Exception):
    """Values in the file that the form does not accept; nothing is saved."""

    def __init__(self, errors: list[str]):
        super().__init__(f"Ошибок в файле: {len(errors)}")
        self.errors = errors


@dataclass
class ImportedRow:
    """One data row of a sheet: `key` None is a row to add to a dynamic table."""

    definition: TableDefinition
    key: str | None
    line: int
    values: dict[str, str] = field(default_factory=dict)  # column key → stored value


# Writing


def sheet_title(title: str, taken: set[str]) -> str:
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in title).strip() or "Лист"
    base = cleaned[:31]
    candidate, number = base, 2
    while candidate.casefold() in taken:
        suffix = f" ({number})"
        candidate, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(candidate.casefold())
    return candidate


def excel_value(column: Column, stored: str):
    """A stored value as Excel should hold it: numbers as numbers, dates as dates."""
    if not stored or stored in column.special_code_list:
        return stored or None
    try:
        if column.type == Column.Type.INTEGER:
            return int(stored)
        if column.type == Column.Type.DECIMAL:
            return Decimal(stored)
        if column.type == Column.Type.DATE:
            return date.fromisoformat(stored)
    except (ValueError, InvalidOperation):
        pass
    return stored


def _quoted_list(items: list[str]) -> str | None:
    """An Excel list validation formula, or None when Excel cannot hold the list."""
    if any("," in item or '"' in item for item in items):
        return None
    formula = '"' + ",".join(items) + '"'
    return formula if len(formula) <= 255 else None


def _code_tests(cell: str, codes: list[str]) -> list[str]:
    return [f'{cell}="{code}"' for code in codes if '"' not in code]


def column_validation(column: Column, first_cell: str) -> DataValidation | None:
    """The data validation Excel can do for a column. Special codes (X, «отсутствовал») stay
    allowed: a list includes them, a number range becomes a formula that also accepts them."""
    codes = column.special_code_list
    title = column.title[:32]
    if column.type in (Column.Type.CHOICE, Column.Type.YES_NO):
        options = column.choice_list if column.type == Column.Type.CHOICE else ["да", "нет"]
        formula = _quoted_list(options + codes)
        if formula is None:
            return None
        return DataValidation(
            type="list",
            formula1=formula,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=title,
            error="Выберите значение из списка.",
        )
    if column.is_numeric:
        integer = column.type == Column.Type.INTEGER
        low, high = column.min_value, column.max_value
        if not codes:
            bounds = {}
            if low is not None and high is not None:
                bounds = {
                    "operator": "between",
                    "formula1": f"{low.normalize():f}",
                    "formula2": f"{high.normalize():f}",
                }
            elif low is not None:
                bounds = {"operator": "greaterThanOrEqual", "formula1": f"{low.normalize():f}"}
            elif high is not None:
                bounds = {"operator": "lessThanOrEqual", "formula1": f"{high.normalize():f}"}
            elif not integer:
                return None
            else:
                bounds = {"operator": "between", "formula1": "-1E+15", "formula2": "1E+15"}
            return DataValidation(
                type="whole" if integer else "decimal",
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=title,
                error=column_hint(column) or "Введите число.",
                **bounds,
            )
        tests = [f"ISNUMBER({first_cell})"]
        if integer:
            tests.append(f"{first_cell}=INT({first_cell})")
        if low is not None:
            tests.append(f"{first_cell}>={low.normalize():f}")
        if high is not None:
            tests.append(f"{first_cell}<={high.normalize():f}")
        formula = "OR(AND(" + ",".join(tests) + ")," + ",".join(_code_tests(first_cell, codes))
        # A warning, not a stop: the server checks anyway, and a spreadsheet program that
        # reads the formula differently must not lock the school out of a valid value.
        return DataValidation(
            type="custom",
            formula1=formula + ")",
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle=title,
            error=f"Допустимо: {column_hint(column)}.",
        )
    if column.type == Column.Type.TEXT and column.max_length and not codes:
        return DataValidation(
            type="textLength",
            operator="lessThanOrEqual",
            formula1=str(column.max_length),
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=title,
            error=f"Не больше {column.max_length} символов.",
        )
    return None


def _header_comment(column: Column) -> Comment | None:
    parts = []
    if column.help_text:
        parts.append(column.help_text)
    if column.special_code_list:
        parts.append("Допустимые особые коды: " + ", ".join(column.special_code_list) + ".")
    if column.type == Column.Type.FILE:
        parts.append("Файл загружается на странице формы, из Excel не загружается.")
    if column.is_computed:
        parts.append("Вычисляется автоматически, из Excel не загружается.")
    if column.required:
        parts.append("Обязательный столбец.")
    return Comment("\n".join(parts), "ФИС ОКО") if parts else None


def _write_sheet(sheet, definition: TableDefinition, rows, values) -> None:
    table = definition.table
    columns = definition.columns
    sheet["A1"] = table.key
    sheet["B1"] = table.title
    sheet["B1"].font = Font(bold=True, size=12)
    sheet["A2"] = "keys"
    sheet["B3"] = table.row_header or "Строка"
    sheet["B4"] = "Допустимые значения:"
    for cell in (sheet["B3"], sheet["B4"]):
        cell.fill = HEADER_FILL
    sheet["B3"].font = Font(bold=True)
    sheet["B4"].font = NOTE_FONT
    row_count = len(definition.fixed_rows) if not table.is_dynamic else (table.max_rows or 0)
    last_row = FIRST_DATA_ROW + max(row_count, 1) - 1
    for offset, column in enumerate(columns):
        index = FIRST_VALUE_COLUMN + offset
        letter = get_column_letter(index)
        sheet.cell(2, index, column.key)
        header = sheet.cell(3, index, column.title + (" *" if column.required else ""))
        header.font = Font(bold=True)
        header.fill = HEADER_FILL
        header.alignment = Alignment(wrap_text=True, vertical="bottom")
        header.comment = _header_comment(column)
        note = sheet.cell(4, index, _note(column))
        note.font = NOTE_FONT
        note.fill = HEADER_FILL
        note.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[letter].width = max(12, min(30, len(column.title) + 4))
        if column.type == Column.Type.DATE:
            for line in range(FIRST_DATA_ROW, last_row + 1):
                sheet.cell(line, index).number_format = "DD.MM.YYYY"
        validation = column_validation(column, f"{letter}{FIRST_DATA_ROW}")
        if validation is not None and not column.is_computed:
            if column.help_text:
                validation.promptTitle = column.title[:32]
                validation.prompt = column.help_text[:255]
                validation.showInputMessage = True
            validation.add(f"{letter}{FIRST_DATA_ROW}:{letter}{last_row}")
            sheet.add_data_validation(validation)
    for number, (row_key, label) in enumerate(rows, 1):
        line = FIRST_DATA_ROW + number - 1
        sheet.cell(line, 1, row_key)
        sheet.cell(line, 2, number if table.is_dynamic else label).fill = HEADER_FILL
        row_values = values.get((table.pk, row_key), {})
        for offset, column in enumerate(columns):
            cell = sheet.cell(line, FIRST_VALUE_COLUMN + offset)
            if column.is_computed:
                letters = [
                    get_column_letter(FIRST_VALUE_COLUMN + columns.index(part)) + str(line)
                    for part in columns
                    if part.key in column.summed_keys
                ]
                cell.value = f"=SUM({','.join(letters)})" if letters else 0
            else:
                cell.value = excel_value(column, row_values.get(column.key, ""))
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # text typed by a school is never a formula
            if column.is_computed or column.type == Column.Type.FILE:
                cell.fill = LOCKED_FILL
    sheet.column_dimensions["A"].hidden = True
    sheet.column_dimensions["B"].width = 28 if not table.is_dynamic else 8
    sheet.row_dimensions[2].hidden = True
    sheet.freeze_panes = sheet.cell(FIRST_DATA_ROW, FIRST_VALUE_COLUMN)


def _note(column: Column) -> str:
    if column.type == Column.Type.FILE:
        return "файл (загружается на странице формы)"
    if column.type == Column.Type.CHOICE:
        return "; ".join(filter(None, [" / ".join(column.choice_list), column_hint(column)]))
    return column_hint(column)


def template_workbook(
    *, form, definitions: list[TableDefinition], rows: dict, values: dict
) -> bytes:
    """The .xlsx «Скачать шаблон» gives: the form's tables with the report's current values."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = form.title
    workbook.properties.identifier = form.code
    workbook.properties.creator = "ФИС ОКО"
    taken: set[str] = set()
    for definition in definitions:
        sheet = workbook.create_sheet(sheet_title(definition.table.title, taken))
        _write_sheet(sheet, definition, rows.get(definition.table.pk, []), values)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Reading


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
    """The workbook of an uploaded file, or ExcelFileError with the reason in Russian."""
    if upload is None:
        raise ExcelFileError(NO_FILE_MESSAGE)
    if not (upload.name or "").lower().endswith(".xlsx"):
        raise ExcelFileError(WRONG_TYPE_MESSAGE)
    limit = settings.DATACOLLECTION_UPLOAD_MAX_SIZE
    if upload.size > limit:
        raise ExcelFileError(
            TOO_LARGE_MESSAGE.format(
                size=format_file_size(upload.size), limit=format_file_size(limit)
            )
        )
    upload.seek(0)
    try:
        return open_xlsx(upload.read(), size_limit=limit)
    except UnreadableFile:
        raise ExcelFileError(BROKEN_MESSAGE) from None


def _where(sheet_name: str, line: int, column: Column | None = None) -> str:
    where = f"Лист «{sheet_name}», строка {line}"
    return f"{where}, «{column.title}»" if column is not None else where


def _read_sheet(sheet, definition: TableDefinition, errors: list[str]) -> list[ImportedRow]:
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
    for line, cells in enumerate(lines, FIRST_DATA_ROW):
        cells = list(cells) + [None] * (FIRST_VALUE_COLUMN - 1 + len(keys) - len(cells))
        row_key = raw_text(cells[0])
        row_key = row_key.strip() if row_key else None
        label = raw_text(cells[1])
        data = cells[FIRST_VALUE_COLUMN - 1 :]
        has_data = any(
            raw_text(value) not in (None, "") and column is not None and _imported(column)
            for value, column in zip(data, columns, strict=True)
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
        for value, column in zip(data, columns, strict=True):
            if column is None or not _imported(column):
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
    workbook = open_workbook(upload)
    try:
        identifier = workbook.properties.identifier if workbook.properties else None
        if identifier and identifier != form.code:
            raise ExcelFileError(OTHER_FORM_MESSAGE.format(code=identifier))
        by_key = {definition.table.key: definition for definition in definitions}
        errors: list[str] = []
        rows: list[ImportedRow] = []
        found = set()
        try:
            for sheet in workbook.worksheets:
                marker = next(sheet.iter_rows(max_row=1, max_col=1, values_only=True), (None,))
                definition = by_key.get(str(marker[0]).strip()) if marker[0] else None
                if definition is None or definition.table.key in found:
                    continue
                found.add(definition.table.key)
                rows += _read_sheet(sheet, definition, errors)
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
