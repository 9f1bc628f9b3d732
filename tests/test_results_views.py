"""Statistical report pages and their .xlsx: what each role sees, the comparison columns and
charts, the highlighted tasks, unpublished reports, typed spreadsheet values, sorting, and query
counts that do not grow with the number of organizations."""

import io
from http import HTTPStatus

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from results import presenters, selectors
from results.services import results_build
from tests.factories import (
    OrganizationFactory,
    make_collection,
    make_definition,
    result_row,
    submit_results,
)

ABSENT = "отсутствовал"


@pytest.fixture
def published(org, org_same_municipality, org_other_municipality, org_other_region):
    """Task 1: the school 25 % of the maximum, the region 62,5 % → clearly below (▼);
    task 2: the school 75 %, the region 62,5 % → not highlighted."""
    collection = make_collection(
        organizations=[org, org_same_municipality, org_other_municipality, org_other_region]
    )
    definition = make_definition(collection, grade=4, max_scores=(2, 2, 2), scale=(2, 4, 6))
    submit_results(
        collection,
        org,
        [result_row(4, 1, 2, 1), result_row(4, 0, 1, "X"), result_row(4, ABSENT, ABSENT, ABSENT)],
    )
    submit_results(collection, org_same_municipality, [result_row(4, 2, 1, 2)])
    submit_results(collection, org_other_municipality, [result_row(4, 2, 1, 2)])
    submit_results(collection, org_other_region, [result_row(4, 2, 2, 2)])
    results_build(collection_id=collection.pk)
    definition.refresh_from_db()
    return definition


def org_url(definition, organization, suffix=""):
    return reverse(f"results:organization{suffix}", args=[definition.pk, organization.pk])


def test_the_school_sees_its_figures_beside_municipality_region_and_all(
    published, org, org_same_municipality, org_user, as_user
):
    response = as_user(org_user).get(org_url(published, org))
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    for heading in ("ОО, %", "Муниципалитет, %", "Регион, %", "Все участники, %"):
        assert heading in html
    for chart in ("chart-tasks", "chart-scores", "chart-marks"):
        assert f'data-testid="{chart}"' in html
    assert html.count("<svg viewBox=") == 3
    assert selectors.BELOW_REGION_RULE in html
    assert "Данные сформированы" in html and "(МСК)" in html
    # Another school's figures never appear, only the aggregates of the levels above.
    assert org_same_municipality.login not in html
    assert org_same_municipality.name not in html


def test_tasks_clearly_below_the_region_are_highlighted(published, org, org_user):
    _, report = selectors.organization_report(org_user, published, org.pk)
    rows = report.task_rows
    # school: task 1 = 1/4 = 25 %; region 47 = (1+0+2+2)/(4*2) = 62,5 % → 37,5 p.p. below.
    assert rows[0].percents[0] == 25.0 and rows[0].percents[2] == 62.5
    assert rows[0].below_region
    # task 2: school 3/4 = 75 %, region (3+1+1)/8 = 62,5 %: above, not highlighted.
    assert rows[1].percents[0] == 75.0 and not rows[1].below_region
    # task 3: school 1/4 = 25 %, region 5/8 = 62,5 %.
    assert rows[2].below_region


def test_score_and_mark_rows_are_shares_of_participants_present(published, org, org_user):
    _, report = selectors.organization_report(org_user, published, org.pk)
    subject = report.subject
    assert (subject.participants, subject.absentees) == (2, 1)
    assert [count for _, cells in report.score_rows for count, _ in cells[:1]] == [
        0, 1, 0, 0, 1, 0, 0,
    ]  # fmt: skip
    assert subject.score_percents[1] == 50.0 and subject.score_percents[4] == 50.0
    assert subject.mark_counts == [1, 0, 1, 0] and subject.mark_percents == [50.0, 0, 50.0, 0]


def test_before_publication_the_page_says_so_with_the_expected_date(org, org_user, as_user):
    from datetime import date

    collection = make_collection(organizations=[org])
    definition = make_definition(collection, expected_on=date(2026, 12, 15))
    submit_results(collection, org, [result_row(4, 1, 1, 1)])  # transferred, not published
    client = as_user(org_user)
    response = client.get(org_url(definition, org))
    html = response.content.decode()
    assert "Отчет еще не опубликован." in html
    assert "Ожидаемая дата публикации — 15.12.2026." in html
    assert "<svg viewBox=" not in html and "Общие показатели" not in html
    assert client.get(org_url(definition, org, "_xlsx")).status_code == HTTPStatus.NOT_FOUND
    index = client.get(reverse("results:index")).content.decode()
    assert "ожидаемая дата публикации — 15.12.2026" in index


def test_a_school_does_not_see_reports_of_collections_it_is_not_in(
    published, org_other_region, other_org_user, as_user
):
    published.collection.organizations.remove(org_other_region)
    index = as_user(other_org_user).get(reverse("results:index")).content.decode()
    assert "Открыть отчет" not in index
    response = as_user(other_org_user).get(org_url(published, org_other_region))
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_the_xlsx_holds_the_page_tables_with_typed_numbers(published, org, org_user, as_user):
    response = as_user(org_user).get(org_url(published, org, "_xlsx"))
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Сводка", "Задания", "Первичные баллы", "Отметки"]
    summary = list(book["Сводка"].iter_rows(values_only=True))
    assert summary[1][:2] == ("Класс", 4)
    levels = summary[6:10]
    assert levels[0] == (f"ОО {org.login}", 2, 1, 2.5, 50.0, 0, 50.0, 0)
    # region 47: 4 participants, scores 4, 1, 5, 5 → 3,75
    assert levels[2][1:4] == (4, 1, 3.75)
    assert levels[3][1:4] == (5, 1, 4.2)
    tasks = list(book["Задания"].iter_rows(values_only=True))
    assert tasks[1] == ("1", 2, 25.0, 50.0, 62.5, 70.0, "да")
    scores = list(book["Первичные баллы"].iter_rows(values_only=True))
    assert scores[2][:3] == (1, 1, 50.0)  # one participant of the school with 1 point


def test_the_regional_coordinator_sorts_the_organizations(
    published, org, org_same_municipality, org_other_municipality, regional, as_user
):
    url = reverse("results:region", args=[published.pk, org.region_id])
    html = as_user(regional).get(url, {"sort": "-average"}).content.decode()
    # averages: org 2,50; the other two 5,00 (login order breaks the tie)
    order = [html.index(o.login) for o in (org_same_municipality, org_other_municipality, org)]
    assert order == sorted(order)
    assert "Муниципалитеты" in html and 'aria-sort="descending"' in html
    ascending = as_user(regional).get(url, {"sort": "average"}).content.decode()
    assert ascending.index(org.login) < ascending.index(org_same_municipality.login)


def test_the_municipal_coordinator_sees_only_its_municipality(
    published, org, org_other_municipality, municipal, as_user
):
    url = reverse("results:municipality", args=[published.pk, org.municipality_id])
    html = as_user(municipal).get(url).content.decode()
    assert org.login in html and org_other_municipality.login not in html


def test_the_operator_sees_every_region(published, org, org_other_region, operator, as_user):
    html = as_user(operator).get(reverse("results:national", args=[published.pk])).content
    html = html.decode()
    assert str(org.region) in html and str(org_other_region.region) in html


@pytest.mark.parametrize(
    ("role", "page", "expected"),
    [
        ("organization", "organization", []),
        ("municipal", "organization", ["municipality"]),
        ("regional", "organization", ["municipality", "region"]),
        ("operator", "organization", ["municipality", "region", "national"]),
        ("municipal", "municipality", []),
        ("regional", "municipality", ["region"]),
        ("operator", "municipality", ["region", "national"]),
        ("regional", "region", []),
        ("operator", "region", ["national"]),
        ("operator", "national", []),
    ],
)
def test_the_way_up_lists_the_levels_above_that_the_role_opens(
    published, org, users_by_role, as_user, role, page, expected
):
    """Each level's page: the subject's .xlsx, and a link to every level above it that the
    user's role may open (the pages of the levels the comparison columns show)."""
    subject = {
        "organization": [org.pk],
        "municipality": [org.municipality_id],
        "region": [org.region_id],
        "national": [],
    }
    url = reverse(f"results:{page}", args=[published.pk, *subject[page]])
    html = as_user(users_by_role[role]).get(url).content.decode()
    start = html.index('class="results-crumbs')
    crumbs = html[start : html.index("</nav>", start)]
    links = [
        reverse(f"results:{level}", args=[published.pk, *subject[level]]) for level in expected
    ]
    assert crumbs.count("<a href=") == 1 + len(expected)  # «Статистические отчеты» first
    for link in links:
        assert f'href="{link}"' in crumbs
    xlsx = reverse(f"results:{page}_xlsx", args=[published.pk, *subject[page]])
    assert f'href="{xlsx}"' in html


def _organizations(region_municipality, count, collection):
    for _ in range(count):
        organization = OrganizationFactory(municipality=region_municipality)
        collection.organizations.add(organization)
        submit_results(collection, organization, [result_row(4, 1, 1, 1)])


@pytest.mark.parametrize("extra", [0, 30])
def test_report_pages_cost_the_same_queries_for_few_and_many_organizations(
    extra, org, municipality, regional, org_user, django_assert_num_queries, as_user
):
    collection = make_collection(organizations=[org])
    definition = make_definition(collection)
    submit_results(collection, org, [result_row(4, 1, 1, 1)])
    _organizations(municipality, extra, collection)
    results_build(collection_id=collection.pk)
    school, coordinator = as_user(org_user), as_user(regional)
    school.get(org_url(definition, org))  # warm the session
    # 1 session, 2 user, 3 the report definition (collection, study, form joined),
    # 4 the organization in scope (region, municipality joined), 5 the tasks,
    # 6 the aggregates of the four levels in one query, 7 the checklist's «report opened» (found,
    # recorded on the first visit), 8 the forum's unread badge in the menu, 9 the notification
    # bell's unread count.
    with django_assert_num_queries(9):
        assert school.get(org_url(definition, org)).status_code == HTTPStatus.OK
    region_url = reverse("results:region", args=[definition.pk, org.region_id])
    coordinator.get(region_url)
    # 1 session, 2 user, 3 definition, 4 the region in scope, 5 tasks, 6 the two levels'
    # aggregates, 7 the municipalities' table, 8 count and 9 one page of the organizations,
    # 10 the notification bell's unread count.
    with django_assert_num_queries(10):
        assert coordinator.get(region_url).status_code == HTTPStatus.OK


def test_chart_geometry_follows_the_figures(published, org, org_user):
    _, report = selectors.organization_report(org_user, published, org.pk)
    tasks = presenters.task_chart(report)
    plot = presenters.WIDTH - presenters.LABEL_WIDTH - presenters.VALUE_WIDTH
    first = tasks.rects[0]  # task 1, the school: 25 %
    assert first.width == pytest.approx(plot * 0.25)
    assert len(tasks.rects) == 3 * 4  # three tasks, four levels
    scores = presenters.score_chart(report)
    assert len(scores.rects) == report.max_total + 1  # a bar for every primary score 0 … 6
    assert len(scores.polyline.split()) == report.max_total + 1
    marks = presenters.mark_chart(report)
    school_marks = [r for r in marks.rects if r.y == marks.rects[0].y]
    assert [r.css for r in school_marks] == ["mark-2", "mark-4"]
    assert sum(r.width for r in school_marks) == pytest.approx(
        presenters.WIDTH - presenters.MARK_LABEL_WIDTH - 4
    )


def test_the_placeholder_is_gone_and_the_menu_links_the_reports(org_user, as_user):
    client = as_user(org_user)
    assert client.get("/monitoring/reports/").status_code == HTTPStatus.NOT_FOUND
    html = client.get(reverse("cabinet")).content.decode()
    # the menu item «Статистические отчеты» and the cabinet card
    assert html.count(f'href="{reverse("results:index")}"') == 2


def test_the_operator_publishes_from_the_admin(
    org, operator, as_user, django_capture_on_commit_callbacks
):
    collection = make_collection(organizations=[org])
    definition = make_definition(collection)
    submit_results(collection, org, [result_row(4, 2, 2, 2)])
    client = as_user(operator)
    change = reverse("admin:results_reportdefinition_change", args=[definition.pk])
    assert "Шкала перевода первичных баллов в отметки" in client.get(change).content.decode()
    changelist = reverse("admin:results_reportdefinition_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            changelist, {"action": "publish", "_selected_action": [definition.pk]}
        )
    assert response.status_code == HTTPStatus.FOUND
    definition.refresh_from_db()
    assert definition.is_published and definition.status == "published"
    page = client.get(org_url(definition, org)).content.decode()
    assert "Данные сформированы" in page


def test_the_school_opening_its_published_report_ticks_its_checklist(
    published, org, org_user, regional, as_user
):
    from studies.models import StatisticalReportOpened

    study = published.collection.study
    as_user(regional).get(org_url(published, org))
    assert not StatisticalReportOpened.objects.filter(study=study).exists()
    as_user(org_user).get(org_url(published, org))
    as_user(org_user).get(org_url(published, org))
    assert StatisticalReportOpened.objects.filter(study=study, organization=org).count() == 1
