"""Rooms and the distribution of participant codes across them.

Distribution moves codes between rooms and never touches the codes themselves. A room whose
protocol is filled is frozen: its list is what the organizer signed.
"""

from django.db import transaction
from django.db.models import Count

from accounts.audit import record
from accounts.models import Organization, User
from datacollection.models import Study

from ..models import ParticipantCode, Room
from .access import StudyError, check_school_writes

NUMBER_REQUIRED = "Укажите номер аудитории."
NUMBER_TOO_LONG = "Номер аудитории — не длиннее 20 символов."
NUMBER_TAKEN = "Аудитория с номером «{number}» уже есть."
CAPACITY_OUT_OF_RANGE = "Число мест — от 1 до 200."
CAPACITY_BELOW_LISTED = "В аудитории {number} уже {listed} участников: мест не может быть меньше."
ROOM_FROZEN = "Протокол аудитории {number} уже заполнен: ее список участников не меняется."
NO_ROOMS = "Сначала добавьте аудитории."
NO_CODES = "Сначала укажите участвующие классы: коды участников выдаются по ним."
NOT_ENOUGH_SEATS = (
    "Мест в аудиториях ({seats}) меньше, чем участников ({codes}): "
    "добавьте аудиторию или увеличьте число мест."
)
ROOM_OVERFULL = "В аудитории {number} {capacity} мест, а назначено {count} участников."
UNKNOWN_CODE = "Код участника не найден среди кодов вашей организации."
UNKNOWN_ROOM = "Аудитория не найдена."
ROOM_HAS_PROTOCOL = "У аудитории {number} заполнен протокол: ее нельзя удалить."


def _room(study, organization, room_id) -> Room:
    room = Room.objects.filter(pk=room_id, study=study, organization=organization).first()
    if room is None:
        raise StudyError(UNKNOWN_ROOM)
    return room


def _has_protocol(room: Room) -> bool:
    return hasattr(room, "protocol") and room.protocol is not None


@transaction.atomic
def save_room(
    *,
    user: User,
    study: Study,
    organization: Organization,
    number: str,
    capacity: int,
    room_id: int | None = None,
    request=None,
) -> Room:
    check_school_writes(user=user, study=study, organization=organization)
    number = number.strip()
    if not number:
        raise StudyError(NUMBER_REQUIRED)
    if len(number) > 20:
        raise StudyError(NUMBER_TOO_LONG)
    if not (1 <= capacity <= 200):
        raise StudyError(CAPACITY_OUT_OF_RANGE)
    same_number = Room.objects.filter(study=study, organization=organization, number=number)
    if room_id is not None:
        room = _room(study, organization, room_id)
        same_number = same_number.exclude(pk=room.pk)
        listed = room.codes.count()
        if capacity < listed:
            raise StudyError(CAPACITY_BELOW_LISTED.format(number=room.number, listed=listed))
    else:
        room = Room(study=study, organization=organization)
    if same_number.exists():
        raise StudyError(NUMBER_TAKEN.format(number=number))
    room.number = number
    room.capacity = capacity
    room.save()
    record(
        actor=user,
        action="studies.room_saved",
        organization=organization,
        target=f"{study.code}: {number}",
        request=request,
        capacity=capacity,
    )
    return room


@transaction.atomic
def remove_room(
    *, user: User, study: Study, organization: Organization, room_id: int, request=None
) -> None:
    check_school_writes(user=user, study=study, organization=organization)
    room = _room(study, organization, room_id)
    if _has_protocol(room):
        raise StudyError(ROOM_HAS_PROTOCOL.format(number=room.number))
    room.delete()  # its codes become unplaced (SET_NULL), never deleted
    record(
        actor=user,
        action="studies.room_removed",
        organization=organization,
        target=f"{study.code}: {room.number}",
        request=request,
    )


@transaction.atomic
def distribute_codes(
    *, user: User, study: Study, organization: Organization, request=None
) -> dict[str, int]:
    """Fill the rooms in order of their numbers, each up to its capacity, codes by grade and
    number (a class stays together where it fits). Rooms with a filled protocol keep theirs."""
    check_school_writes(user=user, study=study, organization=organization)
    rooms = list(
        Room.objects.filter(study=study, organization=organization, protocol__isnull=True)
        .select_for_update(of=("self",))
        .order_by("number", "pk")
    )
    codes = list(
        ParticipantCode.objects.filter(study=study, organization=organization)
        .exclude(room__protocol__isnull=False)
        .order_by("grade", "number")
    )
    if not rooms:
        raise StudyError(NO_ROOMS)
    if not codes:
        raise StudyError(NO_CODES)
    seats = sum(room.capacity for room in rooms)
    if seats < len(codes):
        raise StudyError(NOT_ENOUGH_SEATS.format(seats=seats, codes=len(codes)))
    placed: dict[int, list[int]] = {}
    position = 0
    for room in rooms:
        chunk = codes[position : position + room.capacity]
        placed[room.pk] = [code.pk for code in chunk]
        position += len(chunk)
    for room_pk, code_pks in placed.items():
        ParticipantCode.objects.filter(pk__in=code_pks).update(room_id=room_pk)
    record(
        actor=user,
        action="studies.codes_distributed",
        organization=organization,
        target=study.code,
        request=request,
        rooms={str(pk): len(pks) for pk, pks in placed.items()},
    )
    return {str(pk): len(pks) for pk, pks in placed.items()}


@transaction.atomic
def assign_codes(
    *,
    user: User,
    study: Study,
    organization: Organization,
    assignments: dict[int, int | None],
    request=None,
) -> int:
    """Move codes to the chosen rooms ({code id: room id or None}). All or nothing: an unknown
    code or room, a frozen room or an overfull room refuses the whole change."""
    check_school_writes(user=user, study=study, organization=organization)
    rooms = {
        room.pk: room
        for room in Room.objects.filter(study=study, organization=organization)
        .select_for_update(of=("self",))
        .select_related("protocol")
    }
    codes = {
        code.pk: code
        for code in ParticipantCode.objects.filter(
            study=study, organization=organization, pk__in=list(assignments)
        )
    }
    if len(codes) != len(assignments):
        raise StudyError(UNKNOWN_CODE)
    changed = []
    for code_pk, room_pk in assignments.items():
        code = codes[code_pk]
        if room_pk is not None and room_pk not in rooms:
            raise StudyError(UNKNOWN_ROOM)
        if code.room_id == room_pk:
            continue
        for touched in (code.room_id, room_pk):
            if touched is not None and _has_protocol(rooms[touched]):
                raise StudyError(ROOM_FROZEN.format(number=rooms[touched].number))
        code.room_id = room_pk
        changed.append(code)
    ParticipantCode.objects.bulk_update(changed, ["room"])
    counts = dict(
        ParticipantCode.objects.filter(study=study, organization=organization, room__isnull=False)
        .values_list("room")
        .annotate(n=Count("pk"))
    )
    for room_pk, count in counts.items():
        room = rooms[room_pk]
        if count > room.capacity:
            raise StudyError(
                ROOM_OVERFULL.format(number=room.number, capacity=room.capacity, count=count)
            )
    record(
        actor=user,
        action="studies.codes_assigned",
        organization=organization,
        target=study.code,
        request=request,
        moved={code.code: code.room_id for code in changed},
    )
    return len(changed)
