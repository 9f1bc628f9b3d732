"""Writes of the study cycle, by concern: codes, rooms (and distribution), protocols, checklist."""

from .access import StudyError, check_school_writes
from .checklist import room_list_issued, statistical_report_opened, tick_item, untick_item
from .codes import remove_school_class, save_school_class
from .protocols import save_room_protocol
from .results import results_from_codes
from .rooms import (
    CodeMove,
    DistributionChanged,
    UnknownObject,
    assign_codes,
    distribute_codes,
    remove_room,
    save_room,
)
from .transfer import protocol_from_rooms, room_totals

__all__ = [
    "CodeMove",
    "DistributionChanged",
    "StudyError",
    "UnknownObject",
    "assign_codes",
    "check_school_writes",
    "distribute_codes",
    "protocol_from_rooms",
    "remove_room",
    "remove_school_class",
    "results_from_codes",
    "room_list_issued",
    "room_totals",
    "save_room",
    "save_room_protocol",
    "save_school_class",
    "statistical_report_opened",
    "tick_item",
    "untick_item",
]
