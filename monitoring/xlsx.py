"""«Экспорт результатов» as an .xlsx file: which file format, given the rows (`selectors`).

openpyxl's write-only mode streams every sheet to its own temporary file, so memory does not
grow with the number of rows; sheets may be appended to in any order.

Text typed by a user is never run as a formula. A value that a spreadsheet would read as a
formula (it starts with =, +, -, @, or a tab/CR that some tools strip) is written as a string
cell (data_type "s") *and* prefixed with a single quote ('). The string type alone keeps Excel
and LibreOffice from evaluating the cell when the file is opened; the visible apostrophe is the
OWASP-recommended guard for what happens next: the cell stays text when someone edits it, when
the sheet is saved as CSV and opened again, or when another tool trims leading whitespace (a
leading space, the alternative, is invisible and is stripped by many tools, which would bring
the formula back). The apostrophe is shown, so nobody mistakes the value for a computed one.
"""

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from core.files import FORMULA_TRIGGERS, discard_workbook, safe_text
from datacollection.definitions import TableDefinition
from datacollection.models import Column

from .selectors import ExportRecord

EXCEL_MAX_ROWS = 1_048_576
DATE_FORMAT = "DD.MM.YYYY"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM"
SHEET_TITLE_FORBIDDEN = set("[]:*?/\\")

SUMMARY_HEADERS = [
    "Регион",
    "Муниципалитет",
    "Логин",
    "Наименование ОО",
    "Статус",
    "Дата начала ввода данных (МСК)",
    "Дата передачи данных в ФИС ОКО (МСК)",
    "Последнее сохранение (МСК)",
    "Сдано с опозданием",
    "Есть несданные изменения",
]


def typed_reader(column: Column) -> Callable[[str | None], Any]:
    """The stored string of a cell of `column` as the number, date or text it stands for.
    Special codes (X, «отсутствовал») and anything unparsable stay text. The column's rule is
    read once: an export converts every value of a column by it (245,700 values of one
    region's snapshots; its special codes split per value were 4 % of the export)."""
    codes = frozenset(column.special_code_list)
    parse = _PARSERS.get(column.type)

    def read(stored: str | None):
        if stored in ("", None):
            return None
        stored = str(stored)
        if stored in codes or parse is None:
            return stored
        try:
            return parse(stored)
        except (ValueError, InvalidOperation, OverflowError):  # «Infinity» has no int
            return stored

    return read


def _decimal(stored: str) -> int | Decimal:
    number = Decimal(stored)
    return int(number) if number == number.to_integral_value() else number


_PARSERS = {
    Column.Type.INTEGER: int,
    Column.Type.DECIMAL: _decimal,
    Column.Type.DATE: date.fromisoformat,
}


def _moscow(moment: datetime | None):
    # Excel has no time zones: the value is Moscow time, as the header says.
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


class _SheetStream:
    """Rows of one logical sheet; past Excel's row limit it continues in «Title (2)»."""

    def __init__(self, book: "ResultsWorkbook", title: str, headers: list[str], max_rows: int):
        self.book, self.title, self.headers, self.max_rows = book, title, headers, max_rows
        self.part = 0
        self._open()

    def _open(self):
        self.part += 1
        title = self.title if self.part == 1 else f"{self.title[:26]} ({self.part})"
        self.sheet = self.book.workbook.create_sheet(self.book.unique_title(title))
        self.sheet.append([self.book.header(self.sheet, h) for h in self.headers])
        self.rows = 1

    def append(self, values: list):
        if self.rows >= self.max_rows:
            self._open()
        self.sheet.append([self.book.cell(self.sheet, value) for value in values])
        self.rows += 1


class ResultsWorkbook:
    """The export file: «Сводка» with one row per organization, then one sheet per form table
    with one row per organization and table row."""

    def __init__(self, definitions: list[TableDefinition], *, max_rows: int = EXCEL_MAX_ROWS):
        self.workbook = Workbook(write_only=True)
        self.definitions = definitions
        # Per table: (column key, `typed_reader`) in the order of the columns.
        self.readers = {
            definition.table.key: [
                (column.key, typed_reader(column)) for column in definition.columns
            ]
            for definition in definitions
        }
        self._titles: set[str] = set()
        self.summary = _SheetStream(self, "Сводка", SUMMARY_HEADERS, max_rows)
        self.tables = [
            _SheetStream(
                self,
                definition.table.title,
                [
                    "Регион",
                    "Муниципалитет",
                    "Логин",
                    "Наименование ОО",
                    definition.table.row_header or "Строка",
                    *(column.title for column in definition.columns),
                ],
                max_rows,
            )
            for definition in definitions
        ]

    def unique_title(self, title: str) -> str:
        cleaned = "".join(" " if ch in SHEET_TITLE_FORBIDDEN else ch for ch in title).strip()
        cleaned = cleaned.strip("'")[:31] or "Лист"
        candidate, number = cleaned, 1
        while candidate.casefold() in self._titles:
            number += 1
            suffix = f" {number}"
            candidate = cleaned[: 31 - len(suffix)] + suffix
        self._titles.add(candidate.casefold())
        return candidate

    def header(self, sheet, text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=safe_text(text))
        cell.data_type = "s"
        cell.font = Font(bold=True)
        return cell

    @staticmethod
    def cell(sheet, value):
        """What to append for `value`: plain values where openpyxl's own typing is right (it is
        the fast path), a cell object where the type or the number format must be forced."""
        if isinstance(value, str):
            if not value.startswith(FORMULA_TRIGGERS):
                return value  # openpyxl types it "s": only a leading "=" would make it "f"
            cell = WriteOnlyCell(sheet, value=safe_text(value))
            cell.data_type = "s"  # never a formula, whatever openpyxl guesses
            return cell
        if isinstance(value, bool):
            return "да" if value else "нет"
        if isinstance(value, date):  # datetime too
            cell = WriteOnlyCell(sheet, value=value)
            cell.number_format = DATETIME_FORMAT if isinstance(value, datetime) else DATE_FORMAT
            return cell
        return value

    def add(self, record: ExportRecord) -> None:
        head = [record.region, record.municipality, record.login, record.name]
        self.summary.append(
            [
                *head,
                record.status,
                _moscow(record.started_at),
                _moscow(record.submitted_at),
                _moscow(record.last_saved_at),
                record.is_late,
                record.has_changes,
            ]
        )
        if not record.snapshot:
            return
        by_key = {table.get("key"): table for table in record.snapshot.get("tables", [])}
        for definition, stream in zip(self.definitions, self.tables, strict=True):
            table = by_key.get(definition.table.key)
            if not table:
                continue
            readers = self.readers[definition.table.key]
            for row in table.get("rows", []):
                values = row.get("values", {})
                stream.append(
                    [
                        *head,
                        row.get("label", ""),
                        *(read(values.get(key, "")) for key, read in readers),
                    ]
                )

    def save(self, path) -> None:
        self.workbook.save(path)

    def discard(self) -> None:
        """After a failure: close every sheet and remove its temporary file."""
        discard_workbook(self.workbook)
