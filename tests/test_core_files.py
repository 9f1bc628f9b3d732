"""The one upload rule (core.files.check_upload and open_xlsx) and every upload that goes
through it: file cells, forum screenshots, publication materials, Excel uploads of reports, the
registry of organizations. Extension, size, the first bytes, and zip bombs refused by their
compression ratio and unpacked total before anything parses them."""

import io
import zipfile
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse

from accounts.importing import ImportRejected, read_file
from core.files import (
    MAX_COMPRESSION_RATIO,
    XLSX,
    UnreadableFile,
    UploadRefused,
    UploadRule,
    check_upload,
    download,
    open_xlsx,
    stored_file_open,
    zip_bomb_reason,
)
from forum.models import validate_question_attachment
from publications.models import Attachment
from tests.factories import (
    PublicationFactory,
    ReportFactory,
    add_attachment,
    make_collection,
    make_form,
    sample_file_bytes,
    zip_bomb_bytes,
)

RULE = UploadRule(extensions=("pdf", "png", "jpg", "jpeg", "docx", "xlsx", "txt"), max_size=2**20)


@pytest.fixture(scope="module")
def bomb():
    """≈ 300 KB packed, 100 MB unpacked: the kind of upload that held a worker for ~19 s."""
    return zip_bomb_bytes(100 * 2**20)


def upload(name, content):
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(
    "name", ["a.pdf", "a.png", "a.jpg", "a.jpeg", "a.docx", "a.xlsx", "a.txt", "Протокол.PDF"]
)
def test_real_files_pass_and_keep_their_name(name):
    assert check_upload(upload(name, sample_file_bytes(name)), RULE) == (
        name,
        name.rsplit(".", 1)[-1].lower(),
    )


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("a.exe", b"MZ", "type"),
        ("a", b"%PDF-", "type"),
        ("a.pdf", b"", "empty"),
        ("a.pdf", b"%PDF-" + b"0" * 2**20, "size"),
        ("a.pdf", b"<html><script>", "content"),  # a renamed page is not a scan
        ("a.png", b"%PDF-1.4", "content"),
        ("a.docx", b"<html>", "content"),
        ("a.docx", b"PK\x03\x04 not an archive", "content"),
        ("a.txt", b"MZ\x00\x00binary", "content"),
    ],
)
def test_each_refusal_has_its_reason_and_a_russian_message(name, content, reason):
    with pytest.raises(UploadRefused) as refused:
        check_upload(upload(name, content), RULE)
    assert refused.value.reason == reason
    assert refused.value.message.startswith("Файл «")


def test_no_file_is_refused():
    with pytest.raises(UploadRefused) as refused:
        check_upload(None, RULE)
    assert (refused.value.reason, refused.value.message) == ("missing", "Выберите файл.")


def test_a_zip_bomb_is_refused_by_ratio_and_total_without_unpacking(bomb):
    assert len(bomb) < 400 * 1024
    with pytest.raises(UploadRefused) as refused:
        check_upload(upload("Форма.xlsx", bomb), UploadRule(("xlsx",), 10 * 2**20))
    assert refused.value.reason == "bomb"
    assert "в распакованном виде" in refused.value.message


def test_ratio_alone_refuses_a_bomb_under_the_total():
    # 5 MB of one repeated row: under a 20 MB total, but packed ~330 times.
    data = zip_bomb_bytes(5 * 2**20)
    assert zip_bomb_reason(io.BytesIO(data), max_unpacked=20 * 2**20) == "bomb"


def test_total_alone_refuses_many_ordinary_members():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for number in range(3):
            archive.writestr(f"m{number}.xml", b"x" * 2**20)
    assert zip_bomb_reason(io.BytesIO(buffer.getvalue()), max_unpacked=2 * 2**20) == "bomb"
    assert zip_bomb_reason(io.BytesIO(buffer.getvalue()), max_unpacked=4 * 2**20) is None


def test_an_ordinary_workbook_is_far_below_the_ratio():
    from openpyxl import Workbook

    workbook = Workbook()
    for number in range(3000):
        workbook.active.append([f"edu{number:06d}", "Школа", number, "Бокситогорский район"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        ratios = [i.file_size / max(i.compress_size, 1) for i in archive.infolist()]
    assert max(ratios) < MAX_COMPRESSION_RATIO / 2
    assert open_xlsx(buffer.getvalue()).active.max_row == 3000


def test_open_xlsx_refuses_a_bomb_before_openpyxl(bomb, monkeypatch):
    import openpyxl

    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("parsed a zip bomb"))
    with pytest.raises(UnreadableFile):
        open_xlsx(bomb)


# ----- every caller -----


def test_publication_material_is_checked_by_content_not_only_extension(db):
    with pytest.raises(ValidationError) as error:
        add_attachment(PublicationFactory(), "Приказ.pdf", b"<html>not a pdf</html>")
    assert error.value.messages == [
        "Файл «Приказ.pdf» поврежден или его содержимое не соответствует расширению."
    ]
    assert not Attachment.objects.exists()


def test_publication_material_that_is_a_zip_bomb_is_refused(db):
    with pytest.raises(ValidationError) as error:
        add_attachment(PublicationFactory(), "Инструкция.docx", zip_bomb_bytes(5 * 2**20))
    assert "сжат подозрительно сильно" in error.value.messages[0]


def test_publication_zip_archive_is_passed_on_unopened(db):
    attachment = add_attachment(PublicationFactory(), "Материалы.zip")
    assert attachment.type_label == "ZIP"


def test_forum_screenshot_that_is_not_an_image_is_refused():
    with pytest.raises(ValidationError) as error:
        validate_question_attachment(ContentFile(b"<svg onload=alert(1)>", name="экран.png"))
    assert error.value.messages == [
        "Файл «экран.png» не принят: его содержимое не похоже на изображение."
    ]


@pytest.fixture
def report(org):
    collection = make_collection(organizations=[org], form=make_form(scan=True))
    return ReportFactory(collection=collection, organization=org)


def test_excel_upload_of_a_report_refuses_a_bomb_fast(as_user, org_user, report, bomb):
    response = as_user(org_user).post(
        reverse("datacollection:report_excel_import", args=[report.pk]),
        {"file": upload("Шаблон.xlsx", bomb)},
        follow=True,
    )
    assert response.status_code == HTTPStatus.OK
    assert "сжат подозрительно сильно" in response.content.decode()
    assert not report.cells.exists()


def test_file_cell_refuses_a_renamed_page(as_user, org_user, report):
    response = as_user(org_user).post(
        reverse("datacollection:report_file_upload", args=[report.pk]),
        {
            "table": "protocol",
            "row": "grade4",
            "column": "scan",
            "file": upload("Протокол.pdf", b"<html>"),
        },
        follow=True,
    )
    assert "поврежден или его содержимое не соответствует расширению" in response.content.decode()
    assert not report.cells.exists()


def test_organization_import_refuses_a_bomb(bomb):
    with pytest.raises(ImportRejected):
        read_file(data=bomb, filename="Организации.xlsx")


def test_every_download_is_a_private_attachment_under_its_cyrillic_name():
    workbook = download(b"PK\x03\x04", "Готовность ОО — niko.xlsx")
    assert workbook.content == b"PK\x03\x04" and workbook["Content-Type"] == XLSX
    assert workbook["Content-Disposition"] == (
        "attachment; filename*=utf-8''%D0%93%D0%BE%D1%82%D0%BE%D0%B2%D0%BD%D0%BE%D1%81%D1%82%D1%8C"
        "%20%D0%9E%D0%9E%20%E2%80%94%20niko.xlsx"
    )
    assert workbook["Cache-Control"] == "private, no-store"
    assert workbook["X-Content-Type-Options"] == "nosniff"
    shown = download(io.BytesIO(b"\x89PNG"), "снимок.png", content_type="image/png", inline=True)
    assert b"".join(shown.streaming_content) == b"\x89PNG"
    assert shown["Content-Type"] == "image/png"
    assert shown["Content-Disposition"].startswith("inline; filename*=utf-8''")
    credentials = download(b"x", "Учетные данные.xlsx", cache_control="no-store")
    assert credentials["Cache-Control"] == "no-store"


def test_a_stored_file_gone_from_the_disk_is_a_404(settings):
    attachment = Attachment(file="publications/нет-такого.pdf")
    with pytest.raises(Http404, match="Файл не найден"):
        stored_file_open(attachment.file)
    with pytest.raises(Http404, match="Файл выгрузки удален"):
        stored_file_open(attachment.file, "Файл выгрузки удален")
