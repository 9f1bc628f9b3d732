"""Factories for the study cycle: a study with participating organizations, classes and rooms
made through the services (so codes are issued the one real way)."""

from datacollection.models import Study
from studies import services

from .datacollection import CollectionFactory, StudyFactory

__all__ = ["give_class", "give_room", "participating_study"]


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
