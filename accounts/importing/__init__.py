"""Reading a file of organizations to import, and what is wrong with each row. Nothing here writes.

`check_file` reads an .xlsx or .csv file and validates every row against the database. The write,
`services.organizations_import`, calls `validate_rows` again inside its transaction, so a file
checked a minute ago cannot create a login that has been taken since.

Row numbers in messages are the ones the operator sees in the spreadsheet (the header is usually
row 1, the first organization row 2). `rows` holds the columns and messages, `reading` the file,
`validating` the rows.
"""

from django.conf import settings

from core.files import format_file_size
from core.text import plural

from .reading import read_file
from .rows import BROKEN, EMPTY, TOO_LARGE, ImportRejected, ImportResult, SourceRow
from .validating import validate_rows

__all__ = [
    "BROKEN",
    "EMPTY",
    "ImportRejected",
    "ImportResult",
    "SourceRow",
    "check_file",
    "max_size_words",
    "organizations_words",
    "read_file",
    "too_large_message",
    "validate_rows",
]


def check_file(*, data: bytes, filename: str) -> ImportResult:
    """The dry run: read the file and check every row; nothing is written."""
    try:
        rows = read_file(data=data, filename=filename)
    except ImportRejected as rejected:
        return ImportResult(errors=rejected.errors)
    return validate_rows(rows)


def organizations_words(number: int) -> str:
    """«1 организация», «3 организации», «25 организаций»."""
    return f"{number} {plural(number, 'организация', 'организации', 'организаций')}"


def max_size_words() -> str:
    return format_file_size(settings.IMPORT_MAX_FILE_SIZE)


def too_large_message(size: int) -> str:
    return TOO_LARGE.format(size=format_file_size(size), limit=max_size_words())
