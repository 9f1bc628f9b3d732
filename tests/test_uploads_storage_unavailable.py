"""Every upload other than the file cell's scan (tests/test_datacollection_files.py has that one)
with the media directory unwritable or the disk full: a clear Russian message, not a 500 page,
and nothing half-written — no row pointing to a missing file, no partial file, no audit line.
Afterwards, with the storage back, the same upload goes through."""

from datetime import date, time
from http import HTTPStatus
from io import BytesIO

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditEvent
from core.files import FILE_STORAGE_MESSAGE
from datacollection.models import Cell
from forum.models import Question
from publications.models import Attachment, Publication
from studies import services as study_services
from studies.models import ChecklistTick, RoomProtocol
from tests.factories import (
    MEDIA_WRITE_ERRORS,
    PNG_BYTES,
    ReportFactory,
    admin_publication_with_material,
    category,
    give_class,
    give_room,
    make_collection,
    media_files,
    media_refuses_writes,
    participating_study,
)

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("error", MEDIA_WRITE_ERRORS)
def test_a_forum_question_with_a_screenshot(as_user, org_user, settings, monkeypatch, error):
    client = as_user(org_user)
    data = {"category": category().pk, "title": "Ошибка", "text": "См. скриншот", "send": "1"}

    def send():
        screenshot = SimpleUploadedFile("экран.png", PNG_BYTES, content_type="image/png")
        return client.post(reverse("forum:ask"), {**data, "attachment": screenshot})

    media_refuses_writes(monkeypatch, error)
    response = send()
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    page = response.content.decode()
    assert FILE_STORAGE_MESSAGE in page and "Ошибка" in page  # the form keeps what was typed
    assert not Question.objects.exists() and media_files(settings.MEDIA_ROOT) == []
    assert not AuditEvent.objects.filter(action="forum.question_asked").exists()

    monkeypatch.undo()
    assert send().status_code == HTTPStatus.FOUND
    question = Question.objects.get()
    assert media_files(settings.MEDIA_ROOT) == [settings.MEDIA_ROOT / question.attachment.name]


def publication_post(client):
    return client.post(
        reverse("admin:publications_publication_add"),
        admin_publication_with_material(PDF),
        follow=True,
    )


@pytest.mark.parametrize("error", MEDIA_WRITE_ERRORS)
def test_a_publication_with_a_material_in_the_admin(
    as_user, operator, settings, monkeypatch, error
):
    client = as_user(operator)
    media_refuses_writes(monkeypatch, error)
    response = publication_post(client)
    # The form comes back as for a validation error: the reason above it, the typed text kept
    # (only the file has to be chosen again: a browser never refills a file input).
    assert response.status_code == HTTPStatus.OK and not response.redirect_chain
    page = response.content.decode()
    assert f"Публикация не сохранена. {FILE_STORAGE_MESSAGE}" in page
    assert 'value="Материалы для проведения"' in page
    assert "Скачайте материалы.</textarea>" in page
    # Nothing of it is kept: a publication without its material would go out to schools.
    assert not Publication.objects.exists() and not Attachment.objects.exists()
    assert media_files(settings.MEDIA_ROOT) == []
    assert not AuditEvent.objects.filter(action__startswith="publication.").exists()

    monkeypatch.undo()
    publication_post(client)
    attachment = Attachment.objects.get()
    assert media_files(settings.MEDIA_ROOT) == [settings.MEDIA_ROOT / attachment.file.name]


@pytest.fixture
def study(org):
    return participating_study(org)


@pytest.mark.parametrize("error", MEDIA_WRITE_ERRORS)
def test_a_checklist_scan(as_user, org_user, study, settings, monkeypatch, error):
    client = as_user(org_user)
    url = reverse("studies:checklist_tick", args=[study.pk, "prep_specialists"])

    def send():
        return client.post(url, {"scan": SimpleUploadedFile("Приказ.pdf", PDF)}, follow=True)

    media_refuses_writes(monkeypatch, error)
    response = send()
    assert response.status_code == HTTPStatus.OK
    assert FILE_STORAGE_MESSAGE in messages_of(response)
    assert not ChecklistTick.objects.exists() and media_files(settings.MEDIA_ROOT) == []

    monkeypatch.undo()
    send()
    tick = ChecklistTick.objects.get()
    assert media_files(settings.MEDIA_ROOT) == [settings.MEDIA_ROOT / tick.file.name]


@pytest.mark.parametrize("error", MEDIA_WRITE_ERRORS)
def test_a_room_protocol_scan(as_user, org, org_user, study, settings, monkeypatch, error):
    give_class(org_user, study, pupils=2)
    room = give_room(org_user, study)
    study_services.distribute_codes(user=org_user, study=study, organization=org)
    client = as_user(org_user)

    def send():
        return client.post(
            reverse("studies:room_protocol", args=[room.pk]),
            {
                "held_on": date(2026, 4, 15).isoformat(),
                "started_at": time(10).isoformat("minutes"),
                "ended_at": time(10, 45).isoformat("minutes"),
                "present": list(room.codes.values_list("pk", flat=True)),
                "scan": SimpleUploadedFile("Протокол.pdf", PDF),
            },
            follow=True,
        )

    media_refuses_writes(monkeypatch, error)
    response = send()
    assert response.status_code == HTTPStatus.OK
    assert FILE_STORAGE_MESSAGE in messages_of(response)
    assert not RoomProtocol.objects.exists() and media_files(settings.MEDIA_ROOT) == []

    monkeypatch.undo()
    send()
    protocol = RoomProtocol.objects.get()
    assert media_files(settings.MEDIA_ROOT) == [settings.MEDIA_ROOT / protocol.scan.name]


@pytest.mark.parametrize("error", MEDIA_WRITE_ERRORS)
def test_an_excel_import_needs_no_media_directory(
    as_user, org, org_user, settings, monkeypatch, error
):
    """«Загрузить из Excel» reads the file and writes cells; it keeps no file, so it works
    while the media directory is unwritable (and writes nothing there)."""
    report = ReportFactory(collection=make_collection(organizations=[org]), organization=org)
    client = as_user(org_user)
    template = client.get(reverse("datacollection:report_template", args=[report.pk]))
    workbook = load_workbook(BytesIO(template.content))
    workbook.worksheets[0].cell(5, 3, 25)
    buffer = BytesIO()
    workbook.save(buffer)
    media_refuses_writes(monkeypatch, error)
    response = client.post(
        reverse("datacollection:report_excel_import", args=[report.pk]),
        {"file": SimpleUploadedFile("шаблон.xlsx", buffer.getvalue())},
        follow=True,
    )
    assert "Данные из Excel загружены: изменено ячеек — 1" in response.content.decode()
    assert Cell.objects.get(report=report).value == "25"
    assert media_files(settings.MEDIA_ROOT) == []
