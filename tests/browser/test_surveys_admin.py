"""The operator edits a questionnaire's section in the admin: the section's questions in rows
(order, key, text, required), each question whole on its own page, reached from its row, and
saving there returns to the section."""

import re

import pytest
from playwright.sync_api import expect

from surveys.models import Question
from tests.factories import TEST_PASSWORD, make_questionnaire

from .conftest import login, shots

pytestmark = pytest.mark.django_db(transaction=True)


def test_operator_edits_a_section_and_its_questions(page, operator, org):
    questionnaire = make_questionnaire(organizations=[org])
    section = questionnaire.sections.get(order=1)
    login(page, operator.username, TEST_PASSWORD)
    page.goto(f"/admin/surveys/section/{section.pk}/change/")
    shots(page, "section-change")
    rows = page.locator("#questions-group tbody tr.has_original")
    expect(rows).to_have_count(4)
    page.locator("textarea[name=questions-1-text]").fill("Какие предметы вы преподаете?")
    page.get_by_role("button", name="Сохранить и продолжить редактирование").click()
    expect(page.locator("textarea[name=questions-1-text]")).to_have_value(
        "Какие предметы вы преподаете?"
    )

    rows.nth(1).get_by_role("link", name="Изменить").click()
    expect(page.locator("textarea[name=choices]")).to_have_value(
        "Литература\nРусский язык\nМатематика"
    )
    shots(page, "question-change")
    page.locator("textarea[name=choices]").fill("Литература\nРусский язык\nМатематика\nИстория")
    page.get_by_role("button", name="Сохранить", exact=True).click()
    expect(page).to_have_url(re.compile(f"/admin/surveys/section/{section.pk}/change/$"))
    assert Question.objects.get(key="subjects").choice_list[-1] == "История"

    page.get_by_role("link", name="Добавить вопрос анкеты").click()
    expect(page.locator("select[name=section]")).to_have_value(str(section.pk))
    page.locator("input[name=key]").fill("school")
    page.locator("select[name=kind]").select_option("short_text")
    page.locator("textarea[name=text]").fill("Номер вашей школы")
    page.get_by_role("button", name="Сохранить", exact=True).click()
    expect(rows).to_have_count(5)
