"""Labels, groupings and files of the study cycle: what the pages and sheets show."""

import io
from collections import Counter
from dataclasses import dataclass

from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from openpyxl import Workbook

from accounts.models import Organization
from accounts.permissions import is_organization_user
from core.files import safe_text

from . import checklist
from .models import Room, Stage
from .readiness import DONE, OVERDUE, OrganizationReadiness, readiness
from .selectors import studies_visible_to

STATUS_LABELS = {DONE: "Выполнено", OVERDUE: "Просрочено", "pending": "Не выполнено"}
STATUS_CLASSES = {DONE: "success", OVERDUE: "danger", "pending": "secondary"}


@dataclass
class ChecklistLine:
    item: checklist.Item
    state: object  # ItemState or None (INFO items, items without a watched form)

    @property
    def label(self) -> str:
        return STATUS_LABELS.get(self.state.status, "") if self.state else ""

    @property
    def css(self) -> str:
        return STATUS_CLASSES.get(self.state.status, "light") if self.state else "light"


@dataclass
class ChecklistStage:
    stage: str
    title: str
    lines: list[ChecklistLine]

    @property
    def done(self) -> int:
        return sum(1 for line in self.lines if line.state and line.state.status == DONE)

    @property
    def tracked(self) -> int:
        return sum(1 for line in self.lines if line.state)

    @property
    def deadline(self):
        deadlines = [line.state.deadline for line in self.lines if line.state]
        return max((d for d in deadlines if d), default=None)


def checklist_stages(row: OrganizationReadiness) -> list[ChecklistStage]:
    stages = []
    for stage in Stage:
        lines = [
            ChecklistLine(item, row.items.get(item.key))
            for item in checklist.ITEMS
            if item.stage == stage and (item.kind == checklist.INFO or item.key in row.items)
        ]
        stages.append(ChecklistStage(stage.value, stage.label, lines))
    return stages


@dataclass
class RoomBox:
    """One box of the distribution board: a room (None: the codes not yet placed) and its codes."""

    room: Room | None
    codes: list

    @property
    def frozen(self) -> bool:
        return self.room is not None and hasattr(self.room, "protocol")

    @property
    def key(self) -> str:
        return str(self.room.pk) if self.room is not None else ""


def distribution_boxes(rooms: list[Room], codes) -> list[RoomBox]:
    """The codes grouped by room, in the rooms' order; the box of unplaced codes comes first
    (they wait for a room)."""
    boxes = {room.pk: RoomBox(room, []) for room in rooms}
    unplaced = RoomBox(None, [])
    for code in codes:
        boxes.get(code.room_id, unplaced).codes.append(code)
    return [unplaced, *boxes.values()]


def distribution_state(placement: dict[int, int | None], rooms: list[Room]) -> dict:
    """The distribution as the page's drag-and-drop module reads it after each save: where every
    code is and how full every room is (JSON keys are strings)."""
    listed = Counter(room for room in placement.values() if room is not None)
    return {
        "codes": {str(code): room for code, room in placement.items()},
        "rooms": {
            str(room.pk): {"listed": listed[room.pk], "capacity": room.capacity} for room in rooms
        },
    }


def room_list_file_name(room: Room) -> str:
    return f"Список участников в аудитории {room.number} ({room.organization.login}).xlsx"


def room_list_workbook(room: Room) -> bytes:
    """«Список участников в аудитории»: the codes of the room, for the organizer in the room.
    Names are written on paper by the school; the sheet has an empty column for the mark."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Список участников")
    sheet.append([safe_text(f"Список участников в аудитории {room.number}")])
    sheet.append([safe_text(f"{room.organization.name} ({room.organization.login})")])
    sheet.append([safe_text(str(room.study))])
    sheet.append([])
    header = ["№", "Код участника", "Класс", "Вариант", "Отметка о присутствии"]
    sheet.append(header)
    for number, code in enumerate(
        room.codes.select_related("school_class").order_by("grade", "number"), 1
    ):
        sheet.append([number, code.code, code.school_class.label, code.variant, ""])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass
class StudyCard:
    study: object
    stage: ChecklistStage | None = None
    overdue: int = 0


def study_cards_for(user) -> list[StudyCard]:
    """The «НИКО» page's cards: for a school, its current stage (the first one not finished)
    and how many items are overdue; for a coordinator, just the link to the grid."""
    cards = []
    for study in studies_visible_to(user).order_by("-year", "title"):
        if not is_organization_user(user):
            cards.append(StudyCard(study))
            continue
        rows, _ = readiness(study, Organization.objects.filter(pk=user.organization_id))
        stages = checklist_stages(rows[0])
        current = next((s for s in stages if s.done < s.tracked), stages[-1])
        overdue = sum(1 for state in rows[0].items.values() if state.status == OVERDUE)
        cards.append(StudyCard(study, current, overdue))
    return cards


def select_options(choices, selected) -> SafeString:
    """The `<option>`s of a filter's select from (value, label) pairs, the one equal to
    `selected` marked: the readiness grid's region (~85) and municipality lists written at once
    instead of a template loop with several lookups per option."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if value == selected else "", label) for value, label in choices),
    )
