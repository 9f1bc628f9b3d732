"""Room protocols («Протокол проведения НИКО в аудитории») and scans of signed papers.

Presence is chosen from the room's own list, so absent = listed − present holds by
construction and a code from another room cannot be marked."""

from datetime import date, time
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction

from accounts.audit import record
from accounts.models import User
from core.files import content_matches_extension, file_extension, format_file_size

from ..models import Room, RoomProtocol
from .access import StudyError, check_school_writes

SCAN_EXTENSIONS = ("pdf", "jpg", "jpeg", "png")

TIMES_REQUIRED = "Укажите дату проведения, время начала и время окончания."
TIMES_ORDER = "Время окончания должно быть позже времени начала."
EMPTY_ROOM = "В аудитории нет участников: сначала распределите участников по аудиториям."
NOT_IN_ROOM = "Отмечать можно только участников из списка этой аудитории."
INCIDENTS_TOO_LONG = "Описание нештатных ситуаций — не длиннее 2000 символов."
SCAN_TYPE = "Файл «{name}»: допустимы PDF, JPG или PNG."
SCAN_EMPTY = "Файл «{name}» пустой."
SCAN_SIZE = "Файл «{name}» ({size}) больше допустимых {limit}."
SCAN_CONTENT = "Файл «{name}» не является документом заявленного типа."


def checked_scan(upload) -> str:
    """The scan's original name, or StudyError: PDF/JPG/PNG, not empty, within the size limit,
    and its first bytes are what its extension claims (the core.files upload rules)."""
    name = PurePath(str(upload.name or "файл")).name.strip()[:255] or "файл"
    extension = file_extension(name)
    if extension not in SCAN_EXTENSIONS:
        raise StudyError(SCAN_TYPE.format(name=name))
    if not upload.size:
        raise StudyError(SCAN_EMPTY.format(name=name))
    limit = settings.DATACOLLECTION_FILE_MAX_SIZE
    if upload.size > limit:
        raise StudyError(
            SCAN_SIZE.format(
                name=name, size=format_file_size(upload.size), limit=format_file_size(limit)
            )
        )
    if not content_matches_extension(upload, extension):
        raise StudyError(SCAN_CONTENT.format(name=name))
    return name


@transaction.atomic
def save_room_protocol(
    *,
    user: User,
    room: Room,
    held_on: date | None,
    started_at: time | None,
    ended_at: time | None,
    present_code_ids: list[int],
    observer_present: bool,
    incidents: str = "",
    scan=None,
    request=None,
) -> RoomProtocol:
    check_school_writes(user=user, study=room.study, organization=room.organization)
    room = Room.objects.select_for_update().get(pk=room.pk)
    if not (held_on and started_at and ended_at):
        raise StudyError(TIMES_REQUIRED)
    if started_at >= ended_at:
        raise StudyError(TIMES_ORDER)
    if len(incidents) > 2000:
        raise StudyError(INCIDENTS_TOO_LONG)
    listed = set(room.codes.values_list("pk", flat=True))
    if not listed:
        raise StudyError(EMPTY_ROOM)
    present = set(present_code_ids)
    if not present <= listed:
        raise StudyError(NOT_IN_ROOM)
    scan_name = checked_scan(scan) if scan is not None else None
    protocol = RoomProtocol.objects.filter(room=room).first() or RoomProtocol(room=room)
    old_scan = protocol.scan.name if scan_name and protocol.scan else None
    protocol.held_on = held_on
    protocol.started_at = started_at
    protocol.ended_at = ended_at
    protocol.observer_present = observer_present
    protocol.incidents = incidents.strip()
    protocol.filled_by = user
    if scan_name:
        protocol.scan.save(scan.name, scan, save=False)
        protocol.scan_name = scan_name
    protocol.save()
    protocol.present_codes.set(present)
    if old_scan:
        transaction.on_commit(lambda: default_storage.delete(old_scan))
    record(
        actor=user,
        action="studies.room_protocol_saved",
        organization=room.organization,
        target=f"{room.study.code}: {room.number}",
        request=request,
        listed=len(listed),
        present=len(present),
        scan=scan_name or "",
    )
    return protocol
