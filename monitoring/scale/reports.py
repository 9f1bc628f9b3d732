"""Reports in every state for one collection, with their rows, cells, extensions, transfers and
audit rows, as the services leave them (`report_write`, `report_submit`,
`report_return_for_corrections`, `extension_grant`).

Which state an organization is in is decided by its id (`id % 20`, `STATES`), which pattern of
values it typed by `id % 7`. The per-cell autosave audit entries are left out (they would double
the largest table); transfers, returns and extensions have theirs."""

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection

from accounts.models import AuditEvent
from datacollection.definitions import load_form
from datacollection.models import Cell, Collection, Extension, Report, ReportRow, Submission

from . import bulk
from .codes import AUDIT_COLUMNS
from .typed import CHANGES, FULL, HALF, PATTERNS, is_results_table, layout

S = Report.Status
RETURN_COMMENT = "Проверьте результаты 8 класса."


@dataclass(frozen=True)
class State:
    name: str
    status: str | None  # None: no report at all
    kind: str | None  # what was typed (typed.HALF/FULL/CHANGES), None: nothing
    transfer_days: int | None = None  # the transfer relative to the deadline


_NONE = State("none", None, None)
_NOT_STARTED = State("not_started", S.NOT_STARTED, None)
_IN_PROGRESS = State("in_progress", S.IN_PROGRESS, HALF)
_SUBMITTED = State("submitted", S.SUBMITTED, FULL, -1)
_CHANGES = State("changes", S.SUBMITTED, CHANGES, -1)
_LATE = State("late", S.SUBMITTED, FULL, 2)
_RETURNED = State("returned", S.IN_PROGRESS, FULL, -2)
# Twenty buckets of organizations (id % 20).
STATES = (
    [_NONE] * 2
    + [_NOT_STARTED]
    + [_IN_PROGRESS] * 3
    + [_SUBMITTED] * 9
    + [_CHANGES]
    + [_LATE] * 2
    + [_RETURNED] * 2
)
assert len(STATES) == 20


def state_of(organization_id: int, collection: Collection, now: datetime) -> State:
    state = STATES[organization_id % len(STATES)]
    if state is _LATE and collection.closes_at >= now:
        return _SUBMITTED  # an open collection: nobody is late yet
    return state


def typed_somewhere(organization_id: int) -> bool:
    """The organization typed into its reports (and so has participant codes)."""
    return STATES[organization_id % len(STATES)].kind is not None


@dataclass(frozen=True)
class Moments:
    started: datetime | None
    saved: datetime | None
    submitted: datetime | None
    changed: datetime | None
    returned: datetime | None
    extended_until: datetime | None


def moments(state: State, collection: Collection, now: datetime, organization: int) -> Moments:
    """When the organization started, saved, transferred: each organization at its own
    moments, spread over two days before the day its state sets (as schools do — a list
    sorted by a date has no ties to break by login), the same on every run."""
    spread = timedelta(seconds=(organization * 7919) % (2 * 86400))
    submitted = None
    if state.transfer_days is not None:
        submitted = collection.closes_at + timedelta(days=state.transfer_days)
        if state.transfer_days < 0:  # in the window, and not in the future
            submitted = min(submitted, now - timedelta(hours=1))
        submitted -= spread  # a late one stays after the deadline: 2 days after, less < 2 days
    if state.kind is None:
        return Moments(None, None, None, None, None, None)
    started = (submitted or now - spread) - timedelta(days=3)
    changed = submitted + timedelta(hours=5) if state.kind == CHANGES else None
    return Moments(
        started=started,
        saved=started + timedelta(days=1),
        submitted=submitted,
        changed=changed,
        returned=submitted + timedelta(hours=20) if state is _RETURNED else None,
        extended_until=submitted + timedelta(days=1) if state is _LATE else None,
    )


@dataclass(frozen=True)
class People:
    users: dict[int, int]  # organization → its login's user id
    coordinators: dict[int, int]  # region → the regional coordinator's user id
    regions: dict[int, int]  # organization → region
    logins: dict[int, str]  # organization → login


def fill(
    collection: Collection,
    *,
    now: datetime,
    people: People,
    codes: dict[int, list[str]],
    timer,
) -> dict[str, int]:
    """Reports for the participants of `collection` that have none. In a form with the results
    table only organizations whose codes were issued in this run get a report with data (their
    rows hold exactly those codes)."""
    definitions = load_form(collection.form)
    with_codes = any(is_results_table(d) for d in definitions)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT m.organization_id FROM datacollection_collection_organizations m"
            " WHERE m.collection_id = %s AND NOT EXISTS (SELECT 1 FROM datacollection_report r"
            "  WHERE r.collection_id = m.collection_id AND r.organization_id = m.organization_id)"
            " ORDER BY m.organization_id",
            [collection.pk],
        )
        organizations = [row[0] for row in cursor.fetchall()]
    planned = []  # (report id, organization, state, moments)
    report_id = bulk.next_id(Report._meta.db_table)
    for organization in organizations:
        state = state_of(organization, collection, now)
        if state.status is None or (with_codes and state.kind and organization not in codes):
            continue
        at = moments(state, collection, now, organization)
        planned.append((report_id, organization, state, at))
        report_id += 1
    layouts = {}
    for _, organization, state, _at in planned:
        key = (organization % PATTERNS, state.name)
        if state.kind is not None and key not in layouts:
            layouts[key] = layout(collection, definitions, key[0], state.kind)

    def returned_by(organization):
        return people.coordinators.get(people.regions[organization])

    with timer("отчеты"):
        bulk.write(
            Report._meta.db_table,
            [
                "id",
                "collection_id",
                "organization_id",
                "status",
                "started_at",
                "last_saved_at",
                "submitted_at",
                "has_unsubmitted_changes",
                "returned_at",
                "returned_comment",
                "returned_by_id",
            ],
            (
                (
                    pk,
                    collection.pk,
                    organization,
                    state.status,
                    at.started,
                    at.changed or at.saved,
                    at.submitted,
                    state.kind == CHANGES,
                    at.returned,
                    RETURN_COMMENT if at.returned else "",
                    returned_by(organization) if at.returned else None,
                )
                for pk, organization, state, at in planned
            ),
        )
    typed = [p for p in planned if p[2].kind is not None]

    def codes_of(organization):
        return codes.get(organization, ()) if with_codes else ()

    with timer("строки таблиц (COPY)"):
        bulk.write_text(
            ReportRow._meta.db_table,
            ["report_id", "table_id", "key", "created_at"],
            (
                layouts[(o % PATTERNS, s.name)].rows.render(pk, saved=at.saved)
                for pk, o, s, at in typed
            ),
        )
    with timer("значения (COPY)"):
        cells = bulk.write_text(
            Cell._meta.db_table,
            ["report_id", "table_id", "row_key", "column_key", "value", "version", "updated_at"],
            (
                layouts[(o % PATTERNS, s.name)].cells.render(
                    pk, codes_of(o), saved=at.saved, changed=at.changed
                )
                for pk, o, s, at in typed
            ),
        )
    transfers = [p for p in typed if p[3].submitted is not None]
    submission_id = bulk.next_id(Submission._meta.db_table)
    events = []
    with timer("передачи (COPY)"):

        def submissions():
            for number, (pk, organization, state, at) in enumerate(transfers):
                snapshot = layouts[(organization % PATTERNS, state.name)].snapshot
                data = snapshot.render(pk, codes_of(organization), people.logins[organization])
                user = people.users.get(organization)
                events.append(
                    (
                        at.submitted,
                        user,
                        organization,
                        "report.submitted",
                        f"report:{pk}",
                        json.dumps({"submission": submission_id + number}),
                    )
                )
                if at.returned:
                    events.append(
                        (
                            at.returned,
                            returned_by(organization),
                            organization,
                            "report.returned",
                            f"report:{pk}",
                            json.dumps({"comment": RETURN_COMMENT}, ensure_ascii=False),
                        )
                    )
                yield (submission_id + number, pk, at.submitted, user, data)

        bulk.write(
            Submission._meta.db_table,
            ["id", "report_id", "submitted_at", "submitted_by_id", "data"],
            submissions(),
        )
    late = [p for p in transfers if p[3].extended_until is not None]
    for _, organization, _, at in late:
        granted = collection.closes_at - timedelta(days=1)
        events.append(
            (
                granted,
                returned_by(organization),
                organization,
                "collection.extension_granted",
                f"collection:{collection.pk}",
                json.dumps({"old": None, "new": at.extended_until.isoformat()}),
            )
        )
    bulk.write(
        Extension._meta.db_table,
        ["collection_id", "organization_id", "until", "granted_by_id", "granted_at"],
        (
            (
                collection.pk,
                organization,
                at.extended_until,
                returned_by(organization),
                collection.closes_at - timedelta(days=1),
            )
            for _, organization, _, at in late
        ),
    )
    with timer("журнал (COPY)"):
        bulk.write(AuditEvent._meta.db_table, AUDIT_COLUMNS, events)
    return {"reports": len(planned), "cells": cells, "submissions": len(transfers)}
