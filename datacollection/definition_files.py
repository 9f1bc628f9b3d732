"""Form definitions as JSON files, so a form is reused next year, and lists of logins read from
a spreadsheet or text. Only formats live here; writes are in `services`."""

import csv
import io
import json
import re
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings

from core.files import UnreadableFile, decode_text, open_xlsx

from .definitions import load_form
from .models import Form, split_lines

FORMAT = "fisoko-niko-form"
FORMAT_VERSION = 1
NOT_A_DEFINITION_MESSAGE = (
    "Файл не является определением формы ФИС ОКО (JSON, выгруженный кнопкой «Экспорт»)."
)
LOGIN_FILE_TYPES_MESSAGE = "Загрузите список логинов в формате .xlsx, .csv или .txt."
LOGIN_FILE_BROKEN_MESSAGE = "Файл со списком логинов не читается: {reason}."
LOGIN_FILE_TOO_LARGE_MESSAGE = "Файл со списком логинов слишком большой."
NO_LOGINS_MESSAGE = "В списке нет ни одного логина."
MAX_LOGINS = 50_000
LOGIN_RE = re.compile(r"^[a-z]{2,5}\d{2,}[a-z0-9_]*$")
COLUMN_FIELDS = ["key", "title", "order", "type", "required", "max_length", "sum_of", "help_text"]


class DefinitionFileError(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def _number(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.normalize():f}"


def form_export(form: Form) -> dict:
    """Everything that defines a form: tables, columns, fixed rows, cross-column checks."""
    tables = []
    for definition in load_form(form):
        table = definition.table
        tables.append(
            {
                "key": table.key,
                "title": table.title,
                "order": table.order,
                "row_mode": table.row_mode,
                "row_header": table.row_header,
                "max_rows": table.max_rows,
                "columns": [
                    {
                        **{name: getattr(column, name) for name in COLUMN_FIELDS},
                        "min_value": _number(column.min_value),
                        "max_value": _number(column.max_value),
                        "choices": column.choice_list,
                        "special_codes": column.special_code_list,
                    }
                    for column in definition.columns
                ],
                "fixed_rows": [
                    {"key": row.key, "label": row.label, "order": row.order}
                    for row in definition.fixed_rows
                ],
                "checks": [
                    {
                        "left": check.left,
                        "operator": check.operator,
                        "right": check.right,
                        "message": check.message,
                    }
                    for check in definition.checks
                ],
            }
        )
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "form": {
            "code": form.code,
            "title": form.title,
            "description": form.description,
            "tables": tables,
        },
    }


def form_export_json(form: Form) -> bytes:
    return json.dumps(form_export(form), ensure_ascii=False, indent=2).encode("utf-8")


def definition_from_file(data: bytes) -> dict:
    """The "form" part of an exported file, or DefinitionFileError."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise DefinitionFileError([NOT_A_DEFINITION_MESSAGE]) from None
    if (
        not isinstance(document, dict)
        or document.get("format") != FORMAT
        or not isinstance(document.get("form"), dict)
    ):
        raise DefinitionFileError([NOT_A_DEFINITION_MESSAGE])
    if document.get("version") != FORMAT_VERSION:
        version = document.get("version")
        raise DefinitionFileError(
            [f"Версия файла {version!r} не поддерживается (нужна {FORMAT_VERSION})."]
        )
    return document["form"]


def lines_text(value) -> str:
    """Choices and special codes are lists in the file and lines in the model."""
    if isinstance(value, list):
        return "\n".join(str(item) for item in value)
    return "\n".join(split_lines(str(value or "")))


# Lists of logins


def _logins_from_rows(rows) -> list[str]:
    """The first non-empty cell of each row; a first row that is no login is a header."""
    logins = []
    for number, row in enumerate(rows):
        first = next((str(v).strip() for v in row if v is not None and str(v).strip()), None)
        if first is None:
            continue
        login = first.lower()
        if number == 0 and not LOGIN_RE.match(login):
            continue
        logins.append(login)
        if len(logins) > MAX_LOGINS:
            raise DefinitionFileError([f"В списке больше {MAX_LOGINS} логинов."])
    return logins


def logins_from_text(text: str) -> list[str]:
    return _logins_from_rows([token] for token in re.split(r"[\s,;]+", text or "") if token)


def logins_from_file(upload) -> list[str]:
    """Logins from .xlsx (first column of the first sheet), .csv (first column) or .txt."""
    extension = PurePath(upload.name or "").suffix.lower()
    if upload.size > settings.IMPORT_MAX_FILE_SIZE:
        raise DefinitionFileError([LOGIN_FILE_TOO_LARGE_MESSAGE])
    data = upload.read()
    if extension == ".xlsx":
        try:
            workbook = open_xlsx(data, size_limit=settings.IMPORT_MAX_FILE_SIZE)
        except UnreadableFile:
            raise DefinitionFileError(
                [LOGIN_FILE_BROKEN_MESSAGE.format(reason="это не книга Excel (.xlsx)")]
            ) from None
        try:
            if not workbook.worksheets:
                return []
            sheet = workbook.worksheets[0]
            return _logins_from_rows(sheet.iter_rows(max_col=20, values_only=True))
        finally:
            workbook.close()
    if extension in (".csv", ".txt"):
        try:
            text = decode_text(data)
        except UnreadableFile:
            raise DefinitionFileError(
                [LOGIN_FILE_BROKEN_MESSAGE.format(reason="это не текстовый файл")]
            ) from None
    if extension == ".csv":
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        return _logins_from_rows(csv.reader(io.StringIO(text), dialect))
    if extension == ".txt":
        return logins_from_text(text)
    raise DefinitionFileError([LOGIN_FILE_TYPES_MESSAGE])
