"""Participating organizations removed by a list of logins on «Участвующие ОО», and the
collection's change page, which shows their number and a link there instead of a widget of
every participant (45,000 at national scale)."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from datacollection import services, status
from datacollection.models import Collection, Extension, Report, Submission
from tests.factories import fill_valid, make_collection, save_cell

from .conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def collection(org, org_same_municipality, org_other_region):
    return make_collection(organizations=[org, org_same_municipality, org_other_region])


def participants(collection) -> set[str]:
    return set(collection.organizations.values_list("login", flat=True))


def organizations_url(collection):
    return reverse("admin:datacollection_collection_organizations", args=[collection.pk])


def change_url(collection):
    return reverse("admin:datacollection_collection_change", args=[collection.pk])


# The service


def test_removed_by_logins_with_an_audit_row(
    operator, collection, django_capture_on_commit_callbacks
):
    key = status.counts_cache_key(collection)
    cache.set(key, "stale")
    with django_capture_on_commit_callbacks(execute=True):
        removed = services.collection_remove_organizations(
            collection=collection, logins=["edu470001", "edu780001", "edu470001"], actor=operator
        )
    assert removed == 2
    assert participants(collection) == {"edu470002"}
    assert cache.get(key) is None  # the statistics are counted again
    event = AuditEvent.objects.get(action="collection.organizations_removed")
    assert event.actor == operator
    assert event.target == f"collection:{collection.pk}"
    assert event.details == {
        "source": "logins:2",
        "count": 2,
        "empty_reports": 0,
        "extensions": 0,
    }


def test_an_organization_that_does_not_participate_is_not_counted(operator, collection, org):
    collection.organizations.remove(org)
    removed = services.collection_remove_organizations(
        collection=collection, logins=["edu470001", "edu470002"], actor=operator
    )
    assert removed == 1
    assert participants(collection) == {"edu780001"}


def test_unknown_logins_remove_nobody(operator, collection):
    with pytest.raises(services.UnknownLoginsError) as refused:
        services.collection_remove_organizations(
            collection=collection, logins=["edu470001", "edu479999"], actor=operator
        )
    assert refused.value.message == "Неизвестные логины (1), ничего не удалено: edu479999."
    assert len(participants(collection)) == 3
    assert not AuditEvent.objects.filter(action="collection.organizations_removed").exists()


def test_an_empty_list_is_refused(operator, collection):
    with pytest.raises(services.DataCollectionError) as refused:
        services.collection_remove_organizations(collection=collection, logins=[], actor=operator)
    assert refused.value.message == "В списке нет ни одного логина."
    assert len(participants(collection)) == 3


def test_organizations_with_entered_data_stay_and_are_listed(
    operator, collection, org, org_same_municipality, org_user, other_org_user
):
    """A report typed into (in progress) or transferred keeps its organization, and then
    nobody of the list is removed: the data is never dropped with the participation."""
    typed = services.report_open(collection=collection, organization=org)
    save_cell(typed, org_user, "counts", "grade4", "listed", "25")
    submitted = services.report_open(
        collection=collection, organization=other_org_user.organization
    )
    fill_valid(submitted, other_org_user)
    services.report_submit(report=submitted, user=other_org_user)
    with pytest.raises(services.ParticipantHasDataError) as refused:
        services.collection_remove_organizations(
            collection=collection,
            logins=["edu470001", "edu470002", "edu780001"],
            actor=operator,
        )
    assert refused.value.message == (
        "У этих ОО уже есть введенные данные в этом сборе (2), ничего не удалено: "
        "edu470001, edu780001. Данные ОО не удаляются вместе с участием."
    )
    assert len(participants(collection)) == 3
    assert Report.objects.filter(collection=collection).count() == 2
    assert Submission.objects.filter(report=submitted).exists()


def test_an_untouched_report_and_the_extension_go_with_the_participation(operator, collection, org):
    """Opened once, nothing typed: the empty report and the organization's extension mean
    something only for a participant; added back later, the organization starts clean."""
    services.report_open(collection=collection, organization=org)
    Extension.objects.create(
        collection=collection, organization=org, until=collection.closes_at + timedelta(days=3)
    )
    removed = services.collection_remove_organizations(
        collection=collection, logins=["edu470001"], actor=operator
    )
    assert removed == 1
    assert not Report.objects.filter(collection=collection, organization=org).exists()
    assert not Extension.objects.filter(collection=collection).exists()
    event = AuditEvent.objects.get(action="collection.organizations_removed")
    assert event.details["empty_reports"] == 1
    assert event.details["extensions"] == 1


# The admin


def test_change_page_shows_the_number_and_a_link_not_a_widget(as_user, operator, collection):
    content = as_user(operator).get(change_url(collection)).content.decode()
    assert 'name="organizations"' not in content
    assert "edu470002" not in content  # no participant is rendered
    link = f'3 · <a href="{organizations_url(collection)}">добавить или удалить</a>'
    assert link in content
    assert f'href="{organizations_url(collection)}">Участвующие ОО</a>' in content


def test_saving_the_change_page_keeps_the_participants(as_user, operator, collection):
    opens = timezone.localtime(collection.opens_at)
    closes = timezone.localtime(collection.closes_at)
    response = as_user(operator).post(
        change_url(collection),
        {
            "form": collection.form_id,
            "study": collection.study_id,
            "opens_at_0": opens.strftime("%d.%m.%Y"),
            "opens_at_1": opens.strftime("%H:%M:%S"),
            "closes_at_0": closes.strftime("%d.%m.%Y"),
            "closes_at_1": closes.strftime("%H:%M:%S"),
            "closed_manually": "on",
            "extensions-TOTAL_FORMS": "0",
            "extensions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    collection.refresh_from_db()
    assert collection.closed_manually
    assert len(participants(collection)) == 3


def test_a_new_collection_is_added_without_participants(as_user, operator, collection):
    client = as_user(operator)
    add_url = reverse("admin:datacollection_collection_add")
    page = client.get(add_url).content.decode()
    assert "Добавляются после сохранения сбора, на странице «Участвующие ОО»." in page
    response = client.post(
        add_url,
        {
            "form": collection.form_id,
            "study": collection.study_id,
            "opens_at_0": "01.09.2026",
            "opens_at_1": "09:00:00",
            "closes_at_0": "30.09.2026",
            "closes_at_1": "18:00:00",
            "extensions-TOTAL_FORMS": "0",
            "extensions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    new = Collection.objects.exclude(pk=collection.pk).get()
    assert not new.organizations.exists()
    assert client.get(organizations_url(new)).status_code == 200


def test_removal_by_logins_on_the_participants_page(as_user, operator, collection):
    response = as_user(operator).post(
        organizations_url(collection),
        {"remove-logins": "edu470001\nEDU780001", "remove_logins": "Удалить по списку"},
        follow=True,
    )
    assert "Удалено участвующих ОО: 2." in response.content.decode()
    assert participants(collection) == {"edu470002"}


@pytest.mark.parametrize(
    ("logins", "message"),
    [
        ("edu470001 edu479999", "Неизвестные логины (1), ничего не удалено: edu479999."),
        ("", "В списке нет ни одного логина."),
    ],
)
def test_bad_removal_input_changes_nothing(as_user, operator, collection, logins, message):
    response = as_user(operator).post(
        organizations_url(collection), {"remove-logins": logins, "remove_logins": "1"}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Ничего не удалено:" in content
    assert message in content
    assert len(participants(collection)) == 3


def test_a_participant_with_data_is_refused_on_the_page(
    as_user, operator, collection, org, org_user
):
    report = services.report_open(collection=collection, organization=org)
    save_cell(report, org_user, "counts", "grade4", "listed", "25")
    response = as_user(operator).post(
        organizations_url(collection), {"remove-logins": "edu470001", "remove_logins": "1"}
    )
    assert "ничего не удалено: edu470001." in response.content.decode()
    assert len(participants(collection)) == 3


@pytest.mark.parametrize("role", ["anonymous", "regional", "municipal", "organization"])
def test_only_operators_remove(users_by_role, collection, role):
    response = client_for(users_by_role[role]).post(
        organizations_url(collection), {"remove-logins": "edu470001", "remove_logins": "1"}
    )
    assert response.status_code == 302
    assert len(participants(collection)) == 3


@pytest.mark.parametrize("role", ["regional", "municipal", "organization"])
def test_the_services_refuse_anyone_but_the_operator(users_by_role, collection, role):
    """The services check access themselves, whoever calls them."""
    actor = users_by_role[role]
    with pytest.raises(services.ParticipantsDeniedError) as refused:
        services.collection_remove_organizations(
            collection=collection, logins=["edu470001"], actor=actor
        )
    assert refused.value.message == "Участвующие ОО меняет федеральный оператор."
    with pytest.raises(services.ParticipantsDeniedError):
        services.collection_add_organizations(
            collection=collection, logins=["edu470003"], actor=actor
        )
    assert len(participants(collection)) == 3
    assert not AuditEvent.objects.filter(action__startswith="collection.organizations").exists()
