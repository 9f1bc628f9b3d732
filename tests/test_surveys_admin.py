"""The operator's builder: a questionnaire exports to a JSON file and imports back as a new one
with the same sections, questions and conditions; a broken file changes nothing; the preview
shows every screen."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from surveys.definitions import NOT_A_DEFINITION_MESSAGE, questionnaire_export
from surveys.models import Question, Questionnaire
from tests.factories import admin_post, issue_code, make_questionnaire, many_organizations

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


def test_a_section_lists_its_questions_in_rows_and_saves_a_change(operator, questionnaire):
    section = questionnaire.sections.get(order=1)
    client = client_for(operator)
    url = reverse("admin:surveys_section_change", args=[section.pk])
    page = client.get(url)
    assert page.status_code == HTTPStatus.OK
    html = page.content.decode()
    for question in section.questions.all():
        assert reverse("admin:surveys_question_change", args=[question.pk]) in html
    add = reverse("admin:surveys_question_add") + f"?section={section.pk}"
    assert f'href="{add}"' in html
    # The rows: what is read and reordered together; the rest is on the question's page.
    form = page.context["inline_admin_formsets"][0].formset.forms[0]
    assert list(form.fields)[:4] == ["order", "key", "text", "required"]

    response = client.post(
        url,
        admin_post(
            page,
            **{
                "questions-1-text": "Какие предметы вы преподаете?",
                "questions-2-order": "9",
                "questions-2-required": None,
                "_continue": "1",
            },
        ),
    )
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:3000]
    years = Question.objects.get(key="years")
    assert (years.order, years.required) == (9, False)
    assert Question.objects.get(key="subjects").text == "Какие предметы вы преподаете?"


def test_a_row_that_faults_a_field_of_the_question_page_names_it(operator, questionnaire):
    """«Укажите должность» shows if «Ваша должность» is «Другое»: moved above it, the row is
    refused with the message of the condition, which has no field in the row."""
    section = questionnaire.sections.get(order=1)
    client = client_for(operator)
    url = reverse("admin:surveys_section_change", args=[section.pk])
    response = client.post(url, admin_post(client.get(url), **{"questions-3-order": "0"}))
    assert response.status_code == HTTPStatus.OK
    assert (
        "Показывать, если на вопрос: Условие — только на более ранний вопрос анкеты."
        in response.content.decode()
    )
    assert Question.objects.get(key="why_not").order == 4


@pytest.mark.parametrize("questions", [4, 12])
def test_a_section_page_costs_the_same_queries_for_any_number_of_questions(
    operator, questionnaire, questions, django_assert_num_queries
):
    section = questionnaire.sections.get(order=1)
    Question.objects.bulk_create(
        Question(section=section, order=10 + n, key=f"more{n}", text="Еще", kind="long_text")
        for n in range(questions - 4)
    )
    client = client_for(operator)
    ContentType.objects.clear_cache()  # read once per process: as on the first request
    # 1 session, 2 user, 3 the section with its questionnaire, 4 its questions, 5 «есть ли
    # расписание напоминаний» (the admin's menu), 6 the questionnaires of the select,
    # 7 the content type (the «История» link)
    with django_assert_num_queries(7):
        page = client.get(reverse("admin:surveys_section_change", args=[section.pk]))
    assert len(page.context["inline_admin_formsets"][0].formset.forms) == questions


def test_a_question_chooses_conditions_among_its_questionnaire_in_a_plain_select(
    operator, questionnaire
):
    """On the question's page, and on the page adding one to a section: this questionnaire's
    questions a condition can read, in a plain select (no wrapper for links to their pages:
    they would leave the question being edited)."""
    make_questionnaire(code="other2026", title="Другая анкета")
    conditions = set(
        Question.objects.filter(
            section__questionnaire=questionnaire, kind__in=Question.CONDITION_KINDS
        )
    )
    client = client_for(operator)
    why_not = Question.objects.get(section__questionnaire=questionnaire, key="why_not")
    section = why_not.section
    for url in [
        reverse("admin:surveys_question_change", args=[why_not.pk]),
        reverse("admin:surveys_question_add") + f"?section={section.pk}",
    ]:
        page = client.get(url)
        assert page.status_code == HTTPStatus.OK
        assert 'name="show_if_question"' in page.content.decode()
        form = page.context["adminform"].form
        assert set(form.fields["show_if_question"].queryset) == conditions
        assert str(form["section"].value()) == str(section.pk)
        assert 'data-model-ref="question"' not in page.content.decode()
    # Opened for no section, or for one that is not a number: nothing to choose from yet.
    for query in ["", "?section=abc"]:
        page = client.get(reverse("admin:surveys_question_add") + query)
        assert page.status_code == HTTPStatus.OK
        assert not page.context["adminform"].form.fields["show_if_question"].queryset.exists()


def test_a_question_added_to_a_section_returns_to_it(operator, questionnaire):
    section = questionnaire.sections.get(order=2)
    client = client_for(operator)
    response = client.post(
        reverse("admin:surveys_question_add") + f"?section={section.pk}",
        {
            "section": section.pk, "order": 5, "key": "staff", "kind": "single",
            "text": "Хватает ли учителей?", "choices": "Да\nНет",
        },
    )  # fmt: skip
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:3000]
    assert response["Location"] == reverse("admin:surveys_section_change", args=[section.pk])
    assert Question.objects.get(key="staff").choice_list == ["Да", "Нет"]
    staff = Question.objects.get(key="staff")
    response = client.post(
        reverse("admin:surveys_question_change", args=[staff.pk]),
        {
            "section": section.pk, "order": 5, "key": "staff", "kind": "matrix",
            "text": "Хватает ли учителей?", "choices": "Да\nНет",
        },
    )  # fmt: skip
    assert response.status_code == HTTPStatus.OK  # a matrix needs its statements
    assert "Укажите утверждения матрицы, по одному в строке." in response.content.decode()


def test_a_new_section_says_where_its_questions_are_added(operator, questionnaire):
    page = client_for(operator).get(reverse("admin:surveys_section_add"))
    assert page.status_code == HTTPStatus.OK
    assert page.context["inline_admin_formsets"] == []
    assert "Вопросы добавляются в сохраненный раздел" in page.content.decode()


@pytest.mark.parametrize("schools", [1, 6])
def test_the_codes_list_costs_the_same_queries_for_any_number_of_codes(
    operator, questionnaire, municipality, schools, django_assert_num_queries
):
    """Ordered as the index (questionnaire, organization) is, counted as the participants'
    codes are (an estimate for a large unfiltered table on PostgreSQL)."""
    for organization in many_organizations(municipality, schools):
        for _ in range(3):
            issue_code(questionnaire, organization)
    client = client_for(operator)
    estimate = 1 if connection.vendor == "postgresql" else 0
    # 1 session, 2 user, 3 the questionnaires of the filter, (the estimate,) 4 count,
    # 5 «есть ли расписание напоминаний», 6 the page with questionnaire and organization
    with django_assert_num_queries(6 + estimate):
        page = client.get(reverse("admin:surveys_accesscode_changelist"))
    rows = list(page.context["cl"].result_list)
    assert len(rows) == 3 * schools
    assert rows == sorted(rows, key=lambda c: (c.questionnaire_id, c.organization_id, c.pk))
