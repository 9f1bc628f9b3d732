"""The coordinator's side of the questionnaires: completion per organization as columns of the
readiness grid and of «Список участников» (the `STUDIES_READINESS_COLUMNS` provider), equal to a
direct count and in a fixed number of queries per page; «Напомнить» to those below a chosen
share goes through `notifications` (recorded notices and e-mails), inside the coordinator's
scope only — a foreign organization slipped into the request refuses it whole."""

import io
from datetime import timedelta
from http import HTTPStatus

import pytest
from bs4 import BeautifulSoup
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Organization, User
from notifications.models import EmailDelivery, Kind, Notification
from notifications.services import send_queued_emails
from studies.extensions import readiness_columns
from studies.grid import PAGE_SIZE
from studies.services import tick_item
from surveys import services
from surveys.models import AccessCode, Questionnaire, Respondent
from surveys.readiness import column_key
from tests.factories import (
    OrganizationUserFactory,
    fill,
    issue_codes,
    make_collection,
    make_questionnaire,
    many_organizations,
    participating_study,
)

from .conftest import client_for


@pytest.fixture
def organizations(org, org_same_municipality, org_other_municipality, org_other_region):
    """Region 47: 100 %, 50 %, 25 % of the teachers' codes sent; region 78: no codes."""
    for number, organization in enumerate(
        (org, org_same_municipality, org_other_municipality, org_other_region), start=1
    ):
        organization.email = f"school{number}@example.ru"
        organization.save(update_fields=["email"])
        OrganizationUserFactory(organization=organization)
    return [org, org_same_municipality, org_other_municipality, org_other_region]


@pytest.fixture
def teachers(organizations):
    questionnaire = make_questionnaire(organizations=organizations)
    org, same, other_municipality, _ = organizations
    issue_codes(questionnaire, [org], issued=2, completed=2)
    issue_codes(questionnaire, [same], issued=2, completed=1)
    issue_codes(questionnaire, [other_municipality], issued=4, completed=1)
    return questionnaire


@pytest.fixture
def pupils(teachers, organizations):
    questionnaire = make_questionnaire(
        study=teachers.study, respondent=Respondent.PUPIL, code="pupil2026", title="Анкета ученика"
    )
    issue_codes(questionnaire, organizations[:1], issued=3, completed=0)
    return questionnaire


def direct_share(questionnaire, organization) -> float:
    codes = AccessCode.objects.filter(questionnaire=questionnaire, organization=organization)
    issued = codes.count()
    return 100 * codes.filter(submitted_at__isnull=False).count() / issued if issued else 0.0


def reminded_organizations() -> set[str]:
    return set(
        Notification.objects.filter(kind=Kind.COORDINATOR_REMINDER).values_list(
            "organization__login", flat=True
        )
    )


# ------------------------------------------------------------------ the columns


def test_the_columns_agree_with_a_direct_count(teachers, pupils, organizations):
    (group,) = readiness_columns(teachers.study, [o.pk for o in organizations])
    assert [column.title for column in group.columns] == ["Анкета ученика", "Анкета учителя"]
    for questionnaire, column in zip((pupils, teachers), group.columns, strict=True):
        assert column.key == column_key(questionnaire)
        for organization in organizations:
            cell = column.cell(organization.pk)
            codes = AccessCode.objects.filter(
                questionnaire=questionnaire, organization=organization
            )
            assert (cell.done, cell.total) == (
                codes.filter(submitted_at__isnull=False).count(),
                codes.count(),
            )
    teachers_column = group.columns[1]
    assert [teachers_column.cell(o.pk).percent for o in organizations] == [100, 50, 25, None]
    assert [teachers_column.cell(o.pk).css for o in organizations] == [
        "done",
        "pending",
        "pending",
        "na",
    ]


def test_a_study_without_questionnaires_adds_no_columns(org):
    assert readiness_columns(participating_study(org), [org.pk]) == []


def test_the_grid_shows_the_columns_for_its_own_scope(regional, teachers, organizations):
    response = client_for(regional).get(reverse("studies:grid", args=[teachers.study.pk]))
    assert response.status_code == HTTPStatus.OK
    page = response.content.decode()
    assert "Анкета учителя" in page and "заполнено" in page
    assert "1/4" in page and "25 %" in page  # edu470003
    assert "edu780001" not in page  # another region's school is not a row
    assert 'data-testid="share-remind-form"' in page


def summary_row(client, study, **query) -> dict[str, str]:
    """The grid's row «Выполнено / просрочено»: {column key: its text}."""
    response = client.get(reverse("studies:grid", args=[study.pk]), query)
    soup = BeautifulSoup(response.content, "html.parser")
    row = soup.select_one("tr.grid-counts")
    return {cell["data-column"]: cell.get_text() for cell in row.select("[data-column]")}


def test_the_summary_row_counts_the_questionnaires_of_every_organization_shown(
    regional, teachers, pupils, organizations
):
    client = client_for(regional)
    teachers_key, pupils_key = column_key(teachers), column_key(pupils)
    # Region 47: edu470001 sent all its teachers' codes, edu470002 and edu470003 not yet; no
    # school sent a pupil's code. Open questionnaires: nobody is late.
    row = summary_row(client, teachers.study)
    assert (row[teachers_key], row[pupils_key]) == ("1", "0")

    # Closed: whoever has not completed every code is late, a school without codes as well.
    Questionnaire.objects.update(closes_at=timezone.now() - timedelta(minutes=1))
    row = summary_row(client, teachers.study)
    assert (row[teachers_key], row[pupils_key]) == ("1 / 2", "0 / 3")
    # The grid's filters narrow the summary as they narrow the rows.
    org, *_ = organizations
    row = summary_row(client, teachers.study, municipality=org.municipality_id)
    assert (row[teachers_key], row[pupils_key]) == ("1 / 1", "0 / 2")
    tick_item(
        user=User.objects.get(organization=org),
        study=teachers.study,
        organization=org,
        item_key="prep_documents",
    )
    row = summary_row(client, teachers.study, item="prep_documents")  # edu470001 is not shown
    assert (row[teachers_key], row[pupils_key]) == ("0 / 2", "0 / 2")


def test_the_summary_row_counts_every_page_not_only_the_one_shown(regional, municipality):
    organizations = many_organizations(municipality, PAGE_SIZE + 10)
    questionnaire = make_questionnaire(organizations=organizations)
    issue_codes(questionnaire, [organizations[0], organizations[-1]], issued=2, completed=2)
    issue_codes(questionnaire, organizations[1:-1], issued=2, completed=1)
    client = client_for(regional)
    for page in (1, 2):
        row = summary_row(client, questionnaire.study, page=page)
        assert row[column_key(questionnaire)] == "2"


def test_municipal_coordinators_see_the_columns_but_no_reminder(municipal, teachers):
    page = client_for(municipal).get(reverse("studies:grid", args=[teachers.study.pk]))
    content = page.content.decode()
    assert "Анкета учителя" in content and "2/2" in content
    assert "1/4" not in content  # edu470003 is in another municipality
    assert 'data-testid="share-remind-form"' not in content


def test_the_participant_list_shows_the_columns(regional, teachers):
    collection = teachers.study.collections.get()
    response = client_for(regional).get(
        reverse("monitoring:participant_list", args=[collection.pk])
    )
    page = response.content.decode()
    assert "Анкета учителя" in page and "1/2" in page and "50 %" in page
    assert 'data-testid="share-remind-form"' in page


@pytest.fixture(params=[10, 1000], ids=["10 organizations", "1000 organizations"])
def surveyed(request, municipality):
    organizations = many_organizations(municipality, request.param)
    collection = make_collection(organizations=organizations)
    fill(collection, organizations[:5])
    for respondent, code in ((Respondent.TEACHER, "t"), (Respondent.PUPIL, "p")):
        questionnaire = make_questionnaire(study=collection.study, respondent=respondent, code=code)
        issue_codes(questionnaire, organizations, issued=2, completed=1)
    return collection


def test_grid_with_questionnaires_costs_the_same_for_10_and_1000(
    surveyed, as_user, regional, django_assert_num_queries
):
    client = as_user(regional)
    url = reverse("studies:grid", args=[surveyed.study.pk])
    # The grid's 10 (tests/test_studies_grid.py), then 11 the study's questionnaires, 12 the
    # codes of everyone shown counted per questionnaire and organization (one grouped query,
    # returning the page's groups and the completed ones), 13 the bell.
    with django_assert_num_queries(13):
        response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    assert response.content.decode().count('data-testid="share-cell"') == 2 * min(
        PAGE_SIZE, response.context["grid"].total
    )


def test_participant_list_with_questionnaires_costs_the_same_for_10_and_1000(
    surveyed, as_user, regional, django_assert_num_queries
):
    client = as_user(regional)
    url = reverse("monitoring:participant_list", args=[surveyed.pk])
    # 1 session, 2 user, 3 collection, 4 count, 5 municipalities for the filter, 6 the page's
    # ids, 7 its rows with their regions, municipalities and receipt numbers (for the page's
    # rows, not before the sort), 8 the study's questionnaires, 9 the page's codes grouped,
    # 10 the bell.
    with django_assert_num_queries(10):
        response = client.get(url)
    assert "1/2" in response.content.decode()


# ------------------------------------------------------------------ reminders


@pytest.mark.parametrize("below", [25, 50, 75, 100])
def test_reminders_reach_exactly_those_below_the_rate(regional, teachers, organizations, below):
    in_region = Organization.objects.filter(region=regional.region)
    expected = {o.login for o in in_region if direct_share(teachers, o) < below}
    if not expected:  # 25 %: nobody in region 47 is below
        with pytest.raises(services.SurveyError):
            services.reminders_request(questionnaire=teachers, actor=regional, below_percent=below)
        assert not reminded_organizations()
        return
    result = services.reminders_request(questionnaire=teachers, actor=regional, below_percent=below)
    assert reminded_organizations() == expected
    assert result.reminded == len(expected)
    assert result.message.startswith(f"Напоминание отправлено {len(expected)} ")


def test_a_reminder_is_recorded_and_mailed_through_notifications(
    regional, teachers, organizations, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        result = services.reminders_request(
            questionnaire=teachers, actor=regional, below_percent=50
        )
    assert result.message == "Напоминание отправлено 1 организации."
    (notice,) = Notification.objects.filter(kind=Kind.COORDINATOR_REMINDER)
    assert notice.organization.login == "edu470003"
    assert "ниже 50 %" in notice.text and "Анкета учителя" in notice.text
    assert notice.link == reverse("surveys:school_detail", args=[teachers.pk])
    (delivery,) = EmailDelivery.objects.filter(kind=Kind.COORDINATOR_REMINDER)
    assert delivery.address == "school3@example.ru"
    send_queued_emails()
    assert [message.to for message in mail.outbox] == [["school3@example.ru"]]
    assert "Анкета учителя" in mail.outbox[0].subject
    # A second «Напомнить» is a new event: recorded again, not swallowed as a repeat.
    services.reminders_request(questionnaire=teachers, actor=regional, below_percent=50)
    assert Notification.objects.filter(kind=Kind.COORDINATOR_REMINDER).count() == 2


def test_an_organization_without_an_address_is_reminded_in_the_cabinet(
    regional, teachers, organizations
):
    organizations[2].email = ""
    organizations[2].save(update_fields=["email"])
    result = services.reminders_request(questionnaire=teachers, actor=regional, below_percent=50)
    assert result.without_email == ["edu470003"]
    assert reminded_organizations() == {"edu470003"}
    assert EmailDelivery.objects.get().status == EmailDelivery.Status.FAILED


def test_reminders_stay_inside_each_coordinators_region(
    regional, other_regional, teachers, organizations
):
    services.reminders_request(questionnaire=teachers, actor=regional, below_percent=100)
    assert reminded_organizations() == {"edu470002", "edu470003"}
    Notification.objects.all().delete()
    services.reminders_request(questionnaire=teachers, actor=other_regional, below_percent=100)
    assert reminded_organizations() == {"edu780001"}


def test_the_operator_narrows_to_a_region_and_municipality(
    operator, teachers, organizations, municipality
):
    services.reminders_request(
        questionnaire=teachers,
        actor=operator,
        below_percent=100,
        region_id=municipality.region_id,
        municipality_id=municipality.pk,
    )
    assert reminded_organizations() == {"edu470002"}


def test_a_foreign_organization_chosen_refuses_the_whole_reminder(
    regional, teachers, organizations
):
    foreign = organizations[3]
    with pytest.raises(services.AccessDenied) as refusal:
        services.reminders_request(
            questionnaire=teachers,
            actor=regional,
            below_percent=100,
            organization_ids=[organizations[2].pk, foreign.pk],
        )
    assert refusal.value.message == services.REMIND_FOREIGN
    assert not Notification.objects.exists() and not EmailDelivery.objects.exists()
    # Chosen in scope: only those, and only if below the rate.
    result = services.reminders_request(
        questionnaire=teachers,
        actor=regional,
        below_percent=100,
        organization_ids=[organizations[0].pk, organizations[2].pk],
    )
    assert result.reminded == 1 and reminded_organizations() == {"edu470003"}


def test_nobody_below_the_rate_is_a_clear_refusal(regional, teachers, organizations):
    with pytest.raises(services.SurveyError) as refusal:
        services.reminders_request(questionnaire=teachers, actor=regional, below_percent=20)
    assert refusal.value.message == services.REMIND_NOBODY.format(below=20)
    assert not Notification.objects.exists()


def test_municipal_coordinators_and_schools_do_not_remind(municipal, org, teachers):
    for user in (municipal, User.objects.filter(organization=org).first()):
        with pytest.raises(services.AccessDenied):
            services.reminders_request(questionnaire=teachers, actor=user, below_percent=50)
    assert not Notification.objects.exists()


# ------------------------------------------------------------------ the view


def remind(client, questionnaire, **data):
    return client.post(
        reverse("surveys:study_remind", args=[questionnaire.study_id]),
        {"column": column_key(questionnaire), "below": "50", **data},
    )


def test_remind_from_the_grid_comes_back_with_a_confirmation(regional, teachers, organizations):
    client = client_for(regional)
    grid = reverse("studies:grid", args=[teachers.study_id]) + "?municipality="
    response = remind(client, teachers, next=grid)
    assert response.status_code == HTTPStatus.FOUND and response.url == grid
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Напоминание отправлено 1 организации."
    ]
    assert reminded_organizations() == {"edu470003"}


def test_a_forged_organization_id_is_refused_by_the_view(regional, teachers, organizations):
    client = client_for(regional)
    for forged in ([str(organizations[3].pk)], ["edu780001"], [str(organizations[2].pk), "x"]):
        response = remind(client, teachers, organization=forged)
        assert response.status_code == HTTPStatus.FORBIDDEN
    assert not Notification.objects.exists()
    # The same organization of the coordinator's own region is reminded.
    response = remind(client, teachers, organization=[str(organizations[2].pk)])
    assert response.status_code == HTTPStatus.FOUND
    assert reminded_organizations() == {"edu470003"}


def test_a_column_of_another_study_or_nonsense_is_refused(regional, teachers, org):
    other = make_questionnaire(study=participating_study(org, code="other"), code="other")
    client = client_for(regional)
    for column in (column_key(other), "survey-x", ""):
        response = client.post(
            reverse("surveys:study_remind", args=[teachers.study_id]),
            {"column": column, "below": "50"},
        )
        assert services.REMIND_QUESTIONNAIRE in [
            str(m) for m in get_messages(response.wsgi_request)
        ]
    assert not Notification.objects.exists()


def test_a_wrong_rate_is_refused_by_the_view(regional, teachers, organizations):
    response = remind(client_for(regional), teachers, below="сто")
    assert services.REMIND_RATE in [str(m) for m in get_messages(response.wsgi_request)]
    assert not Notification.objects.exists()


def test_a_return_address_elsewhere_is_not_followed(regional, teachers, organizations):
    response = remind(client_for(regional), teachers, next="https://evil.example/")
    assert response.url == reverse("studies:grid", args=[teachers.study_id])


def test_municipal_coordinators_get_403(municipal, teachers, organizations):
    assert remind(client_for(municipal), teachers).status_code == HTTPStatus.FORBIDDEN
    assert not Notification.objects.exists()


# ------------------------------------------------------------------ the completion page


def test_the_completion_page_filters_below_a_rate_like_a_direct_count(
    regional, teachers, organizations
):
    url = reverse("surveys:completion", args=[teachers.pk])
    client = client_for(regional)
    for below in (25, 50, 75, 100):
        page = client.get(url, {"below": below}).context["page"]
        expected = [
            o.login
            for o in Organization.objects.filter(region=regional.region).order_by("login")
            if direct_share(teachers, o) < below
        ]
        assert [row.login for row in page] == expected


def test_a_row_reminder_reaches_that_organization_only(regional, teachers, organizations):
    client = client_for(regional)
    url = reverse("surveys:completion", args=[teachers.pk])
    page = client.get(url).content.decode()
    assert page.count('name="organization"') == 2  # 50 % and 25 %; the 100 % has no button
    response = client.post(
        reverse("surveys:remind", args=[teachers.pk]),
        {"organization": organizations[1].pk, "below": "100", "next": url},
    )
    assert response.url == url
    assert reminded_organizations() == {"edu470002"}


@pytest.mark.parametrize("count", [10, 1000])
def test_the_completion_page_is_paged_in_a_fixed_number_of_queries(
    count, as_user, regional, municipality, django_assert_num_queries
):
    organizations = many_organizations(municipality, count)
    questionnaire = make_questionnaire(organizations=organizations)
    issue_codes(questionnaire, organizations, issued=3, completed=1)
    client = as_user(regional)
    url = reverse("surveys:completion", args=[questionnaire.pk])
    # 1 session, 2 user, 3 the questionnaire, 4 the count of organizations (below the rate),
    # 5 the page with three counts each and the municipality joined, 6 the bell.
    with django_assert_num_queries(6):
        response = client.get(url, {"below": "50", "page": "last"})
    rows = response.content.decode().count('data-testid="completion-row"')
    assert rows == (count % 100 or 100) and response.context["page"].paginator.count == count


def test_the_grid_xlsx_has_the_questionnaire_columns(regional, teachers, organizations):
    response = client_for(regional).get(reverse("studies:grid_xlsx", args=[teachers.study_id]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    column = rows[0].index("Анкета учителя: заполнено / выдано")
    assert {row[0]: row[column] for row in rows[1:-2]} == {
        "edu470001": "2 / 2 (100 %)",
        "edu470002": "1 / 2 (50 %)",
        "edu470003": "1 / 4 (25 %)",
    }
    # The summary rows count the questionnaire as the page's row «Выполнено / просрочено» does:
    # edu470001 completed every code; the questionnaire is open, nobody is late yet.
    done, late = rows[-2:]
    assert (done[0], done[column], late[0], late[column]) == ("Выполнено", 1, "Просрочено", 0)
