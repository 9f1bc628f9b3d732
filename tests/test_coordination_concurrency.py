"""The coordinator's actions at the same moment as the school's writes, on PostgreSQL: a return
for corrections while the school submits again or types, two extensions granted at once (a
double click, two coordinators). Every write locks the report row first and nothing locks a
user or organization row for update, so there is no crosswise wait: no deadlock, no 500.

Needs PostgreSQL (DATABASE_URL); on SQLite writes are serialized by the file lock."""

import contextlib
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core.errors import ServiceError
from datacollection import services
from datacollection.models import Extension, Report
from tests.factories import ReportFactory, fill_valid, make_collection, run_in_threads

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL)"
    ),
]

ROUNDS = 8


@pytest.fixture
def report(org, org_user):
    report = ReportFactory(collection=make_collection(organizations=[org]), organization=org)
    fill_valid(report, org_user)
    return report


def test_return_while_the_school_submits_and_types(report, org_user, regional):
    table = report.collection.form.tables.get(key="counts")
    column = table.columns.get(key="listed")

    def school():
        for _ in range(ROUNDS):
            current = Report.objects.get(pk=report.pk)
            with contextlib.suppress(ServiceError):
                services.report_submit(report=current, user=org_user)
            cell = current.cells.get(table=table, row_key="grade4", column_key="listed")
            with contextlib.suppress(ServiceError):
                services.cell_save(
                    report=current,
                    user=org_user,
                    table=table,
                    row="grade4",
                    column=column,
                    value="25",
                    base_version=cell.version,
                )

    def coordinator():
        for _ in range(ROUNDS):
            with contextlib.suppress(ServiceError):  # not submitted at this moment: refused
                services.report_return_for_corrections(
                    report=Report.objects.get(pk=report.pk), actor=regional, comment="Исправьте."
                )

    run_in_threads(school, coordinator)


def test_two_extensions_at_once_leave_one(report, org, regional, operator):
    until = report.collection.closes_at + timedelta(days=3)
    if until <= timezone.now():
        until = timezone.now() + timedelta(days=3)

    def grant(actor, days):
        def run():
            for number in range(ROUNDS):
                services.extension_grant(
                    collection=report.collection,
                    organization=org,
                    until=until + timedelta(days=days, minutes=number),
                    actor=actor,
                )

        return run

    run_in_threads(grant(regional, 0), grant(operator, 1), grant(regional, 2))
    assert Extension.objects.filter(collection=report.collection, organization=org).count() == 1
