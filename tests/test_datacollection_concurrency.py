"""Concurrent writers on one report, each thread with its own database connection.

The real race needs a server that lets two transactions run at once: PostgreSQL. Run with
DATABASE_URL=postgres://postgres@127.0.0.1:5432/fisoko_<name>; on SQLite (writes serialized by the
file lock) the test is skipped.
"""

import contextlib
import threading
import time
from unittest import mock

import pytest
from django.db import connection, transaction

from accounts.models import AuditEvent
from datacollection import services
from datacollection.errors import NOT_PARTICIPATING_MESSAGE
from datacollection.models import Cell, Report, Submission
from datacollection.services import participants as services_participants
from datacollection.validation import CellError
from tests.factories import ReportFactory, make_collection, run_in_threads

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL)"
    ),
]

ROUNDS = 15


@pytest.fixture
def report(org):
    return ReportFactory(collection=make_collection(organizations=[org]), organization=org)


def writer(report_pk, user, row, column_key):
    """Type 1, 2, … ROUNDS into one cell, each save based on the version the last answered."""

    def write():
        report = Report.objects.select_related("collection__form").get(pk=report_pk)
        table = report.collection.form.tables.get(key="counts")
        column = table.columns.get(key=column_key)
        version = 0
        for number in range(1, ROUNDS + 1):
            saved = services.cell_save(
                report=report,
                user=user,
                table=table,
                row=row,
                column=column,
                value=str(number),
                base_version=version,
            )
            version = saved.version

    return write


def test_two_writers_on_different_cells_lose_nothing(report, org_user):
    cells = [("grade4", "listed"), ("grade8", "present"), ("grade4", "absent")]
    run_in_threads(*(writer(report.pk, org_user, row, key) for row, key in cells))
    saved = {(c.row_key, c.column_key): (c.value, c.version) for c in Cell.objects.all()}
    assert saved == {address: (str(ROUNDS), ROUNDS) for address in cells}
    report.refresh_from_db()
    assert report.status == Report.Status.IN_PROGRESS


def test_two_writers_on_the_same_cell_from_the_same_version_one_gets_a_conflict(report, org_user):
    outcomes = []

    def attempt(value):
        def write():
            report_ = Report.objects.select_related("collection__form").get(pk=report.pk)
            table = report_.collection.form.tables.get(key="counts")
            column = table.columns.get(key="listed")
            try:
                services.cell_save(
                    report=report_,
                    user=org_user,
                    table=table,
                    row="grade4",
                    column=column,
                    value=value,
                    base_version=0,
                )
                outcomes.append(("saved", value))
            except services.CellConflictError as conflict:
                outcomes.append(("conflict", conflict.current_value))
            except CellError as error:  # pragma: no cover - a wrong value would be a test bug
                outcomes.append(("error", error.message))

        return write

    run_in_threads(attempt("10"), attempt("20"))
    assert sorted(kind for kind, _ in outcomes) == ["conflict", "saved"]
    winner = next(value for kind, value in outcomes if kind == "saved")
    loser_saw = next(value for kind, value in outcomes if kind == "conflict")
    cell = Cell.objects.get()
    assert (cell.value, cell.version) == (winner, 1)
    assert loser_saw == winner  # the losing tab is shown the value that won


# The autosave path (services.cells_save: one locking read, one write statement)


def block_writer(report_pk, user, addresses, rounds=ROUNDS):
    """Autosave requests of several cells, each based on the versions the last answer gave."""

    def write():
        versions = dict.fromkeys(addresses, 0)
        for number in range(1, rounds + 1):
            saved = services.cells_save(
                report_pk=report_pk,
                user=user,
                cells=[
                    services.CellInput("counts", row, column, str(number), versions[(row, column)])
                    for row, column in addresses
                ],
            )
            for (row, column), result in zip(addresses, saved.results, strict=True):
                assert result["status"] == "saved", result
                versions[(row, column)] = result["version"]

    return write


def test_autosave_writers_on_different_cells_lose_nothing(report, org_user):
    cells = [("grade4", "listed"), ("grade8", "present"), ("grade4", "absent")]
    run_in_threads(*(block_writer(report.pk, org_user, [address]) for address in cells))
    saved = {(c.row_key, c.column_key): (c.value, c.version) for c in Cell.objects.all()}
    assert saved == {address: (str(ROUNDS), ROUNDS) for address in cells}
    assert AuditEvent.objects.filter(action="report.cell_saved").count() == 3 * ROUNDS
    report.refresh_from_db()
    assert report.status == Report.Status.IN_PROGRESS


def test_autosave_on_the_same_cell_from_the_same_version_gives_exactly_one_conflict(
    report, org_user
):
    outcomes = []

    def attempt(value):
        def write():
            saved = services.cells_save(
                report_pk=report.pk,
                user=org_user,
                cells=[services.CellInput("counts", "grade4", "listed", value, 0)],
            )
            [result] = saved.results
            outcomes.append((result["status"], result["value"]))

        return write

    run_in_threads(attempt("10"), attempt("20"))
    assert sorted(kind for kind, _ in outcomes) == ["conflict", "saved"]
    winner = next(value for kind, value in outcomes if kind == "saved")
    assert next(value for kind, value in outcomes if kind == "conflict") == winner
    cell = Cell.objects.get()
    assert (cell.value, cell.version) == (winner, 1)


def test_a_concurrent_submit_never_snapshots_half_a_paste(report, org_user):
    """Issue 10.3: a pasted block (both rows of «Численность участников») is saved by one
    request while «Сдать отчет» runs again and again from another tab. Every transferred
    snapshot holds the block of one request, never a mix of two."""
    addresses = [
        (row, column) for row in ("grade4", "grade8") for column in ("listed", "present", "absent")
    ]
    pastes = 25

    def paste():
        versions = dict.fromkeys(addresses, 0)
        for number in range(1, pastes + 1):
            values = {"listed": 20 + number, "present": 19 + number, "absent": 1}
            saved = services.cells_save(
                report_pk=report.pk,
                user=org_user,
                cells=[
                    services.CellInput(
                        "counts", row, column, str(values[column]), versions[(row, column)]
                    )
                    for row, column in addresses
                ],
            )
            for address, result in zip(addresses, saved.results, strict=True):
                assert result["status"] == "saved", result
                versions[address] = result["version"]

    submitted = []
    done = threading.Event()

    def submit():
        while not done.is_set() or not submitted:
            report_ = Report.objects.select_related("collection__form", "organization").get(
                pk=report.pk
            )
            with contextlib.suppress(services.ReportHasErrorsError):  # nothing pasted yet
                submitted.append(services.report_submit(report=report_, user=org_user).pk)

    def paste_then_stop():
        try:
            paste()
        finally:
            done.set()

    run_in_threads(paste_then_stop, submit)
    snapshots = Submission.objects.filter(pk__in=submitted)
    assert snapshots.count() >= 1
    for submission in snapshots:
        [counts] = [t for t in submission.data["tables"] if t["key"] == "counts"]
        listed = {row["values"]["listed"] for row in counts["rows"]}
        assert len(listed) == 1, f"half a paste transferred: {counts['rows']}"
        [number] = listed
        for row in counts["rows"]:
            assert row["values"]["present"] == str(int(number) - 1)


# Removing a participant while its school works


def test_a_removal_waits_for_a_write_holding_the_report_and_then_keeps_its_data(
    report, org, org_user, operator
):
    """A school's write (autosave, an upload: they hold the report lock) that commits while the
    operator removes the school sees its data kept: the removal waits for the lock, sees the
    cell and is refused. Without the lock it found the report empty and deleted it — cells
    and all — once the write committed."""
    locked = threading.Event()
    refused = []

    def school_typing():
        with transaction.atomic():
            locked_report = Report.objects.select_for_update().get(pk=report.pk)
            locked.set()
            time.sleep(0.5)  # the removal starts meanwhile
            table = locked_report.collection.form.tables.get(key="counts")
            Cell.objects.create(
                report=locked_report, table=table, row_key="grade4", column_key="listed",
                value="25", version=1,
            )  # fmt: skip

    def operator_removing():
        locked.wait(timeout=10)
        try:
            services.collection_remove_organizations(
                collection=report.collection, logins=[org.login], actor=operator
            )
        except services.ParticipantHasDataError as error:
            refused.append(error.message)

    run_in_threads(school_typing, operator_removing)
    assert refused and org.login in refused[0]
    assert Cell.objects.get(report=report).value == "25"
    assert report.collection.organizations.filter(pk=org.pk).exists()


def test_a_report_opened_while_its_participation_is_removed_is_refused(org, operator):
    """`report_open` locks the participation the removal locks first: it waits for the removal
    to commit and then refuses, instead of creating a report of a non-participant."""
    collection = make_collection(organizations=[org])
    removing = threading.Event()
    outcomes = []

    def hold_before_commit(collection_):
        removing.set()
        time.sleep(0.5)  # report_open runs meanwhile

    def operator_removing():
        with mock.patch.object(services_participants.status, "counts_changed", hold_before_commit):
            services.collection_remove_organizations(
                collection=collection, logins=[org.login], actor=operator
            )

    def school_opening():
        removing.wait(timeout=10)
        try:
            services.report_open(collection=collection, organization=org)
            outcomes.append("opened")
        except services.DataCollectionError as error:
            outcomes.append(error.message)

    run_in_threads(operator_removing, school_opening)
    assert outcomes == [NOT_PARTICIPATING_MESSAGE]
    assert not Report.objects.filter(collection=collection).exists()
