"""Room protocols («Протокол проведения НИКО в аудитории») and scans of signed papers.

Presence is chosen from the room's own list, so absent = listed − present holds by
construction and a code from another room cannot be marked."""

from datetime import date, time

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction

from accounts.audit import record
from accounts.models import User
from core.files import UploadRule, atomic_with_files, check_upload, upload_stored

from ..models import Room, RoomProtocol
from .access import StudyError, check_school_writes

SCAN_EXTENSIONS = ("pdf", "jpg", "jpeg", "png")

TIMES_REQUIRED = "Укажите дату проведения, время начала и время окончания."
TIMES_ORDER = "Время окончания должно быть позже времени начала."
EMPTY_ROOM = "В аудитории нет участников: сначала распределите участников по аудиториям."
NOT_IN_ROOM = "Отмечать можно только участников из списка этой аудитории."
INCIDENTS_TOO_LONG = "Описание нештатных ситуаций — не длиннее 2000 символов."


def scan_rule() -> UploadRule:
    return UploadRule(extensions=SCAN_EXTENSIONS, max_size=settings.DATACOLLECTION_FILE_MAX_SIZE)


def checked_scan(upload) -> str:
    """The scan's original name, or UploadRefused (a ServiceError): the one upload rule of
    core.files for PDF/JPG/PNG scans."""
    name, _ = check_upload(upload, scan_rule())
    return name


@atomic_with_files()
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
        protocol.scan_name = scan_name
    # The scan is written first; FileStorageUnavailable (a ServiceError) leaves nothing behind.
    with upload_stored(protocol.scan, scan if scan_name else None, name=scan_name):
        protocol.save()
        protocol.present_codes.set(present)
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
    if old_scan:
        transaction.on_commit(lambda: default_storage.delete(old_scan))
    return protocol
