"""The public pages: a code opens its questionnaire only, only while it is open and until
«Отправить»; wrong codes are limited per address; a respondent resumes after a reload."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from surveys import services
from surveys.models import AccessCode, format_code
from surveys.views.respondent import SESSION_KEY
from tests.factories import COMPLETE_FIRST, COMPLETE_SECOND, issue_code, make_questionnaire

ENTER = reverse("surveys:enter")


@pytest.fixture(autouse=True)
def _clean_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def questionnaire(org):
    return make_questionnaire(organizations=[org])


@pytest.fixture
def code(questionnaire, org):
    return issue_code(questionnaire, org)


def section_url(questionnaire, number):
    return reverse(
        "surveys:section", kwargs={"questionnaire_pk": questionnaire.pk, "number": number}
    )


def enter(client, text, **query):
    url = ENTER + (f"?anketa={query['anketa']}" if query else "")
    return client.post(url, {"code": text})


def test_a_code_opens_the_first_screen_without_an_account(client, code, questionnaire):
    response = enter(client, code.code)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == section_url(questionnaire, 1)
    page = client.get(response["Location"])
    assert page.status_code == HTTPStatus.OK
    assert "Ваша должность" in page.content.decode()
    assert client.session[SESSION_KEY] == code.pk


def test_the_code_may_be_typed_in_lower_case_with_the_slips_dash(client, code):
    assert enter(client, format_code(code.code).lower()).status_code == HTTPStatus.FOUND


@pytest.mark.parametrize("text", ["", "AAAAAAAAAA", "80001"])
def test_a_wrong_code_is_refused_in_russian(client, code, text):
    response = enter(client, text)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    message = services.CODE_EMPTY if not text else services.CODE_WRONG
    assert message in response.content.decode()
    assert SESSION_KEY not in client.session


def test_a_code_of_another_questionnaire_is_refused_as_foreign(client, code, org):
    other = make_questionnaire(organizations=[org], code="other2026", title="Анкета ОО")
    response = enter(client, code.code, anketa=other.pk)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert services.CODE_FOREIGN in response.content.decode()


def test_a_code_in_the_session_does_not_open_another_questionnaire(client, code, org):
    other = make_questionnaire(organizations=[org], code="other2026")
    enter(client, code.code)
    assert client.get(section_url(other, 1)).status_code == HTTPStatus.NOT_FOUND
    autosave = reverse("surveys:autosave", kwargs={"questionnaire_pk": other.pk, "number": 1})
    assert client.post(autosave, {"q_role": "Учитель"}).status_code == HTTPStatus.NOT_FOUND
    assert not code.answers.exists()


def test_a_used_code_is_refused(client, code, questionnaire):
    code.submitted_at = timezone.now()
    code.save()
    response = enter(client, code.code)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "По этому коду анкета уже отправлена" in response.content.decode()


def test_an_expired_code_is_refused(client, code, questionnaire):
    questionnaire.closes_at = timezone.now() - timedelta(hours=1)
    questionnaire.opens_at = timezone.now() - timedelta(days=3)
    questionnaire.save()
    response = enter(client, code.code)
    assert "Срок заполнения анкеты истек" in response.content.decode()


def test_a_code_before_the_window_is_refused(client, code, questionnaire):
    questionnaire.opens_at = timezone.now() + timedelta(days=1)
    questionnaire.save()
    assert "Анкета еще не открыта" in enter(client, code.code).content.decode()


def test_wrong_codes_are_limited_per_address_and_then_even_a_right_one_waits(
    client, code, settings
):
    settings.SURVEYS_CODE_ATTEMPTS = "3/15m"
    for _ in range(3):
        assert services.CODE_WRONG in enter(client, "AAAAAAAAAA").content.decode()
    response = enter(client, code.code)
    assert services.CODE_RATE_LIMITED in response.content.decode()
    assert SESSION_KEY not in client.session
    # Another address is not affected.
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert enter(other, code.code).status_code == HTTPStatus.FOUND


def test_right_codes_do_not_count_against_the_limit(client, questionnaire, org, settings):
    settings.SURVEYS_CODE_ATTEMPTS = "2/15m"
    for _ in range(4):
        assert enter(Client(), issue_code(questionnaire, org).code).status_code == HTTPStatus.FOUND


def test_a_whole_questionnaire_with_a_reload_and_a_new_session_in_the_middle(
    client, code, questionnaire
):
    enter(client, code.code)
    response = client.post(section_url(questionnaire, 1), {**COMPLETE_FIRST, "action": "next"})
    assert response["Location"] == section_url(questionnaire, 2)
    # Autosave of one field on screen 2, then the browser is closed.
    autosave = reverse(
        "surveys:autosave", kwargs={"questionnaire_pk": questionnaire.pk, "number": 2}
    )
    saved = client.post(autosave, {"q_mood": "Скорее согласен"})
    assert saved.status_code == HTTPStatus.OK and saved.json()["errors"] == {}
    # Later, on another device: the same code resumes on screen 2 with the answer in place.
    again = Client()
    response = enter(again, code.code)
    assert response["Location"] == section_url(questionnaire, 2)
    page = again.get(response["Location"]).content.decode()
    assert 'value="Скорее согласен" checked' in page
    page = again.get(section_url(questionnaire, 1)).content.decode()
    assert 'value="Учитель" checked' in page and 'value="12"' in page
    response = again.post(section_url(questionnaire, 2), {**COMPLETE_SECOND, "action": "submit"})
    assert response["Location"] == reverse("surveys:done")
    code.refresh_from_db()
    assert code.submitted_at is not None
    assert SESSION_KEY not in again.session
    # Closed from now on, in every session.
    assert "уже отправлена" in enter(Client(), code.code).content.decode()
    assert client.get(section_url(questionnaire, 1)).status_code == HTTPStatus.FORBIDDEN


def test_moving_on_refuses_unanswered_required_questions(client, code, questionnaire):
    enter(client, code.code)
    response = client.post(section_url(questionnaire, 1), {"q_years": "500", "action": "next"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    page = response.content.decode()
    assert "Ответьте на этот вопрос: он обязательный." in page
    assert "Число должно быть не больше 60." in page
    assert 'value="500"' in page  # shown back as typed


def test_going_back_does_not_check_required(client, code, questionnaire):
    enter(client, code.code)
    client.post(section_url(questionnaire, 1), {**COMPLETE_FIRST, "action": "next"})
    response = client.post(section_url(questionnaire, 2), {"q_mood": "Да?", "action": "back"})
    assert response["Location"] == section_url(questionnaire, 1)


def test_submit_with_a_gap_on_an_earlier_screen_shows_that_screen(client, code, questionnaire):
    enter(client, code.code)
    client.post(section_url(questionnaire, 1), {"q_role": "Учитель", "action": "back"})
    response = client.post(section_url(questionnaire, 2), {**COMPLETE_SECOND, "action": "submit"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Стаж работы, лет" in response.content.decode()
    code.refresh_from_db()
    assert code.submitted_at is None


def test_autosave_without_a_code_is_refused(client, questionnaire):
    autosave = reverse(
        "surveys:autosave", kwargs={"questionnaire_pk": questionnaire.pk, "number": 1}
    )
    response = client.post(autosave, {"q_role": "Учитель"})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "введите код еще раз" in response.json()["error"]


def test_autosave_after_submit_says_why(client, code, questionnaire):
    enter(client, code.code)
    code.submitted_at = timezone.now()
    code.save()
    autosave = reverse(
        "surveys:autosave", kwargs={"questionnaire_pk": questionnaire.pk, "number": 1}
    )
    response = client.post(autosave, {"q_role": "Учитель"})
    assert response.status_code == HTTPStatus.CONFLICT
    assert "уже отправлена" in response.json()["error"]


def test_leaving_keeps_the_answers(client, code, questionnaire):
    enter(client, code.code)
    client.post(section_url(questionnaire, 1), {"q_role": "Учитель", "action": "back"})
    client.post(reverse("surveys:leave"))
    assert SESSION_KEY not in client.session
    assert code.answers.count() == 1
    assert AccessCode.objects.get(pk=code.pk).submitted_at is None


def test_codes_have_enough_entropy(questionnaire, org):
    codes = {issue_code(questionnaire, org).code for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 10 and not set(c) & set("01OILSZB25 8") for c in codes)
