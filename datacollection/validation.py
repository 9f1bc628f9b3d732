"""The rules a typed value must satisfy, the same for autosave, Excel upload and «Сдать отчет».

`clean_value(column, raw)` turns what the user typed into the stored string or raises
`CellError` with a Russian message; nothing else may escape it. Stored forms: integers «12»,
decimals «3.5», dates «2026-11-21», yes/no «да»/«нет», special codes as defined («X»).
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from .errors import CellError
from .models import Column, CrossCheck, FormTable

REQUIRED_MESSAGE = "Заполните ячейку."
YES_WORDS = {"да", "д", "yes", "y", "1", "true"}
NO_WORDS = {"нет", "н", "no", "n", "0", "false"}
# Latin x, Cyrillic х, either case: everybody types the «не выполнял» code differently.
X_VARIANTS = {"x", "х"}
MAX_INPUT_LENGTH = 10_000
DATE_RE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
NUMBER_RE = re.compile(r"^[+-]?\d+([.,]\d+)?$")


def _special_code(column: Column, text: str) -> str | None:
    """The canonical special code `text` stands for, if the column allows one."""
    folded = text.casefold()
    for code in column.special_code_list:
        canonical = code.casefold()
        if folded == canonical or (canonical in X_VARIANTS and folded in X_VARIANTS):
            return code
    return None


def _number(column: Column, text: str, *, integer: bool) -> str:
    compact = text.replace(" ", "").replace("\u00a0", "")
    if not NUMBER_RE.match(compact):
        raise CellError("Введите целое число." if integer else "Введите число.")
    value = Decimal(compact.replace(",", "."))
    if integer and value != value.to_integral_value():
        raise CellError("Введите целое число.")
    if column.min_value is not None and value < column.min_value:
        raise CellError(f"Значение должно быть не меньше {column.min_value.normalize():f}.")
    if column.max_value is not None and value > column.max_value:
        raise CellError(f"Значение должно быть не больше {column.max_value.normalize():f}.")
    if integer:
        return str(int(value))
    normalized = value.normalize()
    return f"{normalized:f}" if normalized != 0 else "0"


def _date(text: str) -> str:
    match = DATE_RE.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
    else:
        match = ISO_DATE_RE.match(text)
        if not match:
            raise CellError("Введите дату в виде дд.мм.гггг.")
        year, month, day = (int(part) for part in match.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        raise CellError("Такой даты нет в календаре.") from None


def _yes_no(text: str) -> str:
    folded = text.casefold()
    if folded in YES_WORDS:
        return "да"
    if folded in NO_WORDS:
        return "нет"
    raise CellError("Введите «да» или «нет».")


def _choice(column: Column, text: str) -> str:
    folded = text.casefold()
    for choice in column.choice_list:
        if choice.casefold() == folded:
            return choice
    raise CellError("Выберите значение из списка: " + ", ".join(column.choice_list) + ".")


def _text(column: Column, text: str) -> str:
    if column.max_length is not None and len(text) > column.max_length:
        raise CellError(f"Не больше {column.max_length} символов (сейчас {len(text)}).")
    return text


def clean_value(column: Column, raw: object) -> str:
    """The stored form of `raw` for `column`; "" for an empty cell. Raises only CellError."""
    if raw is None:
        return ""
    if not isinstance(raw, str | int | float) or isinstance(raw, bool):
        raise CellError("Недопустимое значение.")
    text = str(raw)
    if len(text) > MAX_INPUT_LENGTH:
        raise CellError(f"Слишком длинное значение (больше {MAX_INPUT_LENGTH} символов).")
    if "\x00" in text:
        raise CellError("Недопустимые символы в значении.")
    text = text.strip()
    if column.is_computed:
        raise CellError("Столбец вычисляется автоматически.")
    if not text:
        return ""
    if column.type == Column.Type.FILE:
        raise CellError("Файл загружается отдельно.")
    code = _special_code(column, text)
    if code is not None:
        return code
    try:
        match column.type:
            case Column.Type.INTEGER:
                return _number(column, text, integer=True)
            case Column.Type.DECIMAL:
                return _number(column, text, integer=False)
            case Column.Type.DATE:
                return _date(text)
            case Column.Type.YES_NO:
                return _yes_no(text)
            case Column.Type.CHOICE:
                return _choice(column, text)
            case _:
                return _text(column, text)
    except (InvalidOperation, OverflowError, ValueError):
        raise CellError("Недопустимое значение.") from None


def numeric_value(column: Column, stored: str) -> Decimal | None:
    """The number a stored value stands for in sums and checks; None for empty/special codes."""
    if not column.is_numeric or not stored or stored in column.special_code_list:
        return None
    try:
        return Decimal(stored)
    except InvalidOperation:
        return None


def display_value(column: Column, stored: str) -> str:
    """What the cell shows: dates as дд.мм.гггг, decimals with a comma."""
    if not stored or stored in column.special_code_list:
        return stored
    if column.type == Column.Type.DATE and ISO_DATE_RE.match(stored):
        year, month, day = stored.split("-")
        return f"{day}.{month}.{year}"
    if column.type == Column.Type.DECIMAL:
        return stored.replace(".", ",")
    return stored


def computed_values(table_columns: list[Column], values: dict[str, str]) -> dict[str, str]:
    """Row totals: each computed column is the sum of its numeric columns (codes count as 0)."""
    by_key = {column.key: column for column in table_columns}
    result = {}
    for column in table_columns:
        if not column.is_computed:
            continue
        total = Decimal(0)
        for key in column.summed_keys:
            part = by_key.get(key)
            number = numeric_value(part, values.get(key, "")) if part else None
            total += number or 0
        normalized = total.normalize()
        result[column.key] = f"{normalized:f}" if normalized != 0 else "0"
    return result


@dataclass(frozen=True)
class ReportError:
    table_key: str
    row_key: str
    column_key: str
    message: str
    where: str  # «Таблица, строка, столбец» in words, for the list of errors

    @property
    def anchor(self) -> str:
        return cell_anchor(self.table_key, self.row_key, self.column_key)


def cell_anchor(table_key: str, row_key: str, column_key: str) -> str:
    return f"cell-{table_key}-{row_key}-{column_key}"


def _side(columns: dict[str, Column], keys: list[str], values: dict[str, str]) -> Decimal | None:
    total = Decimal(0)
    for key in keys:
        column = columns.get(key)
        if column is None:
            return None
        number = numeric_value(column, values.get(key, ""))
        if number is None:
            return None  # an empty cell or a special code: the required check speaks instead
        total += number
    return total


def check_row(
    table: FormTable,
    columns: list[Column],
    checks: list[CrossCheck],
    row_key: str,
    row_label: str,
    values: dict[str, str],
) -> list[ReportError]:
    """Every error of one row: each value re-checked, required cells, cross-column checks."""
    errors = []

    def error(column_key: str, column_title: str, message: str):
        where = f"«{table.title}», строка «{row_label}», столбец «{column_title}»"
        errors.append(ReportError(table.key, row_key, column_key, message, where))

    for column in columns:
        if column.is_computed:
            continue
        stored = values.get(column.key, "")
        if not stored:
            if column.required:
                error(column.key, column.title, REQUIRED_MESSAGE)
            continue
        if column.type == Column.Type.FILE:
            continue
        try:
            clean_value(column, stored)
        except CellError as exc:
            error(column.key, column.title, exc.message)
    by_key = {column.key: column for column in columns}
    for check in checks:
        left = _side(by_key, check.left_keys, values)
        right = _side(by_key, check.right_keys, values)
        if left is None or right is None:
            continue
        ok = {
            CrossCheck.Operator.EQ: left == right,
            CrossCheck.Operator.LE: left <= right,
            CrossCheck.Operator.GE: left >= right,
        }[check.operator]
        if not ok:
            first = by_key[check.left_keys[0]]
            error(first.key, first.title, check.message)
    return errors


def validate_report(tables, rows_by_table, values) -> list[ReportError]:
    """Every error of a whole report, in table, row and column order.

    `tables` are `definitions.TableDefinition`s, `rows_by_table[table.pk]` the (key, label) rows,
    `values[(table.pk, row_key)]` a dict column key → stored value."""
    errors = []
    for definition in tables:
        for row_key, row_label in rows_by_table.get(definition.table.pk, []):
            errors += check_row(
                definition.table,
                definition.columns,
                definition.checks,
                row_key,
                row_label,
                values.get((definition.table.pk, row_key), {}),
            )
    return errors
