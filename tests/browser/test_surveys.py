"""A respondent answers a whole questionnaire on a phone-sized screen (390 px), by keyboard
where a person would type, with a reload and a dropped connection in the middle: nothing given
is lost, and «Отправить» closes the code."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from surveys.models import Answer, SurveyExport
from tests.factories import TEST_PASSWORD, issue_code, make_questionnaire, send_response

from .conftest import ARTIFACTS, login

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(new_page):
    page = new_page()
    page.set_viewport_size(PHONE)
    return page


def saved(page):
    return expect(page.locator("[data-autosave-status]")).to_contain_text("Ответы сохранены в")


def test_a_whole_questionnaire_on_a_phone_with_a_reload_and_a_dropped_connection(phone, org):
    questionnaire = make_questionnaire(organizations=[org])
    code = issue_code(questionnaire, org)
    page = phone
    page.goto(f"/surveys/answer/?anketa={questionnaire.pk}")
    page.get_by_label("Код доступа").fill(code.display_code.lower())
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="О себе")).to_be_visible()

    # Screen 1, keyboard only: the radio group is reached with Tab, chosen with arrows.
    page.get_by_label("Учитель", exact=True).focus()
    page.keyboard.press("Space")
    saved(page)
    # The question about «Другое» is hidden until «Другое» is chosen.
    why_not = page.locator("fieldset#q_why_not")
    expect(why_not).to_be_hidden()
    page.get_by_label("Другое").check()
    expect(why_not).to_be_visible()
    page.get_by_label("Укажите должность").fill("Педагог-библиотекарь")
    page.get_by_label("Литература").check()
    page.get_by_label("Стаж работы, лет").fill("12")
    saved(page)
    # The page does not scroll sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Reload in the middle: every answer is there.
    page.reload()
    expect(page.get_by_label("Другое")).to_be_checked()
    expect(page.get_by_label("Укажите должность")).to_have_value("Педагог-библиотекарь")
    expect(page.get_by_label("Стаж работы, лет")).to_have_value("12")
    page.get_by_role("button", name="Далее").click()

    # Screen 2, with the connection dropped while answering.
    expect(page.get_by_role("heading", name="О школе")).to_be_visible()
    page.context.set_offline(True)
    page.get_by_label("Скорее согласен").first.check()
    expect(page.locator("[data-autosave-status]")).to_contain_text("Нет связи с сервером")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    saved(page)
    assert Answer.objects.filter(access_code=code, question__key="mood").exists()

    climate = page.locator("fieldset#q_climate")
    climate.locator("fieldset").nth(0).get_by_label("Да", exact=True).check()
    climate.locator("fieldset").nth(1).get_by_label("Скорее да").check()
    page.get_by_label("Что бы вы изменили?").fill("Больше часов литературы")
    page.get_by_label("Какие произведения вы разбирали?").fill("«Капитанская дочка»")
    saved(page)
    page.get_by_role("button", name="Отправить").click()
    expect(page.get_by_test_id("done-message")).to_contain_text("Анкета отправлена")

    code.refresh_from_db()
    assert code.submitted_at is not None
    answers = {a.question.key: a.value for a in code.answers.select_related("question")}
    assert answers == {
        "role": "Другое",
        "why_not": "Педагог-библиотекарь",
        "subjects": ["Литература"],
        "years": 12,
        "mood": "Скорее согласен",
        "climate": {"1": "Да", "2": "Скорее да"},
        "comment": "Больше часов литературы",
        "extra": "«Капитанская дочка»",
    }
    # The same code no longer opens the questionnaire.
    page.goto("/surveys/answer/")
    page.get_by_label("Код доступа").fill(code.code)
    page.get_by_role("button", name="Начать или продолжить").click()
    expect(page.get_by_test_id("code-error")).to_contain_text("уже отправлена")


def test_without_javascript_the_screens_still_save(browser, live_server, org):
    questionnaire = make_questionnaire(organizations=[org])
    code = issue_code(questionnaire, org)
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.set_viewport_size(PHONE)
    page.goto("/surveys/answer/")
    page.get_by_label("Код доступа").fill(code.code)
    page.get_by_role("button", name="Начать или продолжить").click()
    page.get_by_label("Учитель", exact=True).check()
    page.get_by_role("button", name="Далее").click()
    # «Стаж» is required: refused with the Russian message, «Учитель» kept.
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    expect(page.locator("#q_years-error")).to_have_text("Ответьте на этот вопрос: он обязательный.")
    expect(page.get_by_label("Учитель", exact=True)).to_be_checked()
    page.get_by_label("Стаж работы, лет").fill("7")
    page.get_by_role("button", name="Далее").click()
    expect(page.get_by_role("heading", name="О школе")).to_be_visible()
    assert code.answers.count() == 2
    context.close()


def test_an_interrupted_answers_export_is_started_again(new_page, org, regional):
    """The worker died mid-export (its last beat over a minute old): the page says
    «Выгрузка прервана», «Повторить экспорт» writes the file (the tests' queue runs at once)."""
    questionnaire = make_questionnaire(organizations=[org])
    send_response(questionnaire, org)
    silent_since = timezone.now() - SurveyExport.DEAD_AFTER - timedelta(seconds=1)
    job = SurveyExport.objects.create(
        requester=regional,
        questionnaire=questionnaire,
        status=SurveyExport.Status.RUNNING,
        started_at=silent_since,
        heartbeat_at=silent_since,
    )
    shots = ARTIFACTS / "surveys"
    shots.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        page = new_page()
        page.set_viewport_size({"width": width, "height": 844})
        login(page, regional.username, TEST_PASSWORD)
        page.goto(f"/surveys/exports/{job.pk}/")
        expect(page.get_by_test_id("export-stopped")).to_contain_text("Выгрузка прервана")
        page.screenshot(path=shots / f"export-interrupted-{width}.png", full_page=True)
    page.get_by_role("button", name="Повторить экспорт").click()
    expect(page.get_by_role("link", name="Загрузить отчет")).to_be_visible()
    page.screenshot(path=shots / "export-retried-390.png", full_page=True)
    job.refresh_from_db()
    assert (job.status, job.attempt, job.rows) == (SurveyExport.Status.DONE, 2, 1)
