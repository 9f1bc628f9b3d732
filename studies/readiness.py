"""The state of every checklist item for many organizations at once, in a fixed number of
queries (one per kind of event), so the school's page (one organization) and the coordinator's
grid (up to a whole country) read the same rule.

An AUTO item is done when its event happened, dated by the event; a MANUAL item when the school
ticked it. An item is overdue when it is not done and its stage's last day has passed (Moscow).
A form is behind when its window has closed for the organization (its extension counted).

Long module: the rule is written twice on purpose — as dated rows for the organizations shown
(`read_facts`, `rows_of`, `readiness`) and as id sets of a whole scope for the grid's filters
and counts (`_done_ids`, `column_sets`: one query of ids, dates only for the page) — and the
two halves must be read and changed together (tests check they agree), so they stay in one
file.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast
from django.utils import timezone

from accounts.models import Organization
from core.sql import InIds, Slot, SlotValue, Statement
from datacollection.models import Collection, Extension, Report, Study
from publications.models import AttachmentDownload

from . import checklist
from .models import (
    ChecklistSettings,
    ChecklistTick,
    ParticipantCode,
    Room,
    RoomProtocol,
    StageDate,
    StatisticalReportOpened,
)

DONE = "done"
PENDING = "pending"
OVERDUE = "overdue"
NOT_APPLICABLE = "na"


@dataclass
class ItemState:
    status: str
    done_at: datetime | None = None
    deadline: date | None = None
    ticked_by: str = ""
    file_name: str = ""
    tick_id: int | None = None

    @property
    def done(self) -> bool:
        return self.status == DONE

    @property
    def behind(self) -> bool:
        return self.status == OVERDUE


@dataclass
class FormState:
    collection: Collection
    status: str  # Report.Status value
    submitted_at: datetime | None = None
    closed: bool = False  # the window has closed for this organization (its extension counted)

    @property
    def done(self) -> bool:
        return self.submitted_at is not None

    @property
    def behind(self) -> bool:
        return self.closed and not self.done


@dataclass
class OrganizationReadiness:
    organization: Organization
    items: dict[str, ItemState] = field(default_factory=dict)
    forms: dict[int, FormState] = field(default_factory=dict)

    @property
    def behind(self) -> bool:
        return any(state.behind for state in self.items.values()) or any(
            state.behind for state in self.forms.values()
        )


def checklist_settings(study: Study) -> ChecklistSettings:
    return ChecklistSettings.objects.filter(study=study).first() or ChecklistSettings(study=study)


def stage_deadlines(study: Study) -> dict[tuple[int | None, str], date]:
    """{(region id or None, stage): last day}. A region's own lines replace the general ones."""
    deadlines: dict[tuple[int | None, str], date] = {}
    for region_id, stage, ends_on in StageDate.objects.filter(study=study).values_list(
        "region_id", "stage", "ends_on"
    ):
        key = (region_id, stage)
        deadlines[key] = max(deadlines.get(key, ends_on), ends_on)
    return deadlines


def deadline_for(deadlines, region_id: int, stage: str) -> date | None:
    return deadlines.get((region_id, stage)) or deadlines.get((None, stage))


# The columns of `_facts_statement`'s rows: kind, organization, a number (a tick's or a
# collection's id), three counts, two moments, three texts.
_NUMBER = Value(0, output_field=IntegerField())
_MOMENT = Cast(Value(None), DateTimeField())  # typed: PostgreSQL makes two bare NULLs text
_TEXT = Value("", output_field=CharField())


@lru_cache(maxsize=64)
def _facts_statement(db: str, study_pk: int, form_pks: tuple[int, ...]) -> Statement:
    """`read_facts`' query: one UNION ALL of a part per kind of fact, every part in the same
    ten columns, with the organizations' ids left open — compiled once per process for each
    study and set of forms (building and compiling its parts was ~3 ms of every grid page;
    as six queries, their round trips another ~2 ms)."""
    in_scope = InIds("organization_id", Slot.ids("ids"))

    def part(queryset, kind, *, number=_NUMBER, counts=(), moments=(), texts=()):
        counts = [*counts, *[_NUMBER] * (3 - len(counts))]
        moments = [*moments, *[_MOMENT] * (2 - len(moments))]
        texts = [*texts, *[_TEXT] * (3 - len(texts))]
        return queryset.order_by().values_list(
            Value(kind, output_field=CharField()),
            "organization_id",
            number,
            *counts,
            *moments,
            *texts,
        )

    # Lists issued / protocols filled: every room that has participants, dated by the last one.
    scanned = RoomProtocol.objects.filter(room=OuterRef("pk")).exclude(scan="")
    rooms = (
        Room.objects.filter(in_scope, study_id=study_pk)
        .filter(Exists(ParticipantCode.objects.filter(room=OuterRef("pk"))))
        .values("organization_id")
        .annotate(
            rooms=Count("pk"),
            issued=Count("pk", filter=Q(list_issued_at__isnull=False)),
            last_issued=Max("list_issued_at"),
            protocols=Count("pk", filter=Q(Exists(scanned))),
            last_protocol=Max("protocol__filled_at"),
        )
    )
    parts = [
        part(
            AttachmentDownload.objects.filter(in_scope, attachment__publication__study_id=study_pk)
            .values("organization_id")
            .annotate(first=Min("first_downloaded_at")),
            checklist.MATERIALS_DOWNLOADED,
            moments=["first"],
        ),
        # Distributed: codes issued and none without a room; dated by the last code issued.
        part(
            ParticipantCode.objects.filter(in_scope, study_id=study_pk)
            .values("organization_id")
            .annotate(unplaced=Count("pk", filter=Q(room__isnull=True)), last=Max("issued_at")),
            checklist.PARTICIPANTS_DISTRIBUTED,
            counts=["unplaced"],
            moments=["last"],
        ),
        part(
            rooms,
            ROOMS,
            counts=["rooms", "issued", "protocols"],
            moments=["last_issued", "last_protocol"],
        ),
        part(
            StatisticalReportOpened.objects.filter(in_scope, study_id=study_pk),
            checklist.REPORT_OPENED,
            moments=["opened_at"],
        ),
        part(
            ChecklistTick.objects.filter(in_scope, study_id=study_pk),
            TICK,
            number="pk",
            moments=["ticked_at"],
            texts=["item", "ticked_by__username", "file_name"],
        ),
        part(
            Report.objects.filter(in_scope, collection_id__in=form_pks),
            REPORT,
            number="collection_id",
            moments=["submitted_at"],
            texts=["status"],
        ),
    ]
    # Only the moments are converted (dates are text on SQLite).
    return Statement(parts[0].union(*parts[1:], all=True).using(db), converted=(6, 7))


ROOMS = "rooms"  # `_facts_statement`'s kinds beside the events'
TICK = "tick"
REPORT = "report"


@dataclass
class Facts:
    """What happened for a set of organizations, read once (`read_facts`): the dated AUTO
    events, the ticks, the reports of the study's forms and the extensions keeping a closed
    form open; the dated rows (`rows_of`) are worked out from them."""

    events: dict[str, dict[int, datetime]]
    ticks: dict[tuple[int, str], tuple]  # (organization, item) → (pk, at, username, file)
    reports: dict[tuple[int, int], tuple]  # (organization, collection) → (status, submitted)
    extended: set[tuple[int, int]]  # (organization, collection)

    def done_at(self, item: checklist.Item, organization_id: int) -> datetime | None:
        if item.kind == checklist.MANUAL:
            tick = self.ticks.get((organization_id, item.key))
            return tick[1] if tick else None
        return self.events[item.event].get(organization_id)


def read_facts(
    study: Study,
    settings: ChecklistSettings,
    collections: list[Collection],
    org_ids: list[int],
    *,
    extended: set[tuple[int, int]] | None = None,
    db: str = "default",
) -> Facts:
    """One query whatever the number of organizations (two once a window has closed and
    `extended` is not known yet); `org_ids` is a list of ids (one parameter however many)."""
    watched = _watched(settings)
    statement = _facts_statement(
        db, study.pk, tuple(sorted({c.pk for c in collections} | set(watched)))
    )
    events: dict[str, dict[int, datetime]] = {
        event: {}
        for event in (
            checklist.MATERIALS_DOWNLOADED,
            checklist.PARTICIPANTS_DISTRIBUTED,
            checklist.ROOM_LISTS_ISSUED,
            checklist.ROOM_PROTOCOLS_FILLED,
            checklist.REPORT_OPENED,
        )
    }
    ticks: dict[tuple[int, str], tuple] = {}
    reports: dict[tuple[int, int], tuple] = {}
    for kind, organization_id, number, counts, moments, texts in (
        (row[0], row[1], row[2], row[3:6], row[6:8], row[8:11])
        for row in statement.rows(ids=org_ids)
    ):
        if kind == TICK:
            item, username, file_name = texts
            ticks[(organization_id, item)] = (number, moments[0], username, file_name)
        elif kind == REPORT:
            reports[(organization_id, number)] = (texts[0], moments[0])
        elif kind == ROOMS:
            rooms, issued, protocols = counts
            if issued == rooms:
                events[checklist.ROOM_LISTS_ISSUED][organization_id] = moments[0]
            if protocols == rooms:
                events[checklist.ROOM_PROTOCOLS_FILLED][organization_id] = moments[1]
        elif kind == checklist.PARTICIPANTS_DISTRIBUTED:
            if counts[0] == 0:  # none without a room
                events[kind][organization_id] = moments[0]
        else:
            events[kind][organization_id] = moments[0]
    for event in watched.values():
        events[event] = {}
    for (organization_id, collection_id), (_, submitted_at) in reports.items():
        if collection_id in watched and submitted_at is not None:
            events[watched[collection_id]][organization_id] = submitted_at
    if extended is None:
        extended = _extended(collections, InIds("organization_id", org_ids))
    return Facts(events, ticks, reports, extended)


WATCHED_EVENTS = (
    checklist.REGISTRATION_SUBMITTED,
    checklist.SURVEY_SUBMITTED,
    checklist.PROTOCOL_SUBMITTED,
)


def _watched(settings: ChecklistSettings) -> dict[int, str]:
    """{collection id: event} — the forms whose submission ticks an item (set in settings)."""
    by_event = {
        checklist.REGISTRATION_SUBMITTED: settings.registration_collection_id,
        checklist.SURVEY_SUBMITTED: settings.survey_collection_id,
        checklist.PROTOCOL_SUBMITTED: settings.protocol_collection_id,
    }
    return {pk: event for event, pk in by_event.items() if pk}


def _done_ids(
    study: Study,
    settings: ChecklistSettings,
    collections: list[Collection],
    org_ids: list[int],
    db: str = "default",
) -> tuple[dict[str, set[int]], set[tuple[int, int]]]:
    """{column key: ids of the organizations that have done it} — `_event_dates`, the ticks
    and the form reports said as conditions returning ids only, for a whole scope (`org_ids`,
    read beforehand: one array parameter, not the scope's subquery in every part), in one
    query: a UNION ALL of (kind, organization id, collection id) rows, one part per kind of
    event (tests/test_studies_checklist.py checks the two agree on every item) — and the
    scope's `_extended` pairs, read by the same query. The query is compiled once per process
    for each study and set of forms (`_done_statement`)."""
    now = timezone.now()
    watched = _watched(settings)
    submitted: dict[int, set[int]] = {pk: set() for pk in watched}
    submitted |= {collection.pk: set() for collection in collections}
    statement = _done_statement(db, study.pk, tuple(submitted), tuple(_timed_out(collections, now)))
    events: dict[str, set[int]] = defaultdict(set)
    ticked: dict[str, set[int]] = defaultdict(set)
    extended: set[tuple[int, int]] = set()
    for kind, organization_id, collection_id in statement.rows(ids=org_ids, now=now):
        if kind == SUBMITTED:
            submitted[collection_id].add(organization_id)
        elif kind == EXTENDED:
            extended.add((organization_id, collection_id))
        elif collection_id == TICKED:
            ticked[kind].add(organization_id)
        else:
            events[kind].add(organization_id)
    for pk, event in watched.items():
        events[event] = submitted[pk]
    done = {
        item.key: ticked[item.key] if item.kind == checklist.MANUAL else events[item.event]
        for item in applicable_items(settings)
    }
    return done | {f"form-{c.pk}": submitted[c.pk] for c in collections}, extended


@lru_cache(maxsize=64)
def _done_statement(
    db: str, study_pk: int, form_pks: tuple[int, ...], timed_out: tuple[int, ...]
) -> Statement:
    """`_done_ids`' UNION ALL, the scope's ids and the moment left open: building and
    compiling its parts was ~5 ms of every grid page at 45,000 organizations. Everything else
    its SQL depends on is the key (the study, the forms whose submissions count, those whose
    window has timed out); its rows are read as the database gives them (converters copied
    ~2,000 rows' integer columns one by one, ~3 ms)."""
    in_scope = InIds("organization_id", Slot.ids("ids"))

    def part(queryset, kind, organization="organization_id", collection=None):
        return queryset.order_by().values_list(
            Value(kind, output_field=CharField()) if isinstance(kind, str) else kind,
            organization,
            collection or Value(0, output_field=IntegerField()),
        )

    codes = ParticipantCode.objects.filter(study_id=study_pk, organization=OuterRef("pk"))
    # Rooms that have participants: all of them with their list issued / protocol filled.
    rooms = (
        Room.objects.filter(
            in_scope, Exists(ParticipantCode.objects.filter(room=OuterRef("pk"))), study_id=study_pk
        )
        .values("organization_id")
        .annotate(rooms=Count("pk"))
    )
    scanned = RoomProtocol.objects.filter(room=OuterRef("pk")).exclude(scan="")
    parts = [
        part(
            AttachmentDownload.objects.filter(in_scope, attachment__publication__study_id=study_pk),
            checklist.MATERIALS_DOWNLOADED,
        ),
        part(
            StatisticalReportOpened.objects.filter(in_scope, study_id=study_pk),
            checklist.REPORT_OPENED,
        ),
        part(
            Report.objects.filter(in_scope, collection_id__in=form_pks, submitted_at__isnull=False),
            SUBMITTED,
            collection="collection_id",
        ),
        # Distributed: codes issued and none without a room.
        # (an anti-join on the codes' index, not a count of every code of the scope)
        part(
            Organization.objects.filter(InIds("pk", Slot.ids("ids")), Exists(codes)).exclude(
                Exists(codes.filter(room__isnull=True))
            ),
            checklist.PARTICIPANTS_DISTRIBUTED,
            "pk",
        ),
        part(
            rooms.annotate(issued=Count("pk", filter=Q(list_issued_at__isnull=False))).filter(
                issued=F("rooms")
            ),
            checklist.ROOM_LISTS_ISSUED,
        ),
        part(
            rooms.annotate(filled=Count("pk", filter=Q(Exists(scanned)))).filter(filled=F("rooms")),
            checklist.ROOM_PROTOCOLS_FILLED,
        ),
        # A tick's kind is its item's key (items and events are named apart).
        part(
            ChecklistTick.objects.filter(in_scope, study_id=study_pk),
            F("item"),
            collection=Value(TICKED, output_field=IntegerField()),
        ),
    ]
    # The extensions keeping a timed-out form open (`_extended`), in the same query.
    if timed_out:
        extensions = _extensions(
            timed_out, in_scope, SlotValue(Slot.moment("now"), DateTimeField())
        )
        parts.append(part(extensions, EXTENDED, collection="collection_id"))
    return Statement(parts[0].union(*parts[1:], all=True).using(db), converted=())


SUBMITTED = "submitted"  # `_done_ids`' kind of a report's row (its collection beside it)
EXTENDED = "extended"  # `_done_ids`' kind of an extension's row (its collection beside it)
TICKED = -1  # `_done_ids`' mark of a tick's row


@dataclass
class ColumnSets:
    """A scope's organizations (`ids`, in order; `organizations` builds the rows' ones) and, for
    every column, the ids of those that have done it and of those behind on it — for counting
    and filtering a whole scope without building its rows."""

    ids: list[int]
    done: dict[str, set[int]]
    behind: dict[str, set[int]]
    extended: set[tuple[int, int]]  # (organization, collection) open by an extension
    fields: dict[int, tuple] = field(default_factory=dict)  # id → values of ROW_FIELDS
    db: str = "default"

    def behind_on_anything(self) -> set[int]:
        return set().union(*self.behind.values())

    def organizations(self, ids) -> list[Organization]:
        """The organizations of `ids` with the fields a row shows (as `.only(*ROW_FIELDS)`
        would load them), without another query."""
        return [Organization.from_db(self.db, ROW_FIELDS, self.fields[pk]) for pk in ids]


# What a row shows of its organization, in the model's field order (`Model.from_db`).
ROW_FIELDS = tuple(
    f.attname
    for f in Organization._meta.concrete_fields
    if f.attname in {"id", "login", "name", "region_id", "municipality_id"}
)


def column_sets(
    study: Study,
    organizations: QuerySet[Organization],
    *,
    settings: ChecklistSettings,
    collections: list[Collection],
    deadlines: dict | None = None,
    today: date | None = None,
) -> ColumnSets:
    """The columns of every organization of `organizations` as `readiness` decides them (done;
    behind: an item not done past its stage's last day in the organization's region, a form not
    submitted whose window has closed for the organization): the scope's ids, then `_done_ids`
    (the extensions with them) — two queries whatever the size of the scope (three without
    `deadlines`)."""
    today = today or timezone.localdate()
    deadlines = stage_deadlines(study) if deadlines is None else deadlines
    fields = {row[0]: row for row in organizations.values_list(*ROW_FIELDS)}
    region_at = ROW_FIELDS.index("region_id")
    done, extended = _done_ids(study, settings, collections, list(fields), organizations.db)
    in_region: dict[int, set[int]] = defaultdict(set)
    for pk, row in fields.items():
        in_region[row[region_at]].add(pk)
    behind = {}
    for item in applicable_items(settings):
        late = set().union(
            *(
                pks
                for region_id, pks in in_region.items()
                if _overdue(deadline_for(deadlines, region_id, item.stage), today)
            )
        )
        behind[item.key] = late - done[item.key]
    everyone = set(fields)
    closed = _closed(collections)
    for collection in collections:
        key = f"form-{collection.pk}"
        if collection.pk in closed:
            still_open = {pk for pk, collection_id in extended if collection_id == collection.pk}
            behind[key] = everyone - done[key] - still_open
        else:
            behind[key] = set()
    return ColumnSets(list(fields), done, behind, extended, fields, organizations.db)


def _overdue(deadline: date | None, today: date) -> bool:
    return bool(deadline and today > deadline)


def _closed(collections: list[Collection]) -> set[int]:
    """Collections whose window has closed for everyone (extensions aside)."""
    now = timezone.now()
    return {c.pk for c in collections if c.closed_manually or c.closes_at <= now}


def _extended(collections: list[Collection], in_scope: Q | InIds) -> set[tuple[int, int]]:
    """(organization, collection) pairs still open by an extension although the window has
    closed for everyone — such an organization is not behind on that form (`is_open_for`'s
    rule: a manual close ends extensions too). One query, none when nothing has timed out."""
    now = timezone.now()
    timed_out = _timed_out(collections, now)
    if not timed_out:
        return set()
    extensions = _extensions(timed_out, in_scope, now)
    return set(extensions.values_list("organization_id", "collection_id").order_by())


def _timed_out(collections: list[Collection], now: datetime) -> list[int]:
    """The forms whose window has timed out (closed by its date, not by hand: a manual close
    ends extensions too) — those an extension may keep open."""
    return [c.pk for c in collections if not c.closed_manually and c.closes_at <= now]


def _extensions(timed_out, in_scope, now) -> QuerySet[Extension]:
    """The extensions `_extended` reads: those still running of the timed-out forms."""
    return Extension.objects.filter(in_scope, collection_id__in=timed_out, until__gt=now)


def study_collections(study: Study) -> list[Collection]:
    return list(
        Collection.objects.filter(study=study).select_related("form").order_by("opens_at", "pk")
    )


def _applicable(item: checklist.Item, settings: ChecklistSettings) -> bool:
    """An item ticked by a form's submission counts only once settings name that form."""
    return item.event not in WATCHED_EVENTS or item.event in _watched(settings).values()


def readiness(
    study: Study,
    organizations: QuerySet[Organization],
    *,
    today: date | None = None,
    settings: ChecklistSettings | None = None,
    collections: list[Collection] | None = None,
    deadlines: dict | None = None,
) -> tuple[list[OrganizationReadiness], list[Collection]]:
    """Every organization's item and form states. Queries: settings, calendar, collections,
    organizations, then `read_facts` (downloads, watched reports, codes, rooms, opened reports,
    ticks, form reports) — eleven whatever the number of organizations (twelve once a window
    has closed: extensions)."""
    settings = settings or checklist_settings(study)
    deadlines = stage_deadlines(study) if deadlines is None else deadlines
    collections = study_collections(study) if collections is None else collections
    org_list = list(organizations.only(*ROW_FIELDS))
    facts = read_facts(study, settings, collections, [o.pk for o in org_list], db=organizations.db)
    rows = rows_of(
        org_list,
        facts,
        settings=settings,
        collections=collections,
        deadlines=deadlines,
        today=today or timezone.localdate(),
    )
    return rows, collections


def rows_of(
    organizations: list[Organization],
    facts: Facts,
    *,
    settings: ChecklistSettings,
    collections: list[Collection],
    deadlines: dict,
    today: date,
) -> list[OrganizationReadiness]:
    """The dated states of these organizations (their facts read beforehand, no query)."""
    closed = _closed(collections)
    items = applicable_items(settings)
    by_region: dict[int, list[tuple]] = {}  # region → (item, its deadline, overdue) per item
    rows = []
    for organization in organizations:
        pk, region_id = organization.pk, organization.region_id
        if region_id not in by_region:
            by_region[region_id] = [
                (item, deadline, _overdue(deadline, today))
                for item in items
                for deadline in [deadline_for(deadlines, region_id, item.stage)]
            ]
        row = OrganizationReadiness(organization)
        for item, deadline, overdue in by_region[region_id]:
            tick = facts.ticks.get((pk, item.key)) if item.kind == checklist.MANUAL else None
            done_at = facts.done_at(item, pk)
            if done_at is not None:
                status = DONE
            elif overdue:
                status = OVERDUE
            else:
                status = PENDING
            row.items[item.key] = ItemState(
                status=status,
                done_at=done_at,
                deadline=deadline,
                ticked_by=tick[2] or "" if tick else "",
                file_name=tick[3] if tick else "",
                tick_id=tick[0] if tick else None,
            )
        for collection in collections:
            status, submitted_at = facts.reports.get(
                (pk, collection.pk), (Report.Status.NOT_STARTED, None)
            )
            row.forms[collection.pk] = FormState(
                collection,
                status,
                submitted_at,
                closed=_closed_for(collection.pk, pk, closed, facts),
            )
        rows.append(row)
    return rows


def _closed_for(collection_id: int, organization_id: int, closed: set[int], facts: Facts) -> bool:
    """The window has closed for this organization: for everyone, and no extension."""
    return collection_id in closed and (organization_id, collection_id) not in facts.extended


def applicable_items(settings: ChecklistSettings) -> list[checklist.Item]:
    return [item for item in checklist.TRACKED if _applicable(item, settings)]
