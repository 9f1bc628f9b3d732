"""Factories for the study cycle: a study with participating organizations, classes and rooms
made through the services (so codes are issued the one real way)."""

from datacollection.models import Study
from studies import services

from .datacollection import CollectionFactory, StudyFactory

__all__ = ["give_class", "give_room", "move_codes", "participating_study"]


def participating_study(*organizations, code: str = "niko2026", **collection_fields) -> Study:
    """A study whose collection takes part with `organizations` (a form of its own)."""
    study = StudyFactory(code=code)
    CollectionFactory(study=study, organizations=list(organizations), **collection_fields)
    return study


def give_class(user, study, *, grade=8, letter="А", pupils=3):
    return services.save_school_class(
        user=user,
        study=study,
        organization=user.organization,
        grade=grade,
        letter=letter,
        pupils=pupils,
    )


def give_room(user, study, *, number="101", capacity=15):
    return services.save_room(
        user=user, study=study, organization=user.organization, number=number, capacity=capacity
    )


def move_codes(user, study, rooms_by_code):
    """Move codes ({code: room or None}) as a person who sees them where they are now."""
    return services.assign_codes(
        user=user,
        study=study,
        organization=user.organization,
        moves=[
            services.CodeMove(code.pk, room.pk if room else None, code.room_id)
            for code, room in rooms_by_code.items()
        ],
    )
