"""Every question kind and condition, validated on the server (`surveys.services.answers_save`
and `response_submit`): a refused value is not stored and is reported in Russian, a hidden
question's answer is dropped, a required one is refused."""

from datetime import timedelta

import pytest
from django.http import QueryDict
from django.utils import timezone

from surveys import answers, services
from surveys.models import Answer, Question
from tests.factories import COMPLETE_FIRST, COMPLETE_SECOND, issue_code, make_questionnaire


def form(data: dict) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in data.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    return query


@pytest.fixture
def questionnaire(org):
    return make_questionnaire(organizations=[org])


@pytest.fixture
def code(questionnaire, org):
    return issue_code(questionnaire, org)


def screens(questionnaire):
    return list(questionnaire.sections.all())


def stored(code) -> dict:
    return {
        a.question.key: a.value
        for a in Answer.objects.filter(access_code=code).select_related("question")
    }


def save(code, number, data, **kwargs):
    return services.answers_save(
        access_code=code, section=screens(code.questionnaire)[number - 1], data=form(data), **kwargs
    )


def error_of(saved, key):
    question = Question.objects.get(key=key)
    return saved.errors.get(question.pk, "")


def test_valid_answers_of_every_kind_are_stored_as_typed_values(code):
    assert not save(code, 1, COMPLETE_FIRST).errors
    assert not save(code, 2, COMPLETE_SECOND).errors
    assert stored(code) == {
        "role": "Учитель",
        "subjects": ["Литература"],
        "years": 12,
        "mood": "Скорее согласен",
        "climate": {"1": "Да", "2": "Скорее да"},
        "comment": "Больше часов литературы",
        "extra": "«Капитанская дочка»",
    }
    code.refresh_from_db()
    assert code.started_at and code.last_saved_at and code.submitted_at is None


@pytest.mark.parametrize(
    ("data", "key", "message"),
    [
        ({"q_role": "Директор"}, "role", answers.NOT_A_CHOICE),
        ({"q_subjects": ["Литература", "Физика"]}, "subjects", answers.NOT_A_CHOICE),
        ({"q_years": "двенадцать"}, "years", answers.NOT_A_NUMBER),
        ({"q_years": "12.5"}, "years", answers.NOT_A_NUMBER),
        ({"q_years": "-1"}, "years", answers.NUMBER_TOO_SMALL.format(limit=0)),
        ({"q_years": "61"}, "years", answers.NUMBER_TOO_LARGE.format(limit=60)),
    ],
)
def test_a_refused_value_is_reported_and_not_stored(code, data, key, message):
    saved = save(code, 1, data)
    assert error_of(saved, key) == message
    assert key not in stored(code)


@pytest.mark.parametrize(
    ("data", "key", "message"),
    [
        ({"q_mood": "Не знаю"}, "mood", answers.NOT_A_CHOICE),
        ({"q_climate__1": "Может быть"}, "climate", answers.NOT_A_CHOICE),
        (
            {"q_comment": "я" * (answers.LONG_TEXT_MAX + 1)},
            "comment",
            answers.TEXT_TOO_LONG.format(
                limit=answers.LONG_TEXT_MAX, length=answers.LONG_TEXT_MAX + 1
            ),
        ),
    ],
)
def test_refusals_on_the_second_screen(code, data, key, message):
    save(code, 1, COMPLETE_FIRST)
    saved = save(code, 2, data)
    assert error_of(saved, key) == message
    assert key not in stored(code)


def test_short_text_is_limited_and_its_spaces_collapsed(code):
    saved = save(code, 1, {"q_role": "Другое", "q_why_not": "x" * (answers.SHORT_TEXT_MAX + 1)})
    assert error_of(saved, "why_not").startswith("Ответ слишком длинный")
    save(code, 1, {"q_role": "Другое", "q_why_not": "  Педагог \n  организатор "})
    assert stored(code)["why_not"] == "Педагог организатор"


def test_one_refused_answer_does_not_lose_the_others_of_the_screen(code):
    saved = save(code, 1, {"q_role": "Учитель", "q_years": "сто"})
    assert error_of(saved, "years") == answers.NOT_A_NUMBER
    assert stored(code) == {"role": "Учитель"}


def test_clearing_a_field_removes_its_answer(code):
    save(code, 1, COMPLETE_FIRST)
    save(code, 1, {"q_subjects__present": "1", "q_years": ""})
    assert "subjects" not in stored(code)
    assert "years" not in stored(code)
    assert stored(code)["role"] == "Учитель"


def test_required_questions_are_refused_on_moving_on_only(code):
    assert not save(code, 1, {"q_subjects": ["Математика"]}).errors  # autosave: no check
    saved = save(code, 1, {"q_subjects": ["Математика"]}, check_required=True)
    assert error_of(saved, "role") == answers.REQUIRED
    assert error_of(saved, "years") == answers.REQUIRED
    assert not error_of(saved, "subjects")  # not required
    assert not error_of(saved, "why_not")  # hidden: «Другое» not chosen


def test_a_matrix_needs_every_statement_when_required(code):
    save(code, 1, COMPLETE_FIRST)
    saved = save(code, 2, {"q_mood": "Скорее согласен", "q_climate__1": "Да"}, check_required=True)
    assert error_of(saved, "climate") == answers.MATRIX_REQUIRED
    assert stored(code)["climate"] == {"1": "Да"}  # the half given is kept


def test_a_hidden_questions_answer_is_dropped(code):
    save(code, 1, {"q_role": "Другое", "q_why_not": "Библиотекарь"})
    assert stored(code)["why_not"] == "Библиотекарь"
    save(code, 1, {"q_role": "Учитель"})  # the condition no longer holds
    assert "why_not" not in stored(code)


def test_an_answer_to_a_question_hidden_from_the_start_is_not_stored(code):
    save(code, 1, {"q_role": "Учитель", "q_why_not": "Подделка"})
    assert "why_not" not in stored(code)


def test_a_condition_on_an_earlier_screen_drops_the_later_answer(code):
    save(code, 1, COMPLETE_FIRST)  # «Литература» chosen: «extra» is shown
    save(code, 2, COMPLETE_SECOND)
    assert stored(code)["extra"]
    save(code, 1, {"q_subjects": ["Математика"]})
    assert "extra" not in stored(code)


def test_a_hidden_required_question_is_not_required(code):
    save(code, 1, COMPLETE_FIRST)
    save(code, 2, COMPLETE_SECOND)
    services.response_submit(access_code=code)  # «why_not» is required but hidden


def test_submit_refuses_missing_required_answers_and_names_the_first_screen(code):
    save(code, 1, COMPLETE_FIRST)
    with pytest.raises(services.ResponseIncomplete) as refusal:
        services.response_submit(access_code=code)
    assert refusal.value.message == services.SUBMIT_INCOMPLETE
    assert refusal.value.first_section == 2
    assert set(refusal.value.errors.values()) == {answers.REQUIRED, answers.MATRIX_REQUIRED}
    code.refresh_from_db()
    assert code.submitted_at is None


def test_after_submit_nothing_more_is_saved(code):
    save(code, 1, COMPLETE_FIRST)
    save(code, 2, COMPLETE_SECOND)
    services.response_submit(access_code=code)
    with pytest.raises(services.ResponseClosed) as refusal:
        save(code, 1, {"q_role": "Другое"})
    assert refusal.value.message.startswith("По этому коду анкета уже отправлена")
    assert stored(code)["role"] == "Учитель"


def test_after_the_window_nothing_is_saved(code, questionnaire):
    questionnaire.closes_at = timezone.now() - timedelta(minutes=1)
    questionnaire.save()
    code.refresh_from_db()
    with pytest.raises(services.ResponseClosed) as refusal:
        save(code, 1, COMPLETE_FIRST)
    assert refusal.value.message.startswith("Срок заполнения анкеты истек")
    assert not stored(code)


def test_a_screen_of_another_questionnaire_is_refused(code, org):
    other = make_questionnaire(organizations=[org], code="other2026")
    with pytest.raises(services.AccessDenied):
        services.answers_save(
            access_code=code, section=other.sections.first(), data=form(COMPLETE_FIRST)
        )
    assert not stored(code)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("choices", "Один", "Укажите не меньше двух вариантов ответа, по одному в строке."),
        ("statements", "", "Укажите утверждения матрицы, по одному в строке."),
    ],
)
def test_the_builder_refuses_a_matrix_that_cannot_be_answered(questionnaire, field, value, message):
    from django.core.exceptions import ValidationError

    question = Question.objects.get(key="climate")
    setattr(question, field, value)
    with pytest.raises(ValidationError) as error:
        question.full_clean()
    assert message in error.value.message_dict[field]


def test_the_builder_refuses_a_condition_on_a_later_or_text_question(questionnaire):
    from django.core.exceptions import ValidationError

    years = Question.objects.get(key="years")
    why_not = Question.objects.get(key="why_not")
    why_not.show_if_question = years
    with pytest.raises(ValidationError) as error:
        why_not.full_clean()
    assert "вопрос с вариантами ответа" in error.value.message_dict["show_if_question"][0]
    role = Question.objects.get(key="role")
    role.show_if_question = Question.objects.get(key="mood")
    role.show_if_values = "Скорее согласен"
    with pytest.raises(ValidationError) as error:
        role.full_clean()
    assert error.value.message_dict["show_if_question"] == [
        "Условие — только на более ранний вопрос анкеты."
    ]
    why_not.show_if_question = Question.objects.get(key="role")
    why_not.show_if_values = "Завуч"
    with pytest.raises(ValidationError) as error:
        why_not.full_clean()
    assert "«Завуч»" in error.value.message_dict["show_if_values"][0]
