"""The one rule of a participant's status (datacollection.status), read two ways: in Python for
one report (the school's card) and in SQL for many organizations (monitoring). Every state a
report can be in is built, both readings are compared, and the expected answer is pinned."""

from datetime import timedelta

import pytest
from django.db.models import FilteredRelation, OuterRef, Q
from django.utils import timezone

from accounts.models import Organization
from datacollection import status as rule
from datacollection.models import Collection, Report
from monitoring import selectors as monitoring_selectors
from tests.factories import OrganizationFactory, make_collection

NOW = timezone.now()
DEADLINE = NOW + timedelta(days=1)
S = Report.Status

# name → (report fields or None, expected (status, late, changes, returned, not submitted))
STATES = {
    "no report": (None, (S.NOT_STARTED, False, False, False, True)),
    "opened, nothing typed": (
        {"status": S.NOT_STARTED},
        (S.NOT_STARTED, False, False, False, True),
    ),
    "in progress": (
        {"status": S.IN_PROGRESS, "started_at": NOW, "last_saved_at": NOW},
        (S.IN_PROGRESS, False, False, False, True),
    ),
    "submitted": (
        {"status": S.SUBMITTED, "started_at": NOW, "last_saved_at": NOW, "submitted_at": NOW},
        (S.SUBMITTED, False, False, False, False),
    ),
    "submitted late (extension)": (
        {
            "status": S.SUBMITTED,
            "started_at": NOW,
            "last_saved_at": NOW,
            "submitted_at": DEADLINE + timedelta(hours=3),
        },
        (S.SUBMITTED, True, False, False, False),
    ),
    "submitted, changed since (flag)": (
        {
            "status": S.SUBMITTED,
            "last_saved_at": NOW,
            "submitted_at": NOW,
            "has_unsubmitted_changes": True,
        },
        (S.SUBMITTED, False, True, False, False),
    ),
    "submitted, saved after the transfer": (
        {
            "status": S.SUBMITTED,
            "last_saved_at": NOW + timedelta(minutes=5),
            "submitted_at": NOW,
        },
        (S.SUBMITTED, False, True, False, False),
    ),
    "returned for corrections": (
        {
            "status": S.IN_PROGRESS,
            "started_at": NOW,
            "last_saved_at": NOW,
            "submitted_at": NOW,
            "returned_at": NOW + timedelta(hours=1),
            "returned_comment": "Проверьте 8 класс.",
        },
        (S.SUBMITTED, False, False, True, True),
    ),
    "returned after a late transfer, then edited": (
        {
            "status": S.IN_PROGRESS,
            "last_saved_at": DEADLINE + timedelta(hours=5),
            "submitted_at": DEADLINE + timedelta(hours=3),
            "has_unsubmitted_changes": True,
            "returned_at": DEADLINE + timedelta(hours=4),
        },
        (S.SUBMITTED, True, True, True, True),
    ),
    "submitted again after the return": (
        {
            "status": S.SUBMITTED,
            "last_saved_at": NOW + timedelta(hours=2),
            "submitted_at": NOW + timedelta(hours=2),
        },
        (S.SUBMITTED, False, False, False, False),
    ),
}


def _python(status: rule.ParticipantStatus) -> tuple:
    return (status.status, status.is_late, status.has_changes, status.is_returned,
            status.is_not_submitted)  # fmt: skip


def _sql(row) -> tuple:
    return (row.participation_status, row.is_late, row.has_changes, row.is_returned,
            row.is_not_submitted)  # fmt: skip


@pytest.mark.django_db
def test_every_state_reads_the_same_in_python_and_in_sql(operator):
    organizations = {name: OrganizationFactory() for name in STATES}
    collection = make_collection(organizations=list(organizations.values()), closes_at=DEADLINE)
    reports = {}
    for name, (fields, _expected) in STATES.items():
        if fields is not None:
            reports[name] = Report.objects.create(
                collection=collection, organization=organizations[name], **fields
            )
    # The SQL builder as monitoring uses it, and monitoring's own selector.
    annotated = {
        org.pk: org
        for org in Organization.objects.filter(collections=collection)
        .annotate(joined=FilteredRelation("reports", condition=Q(reports__collection=collection)))
        .annotate(**rule.status_annotations("joined", collection))
    }
    monitored = {org.pk: org for org in monitoring_selectors.participants(operator, collection)}
    for name, (_fields, expected) in STATES.items():
        report = reports.get(name)
        if report is not None:
            report.refresh_from_db()
        python = _python(rule.participant_status(report, collection))
        organization = organizations[name]
        assert python == expected, name
        assert _sql(annotated[organization.pk]) == expected, name
        assert _sql(monitored[organization.pk]) == expected, name
        status_order = {S.NOT_STARTED: 0, S.IN_PROGRESS: 1, S.SUBMITTED: 2}[expected[0]]
        assert monitored[organization.pk].status_order == status_order, name


@pytest.mark.django_db
def test_every_filter_selects_exactly_the_states_whose_rule_holds(operator):
    organizations = {name: OrganizationFactory() for name in STATES}
    collection = make_collection(organizations=list(organizations.values()), closes_at=DEADLINE)
    statuses = {}
    for name, (fields, _expected) in STATES.items():
        report = None
        if fields is not None:
            report = Report.objects.create(
                collection=collection, organization=organizations[name], **fields
            )
            report.refresh_from_db()
        statuses[organizations[name].pk] = rule.participant_status(report, collection)
    participants = monitoring_selectors.participants(operator, collection)
    python_filters = {
        "not_started": lambda s: s.status == S.NOT_STARTED,
        "in_progress": lambda s: s.status == S.IN_PROGRESS,
        "submitted": lambda s: s.status == S.SUBMITTED,
        "late": lambda s: s.is_late,
        "changes": lambda s: s.has_changes,
        "returned": lambda s: s.is_returned,
        "not_submitted": lambda s: s.is_not_submitted,
    }
    assert set(python_filters) == set(rule.FILTERS)
    # The same filters as conditions on the report's columns, on the participants and on the
    # rows of the collection's list of participants (what «Список участников» counts).
    participations = monitoring_selectors.participations(operator, [collection])
    for key, (_label, condition) in rule.FILTERS.items():
        in_python = {pk for pk, status in statuses.items() if python_filters[key](status)}
        in_sql = set(participants.filter(condition).values_list("pk", flat=True))
        assert in_sql == in_python, key
        on_columns = rule.filter_condition(key, "collection_report", collection.closes_at)
        assert set(participants.filter(on_columns).values_list("pk", flat=True)) == in_python
        # On the participants' annotations that copy the report's columns (`report_status`,
        # …): a missing report's NULLs read as in Python, negations included.
        annotated = rule.filter_condition(key, "report", collection.closes_at, annotated=True)
        assert set(participants.filter(annotated).values_list("pk", flat=True)) == in_python, key
        counted = participations.filter(on_columns).values_list("organization_id", flat=True)
        assert set(counted) == in_python, key
        # And as EXISTS over the reports alone (what the list counts a status with).
        exists = rule.filter_exists(
            key,
            collection.closes_at,
            collection=OuterRef("collection_id"),
            organization=OuterRef("organization_id"),
        )
        rows = Collection.organizations.through.objects.filter(collection=collection)
        assert set(rows.filter(exists).values_list("organization_id", flat=True)) == in_python


def test_only_not_started_and_not_submitted_take_organizations_without_a_report():
    needs_report = {key for key in rule.FILTERS if rule.filter_needs_report(key)}
    assert needs_report == set(rule.FILTERS) - {"not_started", "not_submitted"}


def test_labels_and_flags_of_a_returned_report_read_as_monitoring_shows_them():
    returned = rule.ParticipantStatus(
        status=S.SUBMITTED, is_late=False, has_changes=True, is_returned=True,
        is_not_submitted=True,
    )  # fmt: skip
    assert returned.label == "Сдано"
    assert returned.flags == ["есть несданные изменения", "возвращено на доработку"]
    assert returned.text == "Сдано (есть несданные изменения, возвращено на доработку)"
    plain = rule.ParticipantStatus(
        status=S.NOT_STARTED, is_late=False, has_changes=False, is_returned=False,
        is_not_submitted=True,
    )  # fmt: skip
    assert plain.text == "Не приступило" and plain.flags == []
