"""The operator's builder: a questionnaire exports to a JSON file and imports back as a new one
with the same sections, questions and conditions; a broken file changes nothing; the preview
shows every screen."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from surveys.definitions import NOT_A_DEFINITION_MESSAGE, questionnaire_export
from surveys.models import Question, Questionnaire
from tests.factories import make_questionnaire

from .conftest import client_for


@pytest.fixture
def questionnaire(org):
    return make_questionnaire(organizations=[org])


def import_post(client, questionnaire, content: bytes, code="teacher2027"):
    moment = timezone.localtime(timezone.now() + timedelta(days=1))
    return client.post(
        reverse("admin:surveys_questionnaire_import"),
        {
            "file": SimpleUploadedFile("анкета.json", content),
            "study": questionnaire.study_id,
            "code": code,
            "title": "Анкета учителя 2027",
            "opens_at": moment.strftime("%d.%m.%Y %H:%M"),
            "closes_at": (moment + timedelta(days=10)).strftime("%d.%m.%Y %H:%M"),
        },
    )


def test_export_then_import_gives_the_same_questionnaire(operator, questionnaire):
    client = client_for(operator)
    exported = client.get(reverse("admin:surveys_questionnaire_export", args=[questionnaire.pk]))
    assert exported.status_code == HTTPStatus.OK
    assert "attachment" in exported["Content-Disposition"]
    response = import_post(client, questionnaire, exported.content)
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    copy = Questionnaire.objects.get(code="teacher2027")
    original, imported = questionnaire_export(questionnaire), questionnaire_export(copy)
    assert imported["questionnaire"]["sections"] == original["questionnaire"]["sections"]
    why_not = Question.objects.get(section__questionnaire=copy, key="why_not")
    assert why_not.show_if_question.section.questionnaire == copy


def test_a_file_that_is_not_a_definition_changes_nothing(operator, questionnaire):
    response = import_post(client_for(operator), questionnaire, b"{not json")
    assert NOT_A_DEFINITION_MESSAGE in response.content.decode()
    assert Questionnaire.objects.count() == 1


def test_an_invalid_definition_is_refused_whole(operator, questionnaire):
    client = client_for(operator)
    exported = client.get(reverse("admin:surveys_questionnaire_export", args=[questionnaire.pk]))
    broken = exported.content.decode().replace('"kind": "matrix"', '"kind": "matrix", "x": 1')
    broken = broken.replace('"Ученики уважают учителей",\n', "").replace(
        '"Родители помогают школе"', ""
    )
    response = import_post(client, questionnaire, broken.encode())
    page = response.content.decode()
    assert "Вопрос «climate»" in page
    assert Questionnaire.objects.count() == 1
    assert Question.objects.count() == 8


def test_the_preview_shows_every_screen_and_condition(operator, questionnaire):
    page = client_for(operator).get(
        reverse("admin:surveys_questionnaire_preview", args=[questionnaire.pk])
    )
    text = page.content.decode()
    assert text.count('data-testid="preview-screen"') == 2
    for question in Question.objects.all():
        assert question.text in text
    assert "Показывается, если на вопрос «Какие предметы вы ведете?»" in text


@pytest.mark.parametrize("name", ["preview", "export"])
def test_only_the_operator_reaches_the_builder(regional, questionnaire, name):
    url = reverse(f"admin:surveys_questionnaire_{name}", args=[questionnaire.pk])
    assert client_for(regional).get(url).status_code == HTTPStatus.FOUND  # to the login


def test_a_section_chooses_conditions_among_its_questionnaire_in_a_plain_select(
    operator, questionnaire
):
    section = questionnaire.sections.get(order=2)
    page = client_for(operator).get(reverse("admin:surveys_section_change", args=[section.pk]))
    assert page.status_code == HTTPStatus.OK
    html = page.content.decode()
    condition = 'name="questions-0-show_if_question"'
    assert condition in html
    # The choices: this questionnaire's questions a condition can read, in a plain select
    # (no wrapper for links to a question's own admin page, which questions do not have).
    form = page.context["inline_admin_formsets"][0].formset.forms[0]
    choices = set(form.fields["show_if_question"].queryset)
    assert choices == set(
        Question.objects.filter(
            section__questionnaire=questionnaire, kind__in=Question.CONDITION_KINDS
        )
    )
    assert 'data-model-ref="question"' not in html
