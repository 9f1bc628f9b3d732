"""`seed_scale` on a small country: every state present, and the data keeps the invariants the
services keep (report states and their moments, versions, transfers equal to what the cells
give, participant codes unique in the study and equal to the results form's codes, audit rows),
so the benchmarks measure data the app could have made. Runs on SQLite and, with DATABASE_URL,
on PostgreSQL (the COPY path)."""

from collections import Counter, defaultdict

import pytest
from django.core.management import CommandError, call_command

from accounts.models import AuditEvent, Organization, User
from datacollection.definitions import load_form
from datacollection.extensions import extra_report_errors
from datacollection.models import (
    Cell,
    Collection,
    Extension,
    Report,
    ReportRow,
    Submission,
)
from datacollection.selectors import report_cells, report_rows, report_values
from datacollection.services.editing import report_snapshot
from datacollection.status import participant_status
from datacollection.validation import validate_report
from monitoring import scale
from monitoring.scale.reports import STATES
from studies.checks import results_codes_check
from studies.models import CodeSequence, ParticipantCode, SchoolClass, format_code

ORGANIZATIONS = 160
# (status, is_late, has_changes, is_returned) each state of the seed shows as.
SHOWN_AS = {
    "not_started": ("not_started", False, False, False),
    "in_progress": ("in_progress", False, False, False),
    "submitted": ("submitted", False, False, False),
    "changes": ("submitted", False, True, False),
    "late": ("submitted", True, False, False),
    "returned": ("submitted", False, False, True),
}


@pytest.fixture
def country(db):
    call_command("seed_scale", organizations=ORGANIZATIONS, stdout=open("/dev/null", "w"))  # noqa: SIM115
    return {c.form.code: c for c in Collection.objects.select_related("form", "study")}


def _expected_state(report: Report) -> str:
    state = STATES[report.organization_id % len(STATES)]
    if state.name == "late" and report.collection.closes_at > report.submitted_at:
        return "submitted"  # an open collection has no late transfers
    return state.name


def _every_state_is_present_and_shown_as_the_app_shows_it(country):
    seen = defaultdict(Counter)
    for code in scale.FILLED_FORMS:
        collection = country[code]
        assert collection.organizations.count() == ORGANIZATIONS
        for report in Report.objects.filter(collection=collection).select_related("collection"):
            state = _expected_state(report)
            shown = participant_status(report, collection)
            assert (
                shown.status,
                shown.is_late,
                shown.has_changes,
                shown.is_returned,
            ) == SHOWN_AS[state], (report.pk, state)
            seen[code][state] += 1
    for code in scale.FILLED_FORMS:
        assert {"not_started", "in_progress", "submitted", "changes", "returned"} <= set(
            seen[code]
        ), code
    assert seen["niko_survey"]["late"] > 0  # the closed collection has late transfers
    results = seen["niko_results"]
    transferred = results["submitted"] + results["changes"] + results["returned"]
    assert transferred > ORGANIZATIONS / 2  # most schools filled the results form
    # Organizations without any report in a collection are there too (nobody opened it).
    assert Report.objects.filter(collection=country["niko_results"]).count() < ORGANIZATIONS


def _report_moments_follow_the_services(country):
    regional = dict(User.objects.filter(role=User.Role.REGIONAL).values_list("region_id", "pk"))
    for report in Report.objects.select_related("collection", "organization"):
        if report.status == Report.Status.NOT_STARTED:
            assert report.started_at is report.last_saved_at is report.submitted_at is None
            assert not report.cells.exists() and not report.rows.exists()
            continue
        assert report.started_at <= report.last_saved_at
        latest = report.submissions.order_by("-submitted_at", "-pk").first()
        if report.submitted_at is None:
            assert latest is None and report.returned_at is None
            continue
        assert latest.submitted_at == report.submitted_at
        if report.has_unsubmitted_changes:
            assert report.last_saved_at > report.submitted_at
        else:
            assert report.last_saved_at <= report.submitted_at
        if report.returned_at is not None:  # sent back by the region's coordinator
            assert report.status == Report.Status.IN_PROGRESS
            assert report.returned_at > report.submitted_at and report.returned_comment
            assert report.returned_by_id == regional[report.organization.region_id]
        else:
            assert report.status == Report.Status.SUBMITTED
        if report.submitted_at > report.collection.closes_at:  # late: only with an extension
            extension = Extension.objects.get(
                collection=report.collection, organization=report.organization
            )
            assert extension.until >= report.submitted_at
            assert extension.granted_by_id == regional[report.organization.region_id]
    late = Report.objects.filter(collection=country["niko_survey"], submitted_at__isnull=False)
    assert Extension.objects.filter(collection=country["niko_survey"]).count() == sum(
        1 for r in late if r.submitted_at > r.collection.closes_at
    )


def _cells_have_versions_and_moments_within_their_report(country):
    for report in Report.objects.exclude(status=Report.Status.NOT_STARTED):
        cells = list(report.cells.all())
        assert cells
        changed = [cell for cell in cells if cell.version > 1]
        assert all(cell.version >= 1 for cell in cells)
        assert len(changed) == (1 if report.has_unsubmitted_changes else 0)
        for cell in cells:
            assert report.started_at <= cell.updated_at <= report.last_saved_at
        for row in report.rows.all():
            assert report.started_at <= row.created_at <= report.last_saved_at


def _transfers_hold_what_the_cells_give_and_pass_every_check(country):
    submissions = Submission.objects.select_related(
        "report__collection__form", "report__organization"
    )
    assert submissions.exists()
    users = dict(User.objects.filter(organization__isnull=False).values_list("organization", "pk"))
    for submission in submissions:
        report = submission.report
        definitions = load_form(report.collection.form)
        rows = report_rows(report, definitions)
        cells = report_cells(report)
        values = report_values(cells)
        assert submission.submitted_by_id == users[report.organization_id]
        # The app would accept this transfer now: no error, the codes check included.
        errors = validate_report(definitions, rows, values)
        errors += extra_report_errors(report, definitions, rows, values)
        assert errors == [], (report.pk, errors[:3])
        expected = report_snapshot(report, definitions, rows, values)
        if not report.has_unsubmitted_changes:
            assert submission.data == expected
            continue
        # Changed after the transfer: exactly the one cell saved again differs (and the totals
        # computed from it).
        changed = next(cell for cell in cells.values() if cell.version > 1)
        computed = {c.key for d in definitions for c in d.columns if c.is_computed}
        differing = {
            (row["key"], key)
            for table, now in zip(submission.data["tables"], expected["tables"], strict=True)
            for row, row_now in zip(table["rows"], now["rows"], strict=True)
            for key, value in row["values"].items()
            if row_now["values"][key] != value and key not in computed
        }
        assert differing == {(changed.row_key, changed.column_key)}
    audit = Counter(AuditEvent.objects.values_list("action", flat=True))
    assert audit["report.submitted"] == submissions.count()
    assert audit["report.returned"] == Report.objects.filter(returned_at__isnull=False).count()
    assert audit["collection.extension_granted"] == Extension.objects.count()
    recorded = AuditEvent.objects.filter(action="report.submitted")
    assert {event.details["submission"] for event in recorded} == set(
        submissions.values_list("pk", flat=True)
    )


def _participant_codes_are_unique_and_fill_the_results_form(country):
    study = country["niko_results"].study
    codes = list(ParticipantCode.objects.filter(study=study))
    assert len({code.code for code in codes}) == len(codes) > 0
    for code in codes:
        assert code.code == format_code(code.grade, code.number)
    for grade in (4, 8):
        numbers = sorted(code.number for code in codes if code.grade == grade)
        assert numbers == list(range(1, len(numbers) + 1))  # one sequence, no gaps
        assert CodeSequence.objects.get(study=study, grade=grade).last == len(numbers)
    issued = defaultdict(set)
    for code in codes:
        issued[code.organization_id].add(code.code)
    assert set(
        SchoolClass.objects.filter(study=study).values_list("organization_id", "pupils")
    ) == {(organization, 25) for organization in issued}
    results = Report.objects.filter(collection=country["niko_results"]).exclude(
        status=Report.Status.NOT_STARTED
    )
    assert results.count() > ORGANIZATIONS / 2
    for report in results.select_related("collection__form"):
        definitions = load_form(report.collection.form)
        rows = report_rows(report, definitions)
        values = report_values(report_cells(report))
        typed = [
            values[(table_id, key)]["code"]
            for table_id, table_rows in rows.items()
            for key, _label in table_rows
            if "code" in values.get((table_id, key), {})
        ]
        assert sorted(typed) == sorted(issued[report.organization_id])  # each once, none else
        assert results_codes_check(report, definitions, rows, values) == []


def test_the_seeded_country_keeps_what_the_services_keep(country):
    """One seed, read by every check (each seed of the small country takes seconds)."""
    _every_state_is_present_and_shown_as_the_app_shows_it(country)
    _report_moments_follow_the_services(country)
    _cells_have_versions_and_moments_within_their_report(country)
    _transfers_hold_what_the_cells_give_and_pass_every_check(country)
    _participant_codes_are_unique_and_fill_the_results_form(country)


def test_logins_work_and_the_seed_adds_only_what_is_missing(country):
    assert Organization.objects.count() == ORGANIZATIONS
    assert not Organization.objects.filter(users__isnull=True).exists()
    for login in ("operator_scale", "reg010000", "reg01_m001", Organization.objects.first().login):
        user = User.objects.get(username=login)
        assert user.check_password(scale.SCALE_PASSWORD), login
    assert User.objects.filter(role=User.Role.REGIONAL).count() == 89
    operator = User.objects.get(username="operator_scale")
    assert operator.is_staff and operator.is_superuser  # the admin's every page opens to it
    counts = {
        model: model.objects.count()
        for model in (Report, Cell, ReportRow, Submission, ParticipantCode, AuditEvent)
    }
    call_command("seed_scale", organizations=ORGANIZATIONS, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts == {model: model.objects.count() for model in counts}
    # The ids the seed gave leave room for the app's own inserts.
    collection = country["niko_protocol"]
    organization = Organization.objects.exclude(reports__collection=collection).first()
    report = Report.objects.create(collection=collection, organization=organization)
    Submission.objects.create(report=report, data={})
    # More organizations later: only they get data, with new codes.
    call_command("seed_scale", organizations=ORGANIZATIONS + 40, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Organization.objects.count() == ORGANIZATIONS + 40
    assert ParticipantCode.objects.count() > counts[ParticipantCode]
    codes = ParticipantCode.objects.values_list("code", flat=True)
    assert len(set(codes)) == len(codes)
    # Codes past the results form's 7 characters: refused with a message, nothing added.
    CodeSequence.objects.filter(grade=8).update(last=999_990)
    with pytest.raises(CommandError, match="Кодов участников больше"):
        call_command("seed_scale", organizations=ORGANIZATIONS + 80, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Organization.objects.count() == ORGANIZATIONS + 40
