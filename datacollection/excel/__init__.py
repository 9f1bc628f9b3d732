"""The Excel round trip of a report: «Скачать шаблон» (`template`) and «Загрузить из Excel»
(`reading`), on the sheet layout of `layout`. Only the file format lives here; which rows and
values go into the file come from selectors, and the import is written by
`services.report_excel_import`."""

from ..errors import ExcelCellErrors, ExcelFileError
from .layout import FIRST_DATA_ROW, FIRST_VALUE_COLUMN
from .reading import (
    BROKEN_MESSAGE,
    NO_FILE_MESSAGE,
    NO_SHEETS_MESSAGE,
    OTHER_FORM_MESSAGE,
    TOO_LARGE_MESSAGE,
    WRONG_TYPE_MESSAGE,
    ImportedRow,
    open_workbook,
    raw_text,
    read_report_workbook,
)
from .template import column_validation, excel_value, sheet_title, template_workbook

__all__ = [
    "BROKEN_MESSAGE",
    "FIRST_DATA_ROW",
    "FIRST_VALUE_COLUMN",
    "NO_FILE_MESSAGE",
    "NO_SHEETS_MESSAGE",
    "OTHER_FORM_MESSAGE",
    "TOO_LARGE_MESSAGE",
    "WRONG_TYPE_MESSAGE",
    "ExcelCellErrors",
    "ExcelFileError",
    "ImportedRow",
    "column_validation",
    "excel_value",
    "open_workbook",
    "raw_text",
    "read_report_workbook",
    "sheet_title",
    "template_workbook",
]
