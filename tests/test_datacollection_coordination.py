"""What a coordinator does to an organization's report: return it for corrections, grant an
extension. Municipal coordinators and organizations cannot."""

from datetime import datetime, timedelta
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from core.errors import AccessDenied, ServiceError
from datacollection import services
from datacollection.models import Extension, Report
from datacollection.selectors import collection_cards_for_user
from monitoring import selectors as monitoring_selectors
from tests.factories import ReportFactory, fill_valid, make_collection

pytestmark = pytest.mark.django_db


@pytest.fixture
def collection(org):
    return make_collection(organizations=[org])


@pytest.fixture
def submitted_report(collection, org):
    return ReportFactory(
        collection=collection,
        organization=org,
        status=Report.Status.SUBMITTED,
        started_at=timezone.now() - timedelta(hours=2),
        submitted_at=timezone.now() - timedelta(hours=1),
    )


def test_return_for_corrections_shows_the_comment_and_reopens_the_report(
    submitted_report, regional, org_user
):
    services.report_return_for_corrections(
        report=submitted_report, actor=regional, comment="Проверьте баллы за задание 3."
    )
    submitted_report.refresh_from_db()
    assert submitted_report.status == Report.Status.IN_PROGRESS
    assert submitted_report.returned_by == regional
    card = collection_cards_for_user(org_user)[0]
    assert card.last_action.startswith("Отчет возвращен на доработку")
    assert card.report.returned_comment == "Проверьте баллы за задание 3."
    event = AuditEvent.objects.get(action="report.returned")
    assert event.details["comment"] == "Проверьте баллы за задание 3."


def test_the_schools_card_and_monitoring_show_one_status_for_a_returned_report(
    submitted_report, regional, org_user, as_user
):
    """One rule (datacollection.status) read by both pages: the school's card and the
    coordinator's participant list say «Сдано» with the flag «возвращено на доработку»."""
    services.report_return_for_corrections(
        report=submitted_report, actor=regional, comment="Исправьте."
    )
    card = collection_cards_for_user(org_user)[0]
    assert card.participant.text == "Сдано (возвращено на доработку)"
    cabinet = as_user(org_user).get(reverse("cabinet")).content.decode()
    assert 'data-testid="participant-status">Статус: Сдано, <span' in cabinet
    assert "возвращено на доработку</span>" in cabinet
    listing = as_user(regional).get(
        reverse("monitoring:participant_list", args=[submitted_report.collection.pk])
    )
    row = listing.content.decode()
    assert ">Сдано</span>" in row and ">возвращено на доработку</span>" in row
    [participant] = monitoring_selectors.participants(regional, submitted_report.collection)
    assert participant.participation_status == card.participant.status
    assert participant.is_returned is card.participant.is_returned is True


def test_submitting_again_settles_the_return(submitted_report, regional, org_user):
    services.report_return_for_corrections(
        report=submitted_report, actor=regional, comment="Исправьте."
    )
    # The organization fills the form validly and submits again.
    fill_valid(submitted_report, org_user)
    services.report_submit(report=submitted_report, user=org_user)
    submitted_report.refresh_from_db()
    assert submitted_report.status == Report.Status.SUBMITTED
    assert submitted_report.returned_comment == "" and submitted_report.returned_at is None


@pytest.mark.parametrize(
    ("comment", "message"),
    [("   ", services.EMPTY_COMMENT_MESSAGE)],
)
def test_return_needs_a_comment(submitted_report, regional, comment, message):
    with pytest.raises(services.DataCollectionError) as caught:
        services.report_return_for_corrections(
            report=submitted_report, actor=regional, comment=comment
        )
    assert caught.value.message == message
    submitted_report.refresh_from_db()
    assert submitted_report.status == Report.Status.SUBMITTED


def test_only_a_submitted_report_can_be_returned(collection, org, regional):
    report = ReportFactory(collection=collection, organization=org)
    with pytest.raises(services.DataCollectionError) as caught:
        services.report_return_for_corrections(report=report, actor=regional, comment="?")
    assert caught.value.message == services.NOT_SUBMITTED_MESSAGE


@pytest.mark.parametrize("role", ["municipal", "org_user"])
def test_municipal_coordinator_and_organization_cannot_return(submitted_report, request, role):
    with pytest.raises(services.DataCollectionError) as caught:
        services.report_return_for_corrections(
            report=submitted_report, actor=request.getfixturevalue(role), comment="?"
        )
    assert caught.value.message == services.NOT_COORDINATOR_MESSAGE
    submitted_report.refresh_from_db()
    assert submitted_report.status == Report.Status.SUBMITTED


def test_extension_is_granted_moved_and_audited(collection, org, regional):
    first = collection.closes_at + timedelta(days=1)
    services.extension_grant(collection=collection, organization=org, until=first, actor=regional)
    later = collection.closes_at + timedelta(days=3)
    services.extension_grant(collection=collection, organization=org, until=later, actor=regional)
    extension = Extension.objects.get()
    assert (extension.until, extension.granted_by) == (later, regional)
    assert collection.deadline_for(org) == later
    events = AuditEvent.objects.filter(action="collection.extension_granted").order_by("id")
    assert [e.details["old"] for e in events] == [None, first.isoformat()]


def test_extension_must_end_after_the_collection_and_in_the_future(collection, org, regional):
    with pytest.raises(services.DataCollectionError) as caught:
        services.extension_grant(
            collection=collection, organization=org, until=collection.closes_at, actor=regional
        )
    assert caught.value.message.startswith("Срок продления должен быть позже окончания сбора")
    with pytest.raises(services.DataCollectionError) as caught:
        services.extension_grant(
            collection=collection,
            organization=org,
            until=timezone.now() - timedelta(minutes=1),
            actor=regional,
        )
    assert caught.value.message == services.EXTENSION_IN_PAST_MESSAGE
    assert not Extension.objects.exists()


def test_municipal_coordinator_cannot_grant_an_extension(collection, org, municipal):
    with pytest.raises(services.DataCollectionError):
        services.extension_grant(
            collection=collection,
            organization=org,
            until=collection.closes_at + timedelta(days=1),
            actor=municipal,
        )
    assert not Extension.objects.exists()


def test_return_of_a_report_of_another_region_is_refused_by_the_service(
    org_other_region, other_regional, regional, operator
):
    """The service scopes the report itself: a caller that skipped the selectors still cannot
    act across regions."""
    collection = make_collection(organizations=[org_other_region])
    foreign = ReportFactory(
        collection=collection,
        organization=org_other_region,
        status=Report.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    with pytest.raises(services.CoordinationDeniedError) as caught:
        services.report_return_for_corrections(report=foreign, actor=regional, comment="?")
    assert caught.value.message == services.OUT_OF_SCOPE_MESSAGE
    assert isinstance(caught.value, AccessDenied) and isinstance(caught.value, ServiceError)
    foreign.refresh_from_db()
    assert foreign.status == Report.Status.SUBMITTED and foreign.returned_at is None
    assert not AuditEvent.objects.filter(action="report.returned").exists()
    # Its own coordinator and the operator may.
    for actor in (other_regional, operator):
        foreign.status = Report.Status.SUBMITTED
        foreign.save()
        services.report_return_for_corrections(report=foreign, actor=actor, comment="Исправьте.")
    assert AuditEvent.objects.filter(action="report.returned").count() == 2


def test_extension_for_an_organization_of_another_region_is_refused_by_the_service(
    org_other_region, other_regional, regional
):
    collection = make_collection(organizations=[org_other_region])
    until = collection.closes_at + timedelta(days=1)
    with pytest.raises(services.CoordinationDeniedError) as caught:
        services.extension_grant(
            collection=collection, organization=org_other_region, until=until, actor=regional
        )
    assert caught.value.message == services.OUT_OF_SCOPE_MESSAGE
    assert not Extension.objects.exists()
    services.extension_grant(
        collection=collection, organization=org_other_region, until=until, actor=other_regional
    )
    assert Extension.objects.get().granted_by == other_regional


def test_extension_for_an_organization_outside_the_collection_is_refused(
    collection, org_same_municipality, regional
):
    with pytest.raises(services.DataCollectionError) as caught:
        services.extension_grant(
            collection=collection,
            organization=org_same_municipality,
            until=collection.closes_at + timedelta(days=1),
            actor=regional,
        )
    assert caught.value.message == services.NOT_PARTICIPATING_MESSAGE
    assert not Extension.objects.exists()


def test_transferred_reports_cannot_be_deleted_or_edited_in_the_admin(
    as_user, operator, submitted_report
):
    from datacollection.models import Submission

    submission = Submission.objects.create(report=submitted_report, data={"tables": []})
    client = as_user(operator)
    for name in ("change", "delete"):
        url = reverse(f"admin:datacollection_submission_{name}", args=[submission.pk])
        response = client.post(url, {"post": "yes"})
        assert response.status_code in (HTTPStatus.OK, HTTPStatus.FORBIDDEN), name
    assert Submission.objects.filter(pk=submission.pk).exists()
    page = client.get(reverse("admin:datacollection_submission_change", args=[submission.pk]))
    assert page.status_code == HTTPStatus.OK and "Удалить" not in page.content.decode()


def _collection_admin_post(client, collection, extensions, *, deleted=()):
    """The collection's admin change form as the browser would post it, with `extensions`
    [(organization, until)] as new inline rows and `deleted` existing extensions removed."""
    url = reverse("admin:datacollection_collection_change", args=[collection.pk])
    page = client.get(url)
    localtime = timezone.localtime
    data = {
        "form": collection.form_id,
        "study": collection.study_id,
        "opens_at_0": f"{localtime(collection.opens_at):%d.%m.%Y}",
        "opens_at_1": f"{localtime(collection.opens_at):%H:%M:%S}",
        "closes_at_0": f"{localtime(collection.closes_at):%d.%m.%Y}",
        "closes_at_1": f"{localtime(collection.closes_at):%H:%M:%S}",
        "organizations": [o.pk for o in collection.organizations.all()],
    }
    [formset] = [f.formset for f in page.context["inline_admin_formsets"]]
    existing = list(formset.queryset)
    prefix = formset.prefix
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": len(existing) + len(extensions),
            f"{prefix}-INITIAL_FORMS": len(existing),
            f"{prefix}-MIN_NUM_FORMS": 0,
            f"{prefix}-MAX_NUM_FORMS": 1000,
        }
    )
    rows = [(e.organization, e.until, e.pk) for e in existing]
    rows += [(organization, until, "") for organization, until in extensions]
    for number, (organization, until, pk) in enumerate(rows):
        data[f"{prefix}-{number}-id"] = pk
        data[f"{prefix}-{number}-collection"] = collection.pk
        data[f"{prefix}-{number}-organization"] = organization.pk
        data[f"{prefix}-{number}-until_0"] = f"{localtime(until):%d.%m.%Y}"
        data[f"{prefix}-{number}-until_1"] = f"{localtime(until):%H:%M:%S}"
        if pk and pk in deleted:
            data[f"{prefix}-{number}-DELETE"] = "on"
    return client.post(url, data)


def test_extensions_added_in_the_admin_go_through_the_service(as_user, operator, collection, org):
    """The admin never writes around `extension_grant`: its date rules refuse a bad date with
    the form shown again, and a good one is granted by the operator with its audit row."""
    client = as_user(operator)
    too_early = collection.closes_at - timedelta(hours=1)
    response = _collection_admin_post(client, collection, [(org, too_early)])
    assert response.status_code == HTTPStatus.OK
    assert "Срок продления должен быть позже окончания сбора" in response.content.decode()
    assert not Extension.objects.exists()
    assert not AuditEvent.objects.filter(action="collection.extension_granted").exists()

    until = (collection.closes_at + timedelta(days=2)).replace(microsecond=0, second=0)
    response = _collection_admin_post(client, collection, [(org, until)])
    assert response.status_code == HTTPStatus.FOUND
    extension = Extension.objects.get()
    assert (extension.organization, extension.until, extension.granted_by) == (
        org,
        until,
        operator,
    )
    event = AuditEvent.objects.get(action="collection.extension_granted")
    assert event.actor == operator and event.details["old"] is None
    assert datetime.fromisoformat(event.details["new"]) == until

    response = _collection_admin_post(client, collection, [], deleted=(extension.pk,))
    assert response.status_code == HTTPStatus.FOUND
    assert not Extension.objects.exists()
    revoked = AuditEvent.objects.get(action="collection.extension_revoked")
    assert datetime.fromisoformat(revoked.details["old"]) == until
