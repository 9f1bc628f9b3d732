"""Definitions exported and imported as files (a form reused next year), and participating
organizations added in the admin by a list of logins or a whole region."""

import json
from http import HTTPStatus
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from accounts.models import AuditEvent
from datacollection import services
from datacollection.definitions import form_definition_errors
from datacollection.models import Collection, Column, CrossCheck, FixedRow, Form, FormTable
from datacollection.services import definition_from_file, form_export, form_export_json
from tests.factories import make_collection, make_form

pytestmark = pytest.mark.django_db


def shape(form: Form) -> dict:
    """The definition without the code and title: what must survive a round trip."""
    exported = form_export(form)["form"]
    return {"description": exported["description"], "tables": exported["tables"]}


def import_file(client, data: bytes, **fields):
    return client.post(
        reverse("admin:datacollection_form_import"),
        {"file": SimpleUploadedFile("форма.json", data), **fields},
    )


def test_export_then_import_under_a_new_code_gives_the_same_form(as_user, operator):
    form = make_form(scan=True)
    client = as_user(operator)
    response = client.get(reverse("admin:datacollection_form_export", args=[form.pk]))
    assert response["Content-Type"] == "application/json"
    assert f"{form.code}.json" in response["Content-Disposition"]
    response = import_file(client, response.content, code="niko_results_2027", title="2027")
    copy = Form.objects.get(code="niko_results_2027")
    assert response["Location"] == reverse("admin:datacollection_form_change", args=[copy.pk])
    assert copy.title == "2027"
    assert shape(copy) == shape(form)
    assert form_definition_errors(copy) == []
    total = Column.objects.get(table__form=copy, key="total")
    assert total.summed_keys == ["task_1", "task_2", "task_3"]
    assert CrossCheck.objects.get(table__form=copy).left_keys == ["present", "absent"]
    assert AuditEvent.objects.get(action="form.imported").details == {"source_code": form.code}


def test_the_export_action_gives_the_same_file(as_user, operator):
    form = make_form()
    response = as_user(operator).post(
        reverse("admin:datacollection_form_changelist"),
        {"action": "export_definition", "_selected_action": [form.pk]},
    )
    assert json.loads(response.content) == json.loads(form_export_json(form))


def test_import_refuses_a_taken_code_and_creates_nothing(as_user, operator):
    form = make_form()
    response = import_file(as_user(operator), form_export_json(form))
    assert response.status_code == HTTPStatus.OK
    message = services.FORM_CODE_TAKEN_MESSAGE.format(code=form.code)
    assert message in response.content.decode()
    assert Form.objects.count() == 1


def test_a_contradictory_definition_is_refused_with_the_clean_messages(operator):
    definition = definition_from_file(form_export_json(make_form()))
    counts, results = definition["tables"]
    counts["columns"][0]["min_value"] = "5"
    counts["columns"][0]["max_value"] = "1"
    results["max_rows"] = None  # a dynamic table without a limit
    results["columns"][-1]["sum_of"] = "task_1,nothing"
    counts["checks"][0]["right"] = "missing"
    with pytest.raises(services.DefinitionInvalidError) as refused:
        services.form_import(definition=definition, code="copy", actor=operator)
    messages = refused.value.messages
    assert len(messages) == 4
    assert messages[0] == (
        "«Численность участников» — По списку: Наименьшее значение (5) больше наибольшего (1)."
    )
    assert messages[1].endswith("В таблице нет столбца с ключом «missing».")
    assert messages[2].endswith("Для строк, которые добавляет ОО, укажите наибольшее число строк.")
    assert messages[3] == "«Результаты» — Итог: В таблице нет столбца с ключом «nothing»."
    assert not Form.objects.filter(code="copy").exists()
    assert FormTable.objects.count() == 2 and FixedRow.objects.count() == 2


def test_field_errors_and_duplicate_keys_are_listed(operator):
    definition = definition_from_file(form_export_json(make_form()))
    counts = definition["tables"][0]
    counts["columns"][1]["key"] = "listed"  # duplicate
    counts["columns"][2]["type"] = "money"
    counts["fixed_rows"][0]["key"] = "4 класс"
    with pytest.raises(services.DefinitionInvalidError) as refused:
        services.form_import(definition=definition, code="copy", actor=operator)
    text = " | ".join(refused.value.messages)
    assert "столбец «Присутствовало»" in text and "уже существует" in text
    assert "столбец «Отсутствовало» (тип): Значения 'money' нет среди" in text
    assert "строка «4 класс» (ключ): Ключ: латинские строчные буквы" in text
    assert not Form.objects.filter(code="copy").exists()


@pytest.mark.parametrize(
    "data",
    [b"not json", b"[]", b'{"format": "other"}', json.dumps({"format": "x"}).encode()],
)
def test_a_file_that_is_no_definition_is_refused(as_user, operator, data):
    response = import_file(as_user(operator), data, code="new_code")
    assert "Файл не является определением формы" in response.content.decode()
    assert not Form.objects.exists()


def test_a_broken_structure_is_refused_not_a_500(as_user, operator):
    data = json.dumps(
        {
            "format": "fisoko-niko-form",
            "version": 1,
            "form": {"code": "x", "title": "Форма", "tables": "oops"},
        }
    ).encode()
    response = import_file(as_user(operator), data)
    assert "Неверная структура файла" in response.content.decode()


# Participating organizations


@pytest.fixture
def collection(db):
    return make_collection(organizations=[])


def organizations_url(collection):
    return reverse("admin:datacollection_collection_organizations", args=[collection.pk])


def xlsx(*rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("ОО.xlsx", xlsx(["Логин", "Наименование"], ["edu470001", "Школа 1"], ["EDU470002", ""])),
        ("ОО.csv", "Логин;Наименование\nedu470001;Школа 1\nedu470002;Школа 2\n".encode("cp1251")),
        ("ОО.txt", b"edu470001\nedu470002, edu470001\n"),
    ],
)
def test_logins_from_a_file_are_added(
    as_user, operator, collection, org, org_same_municipality, org_other_region, name, content
):
    response = as_user(operator).post(
        organizations_url(collection), {"file": SimpleUploadedFile(name, content)}, follow=True
    )
    assert "Добавлено участвующих ОО: 2." in response.content.decode()
    assert set(collection.organizations.all()) == {org, org_same_municipality}
    event = AuditEvent.objects.get(action="collection.organizations_added")
    assert event.details == {"source": "logins:2", "count": 2}


def test_unknown_logins_are_listed_and_nothing_is_added(as_user, operator, collection, org):
    response = as_user(operator).post(
        organizations_url(collection), {"logins": "edu470001 edu479999, edu479998"}
    )
    content = response.content.decode()
    assert "Неизвестные логины (2), ничего не добавлено: edu479998, edu479999." in content
    assert not collection.organizations.exists()


def test_all_organizations_of_a_region(
    as_user, operator, collection, org, org_other_municipality, org_other_region, region
):
    collection.organizations.add(org)
    response = as_user(operator).post(
        organizations_url(collection), {"region": region.pk, "add_region": "1"}, follow=True
    )
    assert "Добавлено участвующих ОО: 1." in response.content.decode()
    assert set(collection.organizations.all()) == {org, org_other_municipality}


def test_a_wrong_login_file_is_refused(as_user, operator, collection, org):
    response = as_user(operator).post(
        organizations_url(collection), {"file": SimpleUploadedFile("ОО.docx", b"PK")}
    )
    assert "Загрузите список логинов в формате .xlsx, .csv или .txt." in (response.content.decode())
    response = as_user(operator).post(
        organizations_url(collection), {"file": SimpleUploadedFile("ОО.xlsx", b"broken")}
    )
    assert "это не книга Excel" in response.content.decode()
    assert not Collection.objects.get().organizations.exists()


def test_admin_pages_open_for_the_operator(as_user, operator, collection):
    client = as_user(operator)
    page = client.get(reverse("admin:datacollection_collection_change", args=[collection.pk]))
    assert "Участвующие ОО" in page.content.decode()
    assert client.get(organizations_url(collection)).status_code == HTTPStatus.OK
    assert (
        "Импорт из файла"
        in client.get(reverse("admin:datacollection_form_changelist")).content.decode()
    )
    assert client.get(reverse("admin:datacollection_form_import")).status_code == 200
