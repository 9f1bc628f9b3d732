"""Reading an .xlsx or .csv file into rows of text, or ImportRejected with what is wrong
with the file as a whole."""

import csv
import io
from collections.abc import Iterable, Iterator
from pathlib import PurePath

from django.conf import settings

from core.files import UnreadableFile, decode_text, format_file_size, open_xlsx

from .rows import (
    BROKEN,
    COLUMN_BY_ALIAS,
    COLUMNS,
    DUPLICATE_COLUMN,
    EMPTY,
    EXPECTED_COLUMNS,
    MAX_ROWS,
    MISSING_COLUMNS,
    NO_HEADER,
    NO_ROWS,
    TOO_LARGE,
    TOO_MANY_ROWS,
    UNKNOWN_COLUMN,
    WRONG_TYPE,
    ImportRejected,
    SourceRow,
    short,
)


def read_file(*, data: bytes, filename: str) -> list[SourceRow]:
    """The filled rows under the header, or ImportRejected with what is wrong with the file."""
    if len(data) > settings.IMPORT_MAX_FILE_SIZE:
        raise ImportRejected(
            [
                TOO_LARGE.format(
                    size=format_file_size(len(data)),
                    limit=format_file_size(settings.IMPORT_MAX_FILE_SIZE),
                )
            ]
        )
    extension = PurePath(filename or "").suffix.lower()
    if extension not in (".xlsx", ".csv"):
        raise ImportRejected([WRONG_TYPE])
    if not data:
        raise ImportRejected([EMPTY])
    if extension == ".xlsx":
        return _source_rows(_xlsx_lines(data))
    return _source_rows(_csv_lines(data))


def _text(value) -> str:
    """A cell as text with whitespace (non-breaking spaces, line breaks) collapsed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel stores a typed 47 as 47.0
    return " ".join(str(value).split())


def _xlsx_lines(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        workbook = open_xlsx(
            data,
            size_limit=settings.IMPORT_MAX_FILE_SIZE,
            max_unpacked=settings.IMPORT_MAX_UNPACKED_SIZE,
        )
    except UnreadableFile:
        raise ImportRejected([BROKEN]) from None
    try:
        if not workbook.worksheets:
            raise ImportRejected([EMPTY])
        sheet = workbook.worksheets[0]
        # Some writers store wrong sheet dimensions; read what is there instead.
        sheet.reset_dimensions()
        # In read-only mode empty rows are still yielded, so the count is the row number.
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield line, [_text(value) for value in values]
    except ImportRejected:
        raise
    except Exception:  # a broken sheet XML surfaces only while rows are read
        raise ImportRejected([BROKEN]) from None
    finally:
        workbook.close()


def _decode(data: bytes) -> str:
    try:
        return decode_text(data)
    except UnreadableFile:
        raise ImportRejected([BROKEN]) from None


def _delimiter(text: str) -> str:
    """Russian Excel writes `;`, most other tools `,`: the header line tells which."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    counts = {delimiter: header.count(delimiter) for delimiter in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ";"


def _csv_lines(data: bytes) -> Iterator[tuple[int, list[str]]]:
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        # A spreadsheet shows one row per record, also when a quoted value spans lines.
        for line, values in enumerate(reader, start=1):
            yield line, [_text(value) for value in values]
    except csv.Error:
        raise ImportRejected([BROKEN]) from None


def _header(line: int, cells: list[str]) -> dict[int, str]:
    """Column index → column key, or ImportRejected with what is wrong with the header."""
    errors = []
    found: dict[str, int] = {}
    unknown = []
    for index, title in enumerate(cells):
        if not title:
            continue
        column = COLUMN_BY_ALIAS.get(title.lower().replace("ё", "е"))
        if column is None:
            unknown.append(title)
        elif column.key in found:
            errors.append(DUPLICATE_COLUMN.format(line=line, title=title))
        else:
            found[column.key] = index
    if not found:
        raise ImportRejected([NO_HEADER.format(line=line, expected=EXPECTED_COLUMNS)])
    missing = [f"«{c.title}»" for c in COLUMNS if c.required and c.key not in found]
    if missing:
        errors.insert(
            0,
            MISSING_COLUMNS.format(
                line=line, columns=", ".join(missing), expected=EXPECTED_COLUMNS
            ),
        )
    errors += [
        UNKNOWN_COLUMN.format(line=line, title=short(title), expected=EXPECTED_COLUMNS)
        for title in unknown
    ]
    if errors:
        raise ImportRejected(errors)
    return {index: key for key, index in found.items()}


def _source_rows(lines: Iterable[tuple[int, list[str]]]) -> list[SourceRow]:
    header = None
    rows: list[SourceRow] = []
    for line, cells in lines:
        if not any(cells):
            continue
        if header is None:
            header = _header(line, cells)
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportRejected([TOO_MANY_ROWS.format(limit=MAX_ROWS)])
        values = {key: cells[index] if index < len(cells) else "" for index, key in header.items()}
        if any(values.values()):
            rows.append(SourceRow(line=line, values=values))
    if header is None:
        raise ImportRejected([EMPTY])
    if not rows:
        raise ImportRejected([NO_ROWS])
    return rows
