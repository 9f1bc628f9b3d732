"""The readiness grid: counts per column equal a direct count, filters narrow the rows, the
export has a row per organization, reminders reach those who have not done the item, and the
number of queries does not grow with the number of organizations."""

from datetime import date, timedelta
from http import HTTPStatus

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization, User
from datacollection.models import Collection, Extension
from notifications.models import EmailDelivery, Kind
from studies import services
from studies.grid import PAGE_SIZE, build_grid
from studies.models import ChecklistTick, Stage, StageDate
from tests.factories import (
    OrganizationUserFactory,
    give_class,
    give_room,
    participating_study,
)

# Past the end: `Paginator.get_page` answers the last page (what «Последняя» links to).
LAST_PAGE = 99999


@pytest.fixture
def study(org, org_same_municipality, org_other_municipality, org_other_region):
    study = participating_study(
        org, org_same_municipality, org_other_municipality, org_other_region
    )
    StageDate.objects.create(
        study=study,
        stage=Stage.PREPARATION,
        starts_on=date.today() - timedelta(days=10),
        ends_on=date.today() - timedelta(days=1),
    )
    return study


def school_user(organization):
    return User.objects.filter(organization=organization).first() or OrganizationUserFactory(
        organization=organization
    )


def tick(organization, study, item):
    user = school_user(organization)
    services.tick_item(user=user, study=study, organization=organization, item_key=item)
    return user


def test_counts_per_column_equal_a_direct_count(study, regional, org, org_same_municipality):
    tick(org, study, "prep_documents")
    tick(org_same_municipality, study, "prep_documents")
    user = tick(org, study, "conduct_briefing")
    give_class(user, study, pupils=2)
    give_room(user, study)
    services.distribute_codes(user=user, study=study, organization=org)
    grid = build_grid(regional, study)
    by_key = {column.key: column for column in grid.columns}
    in_scope = Organization.objects.filter(region=regional.region)
    for key in ("prep_documents", "conduct_briefing"):
        assert (
            by_key[key].done
            == ChecklistTick.objects.filter(
                study=study, item=key, organization__in=in_scope
            ).count()
        )
    assert by_key["prep_distribution"].done == 1
    # Preparation ended yesterday: whoever has not ticked is overdue.
    assert by_key["prep_documents"].behind == 1
    assert grid.total == 3  # region 47 only


def test_behind_filter_keeps_only_organizations_behind(study, regional, org, org_same_municipality):
    for organization in (org, org_same_municipality):
        for item in ("prep_documents", "prep_readiness"):
            tick(organization, study, item)
    grid = build_grid(regional, study, behind_only=True)
    assert {row.organization.login for row in grid.rows} == {"edu470001", "edu470002", "edu470003"}
    grid = build_grid(regional, study, item="prep_documents")
    assert [row.organization.login for row in grid.rows] == ["edu470003"]


def test_municipality_filter(study, regional, org_other_municipality):
    grid = build_grid(regional, study, municipality_id=org_other_municipality.municipality_id)
    assert [row.organization for row in grid.rows] == [org_other_municipality]


def test_municipal_coordinator_sees_its_municipality_only(study, municipal):
    grid = build_grid(municipal, study)
    assert {row.organization.login for row in grid.rows} == {"edu470001", "edu470002"}


def test_grid_page_filter_and_export(study, regional, as_user, org):
    tick(org, study, "prep_documents")
    client = as_user(regional)
    url = reverse("studies:grid", args=[study.pk])
    response = client.get(url, {"item": "prep_documents"})
    assert response.status_code == HTTPStatus.OK
    assert [o.login for o, _ in response.context["rows"]] == ["edu470002", "edu470003"]
    response = client.get(reverse("studies:grid_xlsx", args=[study.pk]))
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [row[0] for row in rows] == [
        "edu470001",
        "edu470002",
        "edu470003",
        "Выполнено",
        "Просрочено",
    ]
    # The summary rows say what the page's row «Выполнено / просрочено» says.
    heading = list(next(sheet.iter_rows(min_row=2, max_row=2, values_only=True)))
    page_columns = client.get(url).context["grid"].columns
    for column in page_columns:
        index = heading.index(column.title)
        assert (rows[-2][index], rows[-1][index]) == (column.done, column.behind), column.title
    assert rows[-2][heading.index("Документы изучены")] == 1


def test_remind_reaches_every_organization_in_scope_that_has_not_done_the_item(
    study,
    regional,
    as_user,
    org,
    org_same_municipality,
    org_other_municipality,
    django_capture_on_commit_callbacks,
    settings,
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    Organization.objects.update(email="school@example.org")
    tick(org, study, "prep_documents")
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(regional).post(
            reverse("studies:grid_remind", args=[study.pk]), {"item": "prep_documents"}
        )
    assert response.status_code == HTTPStatus.FOUND
    assert len(mail.outbox) == 2  # edu470002, edu470003; not edu470001 (done), not region 78
    assert all("Знание нормативной документации" in message.body for message in mail.outbox)
    # Recorded by notifications like every reminder: one e-mail row per organization, sent.
    assert set(
        EmailDelivery.objects.filter(
            kind=Kind.COORDINATOR_REMINDER, status=EmailDelivery.Status.SENT
        ).values_list("organization__login", flat=True)
    ) == {"edu470002", "edu470003"}


def test_municipal_coordinator_cannot_remind(study, municipal, as_user):
    response = as_user(municipal).post(
        reverse("studies:grid_remind", args=[study.pk]), {"item": "prep_documents"}
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert not mail.outbox


def _many_organizations(region_org, count):
    organizations = Organization.objects.bulk_create(
        Organization(
            login=f"edu47{5000 + number:04d}",
            name=f"Школа № {number}",
            region_id=region_org.region_id,
            municipality_id=region_org.municipality_id,
        )
        for number in range(count)
    )
    return organizations


@pytest.mark.parametrize("closed", [False, True])
@pytest.mark.parametrize("filters", [{}, {"behind": "1"}, {"item": "prep_documents"}])
@pytest.mark.parametrize("count", [10, 1000])
def test_grid_query_count_is_constant(
    count, filters, closed, regional, org, django_assert_num_queries, as_user
):
    organizations = _many_organizations(org, count)
    now = timezone.now()
    # closed: the form's window timed out yesterday and one school has an extension
    window = {"opens_at": now - timedelta(days=10), "closes_at": now - timedelta(days=1)}
    study = participating_study(org, *organizations, **(window if closed else {}))
    if closed:
        Extension.objects.create(
            collection=Collection.objects.get(study=study),
            organization=org,
            until=now + timedelta(days=1),
        )
    user = school_user(org)
    give_class(user, study, pupils=2)
    give_room(user, study)
    services.distribute_codes(user=user, study=study, organization=org)
    services.tick_item(user=user, study=study, organization=org, item_key="prep_documents")
    StageDate.objects.create(  # preparation is over: everybody is behind on something
        study=study,
        stage=Stage.PREPARATION,
        starts_on=date.today() - timedelta(days=10),
        ends_on=date.today() - timedelta(days=1),
    )
    client = as_user(regional)
    url = reverse("studies:grid", args=[study.pk])
    # 1 session, 2 user, 3 the study in scope, 4 checklist settings, 5 collections,
    # 6 calendar, 7 the organizations in scope (ids and what a row shows of them), 8 the ids
    # that have done each column, for the whole scope (one UNION ALL: filters, counts; once a
    # window has timed out, the extensions keeping it open too — they were a query of their
    # own, 18 then), 9 the dated facts of the page's organizations only (one UNION ALL:
    # downloads, codes, rooms, opened reports, ticks, reports of the study's and the watched
    # forms — six queries before), 10 the study's questionnaires (the columns of
    # STUDIES_READINESS_COLUMNS; none here, so no counts), 11 the bell's unread
    # notifications, 12 municipalities for the filter (the forum badge is for schools only).
    with django_assert_num_queries(12):
        response = client.get(url, {"page": LAST_PAGE, **filters})
    assert response.status_code == HTTPStatus.OK
    assert response.context["grid"].total == count + 1
    shown = count if "item" in filters else count + 1  # edu470001 ticked the item
    assert len(response.context["grid"].shown) == shown
    assert len(response.context["rows"]) == shown % PAGE_SIZE or PAGE_SIZE


def test_cells_show_the_mark_the_day_and_the_label(study, regional, as_user, org):
    """Each distinct cell is rendered once and reused (`page_rows`): every row still shows its
    own state — done with its day, overdue, pending."""
    tick(org, study, "prep_documents")
    response = as_user(regional).get(reverse("studies:grid", args=[study.pk]))
    rows = {o.login: str(cells) for o, cells in response.context["rows"]}
    day = timezone.localtime(timezone.now()).strftime("%d.%m")
    done = (
        '<td class="grid-cell grid-done" title="Выполнено">✓<span class="d-block small">'
        f'{day}</span><span class="visually-hidden"> Выполнено</span></td>'
    )
    overdue = (
        '<td class="grid-cell grid-overdue" title="Просрочено">!'
        '<span class="visually-hidden"> Просрочено</span></td>'
    )
    assert rows["edu470001"].startswith(done)
    assert rows["edu470002"].startswith(overdue)
    content = response.content.decode()
    assert content.count(done) == 1
    assert content.count('class="grid-cell grid-') == 3 * len(response.context["grid"].columns)


def test_counts_and_filters_cover_every_page_of_the_scope(regional, org, as_user):
    organizations = _many_organizations(org, 149)
    study = participating_study(org, *organizations)
    tick(org, study, "prep_documents")
    tick(organizations[-1], study, "prep_documents")  # on the last page
    client = as_user(regional)
    url = reverse("studies:grid", args=[study.pk])
    response = client.get(url, {"page": LAST_PAGE})
    grid = response.context["grid"]
    assert (grid.total, len(grid.shown), len(response.context["rows"])) == (150, 150, 50)
    assert next(c for c in grid.columns if c.key == "prep_documents").done == 2
    response = client.get(url, {"item": "prep_documents", "page": LAST_PAGE})
    grid = response.context["grid"]
    assert (grid.total, len(grid.shown), len(response.context["rows"])) == (150, 148, 48)
    assert organizations[-1].login not in {o.login for o, _ in response.context["rows"]}


def test_an_extension_keeps_a_school_off_the_behind_list_of_a_closed_form(
    org, org_same_municipality, regional
):
    """The window closed for everyone yesterday; edu470001 has an extension until tomorrow, so
    it may still submit and is not behind on that form; edu470002 is. A manual close ends the
    extension (`Collection.is_open_for`), and then both are behind."""
    now = timezone.now()
    study = participating_study(
        org,
        org_same_municipality,
        opens_at=now - timedelta(days=10),
        closes_at=now - timedelta(days=1),
    )
    collection = Collection.objects.get(study=study)
    Extension.objects.create(collection=collection, organization=org, until=now + timedelta(days=1))
    Extension.objects.create(  # an extension that ran out too
        collection=collection, organization=org_same_municipality, until=now - timedelta(hours=1)
    )
    form = f"form-{collection.pk}"

    def behind_on_the_form():
        grid = build_grid(regional, study)
        flags = {
            row.organization.login for row in build_grid(regional, study, behind_only=True).rows
        }
        dated = {row.organization.login for row in grid.rows if row.forms[collection.pk].behind}
        assert flags == dated  # the filter and the rows shown agree
        return dated, {column.key: column for column in grid.columns}[form].behind

    assert behind_on_the_form() == ({"edu470002"}, 1)
    Collection.objects.filter(pk=collection.pk).update(closed_manually=True)
    assert behind_on_the_form() == ({"edu470001", "edu470002"}, 2)


def test_operator_picks_a_region_and_its_municipality(
    study, operator, as_user, org, org_other_region, django_assert_num_queries
):
    """The region and municipality selects list every region and the chosen region's
    municipalities, the chosen ones marked; an unknown code falls back to the first region."""
    client = as_user(operator)
    url = reverse("studies:grid", args=[study.pk])
    municipality = org_other_region.municipality
    # 1 session, 2 user, 3 study, 4 every region (the chosen one picked from them), 5 settings,
    # 6 collections, 7 calendar, 8 the organizations in scope, 9 the «done» ids, 10 the
    # page's dates, 11 questionnaires, 12 the bell, 13 the region's municipalities
    with django_assert_num_queries(13):
        response = client.get(url, {"region": "78", "municipality": municipality.pk})
    page = response.content.decode()
    assert '<option value="78" selected>' in page
    assert '<option value="47">' in page
    assert f'<option value="{municipality.pk}" selected>{municipality.name}</option>' in page
    assert f'<option value="{org.municipality_id}"' not in page  # region 47's are not offered
    assert [o.login for o, _ in response.context["rows"]] == ["edu780001"]
    response = client.get(url, {"region": "00"})
    assert response.context["region"].code == "47"
    assert '<option value="47" selected>' in response.content.decode()


def test_the_item_filter_and_the_reminder_offer_every_column_the_chosen_one_marked(
    study, regional, as_user
):
    """Both selects of columns («Не выполнен пункт», «Напомнить всем, кто не выполнил») come
    from one list of options, the column asked for marked in each."""
    response = as_user(regional).get(
        reverse("studies:grid", args=[study.pk]), {"item": "prep_documents"}
    )
    page = response.content.decode()
    assert 'data-testid="remind-form"' in page
    assert page.count('<option value="prep_documents" selected>') == 2
    for column in response.context["grid"].columns[1:]:
        assert page.count(f'<option value="{column.key}">{column.title}</option>') == 2
