"""Questionnaires with one question of every kind, codes and sent responses."""

from datetime import timedelta

from django.test import RequestFactory
from django.utils import timezone

from surveys import services
from surveys.models import AccessCode, Question, Questionnaire, Respondent, Section

from .studies import participating_study

__all__ = [
    "COMPLETE_FIRST",
    "COMPLETE_SECOND",
    "answer_request",
    "issue_code",
    "issue_codes",
    "make_questionnaire",
    "send_response",
]

Kind = Question.Kind


def make_questionnaire(
    *, organizations=(), respondent=Respondent.TEACHER, code="teacher2026", **fields
) -> Questionnaire:
    """Two screens. Screen 1: «role» (one choice, required), «subjects» (several choices),
    «years» (number 0–60, required), «why_not» (short text, shown only if role is «Другое»).
    Screen 2: «mood» (Likert scale, required), «climate» (matrix 2 × 3, required), «comment»
    (long text), «extra» (short text shown if «subjects» includes «Литература»)."""
    now = timezone.now()
    questionnaire = Questionnaire.objects.create(
        study=fields.pop("study", None) or participating_study(*organizations),
        respondent=respondent,
        code=code,
        title=fields.pop("title", "Анкета учителя"),
        opens_at=fields.pop("opens_at", now - timedelta(days=1)),
        closes_at=fields.pop("closes_at", now + timedelta(days=10)),
        **fields,
    )
    first = Section.objects.create(questionnaire=questionnaire, order=1, title="О себе")
    second = Section.objects.create(questionnaire=questionnaire, order=2, title="О школе")
    role = Question.objects.create(
        section=first, order=1, key="role", text="Ваша должность", kind=Kind.SINGLE,
        required=True, choices="Учитель\nЗаместитель директора\nДругое",
    )  # fmt: skip
    subjects = Question.objects.create(
        section=first, order=2, key="subjects", text="Какие предметы вы ведете?",
        kind=Kind.MULTIPLE, choices="Литература\nРусский язык\nМатематика",
    )  # fmt: skip
    Question.objects.create(
        section=first, order=3, key="years", text="Стаж работы, лет", kind=Kind.NUMBER,
        required=True, min_value=0, max_value=60,
    )  # fmt: skip
    Question.objects.create(
        section=first, order=4, key="why_not", text="Укажите должность", kind=Kind.SHORT_TEXT,
        required=True, show_if_question=role, show_if_values="Другое",
    )  # fmt: skip
    Question.objects.create(
        section=second, order=1, key="mood", text="Мне нравится работать в этой школе",
        kind=Kind.SCALE, required=True,
        choices="Совсем не согласен\nСкорее не согласен\nСкорее согласен\nПолностью согласен",
    )  # fmt: skip
    Question.objects.create(
        section=second, order=2, key="climate", text="Насколько вы согласны?", kind=Kind.MATRIX,
        required=True, statements="Ученики уважают учителей\nРодители помогают школе",
        choices="Нет\nСкорее да\nДа",
    )  # fmt: skip
    Question.objects.create(
        section=second, order=3, key="comment", text="Что бы вы изменили?", kind=Kind.LONG_TEXT,
    )  # fmt: skip
    Question.objects.create(
        section=second, order=4, key="extra", text="Какие произведения вы разбирали?",
        kind=Kind.SHORT_TEXT, show_if_question=subjects, show_if_values="Литература",
    )  # fmt: skip
    return questionnaire


def issue_code(questionnaire, organization, **fields) -> AccessCode:
    return AccessCode.objects.create(
        questionnaire=questionnaire, organization=organization, **fields
    )


COMPLETE_FIRST = {"q_role": "Учитель", "q_subjects": ["Литература"], "q_years": "12"}
COMPLETE_SECOND = {
    "q_mood": "Скорее согласен",
    "q_climate__1": "Да",
    "q_climate__2": "Скорее да",
    "q_comment": "Больше часов литературы",
    "q_extra": "«Капитанская дочка»",
}


def issue_codes(questionnaire, organizations, *, issued: int, completed: int = 0) -> None:
    """`issued` codes per organization, the first `completed` of them sent (in bulk: no answers
    are written, so only the counts are meaningful)."""
    now = timezone.now()
    AccessCode.objects.bulk_create(
        AccessCode(
            questionnaire=questionnaire,
            organization=organization,
            started_at=now if number < completed else None,
            submitted_at=now if number < completed else None,
        )
        for organization in organizations
        for number in range(issued)
    )


def answer_request(ip="10.0.0.1"):
    """A bare request for services that rate-limit by address."""
    return RequestFactory().post("/surveys/answer/", REMOTE_ADDR=ip)


def send_response(questionnaire, organization, *, first=None, second=None, **fields) -> AccessCode:
    """A code whose respondent answered both screens and pressed «Отправить»."""
    from django.http import QueryDict

    access_code = issue_code(questionnaire, organization, **fields)
    sections = list(questionnaire.sections.all())
    for section, data in zip(
        sections, (first or COMPLETE_FIRST, second or COMPLETE_SECOND), strict=True
    ):
        query = QueryDict(mutable=True)
        for key, value in data.items():
            query.setlist(key, value if isinstance(value, list) else [value])
        saved = services.answers_save(access_code=access_code, section=section, data=query)
        assert not saved.errors, saved.errors
    return services.response_submit(access_code=access_code)
