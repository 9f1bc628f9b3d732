"""Reading a file of organizations to import, and what is wrong with each row. Nothing here writes.

`check_file` reads an .xlsx or .csv file and validates every row against the database. The write,
`services.organizations_import`, calls `validate_rows` again inside its transaction, so a file
checked a minute ago cannot create a login that has been taken since.

Row numbers in messages are the ones the operator sees in the spreadsheet (the header is usually
row 1, the first organization row 2).
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from core.files import UnreadableFile, decode_text, open_xlsx
from core.text import plural

from .models import Municipality, Organization, Region, User

# A region has up to ~2,500 organizations, the whole country ~45,000: one file per country.
MAX_ROWS = 50_000
MAX_ERRORS_LISTED = 200
NAME_MAX_LENGTH = Organization._meta.get_field("name").max_length
EMAIL_MAX_LENGTH = Organization._meta.get_field("email").max_length
QUERY_CHUNK = 1000  # logins per `IN (...)`: SQLite limits the number of query parameters


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    aliases: frozenset[str]
    required: bool = True


COLUMNS = [
    Column("region", "Регион", frozenset({"регион", "region"})),
    Column("municipality", "Муниципалитет", frozenset({"муниципалитет", "municipality"})),
    Column("login", "Логин", frozenset({"логин", "login"})),
    Column("name", "Наименование", frozenset({"наименование", "name"})),
    Column("kind", "Тип", frozenset({"тип", "kind"}), required=False),
    Column(
        "email",
        "Электронная почта",
        frozenset({"электронная почта", "email", "e-mail"}),
        required=False,
    ),
]
COLUMN_BY_ALIAS = {alias: column for column in COLUMNS for alias in column.aliases}
EXPECTED_COLUMNS = ", ".join(
    column.title if column.required else f"{column.title} (необязательно)" for column in COLUMNS
)

KINDS = {
    "": Organization.Kind.SCHOOL,
    "школа": Organization.Kind.SCHOOL,
    "оо": Organization.Kind.SCHOOL,
    "school": Organization.Kind.SCHOOL,
    "колледж": Organization.Kind.COLLEGE,
    "спо": Organization.Kind.COLLEGE,
    "поо": Organization.Kind.COLLEGE,
    "college": Organization.Kind.COLLEGE,
}

# 47, 7 (a spreadsheet drops the leading zero of 07) or the coordinator's login reg470000.
REGION_PATTERN = re.compile(r"^(?:reg(\d{2})0000|(\d{1,2}))$")
LOGIN_PATTERN = re.compile(r"^edu(\d{2})\d{4}$")

# The whole file.
WRONG_TYPE = "Файл должен быть в формате .xlsx или .csv."
BROKEN = (
    "Файл поврежден и не читается: откройте его в Excel и сохраните заново "
    "как .xlsx или .csv (UTF-8)."
)
EMPTY = "Файл пуст: в нем нет строки заголовков."
NO_ROWS = "В файле нет организаций: после строки заголовков нет ни одной заполненной строки."
TOO_LARGE = "Файл слишком большой ({size}); допустимо не более {limit}."
TOO_MANY_ROWS = "В файле больше {limit} организаций: разделите его на несколько файлов."
NO_HEADER = (
    "Строка {line}: это не строка заголовков. Первая заполненная строка файла должна "
    "содержать названия столбцов: {expected}."
)
MISSING_COLUMNS = "Строка {line}: нет столбцов {columns}. Нужны столбцы: {expected}."
UNKNOWN_COLUMN = "Строка {line}: неизвестный столбец «{title}». Нужны столбцы: {expected}."
DUPLICATE_COLUMN = "Строка {line}: столбец «{title}» указан дважды."
MORE_ERRORS = "… и еще ошибок: {count}."
# One row.
REGION_MISSING = "Строка {line}: не указан регион."
REGION_NOT_FOUND = "Строка {line}: регион «{value}» не найден."
MUNICIPALITY_MISSING = "Строка {line}: не указан муниципалитет."
MUNICIPALITY_NOT_FOUND = "Строка {line}: муниципалитет «{value}» не найден."
MUNICIPALITY_OTHER_REGION = (
    "Строка {line}: муниципалитет «{value}» относится к региону «{actual}», а не «{region}»."
)
LOGIN_MISSING = "Строка {line}: не указан логин."
LOGIN_FORMAT = (
    "Строка {line}: логин «{value}» имеет неверный вид: нужны edu, код региона и четыре цифры, "
    "например edu470001."
)
LOGIN_OTHER_REGION = (
    "Строка {line}: логин «{value}» не соответствует региону «{region}»: логины организаций "
    "этого региона начинаются с edu{region}."
)
LOGIN_DUPLICATE = (
    "Строка {line}: логин «{value}» повторяется в файле (уже указан в строке {first})."
)
LOGIN_TAKEN = "Строка {line}: логин «{value}» уже занят."
NAME_MISSING = "Строка {line}: не указано наименование."
NAME_TOO_LONG = "Строка {line}: наименование длиннее {limit} символов."
KIND_UNKNOWN = "Строка {line}: тип «{value}» не распознан: укажите «школа» или «колледж»."
EMAIL_INVALID = "Строка {line}: адрес электронной почты «{value}» указан неверно."


class ImportRejected(Exception):
    """The file or its rows cannot be imported; `errors` are Russian messages for the operator."""

    def __init__(self, errors: Sequence[str]):
        super().__init__("; ".join(errors))
        self.errors = list(errors)


@dataclass(frozen=True)
class SourceRow:
    """One filled row of the file as text, keyed by column (`region`, `login`...)."""

    line: int
    values: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.values.get(key, "")


@dataclass(frozen=True)
class OrganizationRow:
    """A row that passed every check, with its region and municipality found."""

    line: int
    region: Region
    municipality: Municipality
    login: str
    name: str
    kind: str
    email: str


@dataclass
class ImportResult:
    source_rows: list[SourceRow] = field(default_factory=list)
    rows: list[OrganizationRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.rows)

    def listed_errors(self, limit: int = MAX_ERRORS_LISTED) -> list[str]:
        """The first `limit` errors and a line saying how many more there are."""
        if len(self.errors) <= limit:
            return self.errors
        return [*self.errors[:limit], MORE_ERRORS.format(count=len(self.errors) - limit)]


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


def size_words(size: int) -> str:
    if size >= 2**20:
        return f"{size / 2**20:.1f} МБ".replace(".", ",").replace(",0 ", " ")
    return f"{max(1, round(size / 1024))} КБ"


def too_large_message(size: int) -> str:
    limit = settings.IMPORT_MAX_FILE_SIZE
    return TOO_LARGE.format(size=size_words(size), limit=size_words(limit))


# Reading ---------------------------------------------------------------------------------------


def read_file(*, data: bytes, filename: str) -> list[SourceRow]:
    """The filled rows under the header, or ImportRejected with what is wrong with the file."""
    if len(data) > settings.IMPORT_MAX_FILE_SIZE:
        raise ImportRejected([too_large_message(len(data))])
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
        workbook = open_xlsx(data, size_limit=settings.IMPORT_MAX_FILE_SIZE)
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
        UNKNOWN_COLUMN.format(line=line, title=_short(title), expected=EXPECTED_COLUMNS)
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


# Validating ------------------------------------------------------------------------------------


def _short(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else f"{value[: limit - 1]}…"


def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    values = sorted(values)
    for start in range(0, len(values), QUERY_CHUNK):
        yield values[start : start + QUERY_CHUNK]


def region_code(value: str) -> str | None:
    """The two-digit region code of «47», «7» or «reg470000»."""
    match = REGION_PATTERN.match(value.lower())
    if match is None:
        return None
    return (match.group(1) or match.group(2)).zfill(2)


@dataclass
class _Lookups:
    """Everything the rows refer to, loaded with a fixed number of queries per 1,000 rows."""

    regions: dict[str, Region]
    municipalities: dict[str, Municipality]
    taken_logins: set[str]
    first_line_of_login: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, rows: Sequence[SourceRow]) -> "_Lookups":
        codes = {row["municipality"].lower() for row in rows} - {""}
        logins = {row["login"].lower() for row in rows} - {""}
        municipalities = {}
        taken = set()
        for chunk in _chunks(codes):
            municipalities.update(
                (m.code, m)
                for m in Municipality.objects.select_related("region").filter(code__in=chunk)
            )
        for chunk in _chunks(logins):
            # A login is taken by an organization or by any account (a coordinator's too).
            taken.update(
                Organization.objects.filter(login__in=chunk).values_list("login", flat=True)
            )
            taken.update(User.objects.filter(username__in=chunk).values_list("username", flat=True))
        return cls(
            regions={region.code: region for region in Region.objects.all()},
            municipalities=municipalities,
            taken_logins=taken,
        )


def validate_rows(rows: Sequence[SourceRow]) -> ImportResult:
    """Check every row against the file and the database; no writes."""
    result = ImportResult(source_rows=list(rows))
    if not rows:
        result.errors.append(NO_ROWS)
        return result
    lookups = _Lookups.load(rows)
    for row in rows:
        errors: list[str] = []
        organization_row = _validate_row(row, lookups, errors)
        if errors:
            result.errors += errors
        else:
            result.rows.append(organization_row)
    return result


def _validate_row(row: SourceRow, lookups: _Lookups, errors: list[str]) -> OrganizationRow | None:
    line = row.line
    region = _row_region(row, lookups, errors)
    municipality = _row_municipality(row, region, lookups, errors)
    login = _row_login(row, region, lookups, errors)

    name = row["name"]
    if not name:
        errors.append(NAME_MISSING.format(line=line))
    elif len(name) > NAME_MAX_LENGTH:
        errors.append(NAME_TOO_LONG.format(line=line, limit=NAME_MAX_LENGTH))

    kind = KINDS.get(row["kind"].lower())
    if kind is None:
        errors.append(KIND_UNKNOWN.format(line=line, value=_short(row["kind"])))

    email = row["email"]
    if email:
        try:
            if len(email) > EMAIL_MAX_LENGTH:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            errors.append(EMAIL_INVALID.format(line=line, value=_short(email)))

    if errors:
        return None
    return OrganizationRow(
        line=line,
        region=region,
        municipality=municipality,
        login=login,
        name=name,
        kind=kind,
        email=email,
    )


def _row_region(row: SourceRow, lookups: _Lookups, errors: list[str]) -> Region | None:
    value = row["region"]
    if not value:
        errors.append(REGION_MISSING.format(line=row.line))
        return None
    region = lookups.regions.get(region_code(value) or "")
    if region is None:
        errors.append(REGION_NOT_FOUND.format(line=row.line, value=_short(value)))
    return region


def _row_municipality(
    row: SourceRow, region: Region | None, lookups: _Lookups, errors: list[str]
) -> Municipality | None:
    value = row["municipality"]
    if not value:
        errors.append(MUNICIPALITY_MISSING.format(line=row.line))
        return None
    municipality = lookups.municipalities.get(value.lower())
    if municipality is None:
        errors.append(MUNICIPALITY_NOT_FOUND.format(line=row.line, value=_short(value)))
    elif region is not None and municipality.region_id != region.pk:
        errors.append(
            MUNICIPALITY_OTHER_REGION.format(
                line=row.line,
                value=municipality.code,
                actual=municipality.region.code,
                region=region.code,
            )
        )
    return municipality


def _row_login(
    row: SourceRow, region: Region | None, lookups: _Lookups, errors: list[str]
) -> str | None:
    login = row["login"].lower()
    if not login:
        errors.append(LOGIN_MISSING.format(line=row.line))
        return None
    match = LOGIN_PATTERN.match(login)
    if match is None:
        errors.append(LOGIN_FORMAT.format(line=row.line, value=_short(login)))
        return login
    if region is not None and match.group(1) != region.code:
        errors.append(LOGIN_OTHER_REGION.format(line=row.line, value=login, region=region.code))
    first = lookups.first_line_of_login.setdefault(login, row.line)
    if first != row.line:
        errors.append(LOGIN_DUPLICATE.format(line=row.line, value=login, first=first))
    elif login in lookups.taken_logins:
        errors.append(LOGIN_TAKEN.format(line=row.line, value=login))
    return login
