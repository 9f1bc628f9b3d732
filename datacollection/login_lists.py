"""Lists of logins read from a spreadsheet, CSV or text (participating organizations, added by
the federal operator in the admin). Only the format lives here; the write is
`services.collection_add_organizations`."""

import csv
import io
import re
from pathlib import PurePath

from django.conf import settings

from core.files import UnreadableFile, decode_text, open_xlsx

from .errors import DefinitionFileError

LOGIN_FILE_TYPES_MESSAGE = "Загрузите список логинов в формате .xlsx, .csv или .txt."
LOGIN_FILE_BROKEN_MESSAGE = "Файл со списком логинов не читается: {reason}."
LOGIN_FILE_TOO_LARGE_MESSAGE = "Файл со списком логинов слишком большой."
NO_LOGINS_MESSAGE = "В списке нет ни одного логина."
MAX_LOGINS = 50_000
LOGIN_RE = re.compile(r"^[a-z]{2,5}\d{2,}[a-z0-9_]*$")


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
