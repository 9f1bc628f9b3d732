"""What a respondent does without an account: enter a code, save answers, send."""

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_ratelimit.core import get_usage

from core.text import msk

from .. import answers as answer_rules
from ..models import AccessCode, Answer, Question, Questionnaire, Section, normalize_code
from .errors import (
    CODE_EMPTY,
    CODE_EXPIRED,
    CODE_FOREIGN,
    CODE_NOT_YET,
    CODE_RATE_LIMITED,
    CODE_USED,
    CODE_WRONG,
    AccessDenied,
    CodeRefused,
    ResponseClosed,
    ResponseIncomplete,
)

# ------------------------------------------------------------------ respondents (no account)

# Failed attempts per address: a school's computer room shares one address, so the limit is
# generous for typos and hopeless for guessing (10 characters of 25 letters and digits).
CODE_ATTEMPTS_GROUP = "surveys.code"


def _attempts_limited(request: HttpRequest, *, increment: bool) -> bool:
    """With `increment`, count one failed attempt; either way, whether the address has used up
    its failed attempts (the next one is refused before the code is even looked up)."""
    usage = get_usage(
        request,
        group=CODE_ATTEMPTS_GROUP,
        key="ip",
        rate=settings.SURVEYS_CODE_ATTEMPTS,
        increment=increment,
    )
    return usage is not None and usage["count"] >= usage["limit"]


def _refuse_closed(access_code: AccessCode, at: datetime) -> None:
    questionnaire = access_code.questionnaire
    if access_code.submitted_at is not None:
        raise ResponseClosed(CODE_USED.format(at=msk(access_code.submitted_at)))
    if at < questionnaire.opens_at:
        raise ResponseClosed(CODE_NOT_YET.format(at=msk(questionnaire.opens_at)))
    if at >= questionnaire.closes_at:
        raise ResponseClosed(CODE_EXPIRED.format(at=msk(questionnaire.closes_at)))


def closed_reason(access_code: AccessCode, *, at: datetime | None = None) -> str:
    """Why the code no longer opens its questionnaire, or ''."""
    try:
        _refuse_closed(access_code, at or timezone.now())
    except ResponseClosed as refusal:
        return refusal.message
    return ""


def code_enter(
    *, text: str, request: HttpRequest, questionnaire: Questionnaire | None = None
) -> AccessCode:
    """The code a respondent typed, if it opens a questionnaire now. Wrong and foreign codes
    count against the address; while it is over the limit even a right code is refused, so
    the limit cannot be probed with one."""
    if _attempts_limited(request, increment=False):
        raise CodeRefused(CODE_RATE_LIMITED)
    code = normalize_code(text)
    if not code:
        raise CodeRefused(CODE_EMPTY)
    access_code = AccessCode.objects.select_related("questionnaire").filter(code=code).first()
    if access_code is None or (
        questionnaire is not None and access_code.questionnaire_id != questionnaire.pk
    ):
        _attempts_limited(request, increment=True)
        raise CodeRefused(CODE_WRONG if access_code is None else CODE_FOREIGN)
    _refuse_closed(access_code, timezone.now())
    return access_code


@dataclass
class Saved:
    errors: dict[int, str] = field(default_factory=dict)  # question id → message
    saved_at: datetime | None = None
    field_errors: dict[str, str] = field(default_factory=dict)  # form field name → message


def _questions(questionnaire: Questionnaire) -> list[Question]:
    return list(
        Question.objects.filter(section__questionnaire=questionnaire).select_related("section")
    )


def _values(access_code: AccessCode) -> dict[int, object]:
    return dict(access_code.answers.values_list("question_id", "value"))


def answers_save(
    *,
    access_code: AccessCode,
    section: Section,
    data,
    check_required: bool = False,
    at: datetime | None = None,
) -> Saved:
    """Store what one screen (or one autosaved field of it) carried. Every valid answer is kept
    even when another on the screen is refused; a cleared field removes its answer; answers of
    questions that the new answers hide are dropped. With `check_required` (moving on with
    «Далее»), unanswered required questions of the screen are reported too."""
    at = at or timezone.now()
    with transaction.atomic():
        # The row lock orders two saves of one respondent (two tabs, a retry) one after another.
        access_code = (
            AccessCode.objects.select_for_update(of=("self",))
            .select_related("questionnaire")
            .get(pk=access_code.pk)
        )
        _refuse_closed(access_code, at)
        if section.questionnaire_id != access_code.questionnaire_id:
            raise AccessDenied(CODE_FOREIGN)
        questions = _questions(access_code.questionnaire)
        before = _values(access_code)
        values = dict(before)
        errors: dict[int, str] = {}
        changed: dict[int, object] = {}
        for question in questions:
            if question.section_id != section.pk or not answer_rules.posted(question, data):
                continue
            cleaned = answer_rules.clean(question, data)
            if cleaned.error:
                errors[question.pk] = cleaned.error
                continue
            changed[question.pk] = cleaned.value
        values.update(changed)
        shown = answer_rules.visible_ids(questions, values)
        to_delete = [
            pk
            for pk, value in values.items()
            if pk in before and (value is None or pk not in shown)
        ]
        # Only what differs from the stored answer is written: an autosave of a whole screen
        # after one change writes one row.
        to_store = [
            Answer(access_code=access_code, question_id=pk, value=value, saved_at=at)
            for pk, value in changed.items()
            if pk in shown and value is not None and before.get(pk) != value
        ]
        if to_delete:
            access_code.answers.filter(question_id__in=to_delete).delete()
        if to_store:
            Answer.objects.bulk_create(
                to_store,
                update_conflicts=True,
                unique_fields=["access_code", "question"],
                update_fields=["value", "saved_at"],
            )
        if check_required:
            for question in questions:
                if question.section_id == section.pk and question.pk in shown:
                    message = answer_rules.missing_error(question, values.get(question.pk))
                    if message and question.pk not in errors:
                        errors[question.pk] = message
        fields = ["last_saved_at"]
        access_code.last_saved_at = at
        if access_code.started_at is None:
            access_code.started_at = at
            fields.append("started_at")
        access_code.save(update_fields=fields)
    names = {question.pk: question.field_name for question in questions}
    return Saved(
        errors=errors,
        saved_at=at,
        field_errors={names[pk]: message for pk, message in errors.items()},
    )


def response_submit(*, access_code: AccessCode, at: datetime | None = None) -> AccessCode:
    """«Отправить»: every shown required question answered, answers of hidden ones dropped,
    then the code is closed for good."""
    at = at or timezone.now()
    with transaction.atomic():
        access_code = (
            AccessCode.objects.select_for_update(of=("self",))
            .select_related("questionnaire")
            .get(pk=access_code.pk)
        )
        _refuse_closed(access_code, at)
        questions = _questions(access_code.questionnaire)
        values = _values(access_code)
        shown = answer_rules.visible_ids(questions, values)
        errors = {}
        first_section = None
        sections = list(access_code.questionnaire.sections.values_list("pk", flat=True))
        for question in questions:
            if question.pk not in shown:
                continue
            message = answer_rules.missing_error(question, values.get(question.pk))
            if message:
                errors[question.pk] = message
                number = sections.index(question.section_id) + 1
                first_section = min(first_section or number, number)
        if errors:
            raise ResponseIncomplete(errors, first_section)
        access_code.answers.exclude(question_id__in=shown).delete()
        access_code.submitted_at = at
        if access_code.started_at is None:
            access_code.started_at = at
        access_code.save(update_fields=["submitted_at", "started_at"])
    return access_code
