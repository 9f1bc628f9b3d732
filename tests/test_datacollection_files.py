"""File cells: upload with type and size limits, download through the access check, replace,
remove, refused when closed."""

from datetime import timedelta
from http import HTTPStatus
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import AuditEvent
from datacollection import services
from datacollection.models import Cell, CellFile, Report, Submission
from tests.factories import ReportFactory, make_collection, make_form

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
ADDRESS = {"table": "protocol", "row": "grade4", "column": "scan"}


@pytest.fixture
def report(org):
    collection = make_collection(organizations=[org], form=make_form(scan=True))
    return ReportFactory(collection=collection, organization=org)


def upload(client, report, name="Протокол 4А.pdf", content=PDF, json=True, **address):
    return client.post(
        reverse("datacollection:report_file_upload", args=[report.pk]),
        {**ADDRESS, **address, "file": SimpleUploadedFile(name, content)},
        headers={"Accept": "application/json"} if json else {},
    )


def download_url(report, row="grade4"):
    return reverse(
        "datacollection:report_file_download",
        kwargs={"pk": report.pk, "table": "protocol", "row": row, "column": "scan"},
    )


def stored_paths(settings):
    root = settings.MEDIA_ROOT / "datacollection"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_upload_stores_a_random_name_and_the_cell_keeps_the_original(
    as_user, org_user, report, settings
):
    response = upload(as_user(org_user), report)
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert (body["status"], body["name"], body["version"]) == ("saved", "Протокол 4А.pdf", 1)
    assert body["url"] == download_url(report)
    stored = CellFile.objects.get()
    assert stored.name == "Протокол 4А.pdf" and stored.size == len(PDF)
    assert "Протокол" not in stored.file.name and stored.file.name.endswith(".pdf")
    [path] = stored_paths(settings)
    assert path.read_bytes() == PDF
    assert Cell.objects.get(row_key="grade4", column_key="scan").value == "Протокол 4А.pdf"
    event = AuditEvent.objects.get(action="report.file_uploaded")
    assert event.details == {"old": "", "new": "Протокол 4А.pdf", "size": len(PDF)}
    assert Report.objects.get().status == Report.Status.IN_PROGRESS
    assert body["report"]["status"] == "in_progress"
    assert body["report"]["status_label"] == "В работе"
    assert body["report"]["has_unsubmitted_changes"] is False
    assert body["report"]["last_saved_at"] == body["saved_at"]


def test_download_gives_the_file_with_its_cyrillic_name(as_user, org_user, regional, report):
    upload(as_user(org_user), report)
    for user in (org_user, regional):
        response = as_user(user).get(download_url(report))
        assert response.status_code == HTTPStatus.OK
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        disposition = response["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert "filename*=utf-8''%D0%9F%D1%80%D0%BE%D1%82%D0%BE%D0%BA%D0%BE%D0%BB" in disposition
        assert response["Cache-Control"] == "private, no-store"


def test_download_is_404_outside_scope_and_for_an_empty_cell(
    as_user, org_user, other_org_user, other_regional, report
):
    assert as_user(org_user).get(download_url(report)).status_code == HTTPStatus.NOT_FOUND
    upload(as_user(org_user), report)
    for user in (other_org_user, other_regional):
        assert as_user(user).get(download_url(report)).status_code == HTTPStatus.NOT_FOUND
    assert as_user(org_user).get(download_url(report, "grade8")).status_code == 404


def test_replace_deletes_the_old_file_and_remove_clears_the_cell(
    as_user, org_user, report, settings, django_capture_on_commit_callbacks
):
    client = as_user(org_user)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, report)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, report, name="скан.png", content=PNG)
    assert response.json()["version"] == 2
    [path] = stored_paths(settings)
    assert path.suffix == ".png" and CellFile.objects.get().content_type == "image/png"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("datacollection:report_file_remove", args=[report.pk]),
            ADDRESS,
            headers={"Accept": "application/json"},
        )
    assert response.json()["status"] == "saved" and response.json()["name"] == ""
    assert response.json()["report"]["status_label"] == "В работе"
    assert not CellFile.objects.exists() and stored_paths(settings) == []
    assert Cell.objects.get(column_key="scan").value == ""
    assert AuditEvent.objects.filter(action="report.file_removed").count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "протокол.docx",
            b"PK\x03\x04",
            "Файл «протокол.docx» не принят: допускаются файлы PDF, JPG, PNG.",
        ),
        (
            "протокол.pdf",
            b"<html>not a pdf</html>",
            "Файл «протокол.pdf» поврежден или его содержимое не соответствует расширению.",
        ),
        ("протокол.pdf", b"", "Файл «протокол.pdf» пустой."),
    ],
)
def test_wrong_files_are_refused(as_user, org_user, report, settings, name, content, message):
    response = upload(as_user(org_user), report, name=name, content=content)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["message"] == message
    assert not CellFile.objects.exists() and stored_paths(settings) == []


def test_oversized_file_is_refused(as_user, org_user, report, settings):
    settings.DATACOLLECTION_FILE_MAX_SIZE = 1024
    response = upload(as_user(org_user), report, content=PDF + b"0" * 2048)
    assert response.json()["message"] == (
        "Файл «Протокол 4А.pdf» слишком большой (2 КБ): допускается не больше 1 КБ."
    )
    assert not CellFile.objects.exists()


def test_closed_collection_refuses_upload_and_remove(as_user, org_user, report, settings):
    client = as_user(org_user)
    upload(client, report)
    report.collection.closed_manually = True
    report.collection.save()
    response = upload(client, report, name="новый.pdf")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert response.json()["message"] == services.CLOSED_MESSAGE
    response = client.post(reverse("datacollection:report_file_remove", args=[report.pk]), ADDRESS)
    assert response.status_code == HTTPStatus.FOUND  # a plain post: back with the message
    assert CellFile.objects.get().name == "Протокол 4А.pdf" and len(stored_paths(settings)) == 1
    # Still readable after the close.
    assert client.get(download_url(report)).status_code == HTTPStatus.OK


def test_plain_form_post_redirects_with_a_message(as_user, org_user, report):
    client = as_user(org_user)
    response = upload(client, report, json=False)
    assert response.status_code == HTTPStatus.FOUND
    page = client.get(response["Location"]).content.decode()
    assert "Файл «Протокол 4А.pdf» загружен." in page
    assert f'href="{download_url(report)}"' in page


def test_only_file_columns_take_files_and_autosave_cannot_clear_them(as_user, org_user, report):
    client = as_user(org_user)
    response = upload(client, report, column="note")
    assert response.status_code == HTTPStatus.NOT_FOUND
    upload(client, report)
    response = client.post(
        reverse("datacollection:report_autosave", args=[report.pk]),
        data={"cells": [{**ADDRESS, "value": "", "version": 1}]},
        content_type="application/json",
    )
    assert response.json()["results"][0]["message"] == services.FILE_CELL_MESSAGE
    assert Cell.objects.get(column_key="scan").value == "Протокол 4А.pdf"


def test_unknown_row_is_refused_and_leaves_no_file(as_user, org_user, report, settings):
    response = upload(as_user(org_user), report, row="grade9")
    assert response.json()["message"] == services.NO_ROW_MESSAGE
    assert stored_paths(settings) == []


@pytest.mark.parametrize("name", ["report_file_upload", "report_file_remove"])
def test_other_organization_and_coordinators_cannot_write(
    as_user, other_org_user, regional, report, name
):
    url = reverse(f"datacollection:{name}", args=[report.pk])
    data = {**ADDRESS, "file": SimpleUploadedFile("a.pdf", PDF)}
    assert as_user(other_org_user).post(url, data).status_code == HTTPStatus.NOT_FOUND
    assert as_user(regional).post(url, data).status_code == HTTPStatus.FORBIDDEN
    assert not CellFile.objects.exists()


def test_required_file_is_checked_on_submit_and_kept_in_the_snapshot(as_user, org_user, report):
    scan = report.collection.form.tables.get(key="protocol").columns.get(key="scan")
    scan.required = True
    scan.save()
    client = as_user(org_user)
    page = client.post(reverse("datacollection:report_submit", args=[report.pk])).content.decode()
    assert "«Протокол», строка «4 класс», столбец «Скан протокола»</a>: Заполните ячейку." in page
    upload(client, report)
    upload(client, report, row="grade8", name="8 класс.jpg", content=b"\xff\xd8\xff\xe0" + PNG)
    cells = [
        {"table": "counts", "row": row, "column": key, "value": value, "version": 0}
        for row in ("grade4", "grade8")
        for key, value in (("listed", "2"), ("present", "2"), ("absent", "0"))
    ]
    client.post(
        reverse("datacollection:report_autosave", args=[report.pk]),
        data={"cells": cells},
        content_type="application/json",
    )
    client.post(reverse("datacollection:report_submit", args=[report.pk]))
    data = Submission.objects.get().data
    protocol = next(t for t in data["tables"] if t["key"] == "protocol")
    assert protocol["rows"][1]["values"]["scan"] == "8 класс.jpg"


def test_removing_a_dynamic_row_deletes_its_files(
    as_user, org_user, org, settings, django_capture_on_commit_callbacks
):
    form = make_form()
    results = form.tables.get(key="results")
    results.columns.create(key="scan", title="Скан", order=20, type="file")
    report = ReportFactory(
        collection=make_collection(organizations=[org], form=form), organization=org
    )
    client = as_user(org_user)
    client.post(reverse("datacollection:report_row_add", args=[report.pk]), {"table": "results"})
    row = report.rows.get().key
    upload(client, report, table="results", row=row)
    assert len(stored_paths(settings)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("datacollection:report_row_remove", args=[report.pk]),
            {"table": "results", "row": row},
        )
    assert not CellFile.objects.exists() and stored_paths(settings) == []


def test_excel_template_shows_the_file_name_and_import_leaves_files_alone(
    as_user, org_user, report
):
    client = as_user(org_user)
    upload(client, report)
    response = client.get(reverse("datacollection:report_template", args=[report.pk]))
    workbook = load_workbook(BytesIO(response.content))
    protocol = workbook["Протокол"]
    assert protocol.cell(5, 3).value == "Протокол 4А.pdf"
    protocol.cell(5, 3, "подмена.pdf")
    protocol.cell(5, 4, "без замечаний")
    buffer = BytesIO()
    workbook.save(buffer)
    client.post(
        reverse("datacollection:report_excel_import", args=[report.pk]),
        {"file": SimpleUploadedFile("t.xlsx", buffer.getvalue())},
    )
    assert Cell.objects.get(column_key="scan").value == "Протокол 4А.pdf"
    assert Cell.objects.get(column_key="note").value == "без замечаний"


def test_window_reopened_by_an_extension_accepts_files(as_user, org_user, report, regional):
    report.collection.closes_at = timezone.now() - timedelta(hours=1)
    report.collection.save()
    client = as_user(org_user)
    assert upload(client, report).status_code == HTTPStatus.FORBIDDEN
    services.extension_grant(
        collection=report.collection,
        organization=report.organization,
        until=timezone.now() + timedelta(days=1),
        actor=regional,
    )
    assert upload(client, report).status_code == HTTPStatus.OK


@pytest.mark.parametrize(
    "error", [PermissionError(13, "Permission denied"), OSError(28, "No space left on device")]
)
def test_an_unwritable_media_directory_is_a_clear_error_and_nothing_is_half_written(
    as_user, org_user, report, settings, monkeypatch, error
):
    """The media directory unwritable (or full) during an upload: a Russian message, no cell,
    no CellFile, no file left behind — not a 500 page (docs/faults.md, fault d)."""
    from django.core.files.storage import FileSystemStorage

    def refuse(self, name, content):
        path = settings.MEDIA_ROOT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(PDF[:5])  # a half-written file, as a full disk leaves one
        raise error

    monkeypatch.setattr(FileSystemStorage, "_save", refuse)
    response = upload(as_user(org_user), report)
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    body = response.json()
    assert body["status"] == "error"
    assert body["message"] == services.FILE_STORAGE_MESSAGE
    assert not Cell.objects.exists() and not CellFile.objects.exists()
    assert stored_paths(settings) == []
    assert not AuditEvent.objects.filter(action="report.file_uploaded").exists()
