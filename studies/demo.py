"""Demo state of the study cycle in region 47 (a `seed_demo` step, idempotent): the calendar,
the checklist's watched forms and memo, and schools at every point of the cycle — done with
preparation, with rooms and codes, with room protocols, one behind on everything. Written
through the services as the schools themselves; a school that already has classes is left
alone, and edu470001/edu470002 keep a clean slate for the walkthrough."""

from datetime import time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.models import Organization, User
from datacollection.models import Collection, Study
from publications.models import Attachment, AttachmentDownload, Publication

from . import services
from .models import ChecklistSettings, SchoolClass, Stage, StageDate

KEEP_CLEAN = {"edu470001", "edu470002"}
BEHIND_ON_EVERYTHING = "edu470040"
PDF = b"%PDF-1.4\n% demo scan\n%%EOF\n"
MEMO_TITLE = "Памятка по обеспечению информационной безопасности при проведении НИКО"
MATERIALS_TITLE = "Материалы для проведения НИКО в Ленинградской области"


def _calendar(study: Study) -> None:
    today = timezone.localdate()
    lines = [
        (Stage.PREPARATION, None, "", today - timedelta(days=20), today - timedelta(days=1)),
        (Stage.CONDUCT, 4, "литература", today, today + timedelta(days=1)),
        (Stage.CONDUCT, 8, "ОБЖ", today + timedelta(days=1), today + timedelta(days=2)),
        (Stage.COMPLETION, None, "", today + timedelta(days=3), today + timedelta(days=15)),
    ]
    for stage, grade, subject, starts_on, ends_on in lines:
        StageDate.objects.update_or_create(
            study=study,
            stage=stage,
            grade=grade,
            subject=subject,
            region=None,
            defaults={"starts_on": starts_on, "ends_on": ends_on},
        )


def checklist_collections(study: Study) -> dict:
    """The demo study's collections the checklist follows, by their forms' codes (also used by
    `seed_scale` for its country)."""
    by_form = {
        c.form.code: c for c in Collection.objects.filter(study=study).select_related("form")
    }
    return {
        "registration_collection": by_form.get("niko_oo_info"),
        "survey_collection": by_form.get("niko_survey"),
        "protocol_collection": by_form.get("niko_protocol"),
        "results_collection": by_form.get("niko_results"),
    }


def _settings(study: Study) -> None:
    memo = Publication.objects.filter(title=MEMO_TITLE).first()
    if memo is None:
        memo = Publication.objects.create(
            title=MEMO_TITLE,
            published_at=timezone.now() - timedelta(days=15),
            study=study,
            body=(
                "Материалы НИКО не копируются и не передаются третьим лицам до окончания "
                "проведения. Рабочее место организатора защищено паролем; файлы с материалами "
                "удаляются после печати."
            ),
        )
    ChecklistSettings.objects.update_or_create(
        study=study,
        defaults={**checklist_collections(study), "security_memo": memo},
    )
    # The materials of the study are what «скачивание материалов» watches.
    Publication.objects.filter(title=MATERIALS_TITLE, study__isnull=True).update(study=study)


def _prepare(user: User, study: Study, number: int, *, protocols: bool) -> None:
    organization = user.organization
    now = timezone.now()
    for item in ("prep_documents", "prep_readiness", "prep_security", "prep_specialists"):
        scan = (
            SimpleUploadedFile("Приказ о назначении.pdf", PDF)
            if item == "prep_specialists"
            else None
        )
        services.tick_item(
            user=user, study=study, organization=organization, item_key=item, scan=scan
        )
    for attachment in Attachment.objects.filter(publication__study=study):
        AttachmentDownload.objects.get_or_create(
            attachment=attachment,
            organization=organization,
            defaults={"user": user, "first_downloaded_at": now - timedelta(days=5)},
        )
    if not protocols:
        return
    for room in organization.rooms.filter(study=study):
        services.room_list_issued(user=user, room=room)
        codes = list(room.codes.order_by("number").values_list("pk", flat=True))
        services.save_room_protocol(
            user=user,
            room=room,
            held_on=timezone.localdate(),
            started_at=time(10, 0),
            ended_at=time(10, 45),
            present_code_ids=codes[: max(1, len(codes) - 1 - number % 2)],
            observer_present=number % 2 == 0,
            incidents="" if number % 3 else "Участник почувствовал себя плохо и покинул аудиторию.",
            scan=SimpleUploadedFile(f"Протокол аудитории {room.number}.pdf", PDF),
        )
    for item in ("conduct_rooms", "conduct_briefing", "conduct_observers"):
        services.tick_item(user=user, study=study, organization=organization, item_key=item)


def _rooms_and_codes(user: User, study: Study, number: int) -> None:
    organization = user.organization
    services.save_school_class(
        user=user,
        study=study,
        organization=organization,
        grade=4,
        letter="А",
        pupils=10 + number % 6,
    )
    services.save_school_class(
        user=user,
        study=study,
        organization=organization,
        grade=8,
        letter="Б",
        pupils=12 + number % 5,
    )
    services.save_room(user=user, study=study, organization=organization, number="101", capacity=16)
    services.save_room(user=user, study=study, organization=organization, number="204", capacity=16)
    services.distribute_codes(user=user, study=study, organization=organization)


@transaction.atomic
def seed(*, stdout) -> None:
    study = Study.objects.filter(code="niko2026").first()
    if study is None:
        return
    _calendar(study)
    _settings(study)
    users = {
        user.organization.login: user
        for user in User.objects.filter(
            organization__region__code="47", organization__isnull=False
        ).select_related("organization")
    }
    started = set(
        SchoolClass.objects.filter(study=study).values_list("organization__login", flat=True)
    )
    logins = sorted(
        login
        for login in Organization.objects.filter(region__code="47").values_list("login", flat=True)
        if login in users and login not in KEEP_CLEAN | {BEHIND_ON_EVERYTHING}
    )
    counts = {"codes": 0, "prepared": 0, "protocols": 0}
    for number, login in enumerate(logins):
        if login in started or number % 4 == 3:  # every fourth school has not started yet
            continue
        user = users[login]
        _rooms_and_codes(user, study, number)
        counts["codes"] += 1
        if number % 4 in (0, 1):
            _prepare(user, study, number, protocols=number % 4 == 0)
            counts["prepared"] += 1
            counts["protocols"] += number % 4 == 0
    stdout.write(
        f"Проведение НИКО: коды и аудитории у {counts['codes']} ОО, подготовка завершена у "
        f"{counts['prepared']}, протоколы аудиторий у {counts['protocols']}; "
        f"{BEHIND_ON_EVERYTHING} не приступала ни к чему."
    )
