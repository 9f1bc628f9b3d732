"""Reads of the study cycle. Everything a user can reach goes through `study_for_user_or_404`
and `organizations_visible_to`, so pages, prints and exports agree about scope."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from accounts import permissions
from accounts.models import Organization, User
from accounts.scoping import organizations_visible_to
from datacollection.models import Collection, Study

from .models import ParticipantCode, Room, SchoolClass, StageDate


def participating_organizations(study: Study) -> QuerySet[Organization]:
    """Organizations taking part in the study: assigned to any of its data collections."""
    return Organization.objects.filter(
        Exists(
            Collection.organizations.through.objects.filter(
                collection__study=study, organization=OuterRef("pk")
            )
        )
    )


def takes_part(study: Study, organization: Organization) -> bool:
    return participating_organizations(study).filter(pk=organization.pk).exists()


def studies_visible_to(user: User) -> QuerySet[Study]:
    """Studies with at least one participating organization the user may see."""
    taking_part = Collection.organizations.through.objects.filter(collection__study=OuterRef("pk"))
    if not permissions.may_see_all_regions(user):
        # Whoever sees every organization needs no test of each one (at 45,000 organizations
        # that test alone cost an operator's page several milliseconds).
        taking_part = taking_part.filter(organization__in=organizations_visible_to(user))
    return Study.objects.filter(Exists(taking_part))


def study_for_user_or_404(user: User, pk: int) -> Study:
    try:
        return studies_visible_to(user).get(pk=pk)
    except (Study.DoesNotExist, ValueError, TypeError):
        raise Http404("Исследование не найдено") from None


def classes_of(study: Study, organization: Organization) -> QuerySet[SchoolClass]:
    return SchoolClass.objects.filter(study=study, organization=organization).annotate(
        issued=Count("codes")
    )


def codes_of(study: Study, organization: Organization) -> QuerySet[ParticipantCode]:
    """The organization's participant codes in the study, by grade and number (the order of
    every list, print and the results form)."""
    return (
        ParticipantCode.objects.filter(study=study, organization=organization)
        .select_related("school_class", "room")
        .order_by("grade", "number")
    )


def rooms_of(study: Study, organization: Organization) -> QuerySet[Room]:
    return Room.objects.filter(study=study, organization=organization).annotate(
        listed=Count("codes")
    )


def placement_of(study: Study, organization: Organization) -> dict[int, int | None]:
    """Where each of the organization's codes is now: {code id: room id, None if unplaced}."""
    return dict(
        ParticipantCode.objects.filter(study=study, organization=organization).values_list(
            "pk", "room_id"
        )
    )


def room_for_user_or_404(user: User, pk: int) -> Room:
    try:
        return (
            Room.objects.filter(organization__in=organizations_visible_to(user))
            .select_related("study", "organization")
            .get(pk=pk)
        )
    except (Room.DoesNotExist, ValueError, TypeError):
        raise Http404("Аудитория не найдена") from None


def stage_calendar(study: Study, organization: Organization) -> list[StageDate]:
    """The calendar lines that apply to the organization: its region's own lines for a stage
    replace the general lines of that stage."""
    lines = list(
        StageDate.objects.filter(study=study)
        .filter(Q(region__isnull=True) | Q(region_id=organization.region_id))
        .order_by("starts_on", "grade", "subject")
    )
    regional_stages = {line.stage for line in lines if line.region_id is not None}
    return [
        line for line in lines if line.region_id is not None or line.stage not in regional_stages
    ]


def room_codes(room: Room) -> QuerySet[ParticipantCode]:
    """«Список участников в аудитории»: the room's codes in list order."""
    return room.codes.select_related("school_class").order_by("grade", "number")
