"""«Скачать шаблон» and «Загрузить из Excel»: the round trip, per-cell errors, refusals."""

import zipfile
from datetime import timedelta
from http import HTTPStatus
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import AuditEvent
from core.files import XLSX
from datacollection import excel
from datacollection.models import Cell, Column, FormTable, Report, ReportRow
from datacollection.services import CLOSED_MESSAGE
from tests.factories import ReportFactory, column, make_collection, make_form

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(org):
    return ReportFactory(collection=make_collection(organizations=[org]), organization=org)


def template_of(client, report):
    response = client.get(reverse("datacollection:report_template", args=[report.pk]))
    assert response.status_code == HTTPStatus.OK
    return load_workbook(BytesIO(response.content))


def upload(client, report, workbook_or_bytes, name="шаблон.xlsx"):
    if isinstance(workbook_or_bytes, bytes):
        content = workbook_or_bytes
    else:
        buffer = BytesIO()
        workbook_or_bytes.save(buffer)
        content = buffer.getvalue()
    return client.post(
        reverse("datacollection:report_excel_import", args=[report.pk]),
        {"file": SimpleUploadedFile(name, content)},
        follow=True,
    )


def values(report):
    return {
        (c.table.key, c.row_key, c.column_key): c.value for c in Cell.objects.filter(report=report)
    }


def test_template_has_a_sheet_per_table_headers_codes_and_validation(as_user, org_user, report):
    response = as_user(org_user).get(reverse("datacollection:report_template", args=[report.pk]))
    assert response["Content-Type"] == XLSX
    assert "filename*=utf-8''" in response["Content-Disposition"]
    workbook = load_workbook(BytesIO(response.content))
    assert workbook.sheetnames == ["Численность участников", "Результаты"]
    counts, results = workbook.worksheets
    assert [counts.cell(3, c).value for c in range(2, 6)] == [
        "Класс",
        "По списку *",
        "Присутствовало *",
        "Отсутствовало *",
    ]
    assert [counts.cell(r, 2).value for r in (5, 6)] == ["4 класс", "8 класс"]
    assert counts.column_dimensions["A"].hidden and counts.row_dimensions[2].hidden
    assert results.cell(3, 5).value == "Задание 1"
    assert results.cell(4, 5).value == "0–2; X, отсутствовал"
    assert "Допустимые особые коды: X, отсутствовал." in results.cell(3, 5).comment.text
    rules = {str(dv.sqref): dv for dv in results.data_validations.dataValidation}
    task = rules["E5:E9"]
    # X must stay allowed: a formula accepting the codes, not a bare whole-number range.
    assert task.type == "custom" and 'E5="X"' in task.formula1
    assert rules["D5:D9"].type == "whole"
    assert rules["C5:C9"].type == "textLength"
    counts_rules = {str(dv.sqref): dv for dv in counts.data_validations.dataValidation}
    assert counts_rules["C5:C6"].type == "whole" and counts_rules["C5:C6"].formula1 == "0"


def test_round_trip_fills_values_as_one_edit(as_user, org_user, report):
    client = as_user(org_user)
    client.post(reverse("datacollection:report_row_add", args=[report.pk]), {"table": "results"})
    existing_row = ReportRow.objects.get().key
    workbook = template_of(client, report)
    counts, results = workbook.worksheets
    assert results.cell(5, 1).value == existing_row
    for line, numbers in ((5, (25, 24, 1)), (6, (30, 30, 0))):
        for offset, number in enumerate(numbers):
            counts.cell(line, 3 + offset, number)
    results.cell(5, 3, "80001")
    results.cell(5, 4, 8)
    results.cell(5, 5, "х")  # Cyrillic х, stored as X
    results.cell(5, 6, 2.0)
    results.cell(6, 3, "80002")  # a new row typed below
    results.cell(6, 7, "отсутствовал")
    response = upload(client, report, workbook)
    assert "Данные из Excel загружены: изменено ячеек — 12, добавлено строк — 1." in (
        response.content.decode()
    )
    saved = values(report)
    assert saved[("counts", "grade4", "listed")] == "25"
    assert saved[("results", existing_row, "task_1")] == "X"
    assert saved[("results", existing_row, "task_2")] == "2"
    assert ReportRow.objects.count() == 2
    assert Cell.objects.filter(version=1).count() == 12
    event = AuditEvent.objects.get(action="report.excel_import")
    assert event.details == {"count": 12, "rows_added": 1}
    assert Report.objects.get().status == Report.Status.IN_PROGRESS
    # The same file again changes nothing and bumps no version.
    workbook = template_of(client, report)
    upload(client, report, workbook)
    assert not Cell.objects.exclude(version=1).exists()


def test_a_bad_cell_lists_errors_per_cell_and_changes_nothing(as_user, org_user, report):
    client = as_user(org_user)
    workbook = template_of(client, report)
    counts, results = workbook.worksheets
    counts.cell(5, 3, 25)
    counts.cell(6, 4, "много")
    results.cell(5, 3, "80001")
    results.cell(5, 7, 3)  # Задание 3, max 2
    response = upload(client, report, workbook)
    content = response.content.decode()
    assert "Файл не загружен, данные не изменены. Ошибки в файле (2)" in content
    assert "Лист «Численность участников», строка 6, «Присутствовало»: Введите целое число." in (
        content
    )
    assert "Лист «Результаты», строка 5, «Задание 3»: Значение должно быть не больше 2." in content
    assert not Cell.objects.exists() and not ReportRow.objects.exists()
    assert not AuditEvent.objects.filter(action="report.excel_import").exists()


def test_a_formula_without_a_cached_value_is_refused_not_saved_empty(as_user, org_user, report):
    """Files written by scripts (openpyxl among them) hold formulas without a computed result;
    such a cell must not empty a filled cell with «success»."""
    client = as_user(org_user)
    workbook = template_of(client, report)
    counts, _ = workbook.worksheets
    for line in (5, 6):
        for offset, number in enumerate((25, 24, 1)):
            counts.cell(line, 3 + offset, number)
    upload(client, report, workbook)
    assert values(report)[("counts", "grade4", "present")] == "24"
    workbook = template_of(client, report)
    counts, _ = workbook.worksheets
    counts.cell(5, 4, "=C5-E5")  # saved by openpyxl: a formula, no cached result
    response = upload(client, report, workbook)
    content = response.content.decode()
    assert (
        "Лист «Численность участников», строка 5, «Присутствовало»: "
        "в ячейке формула без сохраненного значения" in content
    )
    assert values(report)[("counts", "grade4", "present")] == "24"
    assert AuditEvent.objects.filter(action="report.excel_import").count() == 1


def test_a_formula_with_its_cached_value_is_read_as_that_value(as_user, org_user, report):
    """A file saved by Excel or LibreOffice keeps the computed result next to the formula."""
    client = as_user(org_user)
    workbook = template_of(client, report)
    workbook.worksheets[0].cell(5, 3, 1)  # replaced below
    buffer = BytesIO()
    workbook.save(buffer)
    content = _with_cached_formula(buffer.getvalue(), "C5", "=20+5", "25")
    upload(client, report, content)
    assert values(report)[("counts", "grade4", "listed")] == "25"


def _with_cached_formula(data: bytes, ref: str, formula: str, value: str) -> bytes:
    """The first sheet's cell `ref` rewritten as `<f>formula</f><v>value</v>`, as Excel saves it."""
    import re

    source = zipfile.ZipFile(BytesIO(data))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            payload = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = payload.decode()
                cell = f'<c r="{ref}"'
                pattern = re.compile(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)')
                replacement = f"{cell}><f>{formula.lstrip('=')}</f><v>{value}</v></c>"
                text, count = pattern.subn(replacement, text, count=1)
                assert count == 1
                payload = text.encode()
            target.writestr(info, payload)
    return out.getvalue()


def test_too_many_rows_for_a_dynamic_table_is_refused(as_user, org_user, report):
    client = as_user(org_user)
    workbook = template_of(client, report)
    results = workbook.worksheets[1]
    for line in range(5, 11):  # 6 rows, the table takes 5
        results.cell(line, 3, f"8000{line}")
    content = upload(client, report, workbook).content.decode()
    assert "Лист «Результаты», строка 10: в таблице «Результаты» не больше 5 строк." in content
    assert not ReportRow.objects.exists()


def test_closed_collection_refuses_the_upload(as_user, org_user, report):
    client = as_user(org_user)
    workbook = template_of(client, report)
    workbook.worksheets[0].cell(5, 3, 25)
    report.collection.closes_at = timezone.now() - timedelta(minutes=1)
    report.collection.save()
    response = upload(client, report, workbook)
    assert CLOSED_MESSAGE in response.content.decode()
    assert not Cell.objects.exists()
    page = client.get(reverse("datacollection:report_detail", args=[report.pk])).content.decode()
    assert "Скачать шаблон" in page and "Загрузить из Excel" not in page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("данные.csv", b"a;b\n1;2\n", excel.WRONG_TYPE_MESSAGE),
        ("данные.xlsx", b"not a zip at all", excel.BROKEN_MESSAGE),
    ],
)
def test_wrong_or_broken_files_are_refused(as_user, org_user, report, name, content, message):
    response = upload(as_user(org_user), report, content, name=name)
    assert message in response.content.decode()
    assert not Cell.objects.exists()


def test_a_zip_that_is_no_workbook_is_refused(as_user, org_user, report):
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "привет")
    response = upload(as_user(org_user), report, buffer.getvalue())
    assert excel.BROKEN_MESSAGE in response.content.decode()


def test_oversized_file_is_refused(as_user, org_user, report, settings):
    settings.DATACOLLECTION_UPLOAD_MAX_SIZE = 1024
    response = upload(as_user(org_user), report, b"x" * 2048)
    assert "Файл слишком большой (2 КБ): допускается не больше 1 КБ." in (response.content.decode())


def test_a_template_of_another_form_is_refused(as_user, org_user, report, org):
    other = ReportFactory(collection=make_collection(organizations=[org]), organization=org)
    workbook = template_of(as_user(org_user), other)
    response = upload(as_user(org_user), report, workbook)
    assert "Это шаблон другой формы" in response.content.decode()


def test_no_template_sheets_is_refused(as_user, org_user, report):
    workbook = template_of(as_user(org_user), report)
    workbook.properties.identifier = None
    for sheet in workbook.worksheets:
        sheet["A1"] = None
    response = upload(as_user(org_user), report, workbook)
    assert excel.NO_SHEETS_MESSAGE in response.content.decode()


def test_coordinator_downloads_the_template_but_cannot_upload(as_user, regional, report):
    client = as_user(regional)
    assert template_of(client, report).sheetnames
    response = client.post(reverse("datacollection:report_excel_import", args=[report.pk]))
    assert response.status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize("name", ["report_template", "report_excel_import"])
def test_another_organizations_report_is_404(as_user, other_org_user, report, name):
    client = as_user(other_org_user)
    url = reverse(f"datacollection:{name}", args=[report.pk])
    response = client.get(url) if name == "report_template" else client.post(url)
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_every_column_type_round_trips(as_user, org_user, org):
    form = make_form()
    table = FormTable.objects.create(form=form, key="kinds", title="Типы", order=3)
    table.fixed_rows.create(key="only", label="Единственная", order=1)
    column(table, "dec", "Дробное", 1, type=Column.Type.DECIMAL, min_value=0, max_value=10)
    column(table, "day", "Дата", 2, type=Column.Type.DATE)
    column(table, "yes", "Да/нет", 3, type=Column.Type.YES_NO)
    column(table, "pick", "Выбор", 4, type=Column.Type.CHOICE, choices="Да\nНет")
    column(table, "note", "Текст", 5, type=Column.Type.TEXT)
    report = ReportFactory(
        collection=make_collection(organizations=[org], form=form), organization=org
    )
    client = as_user(org_user)
    workbook = template_of(client, report)
    kinds = workbook["Типы"]
    rules = {str(dv.sqref): dv.type for dv in kinds.data_validations.dataValidation}
    assert rules == {"C5": "decimal", "E5": "list", "F5": "list"}
    for offset, value in enumerate([2.5, timezone.localdate(), True, "нет", "=1+1"]):
        kinds.cell(5, 3 + offset, value)
    kinds.cell(5, 7).data_type = "s"  # typed as text, as a spreadsheet saves «'=1+1»
    upload(client, report, workbook)
    saved = values(report)
    assert saved[("kinds", "only", "dec")] == "2.5"
    assert saved[("kinds", "only", "day")] == timezone.localdate().isoformat()
    assert saved[("kinds", "only", "yes")] == "да"
    assert saved[("kinds", "only", "pick")] == "Нет"
    assert saved[("kinds", "only", "note")] == "=1+1"
    # Downloaded again, text stays text: a school's «=…» never becomes a formula.
    again = template_of(client, report)["Типы"]
    assert again.cell(5, 7).data_type == "s"
    assert again.cell(5, 3).value == 2.5
