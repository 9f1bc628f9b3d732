"""Bulk import of organizations and their accounts: the dry run, the write, the credentials sheet,
the admin pages and the management command. Every refusal writes nothing."""

import csv
import io
import json
from http import HTTPStatus

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from accounts import importing, services
from accounts.admin import IMPORT_FILE_GONE, IMPORT_SESSION_KEY
from accounts.credentials import SHEET_TITLE, Credential, credentials_workbook
from accounts.models import AuditEvent, Organization, User
from tests.factories import OperatorFactory, OrganizationFactory

from .conftest import client_for

HEADER = ["Регион", "Муниципалитет", "Логин", "Наименование", "Тип"]
GOOD_ROWS = [
    ["47", "reg47_m001", "edu470101", "МБОУ «Средняя школа № 101»", "школа"],
    ["reg470000", "reg47_m002", "EDU470102", "  ГБПОУ   «Тихвинский колледж» ", "СПО"],
]
IMPORT_URL = reverse("admin:accounts_organization_import")


def xlsx_bytes(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if header is not None:
        sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, header=HEADER, delimiter=";", encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def counts():
    return Organization.objects.count(), User.objects.count(), AuditEvent.objects.count()


@pytest.fixture
def world(region, other_region, municipality, other_municipality, org, operator):
    """Region 47 with m001 and m002, region 78 without municipalities; edu470001 exists."""
    return {"org": org}


def import_file(data, filename, actor):
    rows = importing.read_file(data=data, filename=filename)
    return services.organizations_import(rows=rows, actor=actor, source=filename)


# The write -------------------------------------------------------------------------------------


def test_xlsx_import_creates_organizations_and_their_accounts(world, operator):
    data = xlsx_bytes(GOOD_ROWS)
    result = importing.check_file(data=data, filename="ОО.xlsx")
    assert result.errors == []
    assert [row.login for row in result.rows] == ["edu470101", "edu470102"]

    credentials = import_file(data, "ОО.xlsx", operator)

    assert [c.login for c in credentials] == ["edu470101", "edu470102"]
    college = Organization.objects.get(login="edu470102")
    assert college.name == "ГБПОУ «Тихвинский колледж»"  # whitespace collapsed
    assert college.kind == Organization.Kind.COLLEGE
    assert college.municipality.code == "reg47_m002"
    assert college.region.code == "47"
    school = Organization.objects.get(login="edu470101")
    assert school.kind == Organization.Kind.SCHOOL
    user = User.objects.get(username="edu470102")
    assert user.role == User.Role.ORGANIZATION
    assert user.organization == college
    assert user.municipality == college.municipality
    assert user.region == college.region
    assert user.must_change_password
    event = AuditEvent.objects.get(action="organizations.import")
    assert event.actor == operator
    assert event.target == "ОО.xlsx"
    assert event.details == {"count": 2, "logins": ["edu470101", "edu470102"]}


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(";", "utf-8-sig"), (",", "utf-8"), (";", "cp1251"), ("\t", "utf-8")],
)
def test_csv_import_in_the_usual_encodings_and_delimiters(world, operator, delimiter, encoding):
    header = ["region", "Municipality", "LOGIN", "name", "kind", "Электронная почта"]
    rows = [[*row, "school@example.ru"] for row in GOOD_ROWS]
    data = csv_bytes(rows, header=header, delimiter=delimiter, encoding=encoding)

    credentials = import_file(data, "orgs.csv", operator)

    assert len(credentials) == 2
    assert Organization.objects.get(login="edu470101").email == "school@example.ru"
    assert Organization.objects.get(login="edu470102").name == "ГБПОУ «Тихвинский колледж»"


def test_region_code_of_one_digit_and_empty_kind(db, operator):
    from tests.factories import MunicipalityFactory

    MunicipalityFactory(region__code="07", code="reg07_m001")
    data = xlsx_bytes([[7, "REG07_M001", "edu070001", "Школа", None]])
    import_file(data, "orgs.xlsx", operator)
    organization = Organization.objects.get(login="edu070001")
    assert organization.region.code == "07"
    assert organization.kind == Organization.Kind.SCHOOL


def test_passwords_are_stored_hashed_only(world, operator):
    credentials = import_file(xlsx_bytes(GOOD_ROWS), "orgs.xlsx", operator)
    for login, _name, password in credentials:
        user = User.objects.get(username=login)
        assert password not in user.password
        assert user.check_password(password)
        assert not User.objects.filter(password__contains=password).exists()
        assert not AuditEvent.objects.filter(details__icontains=password).exists()
    passwords = {c.password for c in credentials}
    assert len(passwords) == len(credentials)  # a fresh password for each account


def test_one_time_password_is_cheap_to_hash_and_upgraded_at_first_login(world, operator, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    [credential] = import_file(xlsx_bytes(GOOD_ROWS[:1]), "orgs.xlsx", operator)
    user = User.objects.get(username=credential.login)
    assert user.password.startswith(f"pbkdf2_sha256${services.ONE_TIME_PASSWORD_ITERATIONS}$")

    assert user.check_password(credential.password)

    user.refresh_from_db()
    assert user.password.startswith(f"pbkdf2_sha256${PBKDF2PasswordHasher.iterations}$")


def test_the_write_checks_the_rows_again(world, operator):
    """A file checked before someone else took one of its logins writes nothing."""
    rows = importing.read_file(data=xlsx_bytes(GOOD_ROWS), filename="orgs.xlsx")
    assert importing.validate_rows(rows).is_valid
    OrganizationFactory(municipality=world["org"].municipality, login="edu470102")
    before = counts()

    with pytest.raises(importing.ImportRejected) as rejected:
        services.organizations_import(rows=rows, actor=operator)

    assert rejected.value.errors == ["Строка 3: логин «edu470102» уже занят."]
    assert counts() == before


# The credentials sheet -------------------------------------------------------------------------


def read_sheet(data: bytes):
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.active
    return sheet.title, [list(row) for row in sheet.iter_rows(values_only=True)], sheet


def test_credentials_sheet_has_every_login_with_a_working_password(world, operator):
    credentials = import_file(xlsx_bytes(GOOD_ROWS), "orgs.xlsx", operator)

    title, rows, sheet = read_sheet(credentials_workbook(credentials))

    assert title == SHEET_TITLE
    assert rows[0] == ["Логин", "Наименование", "Одноразовый пароль"]
    assert sheet["A1"].font.bold
    assert [row[0] for row in rows[1:]] == ["edu470101", "edu470102"]
    for login, name, password in rows[1:]:
        assert User.objects.get(username=login).check_password(password)
        assert name == Organization.objects.get(login=login).name


def test_credentials_sheet_never_holds_a_formula():
    data = credentials_workbook([Credential("edu470001", "=HYPERLINK(1)", "abc")])
    _title, rows, _sheet = read_sheet(data)
    assert rows[1] == ["edu470001", "'=HYPERLINK(1)", "abc"]


# Refusals --------------------------------------------------------------------------------------


def assert_refused(data, filename, errors, operator):
    """The dry run lists exactly `errors`; the write refuses with them and writes nothing."""
    before = counts()
    assert importing.check_file(data=data, filename=filename).errors == errors
    with pytest.raises(importing.ImportRejected) as rejected:
        import_file(data, filename, operator)
    assert rejected.value.errors == errors
    assert counts() == before


ROW_CASES = {
    "duplicate login in the file": (
        [GOOD_ROWS[0], ["47", "reg47_m001", "edu470101", "Другая школа", ""]],
        ["Строка 3: логин «edu470101» повторяется в файле (уже указан в строке 2)."],
    ),
    "login of an existing organization": (
        [GOOD_ROWS[0], ["47", "reg47_m001", "EDU470001", "Школа", ""]],
        ["Строка 3: логин «edu470001» уже занят."],
    ),
    "unknown region": (
        [["99", "reg47_m001", "edu990001", "Школа", ""]],
        ["Строка 2: регион «99» не найден."],
    ),
    "unknown municipality": (
        [["47", "reg47_m999", "edu470101", "Школа", ""]],
        ["Строка 2: муниципалитет «reg47_m999» не найден."],
    ),
    "municipality of another region": (
        [["78", "reg47_m001", "edu780101", "Школа", ""]],
        ["Строка 2: муниципалитет «reg47_m001» относится к региону «47», а не «78»."],
    ),
    "login of another region": (
        [["47", "reg47_m001", "edu780101", "Школа", ""]],
        [
            "Строка 2: логин «edu780101» не соответствует региону «47»: логины организаций "
            "этого региона начинаются с edu47."
        ],
    ),
    "malformed login": (
        [["47", "reg47_m001", "school1", "Школа", ""]],
        [
            "Строка 2: логин «school1» имеет неверный вид: нужны edu, код региона и четыре "
            "цифры, например edu470001."
        ],
    ),
    "empty cells": (
        [["", "", "", "", ""], ["47", "", "", "", "лицей"]],
        [
            "Строка 3: не указан муниципалитет.",
            "Строка 3: не указан логин.",
            "Строка 3: не указано наименование.",
            "Строка 3: тип «лицей» не распознан: укажите «школа» или «колледж».",
        ],
    ),
    "name too long": (
        [["47", "reg47_m001", "edu470101", "Ш" * 501, ""]],
        ["Строка 2: наименование длиннее 500 символов."],
    ),
}


@pytest.mark.parametrize("case", ROW_CASES)
@pytest.mark.parametrize("filename", ["orgs.xlsx", "orgs.csv"])
def test_bad_rows_are_refused_with_row_numbers(world, operator, case, filename):
    rows, errors = ROW_CASES[case]
    data = xlsx_bytes(rows) if filename.endswith(".xlsx") else csv_bytes(rows)
    assert_refused(data, filename, errors, operator)


def test_one_bad_row_stops_the_whole_file(world, operator):
    rows = [*GOOD_ROWS, ["99", "reg47_m001", "edu990001", "Школа", ""]]
    assert_refused(xlsx_bytes(rows), "orgs.xlsx", ["Строка 4: регион «99» не найден."], operator)


def test_login_taken_by_another_account(world, operator):
    OperatorFactory(username="edu470101")
    assert_refused(
        xlsx_bytes(GOOD_ROWS[:1]), "orgs.xlsx", ["Строка 2: логин «edu470101» уже занят."], operator
    )


def test_invalid_email(world, operator):
    header = [*HEADER, "email"]
    rows = [[*GOOD_ROWS[0], "not an email"]]
    assert_refused(
        xlsx_bytes(rows, header=header),
        "orgs.xlsx",
        ["Строка 2: адрес электронной почты «not an email» указан неверно."],
        operator,
    )


def test_row_numbers_count_blank_rows_as_the_spreadsheet_does(world, operator):
    rows = [GOOD_ROWS[0], [], ["99", "reg47_m001", "edu990001", "Школа", ""]]
    assert importing.check_file(data=xlsx_bytes(rows), filename="orgs.xlsx").errors == [
        "Строка 4: регион «99» не найден."
    ]


EXPECTED_COLUMNS = (
    "Регион, Муниципалитет, Логин, Наименование, Тип (необязательно), "
    "Электронная почта (необязательно)"
)

FILE_CASES = {
    "wrong header": (
        xlsx_bytes(GOOD_ROWS, header=["Регион", "Муниципалитет", "Логин", "Название", "Тип"]),
        "orgs.xlsx",
        [
            f"Строка 1: нет столбцов «Наименование». Нужны столбцы: {EXPECTED_COLUMNS}.",
            f"Строка 1: неизвестный столбец «Название». Нужны столбцы: {EXPECTED_COLUMNS}.",
        ],
    ),
    "no header at all": (
        xlsx_bytes(GOOD_ROWS, header=None),
        "orgs.xlsx",
        [
            "Строка 1: это не строка заголовков. Первая заполненная строка файла должна "
            f"содержать названия столбцов: {EXPECTED_COLUMNS}."
        ],
    ),
    "column twice": (
        csv_bytes(GOOD_ROWS, header=[*HEADER[:4], "kind", "Тип"]),
        "orgs.csv",
        ["Строка 1: столбец «Тип» указан дважды."],
    ),
    "broken xlsx": (
        b"PK\x03\x04 this is not a workbook",
        "orgs.xlsx",
        [
            "Файл поврежден и не читается: откройте его в Excel и сохраните заново "
            "как .xlsx или .csv (UTF-8)."
        ],
    ),
    "xlsx named csv": (
        xlsx_bytes(GOOD_ROWS),
        "orgs.csv",
        [importing.BROKEN],
    ),
    "wrong file type": (
        b"\xd0\xcf\x11\xe0",
        "orgs.xls",
        ["Файл должен быть в формате .xlsx или .csv."],
    ),
    "empty file": (b"", "orgs.csv", ["Файл пуст: в нем нет строки заголовков."]),
    "empty workbook": (xlsx_bytes([], header=None), "orgs.xlsx", [importing.EMPTY]),
    "header only": (
        csv_bytes([]),
        "orgs.csv",
        ["В файле нет организаций: после строки заголовков нет ни одной заполненной строки."],
    ),
}


@pytest.mark.parametrize("case", FILE_CASES)
def test_bad_files_are_refused(world, operator, case):
    data, filename, errors = FILE_CASES[case]
    assert_refused(data, filename, errors, operator)


def test_too_large_file(world, operator, settings):
    settings.IMPORT_MAX_FILE_SIZE = 100
    data = xlsx_bytes(GOOD_ROWS)
    assert importing.check_file(data=data, filename="orgs.xlsx").errors == [
        f"Файл слишком большой ({round(len(data) / 1024)} КБ); допустимо не более 1 КБ."
    ]


def test_too_many_rows(world, operator, monkeypatch):
    monkeypatch.setattr(importing.reading, "MAX_ROWS", 1)
    assert_refused(
        xlsx_bytes(GOOD_ROWS),
        "orgs.xlsx",
        ["В файле больше 1 организаций: разделите его на несколько файлов."],
        operator,
    )


def test_long_error_lists_are_cut_for_display():
    result = importing.ImportResult(errors=[f"e{n}" for n in range(205)])
    assert result.listed_errors()[-1] == "… и еще ошибок: 5."
    assert len(result.listed_errors()) == 201


# Django admin ----------------------------------------------------------------------------------


def test_admin_import_end_to_end(world, operator):
    client = client_for(operator)
    changelist = client.get(reverse("admin:accounts_organization_changelist"))
    assert IMPORT_URL in changelist.content.decode()
    assert "Импорт организаций" in changelist.content.decode()
    assert client.get(IMPORT_URL).status_code == HTTPStatus.OK
    before = counts()

    upload = io.BytesIO(xlsx_bytes(GOOD_ROWS))
    upload.name = "Организации.xlsx"
    preview = client.post(IMPORT_URL, {"file": upload})

    assert preview.status_code == HTTPStatus.OK
    page = preview.content.decode()
    assert "Проверка пройдена: 2 организации" in page
    assert "Будет создано организаций: 2" in page
    assert "edu470102" in page
    assert counts() == before  # the dry run writes nothing
    token = client.session[IMPORT_SESSION_KEY]["token"]
    assert token in page

    response = client.post(IMPORT_URL, {"token": token})

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert "no-store" in response["Cache-Control"]
    _title, rows, _sheet = read_sheet(response.content)
    assert [row[0] for row in rows[1:]] == ["edu470101", "edu470102"]
    for login, _name, password in rows[1:]:
        assert User.objects.get(username=login).check_password(password)
    assert IMPORT_SESSION_KEY not in client.session
    assert Organization.objects.count() == before[0] + 2

    # The sheet is offered once: the same confirmation again writes nothing.
    again = client.post(IMPORT_URL, {"token": token}, follow=True)
    assert IMPORT_FILE_GONE in again.content.decode()
    assert Organization.objects.count() == before[0] + 2


def test_admin_import_lists_errors_and_keeps_nothing(world, operator):
    client = client_for(operator)
    before = counts()
    upload = io.BytesIO(csv_bytes([["99", "reg47_m001", "edu990001", "Школа", ""]]))
    upload.name = "orgs.csv"

    response = client.post(IMPORT_URL, {"file": upload})

    page = response.content.decode()
    assert "Файл не принят, ничего не записано" in page
    assert "Строка 2: регион «99» не найден." in page
    assert 'name="token"' not in page
    assert IMPORT_SESSION_KEY not in client.session
    assert counts() == before


def test_admin_import_without_a_file(world, operator):
    response = client_for(operator).post(IMPORT_URL, {})
    assert "Выберите файл." in response.content.decode()


def test_admin_import_with_a_wrong_token_writes_nothing(world, operator):
    client = client_for(operator)
    upload = io.BytesIO(xlsx_bytes(GOOD_ROWS))
    upload.name = "orgs.xlsx"
    client.post(IMPORT_URL, {"file": upload})
    before = counts()

    response = client.post(IMPORT_URL, {"token": "forged"})

    assert response.status_code == HTTPStatus.FOUND
    assert counts() == before
    assert IMPORT_SESSION_KEY in client.session


@pytest.mark.parametrize("role", ["anonymous", "regional", "municipal", "organization"])
def test_only_operators_reach_the_import(role, users_by_role):
    response = client_for(users_by_role[role]).get(IMPORT_URL)
    assert response.status_code == HTTPStatus.FOUND
    assert "/login/" in response["Location"]


def test_staff_without_add_permission_cannot_import(world):
    from django.contrib.auth.models import Permission

    viewer = OperatorFactory(username="viewer", is_superuser=False)
    viewer.user_permissions.add(Permission.objects.get(codename="view_organization"))
    client = client_for(viewer)

    assert client.get(IMPORT_URL).status_code == HTTPStatus.FORBIDDEN
    changelist = client.get(reverse("admin:accounts_organization_changelist"))
    assert changelist.status_code == HTTPStatus.OK
    assert IMPORT_URL not in changelist.content.decode()


def test_admin_action_issues_a_new_credentials_sheet(world, operator, org_user):
    client = client_for(operator)
    old_password = org_user.password

    response = client.post(
        reverse("admin:accounts_organization_changelist"),
        {"action": "issue_new_passwords", "_selected_action": [world["org"].pk]},
    )

    assert response.status_code == HTTPStatus.OK
    assert "no-store" in response["Cache-Control"]
    _title, rows, _sheet = read_sheet(response.content)
    [[login, name, password]] = rows[1:]
    assert (login, name) == (org_user.username, world["org"].name)
    org_user.refresh_from_db()
    assert org_user.password != old_password
    assert org_user.check_password(password)
    assert org_user.must_change_password
    assert AuditEvent.objects.filter(
        action="organization.password_reset", target=world["org"].login
    ).exists()


def test_admin_action_for_organizations_without_accounts(world, operator):
    response = client_for(operator).post(
        reverse("admin:accounts_organization_changelist"),
        {"action": "issue_new_passwords", "_selected_action": [world["org"].pk]},
        follow=True,
    )
    assert "У выбранных организаций нет учетных записей" in response.content.decode()


# manage.py import_organizations ----------------------------------------------------------------


def run_command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_organizations", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_dry_run_writes_nothing(world, tmp_path):
    source = tmp_path / "orgs.xlsx"
    source.write_bytes(xlsx_bytes(GOOD_ROWS))
    before = counts()

    out, _err = run_command(str(source))

    assert "Проверка пройдена: 2 организации." in out
    assert counts() == before


def test_command_dry_run_lists_errors(world, tmp_path):
    source = tmp_path / "orgs.csv"
    source.write_bytes(csv_bytes([GOOD_ROWS[0], GOOD_ROWS[0]]))
    before = counts()

    with pytest.raises(CommandError, match=r"Файл не принят, ничего не записано\. Ошибок: 1\."):
        call_command("import_organizations", str(source), stderr=(err := io.StringIO()))

    assert "Строка 3: логин «edu470101» повторяется в файле" in err.getvalue()
    assert counts() == before


def test_command_commit_writes_organizations_and_the_sheet(world, tmp_path):
    source = tmp_path / "orgs.xlsx"
    source.write_bytes(xlsx_bytes(GOOD_ROWS))
    sheet = tmp_path / "credentials.xlsx"

    out, _err = run_command(str(source), "--commit", "--credentials", str(sheet))

    assert "Создано: 2 организации." in out
    _title, rows, _sheet = read_sheet(sheet.read_bytes())
    for login, _name, password in rows[1:]:
        assert User.objects.get(username=login).check_password(password)
    event = AuditEvent.objects.get(action="organizations.import")
    assert event.actor is None
    assert json.loads(json.dumps(event.details))["logins"] == ["edu470101", "edu470102"]


def test_command_commit_needs_a_new_credentials_file(world, tmp_path):
    source = tmp_path / "orgs.xlsx"
    source.write_bytes(xlsx_bytes(GOOD_ROWS))
    existing = tmp_path / "old.xlsx"
    existing.write_bytes(b"keep me")
    before = counts()

    with pytest.raises(CommandError, match="Укажите --credentials"):
        run_command(str(source), "--commit")
    with pytest.raises(CommandError, match="уже существует"):
        run_command(str(source), "--commit", "--credentials", str(existing))

    assert existing.read_bytes() == b"keep me"
    assert counts() == before


def test_command_commit_of_a_bad_file_writes_nothing(world, tmp_path):
    source = tmp_path / "orgs.xlsx"
    source.write_bytes(xlsx_bytes([["99", "reg47_m001", "edu990001", "Школа", ""]]))
    sheet = tmp_path / "credentials.xlsx"
    before = counts()

    with pytest.raises(CommandError, match="Ошибок: 1"):
        run_command(str(source), "--commit", "--credentials", str(sheet))

    assert counts() == before
    assert not sheet.exists()


def test_command_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="Не удалось прочитать файл"):
        run_command(str(tmp_path / "missing.xlsx"))
