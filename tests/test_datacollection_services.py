"""Autosave of one cell, conflicts, the window, dynamic rows and «Сдать отчет»."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from accounts.models import AuditEvent
from datacollection import services
from datacollection.models import Cell, Extension, Report, Submission
from datacollection.selectors import collection_cards_for_user, report_for_user_or_404
from datacollection.validation import CellError
from tests.factories import ReportFactory, cell_address, fill_valid, make_collection, save_cell

pytestmark = pytest.mark.django_db


@pytest.fixture
def collection(org):
    return make_collection(organizations=[org])


@pytest.fixture
def report(collection, org):
    return ReportFactory(collection=collection, organization=org)


address = cell_address
save = save_cell


def test_saving_a_cell_stores_it_starts_the_report_and_is_audited(report, org_user):
    saved = save(report, org_user, "counts", "grade4", "listed", " 25 ")
    assert (saved.value, saved.version, saved.changed) == ("25", 1, True)
    report.refresh_from_db()
    assert report.status == Report.Status.IN_PROGRESS
    assert report.started_at is not None and report.last_saved_at is not None
    event = AuditEvent.objects.get(action="report.cell_saved")
    assert event.actor == org_user and event.organization == report.organization
    assert event.details == {"old": "", "new": "25", "version": 1}
    assert "counts/grade4/listed" in event.target


def test_saving_one_cell_leaves_other_cells_untouched(report, org_user):
    save(report, org_user, "counts", "grade4", "listed", "25")
    other = Cell.objects.get(column_key="listed")
    updated_at = other.updated_at
    save(report, org_user, "counts", "grade4", "present", "20")
    other.refresh_from_db()
    assert (other.value, other.version, other.updated_at) == ("25", 1, updated_at)


def test_stale_edit_is_refused_with_the_current_value(report, org_user):
    save(report, org_user, "counts", "grade4", "listed", "25")  # tab A
    save(report, org_user, "counts", "grade4", "listed", "26", base_version=1)  # tab A again
    with pytest.raises(services.CellConflictError) as caught:  # tab B still saw version 1
        save(report, org_user, "counts", "grade4", "listed", "30", base_version=1)
    assert (caught.value.current_value, caught.value.current_version) == ("26", 2)
    assert Cell.objects.get(column_key="listed").value == "26"


def test_invalid_value_changes_nothing(report, org_user):
    with pytest.raises(CellError):
        save(report, org_user, "counts", "grade4", "listed", "-3")
    assert not Cell.objects.exists()
    assert not AuditEvent.objects.exists()


def test_unknown_row_is_refused(report, org_user):
    with pytest.raises(services.DataCollectionError, match="Такой строки"):
        save(report, org_user, "counts", "grade11", "listed", "1")


@pytest.mark.parametrize(
    "window",
    [
        {"closes_at": timezone.now() - timedelta(minutes=1)},
        {"opens_at": timezone.now() + timedelta(hours=1)},
        {"closed_manually": True},
    ],
)
def test_closed_collection_refuses_autosave_and_submit(report, org_user, window):
    collection = report.collection
    for field, value in window.items():
        setattr(collection, field, value)
    collection.save()
    with pytest.raises(services.CollectionClosedError) as caught:
        save(report, org_user, "counts", "grade4", "listed", "25")
    assert caught.value.message == services.CLOSED_MESSAGE
    with pytest.raises(services.CollectionClosedError):
        services.report_submit(report=report, user=org_user)
    assert not Cell.objects.exists() and not Submission.objects.exists()


def test_extension_keeps_the_collection_open_for_one_organization(
    report, org_user, org_same_municipality, regional
):
    collection = report.collection
    collection.closes_at = timezone.now() - timedelta(hours=1)
    collection.save()
    assert not collection.is_open_for(report.organization)
    Extension.objects.create(
        collection=collection,
        organization=report.organization,
        until=timezone.now() + timedelta(days=1),
        granted_by=regional,
    )
    assert collection.is_open_for(report.organization)
    assert not collection.is_open_for(org_same_municipality)
    assert save(report, org_user, "counts", "grade4", "listed", "25").version == 1


def test_only_the_organization_itself_may_write(report, regional):
    with pytest.raises(services.WriteNotAllowedError):
        save(report, regional, "counts", "grade4", "listed", "25")


def test_dynamic_rows_are_added_up_to_the_maximum_and_removed_with_their_cells(report, org_user):
    table = report.collection.form.tables.get(key="results")
    rows = [services.row_add(report=report, user=org_user, table=table) for _ in range(5)]
    with pytest.raises(services.DataCollectionError, match="наибольшее число строк: 5"):
        services.row_add(report=report, user=org_user, table=table)
    save(report, org_user, "results", rows[0].key, "code", "80001")
    services.row_remove(report=report, user=org_user, table=table, row=rows[0].key)
    assert not Cell.objects.filter(row_key=rows[0].key).exists()
    removed = AuditEvent.objects.get(action="report.row_removed")
    assert removed.details == {"old": {"code": "80001"}}


def test_submit_with_errors_changes_nothing_and_lists_cell_addresses(report, org_user):
    save(report, org_user, "counts", "grade4", "listed", "25")
    save(report, org_user, "counts", "grade4", "present", "20")
    save(report, org_user, "counts", "grade4", "absent", "1")
    with pytest.raises(services.ReportHasErrorsError) as caught:
        services.report_submit(report=report, user=org_user)
    messages = [(e.anchor, e.message) for e in caught.value.errors]
    assert (
        "cell-counts-grade4-present",
        "Присутствовало + отсутствовало должно равняться числу по списку.",
    ) in messages
    assert ("cell-counts-grade8-listed", "Заполните ячейку.") in messages
    report.refresh_from_db()
    assert report.status == Report.Status.IN_PROGRESS
    assert not Submission.objects.exists()


def test_submit_stores_a_snapshot_and_later_edits_are_marked_unsubmitted(report, org_user):
    fill_valid(report, org_user)
    table = report.collection.form.tables.get(key="results")
    row = services.row_add(report=report, user=org_user, table=table)
    for key, value in (("code", "80001"), ("task_1", "2"), ("task_2", "х"), ("task_3", "1")):
        save(report, org_user, "results", row.key, key, value)
    submission = services.report_submit(report=report, user=org_user)
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED and report.submitted_at is not None
    assert not report.has_unsubmitted_changes
    results = submission.data["tables"][1]["rows"][0]["values"]
    assert results == {
        "code": "80001",
        "grade": "",
        "task_1": "2",
        "task_2": "X",
        "task_3": "1",
        "total": "3",
    }
    save(report, org_user, "results", row.key, "task_3", "2", base_version=1)
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED and report.has_unsubmitted_changes
    second = services.report_submit(report=report, user=org_user)
    assert Submission.objects.filter(report=report).count() == 2  # history kept
    assert second.data["tables"][1]["rows"][0]["values"]["total"] == "4"
    assert submission.data["tables"][1]["rows"][0]["values"]["total"] == "3"


def test_another_organizations_report_is_missing(report, other_org_user, regional, org_user):
    with pytest.raises(Http404):
        report_for_user_or_404(other_org_user, report.pk)
    assert report_for_user_or_404(regional, report.pk) == report
    assert report_for_user_or_404(org_user, report.pk) == report


def test_cards_show_status_interval_time_left_and_last_action(collection, report, org_user):
    now = timezone.now()
    [card] = collection_cards_for_user(org_user, at=now)
    assert (card.status_label, card.button_label) == ("Открыт", "Заполнить")
    assert card.time_label == "Закроется через 2 дня"
    assert card.last_action == "Данные не вводились"
    save(report, org_user, "counts", "grade4", "listed", "25")
    [card] = collection_cards_for_user(org_user, at=now)
    assert card.button_label == "Редактировать"
    assert card.last_action.startswith("Данные сохранены ")
    assert card.last_action.endswith(" (МСК), отчет не сдан")
    [card] = collection_cards_for_user(org_user, at=collection.closes_at + timedelta(seconds=1))
    assert (card.status_label, card.button_label) == ("Закрыт", "Просмотреть")


def test_cards_cost_the_same_queries_for_many_collections(org, org_user, django_assert_num_queries):
    for _ in range(3):
        make_collection(organizations=[org])
    # 1: collections with the extension subquery, 2: this organization's reports.
    with django_assert_num_queries(2):
        cards = collection_cards_for_user(org_user)
    assert len(cards) == 3


def test_a_report_opens_for_a_participant_only(collection, org):
    """Every report belongs to a participant of its collection: «Список участников» counts a
    status from the reports (monitoring.selectors.participants)."""
    from tests.factories import OrganizationFactory

    outsider = OrganizationFactory(municipality=org.municipality, login="edu479990")
    with pytest.raises(services.DataCollectionError) as refused:
        services.report_open(collection=collection, organization=outsider)
    assert refused.value.message == "Организация не участвует в этом сборе данных."
    assert not Report.objects.filter(organization=outsider).exists()

    opened = services.report_open(collection=collection, organization=org)
    assert services.report_open(collection=collection, organization=org) == opened
    assert Report.objects.filter(collection=collection, organization=org).count() == 1


def test_reports_left_by_removed_participants_are_settled_once(collection, org):
    """datacollection migration 0007: a report whose organization was dropped from the
    collection (the old admin form allowed it) — with data, the organization is a participant
    again; empty, it goes."""
    import importlib

    from django.apps import apps

    from tests.factories import OrganizationFactory

    settle = importlib.import_module(
        "datacollection.migrations.0007_reports_belong_to_participants"
    ).settle
    with_data = OrganizationFactory(municipality=org.municipality, login="edu479991")
    empty = OrganizationFactory(municipality=org.municipality, login="edu479992")
    kept = ReportFactory(collection=collection, organization=org)
    typed = ReportFactory(
        collection=collection, organization=with_data, status=Report.Status.IN_PROGRESS
    )
    ReportFactory(collection=collection, organization=empty)

    settle(apps, None)

    assert set(collection.organizations.values_list("login", flat=True)) == {
        org.login,
        "edu479991",
    }
    assert set(Report.objects.filter(collection=collection)) == {kept, typed}
