"""Writes of the study cycle, by concern: codes, rooms (and distribution), protocols, checklist."""

from .access import StudyError, check_school_writes
from .codes import remove_school_class, save_school_class
from .rooms import assign_codes, distribute_codes, remove_room, save_room

__all__ = [
    "StudyError",
    "assign_codes",
    "check_school_writes",
    "distribute_codes",
    "remove_room",
    "remove_school_class",
    "save_room",
    "save_school_class",
]
