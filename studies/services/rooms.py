"""Rooms and the distribution of participant codes across them.

Distribution moves codes between rooms and never touches the codes themselves. A room whose
protocol is filled is frozen: its list is what the organizer signed.
"""

from collections import Counter
from dataclasses import dataclass

from django.db import transaction

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
ROOM_OVERFULL = (
    "В аудитории {number} не хватает мест: их {capacity}, а участников стало бы {count}. "
    "Распределение не изменено."
)
DISTRIBUTION_CHANGED = (
    "Пока страница была открыта, распределение изменилось: участник {code} уже {where}. "
    "Проверьте распределение и повторите."
)
UNKNOWN_CODE = "Код участника не найден среди кодов вашей организации."
UNKNOWN_ROOM = "Аудитория не найдена."
ROOM_HAS_PROTOCOL = "У аудитории {number} заполнен протокол: ее нельзя удалить."


class UnknownObject(StudyError):
    """A code or room that is not this school's in this study: answered as not found."""


class DistributionChanged(StudyError):
    """The person moved a code from where it no longer is: someone changed it meanwhile."""


def _room(study, organization, room_id) -> Room:
    room = Room.objects.filter(pk=room_id, study=study, organization=organization).first()
    if room is None:
        raise UnknownObject(UNKNOWN_ROOM)
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


@dataclass(frozen=True)
class CodeMove:
    """One code to `room_id` (None: unplaced), asked by a person who saw it in `seen_room_id`."""

    code_id: int
    room_id: int | None
    seen_room_id: int | None


def _where(room: Room | None) -> str:
    return f"в аудитории {room.number}" if room is not None else "не распределен"


@transaction.atomic
def assign_codes(
    *,
    user: User,
    study: Study,
    organization: Organization,
    moves: list[CodeMove],
    request=None,
) -> int:
    """Move codes to the chosen rooms, the one rule behind the selects and the dragging. A move
    whose room is the one the person saw asks for nothing and is skipped, so a stale page never
    undoes someone else's change. All or nothing: an unknown code or room, a code moved
    elsewhere meanwhile, a frozen room or a room beyond its capacity refuses the whole change."""
    check_school_writes(user=user, study=study, organization=organization)
    # Locking the school's rooms serializes every change of its distribution.
    rooms = {
        room.pk: room
        for room in Room.objects.filter(study=study, organization=organization)
        .select_for_update(of=("self",))
        .select_related("protocol")
    }
    moves = [move for move in moves if move.room_id != move.seen_room_id]
    codes = {
        code.pk: code
        for code in ParticipantCode.objects.filter(
            study=study, organization=organization, pk__in=[move.code_id for move in moves]
        )
    }
    if len(codes) != len({move.code_id for move in moves}):
        raise UnknownObject(UNKNOWN_CODE)
    changed = []
    for move in moves:
        code = codes[move.code_id]
        if move.room_id is not None and move.room_id not in rooms:
            raise UnknownObject(UNKNOWN_ROOM)
        if code.room_id == move.room_id:
            continue  # someone made the same move meanwhile
        if code.room_id != move.seen_room_id:
            raise DistributionChanged(
                DISTRIBUTION_CHANGED.format(code=code.code, where=_where(rooms.get(code.room_id)))
            )
        for touched in (code.room_id, move.room_id):
            if touched is not None and _has_protocol(rooms[touched]):
                raise StudyError(ROOM_FROZEN.format(number=rooms[touched].number))
        code.room_id = move.room_id
        changed.append(code)
    receiving = {code.room_id for code in changed} - {None}
    counts = Counter(
        ParticipantCode.objects.filter(study=study, organization=organization, room__in=receiving)
        .exclude(pk__in=[code.pk for code in changed])
        .values_list("room", flat=True)
    )
    counts.update(code.room_id for code in changed if code.room_id is not None)
    for room_pk in sorted(receiving, key=lambda pk: rooms[pk].number):
        room = rooms[room_pk]
        if counts[room_pk] > room.capacity:
            raise StudyError(
                ROOM_OVERFULL.format(
                    number=room.number, capacity=room.capacity, count=counts[room_pk]
                )
            )
    ParticipantCode.objects.bulk_update(changed, ["room"])
    if changed:
        record(
            actor=user,
            action="studies.codes_assigned",
            organization=organization,
            target=study.code,
            request=request,
            moved={code.code: code.room_id for code in changed},
        )
    return len(changed)
