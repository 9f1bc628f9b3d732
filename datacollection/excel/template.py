"""«Скачать шаблон»: the form's tables as an .xlsx with the report's current values, Excel's
own data validation per column and notes on limits and special codes."""

from datetime import date
from decimal import Decimal, InvalidOperation
from io import BytesIO

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..definitions import TableDefinition
from ..models import Column
from ..presenters import column_hint
from .layout import FIRST_DATA_ROW, FIRST_VALUE_COLUMN

HEADER_FILL = PatternFill("solid", fgColor="E9EEF6")
LOCKED_FILL = PatternFill("solid", fgColor="F3F5F8")
NOTE_FONT = Font(italic=True, size=9, color="6C757D")


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
