"""An upload whose transaction fails at its very commit leaves no file in the media directory.

The file is written before the rows that point to it; `transaction.on_commit` would only run
after a commit that worked, so `core.files.atomic_with_files` deletes what `upload_stored`
wrote when the transaction ends with an exception, the commit's own included. The commit is
made to fail for real: the write's audit row is pointed at an organization that does not exist,
and foreign keys are checked at commit (deferred, on SQLite and PostgreSQL alike)."""

from datetime import date, time

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import AuditEvent
from core.files import atomic_with_files, upload_stored
from datacollection.models import CellFile
from forum.models import Question
from publications.models import Attachment, Publication
from studies import services as study_services
from studies.models import ChecklistTick, RoomProtocol
from tests.factories import (
    PNG_BYTES,
    ReportFactory,
    admin_publication_with_material,
    category,
    give_class,
    give_room,
    make_collection,
    make_form,
    media_files,
    participating_study,
)

pytestmark = pytest.mark.django_db(transaction=True)
PDF = b"%PDF-1.4\n%%EOF\n"
NOWHERE = 10**9  # no organization has this id


def break_commits(monkeypatch):
    """Every audit row is saved, then pointed at a missing organization: each statement goes
    through and the database refuses the commit of the write that recorded it."""
    save = AuditEvent.save

    def save_then_break(self, *args, **kwargs):
        save(self, *args, **kwargs)
        AuditEvent.objects.filter(pk=self.pk).update(organization_id=NOWHERE)

    monkeypatch.setattr(AuditEvent, "save", save_then_break)


@pytest.fixture
def commit_fails(monkeypatch):
    break_commits(monkeypatch)


@pytest.fixture
def study(org):
    return participating_study(org)


def test_a_forum_screenshot(as_user, org_user, settings, commit_fails):
    screenshot = SimpleUploadedFile("экран.png", PNG_BYTES, content_type="image/png")
    form = {"category": category().pk, "title": "Ошибка", "text": "См. скриншот", "send": "1"}
    with pytest.raises(IntegrityError):
        as_user(org_user).post(reverse("forum:ask"), {**form, "attachment": screenshot})
    assert not Question.objects.exists()
    assert media_files(settings.MEDIA_ROOT) == []


def test_a_checklist_scan(as_user, org_user, study, settings, commit_fails):
    url = reverse("studies:checklist_tick", args=[study.pk, "prep_specialists"])
    with pytest.raises(IntegrityError):
        as_user(org_user).post(url, {"scan": SimpleUploadedFile("Приказ.pdf", PDF)})
    assert not ChecklistTick.objects.exists()
    assert media_files(settings.MEDIA_ROOT) == []


def test_a_room_protocol_scan(org, org_user, study, settings, monkeypatch):
    give_class(org_user, study, pupils=2)
    room = give_room(org_user, study)
    study_services.distribute_codes(user=org_user, study=study, organization=org)
    break_commits(monkeypatch)  # the set-up above commits as usual
    with pytest.raises(IntegrityError):
        study_services.save_room_protocol(
            user=org_user,
            room=room,
            held_on=date(2026, 4, 15),
            started_at=time(10),
            ended_at=time(10, 45),
            present_code_ids=list(room.codes.values_list("pk", flat=True)),
            observer_present=False,
            scan=SimpleUploadedFile("Протокол.pdf", PDF),
        )
    assert not RoomProtocol.objects.exists()
    assert media_files(settings.MEDIA_ROOT) == []


def test_a_file_cell(as_user, org, org_user, settings, commit_fails):
    collection = make_collection(organizations=[org], form=make_form(scan=True))
    report = ReportFactory(collection=collection, organization=org)
    with pytest.raises(IntegrityError):
        as_user(org_user).post(
            reverse("datacollection:report_file_upload", args=[report.pk]),
            {
                "table": "protocol",
                "row": "grade4",
                "column": "scan",
                "file": SimpleUploadedFile("Протокол 4А.pdf", PDF),
            },
            headers={"Accept": "application/json"},
        )
    assert not CellFile.objects.exists()
    assert media_files(settings.MEDIA_ROOT) == []


def test_a_publication_material_in_the_admin(as_user, operator, settings, commit_fails):
    with pytest.raises(IntegrityError):
        as_user(operator).post(
            reverse("admin:publications_publication_add"),
            admin_publication_with_material(PDF, name="Инструкция.pdf"),
        )
    assert not Publication.objects.exists() and not Attachment.objects.exists()
    assert media_files(settings.MEDIA_ROOT) == []


# ------------------------------------------------------------------ the rule itself


def scan_of(tick: ChecklistTick, content: bytes = PDF):
    return upload_stored(tick.file, ContentFile(content, name="Приказ.pdf"))


def test_a_nested_block_hands_its_files_to_the_outer_one(org_user, org, study, settings):
    tick = ChecklistTick(study=study, organization=org, item="prep_specialists")
    with pytest.raises(RuntimeError, match="outer"), atomic_with_files():
        with atomic_with_files(), scan_of(tick):
            pass  # the inner block ends well: its file stays while the outer one runs
        assert len(media_files(settings.MEDIA_ROOT)) == 1
        raise RuntimeError("the outer block fails")
    assert media_files(settings.MEDIA_ROOT) == []


def test_a_committed_upload_keeps_its_file(org, study, settings):
    tick = ChecklistTick(study=study, organization=org, item="prep_specialists")
    with atomic_with_files(), scan_of(tick) as name:
        pass
    assert media_files(settings.MEDIA_ROOT) == [settings.MEDIA_ROOT / name]


def test_an_upload_outside_a_files_transaction_is_a_programming_error(org, study, settings):
    tick = ChecklistTick(study=study, organization=org, item="prep_specialists")
    with (
        pytest.raises(RuntimeError, match="atomic_with_files"),
        transaction.atomic(),
        scan_of(tick),
    ):
        pass
    assert media_files(settings.MEDIA_ROOT) == []
