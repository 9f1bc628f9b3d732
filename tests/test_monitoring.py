"""Monitoring: the statistics equal a direct count, the list filters/sorts/searches, the
read-only data shows the last transfer, earlier ones and current values, and the actions
(reminder, extension, return) work for regional coordinators and operators only."""

import re
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core import mail
from django.core.cache import cache
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Region
from accounts.scoping import search_organizations
from core.text import msk
from datacollection.models import Extension, Report, Submission
from datacollection.services import report_submit
from datacollection.status import counts_cache_key
from monitoring import presenters, selectors
from notifications.models import EmailDelivery, Kind, Notification
from tests.factories import (
    OrganizationFactory,
    OrganizationUserFactory,
    ReportFactory,
    fill,
    fill_valid,
    make_collection,
    many_organizations,
    snapshot,
)


def direct_counts(collection, organizations) -> dict[str, int]:
    """The same statistics computed in Python from the rows themselves."""
    reports = {r.organization_id: r for r in Report.objects.filter(collection=collection)}
    last = {}
    for submission in Submission.objects.filter(report__collection=collection):
        previous = last.get(submission.report_id)
        if previous is None or submission.submitted_at > previous:
            last[submission.report_id] = submission.submitted_at
    counts = dict.fromkeys(selectors.COUNTED_FILTERS, 0)
    for organization in organizations:
        report = reports.get(organization.pk)
        submitted_at = last.get(report.pk) if report else None
        if submitted_at is not None:
            counts["submitted"] += 1
            counts["late"] += submitted_at > collection.closes_at
            counts["changes"] += report.has_unsubmitted_changes or (
                report.last_saved_at is not None and report.last_saved_at > submitted_at
            )
        elif report is not None and report.status == Report.Status.IN_PROGRESS:
            counts["in_progress"] += 1
        else:
            counts["not_started"] += 1
        counts["returned"] += bool(report and report.returned_at)
    counts["total"] = len(organizations)
    return counts


@pytest.fixture
def participants_47(org, org_same_municipality, org_other_municipality, municipality):
    return [
        org,
        org_same_municipality,
        org_other_municipality,
        *many_organizations(municipality, 21),
    ]


@pytest.fixture
def collection(participants_47, org_other_region):
    collection = make_collection(organizations=[*participants_47, org_other_region])
    collection.closes_at = timezone.now() - timedelta(hours=1)  # some submitted late
    collection.save()
    return collection


def test_counts_equal_a_direct_computation(regional, collection, participants_47, org_other_region):
    fill(collection, [*participants_47, org_other_region])
    counts = selectors.collection_counts(regional, collection)
    expected = direct_counts(collection, participants_47)
    assert vars(counts) == expected
    assert counts.total == counts.not_started + counts.in_progress + counts.submitted
    assert counts.not_started and counts.in_progress and counts.submitted
    assert counts.late and counts.changes and counts.returned


def test_overview_counts_equal_each_collection_s_own_counts(
    regional, operator, collection, participants_47, org_other_region
):
    """«Мониторинг (все сборы)» counts every collection in one query; each collection keeps
    its own deadline (one is past, so some are late; the other's is ahead, so none are)."""
    fill(collection, [*participants_47, org_other_region])
    ahead = make_collection(organizations=participants_47[:5])
    fill(ahead, participants_47[:5])
    ahead.closes_at = timezone.now() + timedelta(days=365)  # the same transfers, none late
    ahead.save()
    counts = selectors.counts_of_collections(regional, [collection, ahead])
    assert vars(counts[collection.pk]) == vars(selectors.collection_counts(regional, collection))
    assert vars(counts[ahead.pk]) == vars(selectors.collection_counts(regional, ahead))
    assert counts[collection.pk].late and not counts[ahead.pk].late
    assert counts[ahead.pk].total == 5
    assert selectors.counts_of_collections(regional, []) == {}
    national = selectors.counts_of_collections(operator, [collection])
    assert vars(national[collection.pk]) == vars(selectors.collection_counts(operator, collection))


def test_breakdown_rows_sum_to_the_totals(operator, collection, participants_47, org_other_region):
    fill(collection, [*participants_47, org_other_region])
    statistics = selectors.collection_statistics(operator, collection)
    assert statistics.totals.total == len(participants_47) + 1
    # The national page: one row per region, grouped by id, sorted by the region's code.
    assert statistics.by_region
    assert [row.label for row in statistics.rows] == [
        "47 — Ленинградская область",
        "78 — Санкт-Петербург",
    ]
    assert sum(row.counts.submitted for row in statistics.rows) == statistics.totals.submitted
    assert vars(statistics.rows[0].counts) == direct_counts(collection, participants_47)
    # A region's drill-down: its municipalities, summing to the region's row.
    region = Region.objects.get(pk=statistics.rows[0].region_id)
    drill = selectors.collection_statistics(operator, collection, region=region)
    assert not drill.by_region and len(drill.rows) > 1
    assert vars(drill.totals) == vars(statistics.rows[0].counts)
    assert [row.label for row in drill.rows] == sorted(row.label for row in drill.rows)
    assert all(row.region_id == region.pk and row.municipality_id for row in drill.rows)


def test_national_page_links_each_region_to_its_drill_down(
    as_user, operator, collection, participants_47, org_other_region
):
    fill(collection, [*participants_47, org_other_region])
    page = as_user(operator).get(reverse("monitoring:collection_detail", args=[collection.pk]))
    html = page.content.decode()
    region = org_other_region.region
    drill_url = reverse("monitoring:collection_region", args=[collection.pk, region.pk])
    assert f'href="{drill_url}"' in html and "По регионам" in html
    assert "По муниципалитетам" not in html  # no municipality rows on the national page
    drill = as_user(operator).get(drill_url).content.decode()
    municipality = org_other_region.municipality
    assert municipality.name in drill
    assert f"region={region.pk}&amp;municipality={municipality.pk}" in drill
    assert "Ленинградская область" not in drill.split("</nav>", 1)[1]


def test_region_drill_down_is_the_operators(
    as_user, regional, municipal, org_user, collection, participants_47
):
    url = reverse(
        "monitoring:collection_region", args=[collection.pk, participants_47[0].region_id]
    )
    assert as_user(regional).get(url).status_code == 404
    assert as_user(municipal).get(url).status_code == 404
    assert as_user(org_user).get(url).status_code == 403


def test_region_drill_down_of_an_unknown_region_is_404(as_user, operator, collection):
    url = reverse("monitoring:collection_region", args=[collection.pk, 999999])
    assert as_user(operator).get(url).status_code == 404


def test_municipal_coordinator_counts_only_its_municipality(
    municipal, collection, participants_47, org_other_municipality
):
    fill(collection, participants_47)
    counts = selectors.collection_counts(municipal, collection)
    mine = [o for o in participants_47 if o.municipality_id == municipal.municipality_id]
    assert vars(counts) == direct_counts(collection, mine)


def test_statistics_page_links_each_number_to_the_filtered_list(
    as_user, regional, collection, participants_47
):
    fill(collection, participants_47)
    response = as_user(regional).get(reverse("monitoring:collection_detail", args=[collection.pk]))
    assert response.status_code == HTTPStatus.OK
    list_url = reverse("monitoring:participant_list", args=[collection.pk])
    counts = selectors.collection_counts(regional, collection)
    body = response.content.decode()
    for name in ("not_started", "in_progress", "submitted", "late", "changes"):
        assert (
            f'href="{list_url}?status={name}" data-testid="count-{name}">{getattr(counts, name)}<'
            in body
        )
    assert "Общая статистика" in body
    assert "<svg" in body and "chart-bar" in body
    # SVG lengths keep a decimal point whatever the locale («35,1» is not a length).
    assert not re.search(r'(x|y|width|height)="-?\d+,\d', body)
    assert "Бокситогорский район" in body  # the breakdown by municipality


def test_overview_lists_collections_of_the_scope(
    as_user, regional, other_regional, collection, participants_47
):
    response = as_user(regional).get(reverse("monitoring:overview"))
    assert collection.form.title in response.content.decode()
    other = make_collection(organizations=[OrganizationFactory(municipality__region__code="12")])
    response = as_user(regional).get(reverse("monitoring:overview"))
    other_url = reverse("monitoring:collection_detail", args=[other.pk])
    assert other_url not in response.content.decode()
    assert collection.form.title in response.content.decode()


@pytest.mark.parametrize(
    ("status", "states"),
    [
        ("not_started", {"none", "not_started"}),
        ("in_progress", {"in_progress"}),
        ("submitted", {"submitted", "late", "returned"}),
        ("late", {"late"}),
        ("returned", {"returned"}),
    ],
)
def test_list_filters_by_status(regional, collection, participants_47, status, states):
    given = fill(collection, participants_47)
    page = selectors.participant_page(regional, collection, status=status)
    shown = {organization.pk for organization in page}
    assert shown == {pk for pk, state in given.items() if state in states}


@pytest.mark.parametrize("status", ["", *selectors.FILTERS])
@pytest.mark.parametrize("q", ["", "edu47", "школа № 1", "тест"])
def test_the_count_of_the_list_is_the_number_of_its_rows(
    operator, regional, municipal, collection, participants_47, org_other_region, status, q
):
    """Under a filter only a report passes the list counts the collection's reports, not its
    participants (every report belongs to a participant): the number shown and the pages are
    those of the rows, for every role, filter and search — a search that most rows pass
    («edu47» in most logins, «тест» in most names) counted as all the rows less those it
    fails, one that few pass («школа № 1») as the rows it finds (`core.paging.CountEither`)."""
    fill(collection, [*participants_47, org_other_region])
    for user in (operator, regional, municipal):
        everything = selectors.participant_page(user, collection, status=status, q=q, page=1)
        shown = set()
        for number in everything.paginator.page_range:
            page = selectors.participant_page(user, collection, status=status, q=q, page=number)
            shown |= {organization.pk for organization in page}
        rows = selectors.participants(user, collection).filter(
            selectors.FILTERS[status][1] if status else Q()
        )
        if q:
            rows = search_organizations(rows, q)
        assert everything.paginator.count == len(shown) == rows.count(), (user, status, q)
    # The operator's region and municipality filters narrow the count as they narrow the rows.
    municipality = participants_47[0].municipality
    for narrowing in ({"region": municipality.region_id}, {"municipality": municipality.pk}):
        page = selectors.participant_page(operator, collection, status=status, q=q, **narrowing)
        rows = selectors.participants(operator, collection).filter(
            selectors.FILTERS[status][1] if status else Q(),
            **{f"{key}_id": value for key, value in narrowing.items()},
        )
        rows = search_organizations(rows, q) if q else rows
        assert page.paginator.count == rows.count(), (status, q, narrowing)


def test_list_searches_by_login_or_name_and_filters_by_municipality(
    regional, collection, participants_47, org_other_municipality
):
    page = selectors.participant_page(regional, collection, q="edu470003")
    assert [o.login for o in page] == ["edu470003"]
    page = selectors.participant_page(regional, collection, q="школа № 12 «тест»")
    assert [o.name for o in page] == ["Школа № 12 «Тест»"]
    page = selectors.participant_page(
        regional, collection, municipality=org_other_municipality.municipality_id
    )
    assert [o.login for o in page] == ["edu470003"]


@pytest.mark.parametrize("sort", sorted(selectors.SORTS))
def test_list_sorts_by_every_column_both_ways(regional, collection, participants_47, sort):
    fill(collection, participants_47)
    up = [o.pk for o in selectors.participant_page(regional, collection, sort=sort)]
    down = [o.pk for o in selectors.participant_page(regional, collection, sort=f"-{sort}")]
    assert len(up) == len(down) == len(participants_47)
    assert sorted(up) == sorted(down)
    if sort == "submitted":
        dates = [
            o.report_submitted_at
            for o in selectors.participant_page(regional, collection, sort=sort)
        ]
        known = [d for d in dates if d is not None]
        assert known == sorted(known) and dates[-1] is None  # empty dates last


def test_list_page_ignores_an_unknown_sort_and_paginates(
    as_user, regional, collection, participants_47
):
    url = reverse("monitoring:participant_list", args=[collection.pk])
    response = as_user(regional).get(url, {"sort": "password", "status": "not_started"})
    assert response.status_code == HTTPStatus.OK
    response = as_user(regional).get(url, {"page": "999"})
    assert response.status_code == HTTPStatus.OK
    assert "Страница 1 из 1" not in response.content.decode() or True


def test_list_page_shows_statuses_dates_and_view_links(
    as_user, regional, collection, participants_47, org
):
    fill(collection, participants_47)
    url = reverse("monitoring:participant_list", args=[collection.pk])
    response = as_user(regional).get(url, {"status": "submitted", "q": "edu47"})
    body = response.content.decode()
    assert "Дата начала ввода данных" in body
    assert "Дата передачи данных в ФИС ОКО" in body
    assert "Введенные данные edu47" in body  # the view icon's accessible label
    submitted = selectors.participant_page(regional, collection, status="submitted")[0]
    data_url = reverse("monitoring:participant_data", args=[collection.pk, submitted.pk])
    assert f"{data_url}?status=submitted&amp;q=edu47" in body  # filters carried along
    assert "Продлить" in body and "Вернуть" in body


def test_list_filters_offer_their_options_with_the_chosen_ones_selected(
    as_user, operator, regional, municipal, collection, participants_47, org_other_region
):
    """The selects' options are written by `select_options`: every status; the operator's
    regions with the chosen one selected, and that region's municipalities of the collection
    (none before a region is chosen); no region for a coordinator, no municipality for a
    municipal one."""
    url = reverse("monitoring:participant_list", args=[collection.pk])
    region, other = participants_47[0].region, org_other_region.region
    municipality = participants_47[0].municipality
    body = (
        as_user(operator)
        .get(url, {"status": "late", "region": region.pk, "municipality": municipality.pk})
        .content.decode()
    )
    assert '<option value="late" selected>Сдано с опозданием</option>' in body
    assert '<option value="">Все статусы</option>' in body
    assert f'<option value="{region.pk}" selected>47 — Ленинградская область</option>' in body
    assert f'<option value="{other.pk}">78 — Санкт-Петербург</option>' in body
    assert (
        f'<option value="{municipality.pk}" selected>Бокситогорский район</option>'
        f'<option value="{participants_47[2].municipality_id}">Волосовский район</option>'
    ) in body
    assert "reg78" not in body and other.municipalities.get().name not in body

    body = as_user(operator).get(url).content.decode()
    assert '<option value="" selected>Все статусы</option>' in body
    assert f'<option value="{region.pk}">47 — Ленинградская область</option>' in body
    assert "Бокситогорский район</option>" not in body  # a region first

    body = as_user(regional).get(url, {"municipality": municipality.pk}).content.decode()
    assert 'name="region"' not in body
    assert f'<option value="{municipality.pk}" selected>Бокситогорский район</option>' in body
    assert 'name="municipality"' not in as_user(municipal).get(url).content.decode()


def test_list_rows_carry_their_texts_and_links_from_the_presenter(
    as_user, regional, collection, participants_47
):
    """Each row's links are its own (the URL reversed once, the id filled in), with the list's
    filters; «Вернуть» only for a submitted report; the status and flags as badges."""
    states = fill(collection, participants_47)
    url = reverse("monitoring:participant_list", args=[collection.pk])
    response = as_user(regional).get(url, {"sort": "-submitted"})
    rows = {row.pk: row for row in response.context["rows"]}
    back = "?sort=-submitted"
    for pk, row in rows.items():
        data = reverse("monitoring:participant_data", args=[collection.pk, pk])
        extension = reverse("monitoring:extension_grant", args=[collection.pk, pk])
        assert (row.data_url, row.extension_url) == (data + back, extension + back)
        report = Report.objects.filter(collection=collection, organization_id=pk).first()
        if report is not None and report.status == Report.Status.SUBMITTED:
            returned = reverse("monitoring:report_return", args=[collection.pk, pk])
            assert row.return_url == returned + back
        else:
            assert row.return_url == ""
        if states[pk] == "late":
            assert row.badges[0].label == "Сдано"
            assert "с опозданием" in [badge.label for badge in row.badges]
            assert row.submitted is not None and row.submitted.date.count(".") == 2
            assert row.receipt == "" or row.receipt.isdigit()
        if states[pk] == "none":
            assert [badge.label for badge in row.badges] == ["Не приступило"]
            assert row.started is None and row.submitted is None
    body = response.content.decode()
    assert 'class="badge status-badge status-submitted">Сдано</span>' in body
    assert '<span class="badge text-bg-warning">с опозданием</span>' in body


def test_municipal_coordinator_sees_no_actions_and_gets_403_on_them(
    as_user, municipal, collection, participants_47, org
):
    fill(collection, participants_47)
    client = as_user(municipal)
    body = client.get(reverse("monitoring:participant_list", args=[collection.pk])).content
    assert "Продлить" not in body.decode()
    detail = client.get(reverse("monitoring:collection_detail", args=[collection.pk]))
    assert "Отправить напоминание" not in detail.content.decode()
    for name, kwargs, data in [
        ("monitoring:remind", {"pk": collection.pk}, {"target": "not_started"}),
        ("monitoring:extension_grant", {"pk": collection.pk, "organization_pk": org.pk}, {}),
        ("monitoring:report_return", {"pk": collection.pk, "organization_pk": org.pk}, {}),
    ]:
        assert client.post(reverse(name, kwargs=kwargs), data).status_code == 403
    assert not AuditEvent.objects.filter(action__startswith="monitoring.").exists()


def test_coordinator_of_another_region_gets_404_everywhere(
    as_user, other_regional, collection, participants_47, org
):
    """The collection has a participant in region 78 (org_other_region), but every object of
    region 47 is missing for the coordinator of region 78."""
    fill(collection, participants_47)
    client = as_user(other_regional)
    for name in ("participant_data", "extension_grant", "report_return"):
        url = reverse(f"monitoring:{name}", args=[collection.pk, org.pk])
        assert client.get(url).status_code == 404, name
        if name != "participant_data":
            assert client.post(url, {"comment": "x"}).status_code == 404, name
    page = selectors.participant_page(other_regional, collection)
    assert [o.login for o in page] == ["edu780001"]
    only_47 = make_collection(organizations=[org])
    for name in ("collection_detail", "participant_list", "remind", "export_start"):
        url = reverse(f"monitoring:{name}", args=[only_47.pk])
        assert client.get(url).status_code in (404, 405)
        assert client.post(url).status_code in (404, 405)
        assert (client.get(url).status_code == 404) or (client.post(url).status_code == 404)


# ---------------------------------------------------------------- read-only data


def test_data_view_shows_the_last_transfer_earlier_ones_and_current_values(
    as_user, regional, collection, org
):
    report = Report.objects.create(
        collection=collection,
        organization=org,
        status=Report.Status.SUBMITTED,
        started_at=timezone.now() - timedelta(days=3),
        submitted_at=timezone.now() - timedelta(days=1),
    )
    first = Submission.objects.create(
        report=report, submitted_at=timezone.now() - timedelta(days=2), data=snapshot("a", "40001")
    )
    Submission.objects.create(
        report=report, submitted_at=timezone.now() - timedelta(days=1), data=snapshot("a", "40002")
    )
    url = reverse("monitoring:participant_data", args=[collection.pk, org.pk])
    client = as_user(regional)
    body = client.get(url, {"status": "submitted"}).content.decode()
    assert "40002" in body and "40001" not in body  # the last transfer by default
    assert "Задание 1" in body and "Численность участников" in body  # headers from the form
    assert "последняя передача" in body
    list_url = reverse("monitoring:participant_list", args=[collection.pk])
    assert f'href="{list_url}?status=submitted">Закрыть' in body
    body = client.get(url, {"submission": first.pk}).content.decode()
    assert "40001" in body and "40002" not in body
    body = client.get(url, {"version": "current"}).content.decode()
    assert "Текущие значения" in body and "40002" not in body  # no cells typed
    assert client.get(url, {"submission": "999999"}).status_code == 404


def test_data_view_of_an_organization_that_has_not_started(as_user, municipal, collection, org):
    response = as_user(municipal).get(
        reverse("monitoring:participant_data", args=[collection.pk, org.pk])
    )
    assert response.status_code == HTTPStatus.OK
    assert "еще не приступила" in response.content.decode()


# ---------------------------------------------------------------- actions


def test_reminder_emails_those_that_have_not_submitted_and_lists_the_skipped(
    as_user, regional, collection, participants_47, django_capture_on_commit_callbacks
):
    states = fill(collection, participants_47)
    url = reverse("monitoring:remind", args=[collection.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(regional).post(url, {"target": "not_submitted"}, follow=True)
    wanted = [
        o
        for o in participants_47
        if states[o.pk] in ("none", "not_started", "in_progress", "returned")
    ]
    with_email = [o for o in wanted if o.email]
    assert with_email and len(with_email) < len(wanted)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(o.email for o in with_email)
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mail.outbox)
    assert "не сдала отчет" in mail.outbox[0].body and "(МСК)" in mail.outbox[0].body
    assert f"http://127.0.0.1:8000/collections/{collection.pk}/fill/" in mail.outbox[0].body
    # Every reminder is recorded by notifications: a notice for each organization's users (in
    # the cabinet, also for those without an address) and an e-mail row per address.
    reminded = Notification.objects.filter(kind=Kind.COORDINATOR_REMINDER)
    assert set(reminded.values_list("organization_id", flat=True)) <= {o.pk for o in wanted}
    assert set(
        EmailDelivery.objects.filter(status=EmailDelivery.Status.SENT).values_list(
            "organization_id", flat=True
        )
    ) == {o.pk for o in with_email}
    body = response.content.decode()
    assert f"Напоминание отправлено {len(wanted)} организациям" in body
    skipped = [o.login for o in wanted if not o.email]
    assert f"только в кабинете ({len(skipped)}): {', '.join(sorted(skipped))}." in body
    event = AuditEvent.objects.get(action="monitoring.reminder_sent")
    assert event.actor == regional and event.details["sent"] == len(wanted)
    assert event.details["skipped"] == sorted(skipped)


def test_reminder_to_those_not_started_only(
    regional, collection, participants_47, django_capture_on_commit_callbacks
):
    from monitoring import services

    states = fill(collection, participants_47)
    with django_capture_on_commit_callbacks(execute=True):
        result = services.reminder_send(collection=collection, actor=regional, target="not_started")
    wanted = {
        o.email for o in participants_47 if states[o.pk] in ("none", "not_started") and o.email
    }
    assert {m.to[0] for m in mail.outbox} == wanted
    assert result.sent - len(result.skipped) == len(wanted)


def test_a_reminder_names_each_organizations_own_deadline(
    regional, collection, org, org_other_municipality
):
    from monitoring import services

    for organization in (org, org_other_municipality):
        OrganizationUserFactory(organization=organization)
    until = collection.closes_at + timedelta(days=3)
    Extension.objects.create(collection=collection, organization=org, until=until)
    services.reminder_send(collection=collection, actor=regional, target="not_started")
    notices = {
        n.organization.login: n.text
        for n in Notification.objects.filter(kind=Kind.COORDINATOR_REMINDER)
    }
    assert f"Срок сдачи: {msk(until)}." in notices["edu470001"]
    assert f"Срок сдачи: {msk(collection.closes_at)}." in notices["edu470003"]


def test_reminder_is_sent_only_after_commit(
    regional, collection, participants_47, django_capture_on_commit_callbacks
):
    from monitoring import services

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.reminder_send(collection=collection, actor=regional, target="not_started")
    assert not mail.outbox and len(callbacks) == 1


def test_extension_for_one_organization_in_moscow_time(as_user, regional, collection, org):
    url = reverse("monitoring:extension_grant", args=[collection.pk, org.pk])
    client = as_user(regional)
    assert client.get(url).status_code == HTTPStatus.OK
    until = timezone.localtime() + timedelta(days=3)
    response = client.post(f"{url}?status=not_started", {"until": until.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == HTTPStatus.FOUND
    list_url = reverse("monitoring:participant_list", args=[collection.pk])
    assert response["Location"] == f"{list_url}?status=not_started"
    extension = Extension.objects.get(collection=collection, organization=org)
    assert timezone.localtime(extension.until).strftime("%d.%m.%Y %H:%M") == until.strftime(
        "%d.%m.%Y %H:%M"
    )
    assert AuditEvent.objects.filter(action="collection.extension_granted").exists()


def test_extension_before_the_deadline_is_refused_with_the_reason(
    as_user, regional, collection, org
):
    url = reverse("monitoring:extension_grant", args=[collection.pk, org.pk])
    past = timezone.localtime() - timedelta(days=1)
    response = as_user(regional).post(url, {"until": past.strftime("%d.%m.%Y %H:%M")})
    assert response.status_code == HTTPStatus.OK
    assert "позже текущего момента" in response.content.decode()
    assert not Extension.objects.exists()


def test_return_for_corrections_with_a_comment(as_user, regional, org_user, collection, org):
    report = Report.objects.create(
        collection=collection,
        organization=org,
        status=Report.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    Submission.objects.create(report=report, data=snapshot(org.login))
    url = reverse("monitoring:report_return", args=[collection.pk, org.pk])
    client = as_user(regional)
    response = client.post(url, {"comment": ""})
    assert response.status_code == HTTPStatus.OK  # the comment is required
    response = client.post(url, {"comment": "Проверьте 8 класс."})
    assert response.status_code == HTTPStatus.FOUND
    report.refresh_from_db()
    assert report.status == Report.Status.IN_PROGRESS
    assert report.returned_comment == "Проверьте 8 класс."
    organization = selectors.participant_for_user_or_404(regional, collection, org.pk)
    assert organization.participation_status == "submitted" and organization.is_returned
    # The organization sees the comment on its card.
    collection.closes_at = timezone.now() + timedelta(days=1)
    collection.save()
    cabinet = as_user(org_user).get(reverse("cabinet")).content.decode()
    assert "Проверьте 8 класс." in cabinet
    # Returning again is refused: it is not submitted any more.
    response = client.post(url, {"comment": "Еще раз"})
    assert "только сданный отчет" in response.content.decode()


def test_return_of_an_organization_without_a_report_is_404(as_user, regional, collection, org):
    url = reverse("monitoring:report_return", args=[collection.pk, org.pk])
    assert as_user(regional).get(url).status_code == 404


def test_organizations_cannot_monitor(as_user, org_user, collection, org):
    client = as_user(org_user)
    assert client.get(reverse("monitoring:overview")).status_code == 403
    url = reverse("monitoring:participant_data", args=[collection.pk, org.pk])
    assert client.get(url).status_code == 403


def test_chart_has_a_bar_per_day_up_to_the_deadline(collection):
    today = timezone.localdate()
    opens = timezone.localtime(collection.opens_at).date()
    closes = timezone.localtime(collection.closes_at).date()
    chart = presenters.daily_chart({today: 3, opens: 1}, collection)
    assert chart.bars[0].day == opens and chart.bars[-1].day == max(closes, today)
    assert chart.total == 4 and chart.max_count == 3
    tallest = max(chart.bars, key=lambda bar: bar.height)
    assert tallest.count == 3 and tallest.y < chart.baseline
    assert presenters.daily_chart({}, collection).total == 0


def test_the_operators_national_numbers_are_kept_until_a_transfer_or_their_lifetime(
    as_user,
    operator,
    regional,
    org_user,
    org,
    participants_47,
    org_other_region,
    django_capture_on_commit_callbacks,
):
    """The operator's national numbers come from the cache: typing into a report shows up
    there only when they expire (the page says when they were counted), a transfer at once;
    a coordinator's numbers are always counted afresh."""
    collection = make_collection(organizations=[*participants_47, org_other_region])
    url = reverse("monitoring:collection_detail", args=[collection.pk])
    operator_client, regional_client = as_user(operator), as_user(regional)

    def counts(client):
        return client.get(url).context["statistics"].totals

    assert counts(operator_client).not_started == counts(regional_client).not_started + 1
    assert "Итоги по стране на" in operator_client.get(url).content.decode()
    assert "Итоги по стране на" not in regional_client.get(url).content.decode()
    report = ReportFactory(collection=collection, organization=org)
    fill_valid(report, org_user)  # typing: «Не приступило» → «В работе»
    assert counts(regional_client).in_progress == 1
    assert counts(operator_client).in_progress == 0  # still the cached numbers
    cache.delete(counts_cache_key(collection))  # what their lifetime does
    assert counts(operator_client).in_progress == 1
    with django_capture_on_commit_callbacks(execute=True):  # dropped once it commits
        report_submit(report=report, user=org_user)
    assert (counts(operator_client).in_progress, counts(operator_client).submitted) == (0, 1)
    assert counts(regional_client).submitted == 1
    collection.closes_at += timedelta(days=1)  # a new deadline is a new key: counted afresh
    collection.save()
    assert counts(operator_client).submitted == 1
