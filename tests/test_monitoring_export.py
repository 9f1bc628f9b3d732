"""«Экспорт результатов»: a background job writes the .xlsx of the transferred data; the file
round-trips through openpyxl with numbers as numbers, dates as dates and no formulas; only the
requester and operators reach it; failures say why and can be retried; old files go."""

import datetime
import os
from datetime import timedelta
from decimal import Decimal
from http import HTTPStatus
from io import BytesIO
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import AuditEvent
from core.files import safe_text
from datacollection.models import Column, FixedRow, FormTable, Report, Submission
from monitoring import presenters, services
from monitoring.models import ExportJob
from monitoring.xlsx import ResultsWorkbook, typed_reader
from tests.factories import column, make_collection, make_form, snapshot

DANGEROUS = ["=1+2", "+7(812)", "-cmd", "@SUM(A1)", '=HYPERLINK("http://x")']


@pytest.fixture
def form():
    form = make_form()
    extra = FormTable.objects.create(form=form, key="extra", title="Проведение", order=3)
    FixedRow.objects.create(table=extra, key="main", label="Значение", order=1)
    column(extra, "held_on", "Дата проведения", 1, type=Column.Type.DATE)
    column(extra, "share", "Доля", 2, type=Column.Type.DECIMAL)
    column(extra, "note", "Примечание", 3, type=Column.Type.TEXT)
    return form


def transferred(login: str, code: str, note: str) -> dict:
    data = snapshot(login, code)
    data["tables"].append(
        {
            "key": "extra",
            "title": "Проведение",
            "rows": [
                {
                    "key": "main",
                    "label": "Значение",
                    "values": {"held_on": "2026-11-21", "share": "0.75", "note": note},
                }
            ],
        }
    )
    return data


@pytest.fixture
def collection(form, org, org_same_municipality, org_other_municipality, org_other_region):
    collection = make_collection(
        form=form,
        organizations=[org, org_same_municipality, org_other_municipality, org_other_region],
    )
    for number, (organization, note) in enumerate(
        [(org, DANGEROUS[0]), (org_other_municipality, DANGEROUS[3]), (org_other_region, "ok")]
    ):
        report = Report.objects.create(
            collection=collection,
            organization=organization,
            status=Report.Status.SUBMITTED,
            started_at=timezone.now() - timedelta(days=2),
            submitted_at=timezone.now() - timedelta(days=1),
        )
        # An older transfer that must not be exported, then the last one.
        Submission.objects.create(
            report=report,
            submitted_at=timezone.now() - timedelta(days=3),
            data=transferred(organization.login, "OLD", "старое"),
        )
        Submission.objects.create(
            report=report,
            submitted_at=timezone.now() - timedelta(days=1),
            data=transferred(organization.login, f"4000{number}", note),
        )
    Report.objects.create(
        collection=collection,
        organization=org_same_municipality,
        status=Report.Status.IN_PROGRESS,
        started_at=timezone.now(),
        last_saved_at=timezone.now(),
    )
    return collection


def start_export(client, collection, callbacks):
    with callbacks(execute=True):
        response = client.post(reverse("monitoring:export_start", args=[collection.pk]))
    assert response.status_code == HTTPStatus.FOUND
    return ExportJob.objects.latest("pk")


def download(client, job):
    response = client.get(reverse("monitoring:export_download", args=[job.pk]))
    assert response.status_code == HTTPStatus.OK
    return response, load_workbook(BytesIO(b"".join(response.streaming_content)))


def test_export_writes_the_transferred_data_with_types_and_no_formulas(
    as_user, regional, collection, django_capture_on_commit_callbacks
):
    client = as_user(regional)
    job = start_export(client, collection, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE, job.error
    assert (job.progress_done, job.progress_total) == (3, 3)  # region 47 only
    assert job.scope_description == "Ленинградская область"
    response, book = download(client, job)
    assert (
        "filename*=utf-8''" + quote("Результаты — Форма сбора результатов")
        in (response["Content-Disposition"])
    )
    assert book.sheetnames == ["Сводка", "Численность участников", "Результаты", "Проведение"]

    summary = list(book["Сводка"].values)
    assert summary[0][:5] == ("Регион", "Муниципалитет", "Логин", "Наименование ОО", "Статус")
    assert [row[2] for row in summary[1:]] == ["edu470001", "edu470002", "edu470003"]
    assert [row[4] for row in summary[1:]] == ["Сдано", "В работе", "Сдано"]
    assert isinstance(summary[1][5], datetime.datetime)  # dates are dates
    assert summary[2][6] is None  # never transferred

    results = list(book["Результаты"].values)
    assert results[0] == (
        "Регион", "Муниципалитет", "Логин", "Наименование ОО", "№",
        "Код участника", "Класс", "Задание 1", "Задание 2", "Задание 3", "Итог",
    )  # fmt: skip
    assert results[1][2] == "edu470001"
    assert results[1][5:] == ("40000", 4, 2, "X", 1, 3)  # numbers as numbers, codes as text
    assert "OLD" not in {cell for row in results for cell in row}  # the last transfer only

    counts = list(book["Численность участников"].values)
    assert counts[1][4:] == ("4 класс", 20, 19, 1)

    extra = list(book["Проведение"].values)
    assert extra[1][5] == datetime.datetime(2026, 11, 21)
    assert extra[1][6] == 0.75
    assert extra[1][7] == "'=1+2"  # user text never becomes a formula
    assert extra[2][7] == "'@SUM(A1)"
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    assert AuditEvent.objects.filter(action="monitoring.export_started", actor=regional).exists()


@pytest.mark.parametrize("text", DANGEROUS)
def test_formula_like_text_is_stored_as_inert_text(text, tmp_path):
    assert safe_text(text) == f"'{text}"
    assert safe_text("обычный текст") == "обычный текст"
    book = ResultsWorkbook([])
    sheet = book.summary.sheet
    book.summary.append([text])
    del sheet
    path = tmp_path / "t.xlsx"
    book.save(path)
    cell = load_workbook(path)["Сводка"]["A2"]
    assert cell.data_type == "s" and cell.value == f"'{text}"


def test_operator_exports_every_region(
    as_user, operator, collection, django_capture_on_commit_callbacks
):
    client = as_user(operator)
    job = start_export(client, collection, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.progress_total == 4 and job.scope_description == "Все регионы"
    _, book = download(client, job)
    logins = [row[2] for row in list(book["Сводка"].values)[1:]]
    assert logins == ["edu470001", "edu470002", "edu470003", "edu780001"]


def test_only_the_requester_and_operators_reach_an_export(
    as_user, regional, municipal, other_regional, operator, collection,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    job = start_export(as_user(regional), collection, django_capture_on_commit_callbacks)
    for name in ("export_detail", "export_status", "export_download"):
        url = reverse(f"monitoring:{name}", args=[job.pk])
        assert as_user(other_regional).get(url).status_code == 404, name
        assert as_user(municipal).get(url).status_code == 404, name
        assert as_user(operator).get(url).status_code == 200, name
    url = reverse("monitoring:export_retry", args=[job.pk])
    assert as_user(other_regional).post(url).status_code == 404


def test_progress_messages_and_status_json(as_user, regional, collection):
    job = ExportJob.objects.create(
        requester=regional,
        collection=collection,
        scope_description="Ленинградская область",
        status=ExportJob.Status.RUNNING,
        progress_done=1200,
        progress_total=2500,
    )
    client = as_user(regional)
    page = client.get(reverse("monitoring:export_detail", args=[job.pk])).content.decode()
    assert "Экспорт поставлен в очередь" in page
    assert "Подготовлено 1\u00a0200 из 2\u00a0500 организаций" in page
    assert "Обновить" in page and "monitoring-export.js" in page
    assert "Загрузить отчет" not in page
    status = client.get(reverse("monitoring:export_status", args=[job.pk])).json()
    assert status["finished"] is False and status["done"] == 1200
    assert status["messages"][-1] == "Подготовлено 1\u00a0200 из 2\u00a0500 организаций"


def test_a_failed_export_says_why_and_can_be_retried(
    as_user, regional, collection, django_capture_on_commit_callbacks, monkeypatch
):
    def no_space(self, path):
        raise OSError("Нет места на диске")

    monkeypatch.setattr(ResultsWorkbook, "save", no_space)
    client = as_user(regional)
    job = start_export(client, collection, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    page = client.get(reverse("monitoring:export_detail", args=[job.pk])).content.decode()
    assert "Экспорт не выполнен: OSError: Нет места на диске" in page
    assert "Повторить экспорт" in page
    assert client.get(reverse("monitoring:export_download", args=[job.pk])).status_code == 404

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("monitoring:export_retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and not job.error
    page = client.get(reverse("monitoring:export_detail", args=[job.pk])).content.decode()
    assert "Отчет готов" in page and "Загрузить отчет" in page


def test_a_job_runs_once(regional, collection, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.export_start(collection=collection, requester=regional)
    job.refresh_from_db()
    name = job.file.name
    services.export_run(job_id=job.pk)  # a second delivery of the same task does nothing
    job.refresh_from_db()
    assert job.file.name == name


def test_long_tables_continue_on_a_second_sheet(
    regional, collection, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = services.export_start(collection=collection, requester=regional)
    services.export_run(job_id=job.pk, chunk_size=1, max_rows=2)  # a header and one row
    job.refresh_from_db()
    book = load_workbook(job.file.path)
    assert "Сводка (2)" in book.sheetnames and "Численность участников (2)" in book.sheetnames
    assert sum(sheet.max_row - 1 for sheet in book if sheet.title.startswith("Сводка")) == 3


def test_cleanup_deletes_old_exports_and_their_files(
    regional, collection, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        old = services.export_start(collection=collection, requester=regional)
    with django_capture_on_commit_callbacks(execute=True):
        new = services.export_start(collection=collection, requester=regional)
    old.refresh_from_db()
    path = old.file.path
    ExportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    call_command("cleanup_exports", "--days", "7")
    assert not ExportJob.objects.filter(pk=old.pk).exists()
    assert not os.path.exists(path)
    new.refresh_from_db()
    assert new.file and os.path.exists(new.file.path)


def test_each_export_clears_out_expired_ones(
    regional, collection, django_capture_on_commit_callbacks, settings
):
    settings.MONITORING_EXPORT_RETENTION_DAYS = 7
    with django_capture_on_commit_callbacks(execute=True):
        old = services.export_start(collection=collection, requester=regional)
    old.refresh_from_db()
    path = old.file.path
    ExportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    with django_capture_on_commit_callbacks(execute=True):
        new = services.export_start(collection=collection, requester=regional)
    assert not ExportJob.objects.filter(pk=old.pk).exists() and not os.path.exists(path)
    new.refresh_from_db()
    assert new.status == ExportJob.Status.DONE and os.path.exists(new.file.path)


def test_a_job_no_worker_took_can_be_started_again(
    as_user, regional, collection, django_capture_on_commit_callbacks
):
    job = services.export_start(collection=collection, requester=regional)  # never run
    client = as_user(regional)
    # While the job is fresh it is not retried: a worker may be about to take it.
    response = client.post(reverse("monitoring:export_retry", args=[job.pk]), follow=True)
    assert services.NOT_FAILED_MESSAGE in response.content.decode()
    status = client.get(reverse("monitoring:export_status", args=[job.pk])).json()
    assert status["finished"] is False

    ExportJob.objects.filter(pk=job.pk).update(
        updated_at=timezone.now() - ExportJob.QUEUED_STALLED_AFTER - timedelta(minutes=1),
    )
    status = client.get(reverse("monitoring:export_status", args=[job.pk])).json()
    assert status["finished"] is True  # the page reloads and offers a retry
    page = client.get(reverse("monitoring:export_detail", args=[job.pk])).content.decode()
    assert presenters.STALLED_MESSAGE in page and "Повторить экспорт" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("monitoring:export_retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.file


@pytest.mark.parametrize(
    "kind, stored, expected",
    [
        (Column.Type.INTEGER, "12", 12),
        (Column.Type.INTEGER, "X", "X"),  # a special code stays text
        (Column.Type.INTEGER, "12.5", "12.5"),  # unparsable: as stored
        (Column.Type.DECIMAL, "2.0", 2),
        (Column.Type.DECIMAL, "0.75", Decimal("0.75")),
        (Column.Type.DECIMAL, "Infinity", "Infinity"),
        (Column.Type.DATE, "2026-11-21", datetime.date(2026, 11, 21)),
        (Column.Type.DATE, "21.11.2026", "21.11.2026"),
        (Column.Type.TEXT, "12", "12"),
        (Column.Type.INTEGER, "", None),
        (Column.Type.INTEGER, None, None),
    ],
)
def test_a_stored_value_is_exported_as_what_it_stands_for(kind, stored, expected):
    read = typed_reader(Column(type=kind, special_codes="X\nотсутствовал"))
    value = read(stored)
    assert value == expected and type(value) is type(expected)
