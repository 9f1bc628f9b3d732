"""The import file's columns, its Russian messages and the rows as read and as checked."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from core.errors import ServiceError

from ..models import Municipality, Organization, Region

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


class ImportRejected(ServiceError):
    """The file or its rows cannot be imported; `errors` are Russian messages for the operator
    (`message` is all of them, one per line)."""

    def __init__(self, errors: Sequence[str]):
        super().__init__("\n".join(errors))
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


def short(value: str, limit: int = 60) -> str:
    """A value quoted in a message, cut to a readable length."""
    return value if len(value) <= limit else f"{value[: limit - 1]}…"
