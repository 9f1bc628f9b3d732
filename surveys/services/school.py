"""The school issues access codes for its respondents: a number of one-time codes for teachers
and the administration; for pupils, one code paired with each participant code of the study."""

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts import audit, permissions
from accounts.models import Organization, User
from studies.models import ParticipantCode
from studies.selectors import takes_part

from ..models import AccessCode, Questionnaire
from .errors import (
    ISSUE_CLOSED,
    ISSUE_COUNT,
    ISSUE_LIMIT,
    ISSUE_NO_PARTICIPANTS,
    AccessDenied,
    SurveyError,
)


def require_school(actor: User, questionnaire: Questionnaire) -> Organization:
    """The actor's organization, if it takes part in the questionnaire's study."""
    organization = actor.organization if permissions.is_organization_user(actor) else None
    if organization is None or not takes_part(questionnaire.study, organization):
        raise AccessDenied("Выдавать коды к анкете может только участвующая в ней организация.")
    return organization


def _create(**fields) -> AccessCode:
    # A clash of random codes is astronomically rare; draw again rather than fail.
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return AccessCode.objects.create(**fields)
        except IntegrityError:
            continue
    raise SurveyError("Не удалось выдать код: попробуйте еще раз.")


def codes_issue(
    *,
    questionnaire: Questionnaire,
    actor: User,
    count: int | None = None,
    grade: int | None = None,
    request: HttpRequest | None = None,
) -> list[AccessCode]:
    """Teachers and administration: `count` new codes. Pupils: a code for each participant
    code of the organization (of `grade`, if given) that has none for this questionnaire yet."""
    organization = require_school(actor, questionnaire)
    if timezone.now() >= questionnaire.closes_at:
        raise SurveyError(ISSUE_CLOSED)
    with transaction.atomic():
        if questionnaire.is_for_pupils:
            participants = ParticipantCode.objects.filter(
                study=questionnaire.study, organization=organization
            ).exclude(survey_codes__questionnaire=questionnaire)
            if grade is not None:
                participants = participants.filter(grade=grade)
            codes = [
                _create(
                    questionnaire=questionnaire,
                    organization=organization,
                    participant=participant,
                    grade=participant.grade,
                )
                for participant in participants.order_by("grade", "number")
            ]
            if not codes:
                where = f" {grade} класса" if grade else ""
                raise SurveyError(ISSUE_NO_PARTICIPANTS.format(where=where))
        else:
            if count is None or not 1 <= count <= ISSUE_LIMIT:
                raise SurveyError(ISSUE_COUNT.format(limit=ISSUE_LIMIT))
            codes = [
                _create(questionnaire=questionnaire, organization=organization)
                for _ in range(count)
            ]
        audit.record(
            actor=actor,
            action="surveys.codes_issue",
            organization=organization,
            target=f"questionnaire:{questionnaire.pk} {questionnaire.title}",
            request=request,
            count=len(codes),
            grade=grade,
        )
    return codes
