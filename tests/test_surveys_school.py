"""The cabinet side of the questionnaires: a school issues and prints codes and sees its counts
by class; coordinators see completion per organization in their scope, remind and export; the
summary agrees with a direct count and withholds a school's own figures below the minimum."""

from http import HTTPStatus

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from surveys import selectors, services
from surveys.models import AccessCode, Answer, Respondent, SurveyExport
from tests.factories import give_class, issue_code, make_questionnaire, send_response

from .conftest import client_for


@pytest.fixture
def questionnaire(org, org_same_municipality, org_other_region):
    return make_questionnaire(organizations=[org, org_same_municipality, org_other_region])


@pytest.fixture
def pupils(org):
    return make_questionnaire(organizations=[org], respondent=Respondent.PUPIL, code="pupil2026")


def test_a_school_issues_codes_and_sees_them_counted(org_user, questionnaire, org):
    client = client_for(org_user)
    response = client.post(reverse("surveys:codes_issue", args=[questionnaire.pk]), {"count": "3"})
    assert response.status_code == HTTPStatus.FOUND
    assert AccessCode.objects.filter(questionnaire=questionnaire, organization=org).count() == 3
    page = client.get(reverse("surveys:school_detail", args=[questionnaire.pk])).content.decode()
    assert "Выдано: 3 кода" in page


@pytest.mark.parametrize("count", ["", "0", "501", "много"])
def test_a_wrong_number_of_codes_is_refused(org_user, questionnaire, count):
    client = client_for(org_user)
    response = client.post(
        reverse("surveys:codes_issue", args=[questionnaire.pk]), {"count": count}, follow=True
    )
    assert services.ISSUE_COUNT.format(limit=500) in response.content.decode()
    assert not AccessCode.objects.exists()


def test_pupils_get_a_code_paired_with_each_participant_code(org_user, pupils, org):
    give_class(org_user, pupils.study, grade=8, letter="А", pupils=2)
    give_class(org_user, pupils.study, grade=6, letter="Б", pupils=1)
    codes = services.codes_issue(questionnaire=pupils, actor=org_user, grade=8)
    assert sorted(c.participant.code for c in codes) == ["80001", "80002"]
    assert {c.grade for c in codes} == {8}
    codes = services.codes_issue(questionnaire=pupils, actor=org_user)  # the rest: 6 «Б»
    assert [c.participant.code for c in codes] == ["60001"]
    with pytest.raises(services.SurveyError) as refusal:
        services.codes_issue(questionnaire=pupils, actor=org_user)
    assert refusal.value.message == services.ISSUE_NO_PARTICIPANTS.format(where="")
    counts = selectors.school_counts(questionnaire=pupils, organization=org)
    assert [(row.label, row.issued, row.started, row.completed) for row in counts] == [
        ("6 Б", 1, 0, 0),
        ("8 А", 2, 0, 0),
    ]
    page = client_for(org_user).get(reverse("surveys:codes_print", args=[pupils.pk]))
    assert "Код участника: <strong>80001</strong>" in page.content.decode()


def test_a_school_not_taking_part_cannot_issue_codes(other_org_user, pupils):
    with pytest.raises(services.AccessDenied):
        services.codes_issue(questionnaire=pupils, actor=other_org_user, count=1, grade=8)


def test_coordinators_cannot_issue_codes(regional, questionnaire):
    with pytest.raises(services.AccessDenied):
        services.codes_issue(questionnaire=questionnaire, actor=regional, count=1)


def test_slips_show_the_schools_own_codes_only(org_user, questionnaire, org, org_same_municipality):
    mine = issue_code(questionnaire, org)
    theirs = issue_code(questionnaire, org_same_municipality)
    page = client_for(org_user).get(reverse("surveys:codes_print", args=[questionnaire.pk]))
    text = page.content.decode()
    assert mine.display_code in text
    assert theirs.display_code not in text


def test_counts_follow_started_and_sent(org_user, questionnaire, org):
    send_response(questionnaire, org)
    started = issue_code(questionnaire, org)
    services.answers_save(
        access_code=started, section=questionnaire.sections.first(), data={"q_role": "Учитель"}
    )
    issue_code(questionnaire, org)
    [row] = selectors.school_counts(questionnaire=questionnaire, organization=org)
    assert (row.issued, row.started, row.completed) == (3, 2, 1)


def test_completion_per_organization_is_scoped_and_one_query(
    regional, questionnaire, org, org_same_municipality, org_other_region, django_assert_num_queries
):
    send_response(questionnaire, org)
    issue_code(questionnaire, org)
    issue_code(questionnaire, org_same_municipality)
    send_response(questionnaire, org_other_region)
    with django_assert_num_queries(1):  # organizations in scope with three counts each
        rows = list(selectors.completion_organizations(questionnaire=questionnaire, user=regional))
    assert [(r.login, r.issued, r.completed, selectors.completion_percent(r)) for r in rows] == [
        ("edu470001", 2, 1, 50.0),
        ("edu470002", 1, 0, 0.0),
    ]


# The reminders themselves (rate, scope, notifications): tests/test_surveys_coordination.py.


@pytest.mark.parametrize("below", [None, 0, 101])
def test_a_wrong_reminder_rate_is_refused(regional, questionnaire, below):
    with pytest.raises(services.SurveyError) as refusal:
        services.reminders_request(questionnaire=questionnaire, actor=regional, below_percent=below)
    assert refusal.value.message == services.REMIND_RATE


def test_municipal_coordinators_do_not_remind(municipal, questionnaire):
    with pytest.raises(services.AccessDenied):
        services.reminders_request(questionnaire=questionnaire, actor=municipal, below_percent=50)


# ------------------------------------------------------------------ summary


def direct_count(questionnaire, key, value, **code_filter):
    return sum(
        1
        for answer in Answer.objects.filter(
            question__key=key,
            question__section__questionnaire=questionnaire,
            access_code__submitted_at__isnull=False,
            **{f"access_code__{k}": v for k, v in code_filter.items()},
        )
        if (
            value in answer.value
            if isinstance(answer.value, list | dict)
            else answer.value == value
        )
    )


def test_the_summary_agrees_with_a_direct_count(questionnaire, org, org_other_region):
    for _ in range(3):
        send_response(questionnaire, org)
    send_response(
        questionnaire,
        org,
        first={"q_role": "Другое", "q_why_not": "Библиотекарь", "q_years": "3"},
        second={"q_mood": "Полностью согласен", "q_climate__1": "Нет", "q_climate__2": "Нет"},
    )
    send_response(questionnaire, org_other_region)
    issue_code(questionnaire, org)  # not sent: not counted
    codes = AccessCode.objects.filter(questionnaire=questionnaire, submitted_at__isnull=False)
    responses, items = selectors.summary(questionnaire=questionnaire, codes=codes)
    assert responses == 5
    by_key = {item.question.key: item for item in items}
    role = {o.label: o.count for o in by_key["role"].options}
    assert role == {
        "Учитель": direct_count(questionnaire, "role", "Учитель"),
        "Заместитель директора": 0,
        "Другое": 1,
    }
    assert by_key["role"].answered == 5
    subjects = {o.label: (o.count, round(o.percent)) for o in by_key["subjects"].options}
    assert subjects["Литература"] == (direct_count(questionnaire, "subjects", "Литература"), 100)
    climate = dict(by_key["climate"].rows)
    assert {o.label: o.count for o in climate["Ученики уважают учителей"]} == {
        "Нет": 1,
        "Скорее да": 0,
        "Да": 4,
    }
    assert by_key["years"].numbers == {"min": 3, "max": 12, "mean": (12 * 4 + 3) / 5}
    assert by_key["mood"].answered == 5


def test_a_school_sees_its_own_summary_only_from_the_minimum(
    org_user, questionnaire, org, org_same_municipality, settings
):
    settings.SURVEYS_MIN_RESPONSES = 3
    for _ in range(2):
        send_response(questionnaire, org)
    send_response(questionnaire, org_same_municipality)
    groups = selectors.summary_groups(questionnaire=questionnaire, user=org_user)
    # 2 of its own and 1 of another school: the other school's one answer would show through
    # the region's figures, so the region and «all» are withheld too.
    assert [(g.label, g.responses, g.questions is None) for g in groups] == [
        ("Ваша организация", 2, True),
        ("Ваш регион", 3, True),
        ("Все участники", 3, True),
    ]
    page = client_for(org_user).get(reverse("surveys:summary", args=[questionnaire.pk]))
    assert "не меньше 3 респондентов (сейчас 2)" in page.content.decode()
    for _ in range(2):
        send_response(questionnaire, org_same_municipality)
    groups = selectors.summary_groups(questionnaire=questionnaire, user=org_user)
    assert [(g.responses, g.questions is None) for g in groups] == [
        (2, True),
        (5, False),
        (5, False),
    ]
    send_response(questionnaire, org)
    groups = selectors.summary_groups(questionnaire=questionnaire, user=org_user)
    assert groups[0].responses == 3 and groups[0].questions is not None
    page = client_for(org_user).get(reverse("surveys:summary", args=[questionnaire.pk]))
    assert "<svg" in page.content.decode()


@pytest.mark.parametrize(
    ("total", "own", "visible"),
    [(4, 4, False), (5, 5, True), (5, 1, False), (6, 1, True), (9, 4, True), (4, 0, False)],
)
def test_what_a_school_may_see(total, own, visible):
    assert selectors.school_may_see(total=total, own=own, minimum=5) is visible


def test_a_coordinators_summary_is_its_scope_and_all(
    regional, questionnaire, org, org_other_region
):
    send_response(questionnaire, org)
    send_response(questionnaire, org_other_region)
    groups = selectors.summary_groups(questionnaire=questionnaire, user=regional)
    assert [(g.label, g.responses) for g in groups] == [
        (regional.scope_label, 1),
        ("Все участники", 2),
    ]


def test_a_municipality_of_one_school_waits_for_the_minimum(
    municipal, other_regional, questionnaire, org, org_same_municipality, org_other_region,
    settings,
):  # fmt: skip
    """`org` is alone in its municipality here: the municipal coordinator's «area» is that
    school, so its few teachers could be singled out — the same minimum applies."""
    settings.SURVEYS_MIN_RESPONSES = 3
    org_same_municipality.delete()
    for _ in range(2):
        send_response(questionnaire, org)
    for _ in range(2):
        send_response(questionnaire, org_other_region)
    groups = selectors.summary_groups(questionnaire=questionnaire, user=municipal)
    assert [(g.label, g.responses, g.questions is None) for g in groups] == [
        (municipal.scope_label, 2, True),
        ("Все участники", 4, False),
    ]
    page = client_for(municipal).get(reverse("surveys:summary", args=[questionnaire.pk]))
    text = page.content.decode()
    assert f"Сводка «{municipal.scope_label}» пока скрыта" in text
    assert "(сейчас 2)" in text
    # Region 78 has one school too: its coordinator waits as well.
    groups = selectors.summary_groups(questionnaire=questionnaire, user=other_regional)
    assert [(g.responses, g.questions is None) for g in groups] == [(2, True), (4, False)]
    send_response(questionnaire, org)
    groups = selectors.summary_groups(questionnaire=questionnaire, user=municipal)
    assert [(g.responses, g.questions is None) for g in groups] == [(3, False), (5, False)]


@pytest.mark.parametrize(("total", "visible"), [(0, False), (4, False), (5, True), (50, True)])
def test_what_a_coordinator_may_see(total, visible):
    assert selectors.coordinator_may_see(total=total, minimum=5) is visible


def test_the_operator_sees_all_participants(operator, questionnaire, org, settings):
    settings.SURVEYS_MIN_RESPONSES = 3
    send_response(questionnaire, org)
    groups = selectors.summary_groups(questionnaire=questionnaire, user=operator)
    assert [(g.label, g.responses, g.questions is None) for g in groups] == [
        ("Все участники", 1, False)
    ]


# ------------------------------------------------------------------ export


def test_the_export_has_one_row_per_sent_response_and_no_codes(
    regional, questionnaire, org, org_other_region, django_capture_on_commit_callbacks
):
    sent = [send_response(questionnaire, org) for _ in range(2)]
    send_response(questionnaire, org_other_region)  # another region: not in the file
    issue_code(questionnaire, org)  # not sent
    with django_capture_on_commit_callbacks(execute=True):
        job = services.export_start(questionnaire=questionnaire, actor=regional)
    job.refresh_from_db()
    assert job.status == SurveyExport.Status.DONE and job.rows == 2
    sheet = load_workbook(job.file.path).active
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == 2
    assert "role: Ваша должность" in header
    assert "climate.1: Ученики уважают учителей" in header
    assert {row[header.index("role: Ваша должность")] for row in body} == {"Учитель"}
    assert {row[header.index("subjects: Какие предметы вы ведете?")] for row in body} == {
        "Литература"
    }
    text = " ".join(str(v) for row in rows for v in row)
    assert all(code.code not in text for code in sent)
    response = client_for(regional).get(reverse("surveys:export_download", args=[job.pk]))
    assert response.status_code == HTTPStatus.OK
    assert "attachment" in response["Content-Disposition"]


def test_a_formula_typed_by_a_respondent_is_exported_as_text(
    operator, questionnaire, org, django_capture_on_commit_callbacks
):
    second = {
        "q_mood": "Скорее согласен",
        "q_climate__1": "Да",
        "q_climate__2": "Да",
        "q_comment": "=HYPERLINK(1)",
    }
    send_response(questionnaire, org, second=second)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.export_start(questionnaire=questionnaire, actor=operator)
    job.refresh_from_db()
    sheet = load_workbook(job.file.path).active
    assert "'=HYPERLINK(1)" in [cell.value for cell in sheet[2]]


@pytest.mark.parametrize(
    "name", ["surveys:school_detail", "surveys:codes_print", "surveys:summary"]
)
def test_a_school_outside_the_study_gets_404(other_org_user, pupils, name):
    response = client_for(other_org_user).get(reverse(name, args=[pupils.pk]))
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_a_school_outside_the_study_cannot_issue_codes_by_post(other_org_user, pupils):
    response = client_for(other_org_user).post(
        reverse("surveys:codes_issue", args=[pupils.pk]), {"grade": "8"}
    )
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert not AccessCode.objects.exists()


def test_a_school_lists_only_the_questionnaires_of_its_studies(org_user, other_org_user, pupils):
    assert [q.pk for q in selectors.questionnaire_list(org_user)] == [pupils.pk]
    assert selectors.questionnaire_list(other_org_user) == []


def test_the_lists_cost_one_query_whatever_their_length(
    org_user, regional, questionnaire, org, django_assert_num_queries
):
    for _ in range(3):
        send_response(questionnaire, org)
    make_questionnaire(organizations=[org], code="other2026")
    with django_assert_num_queries(1):  # questionnaires of the school's studies with 3 counts
        rows = selectors.questionnaire_list(org_user)
    assert sorted((q.code, q.issued, q.completed) for q in rows) == [
        ("other2026", 0, 0),
        ("teacher2026", 3, 3),
    ]
    with django_assert_num_queries(1):  # codes grouped by class with 3 counts
        selectors.school_counts(questionnaire=questionnaire, organization=org)
    with django_assert_num_queries(1):  # every questionnaire, with its study
        assert len(selectors.questionnaire_list(regional)) == 2
