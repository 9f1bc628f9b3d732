"""The state of every checklist item for many organizations at once, in a fixed number of
queries (one per kind of event), so the school's page (one organization) and the coordinator's
grid (up to a whole country) read the same rule.

An AUTO item is done when its event happened, dated by the event; a MANUAL item when the school
ticked it. An item is overdue when it is not done and its stage's last day has passed (Moscow).
A form is behind when its window has closed for the organization (its extension counted).

Long module: the rule is written twice on purpose — as dated rows for the organizations shown
(`readiness`) and as SQL «done» flags for a whole scope (`done_flags`) — and the two halves
must be read and changed together (tests check they agree), so they stay in one file.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
)
from django.utils import timezone

from accounts.models import Organization
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


def _event_dates(study: Study, settings: ChecklistSettings, org_ids: QuerySet) -> dict:
    """{event: {organization id: date it happened}} — one query per event kind."""
    events: dict[str, dict[int, datetime]] = {}
    events[checklist.MATERIALS_DOWNLOADED] = dict(
        AttachmentDownload.objects.filter(
            attachment__publication__study=study, organization_id__in=org_ids
        )
        .values("organization_id")
        .annotate(first=Min("first_downloaded_at"))
        .values_list("organization_id", "first")
    )
    by_collection = {
        checklist.REGISTRATION_SUBMITTED: settings.registration_collection_id,
        checklist.SURVEY_SUBMITTED: settings.survey_collection_id,
        checklist.PROTOCOL_SUBMITTED: settings.protocol_collection_id,
    }
    for event in by_collection:
        events[event] = {}
    watched = {pk: event for event, pk in by_collection.items() if pk}
    for organization_id, collection_id, submitted_at in Report.objects.filter(
        collection_id__in=list(watched), organization_id__in=org_ids, submitted_at__isnull=False
    ).values_list("organization_id", "collection_id", "submitted_at"):
        events[watched[collection_id]][organization_id] = submitted_at
    # Distributed: codes issued and none without a room; dated by the last code issued.
    events[checklist.PARTICIPANTS_DISTRIBUTED] = {
        organization_id: last
        for organization_id, unplaced, last in ParticipantCode.objects.filter(
            study=study, organization_id__in=org_ids
        )
        .values("organization_id")
        .annotate(unplaced=Count("pk", filter=Q(room__isnull=True)), last=Max("issued_at"))
        .values_list("organization_id", "unplaced", "last")
        if unplaced == 0
    }
    # Lists issued / protocols filled: every room that has participants, dated by the last one.
    rooms = (
        Room.objects.filter(study=study, organization_id__in=org_ids)
        .filter(Exists(ParticipantCode.objects.filter(room=OuterRef("pk"))))
        .values("organization_id")
        .annotate(
            rooms=Count("pk"),
            issued=Count("pk", filter=Q(list_issued_at__isnull=False)),
            last_issued=Max("list_issued_at"),
            protocols=Count(
                "pk",
                filter=Q(Exists(RoomProtocol.objects.filter(room=OuterRef("pk")).exclude(scan=""))),
            ),
            last_protocol=Max("protocol__filled_at"),
        )
        .values_list(
            "organization_id", "rooms", "issued", "last_issued", "protocols", "last_protocol"
        )
    )
    events[checklist.ROOM_LISTS_ISSUED] = {}
    events[checklist.ROOM_PROTOCOLS_FILLED] = {}
    for organization_id, count, issued, last_issued, protocols, last_protocol in rooms:
        if issued == count:
            events[checklist.ROOM_LISTS_ISSUED][organization_id] = last_issued
        if protocols == count:
            events[checklist.ROOM_PROTOCOLS_FILLED][organization_id] = last_protocol
    events[checklist.REPORT_OPENED] = dict(
        StatisticalReportOpened.objects.filter(
            study=study, organization_id__in=org_ids
        ).values_list("organization_id", "opened_at")
    )
    return events


def _done_conditions(
    study: Study, settings: ChecklistSettings, collections: list[Collection]
) -> dict[str, Q]:
    """{column key: «done» as a condition on an organization} — `_event_dates` and the ticks
    said in SQL, for filtering and counting many organizations without building their rows
    (tests/test_studies_grid.py checks the two agree on every item)."""

    def exists(queryset) -> Q:
        return Q(Exists(queryset.filter(organization=OuterRef("pk"))))

    codes = ParticipantCode.objects.filter(study=study)
    rooms = Room.objects.filter(study=study).filter(
        Exists(ParticipantCode.objects.filter(room=OuterRef("pk")))
    )
    submitted = Report.objects.filter(submitted_at__isnull=False)
    events = {
        checklist.MATERIALS_DOWNLOADED: exists(
            AttachmentDownload.objects.filter(attachment__publication__study=study)
        ),
        checklist.REGISTRATION_SUBMITTED: exists(
            submitted.filter(collection_id=settings.registration_collection_id)
        ),
        checklist.SURVEY_SUBMITTED: exists(
            submitted.filter(collection_id=settings.survey_collection_id)
        ),
        checklist.PROTOCOL_SUBMITTED: exists(
            submitted.filter(collection_id=settings.protocol_collection_id)
        ),
        checklist.PARTICIPANTS_DISTRIBUTED: exists(codes)
        & ~exists(codes.filter(room__isnull=True)),
        checklist.ROOM_LISTS_ISSUED: exists(rooms)
        & ~exists(rooms.filter(list_issued_at__isnull=True)),
        checklist.ROOM_PROTOCOLS_FILLED: exists(rooms)
        & ~exists(
            rooms.exclude(Exists(RoomProtocol.objects.filter(room=OuterRef("pk")).exclude(scan="")))
        ),
        checklist.REPORT_OPENED: exists(StatisticalReportOpened.objects.filter(study=study)),
    }
    conditions = {}
    for item in applicable_items(settings):
        if item.kind == checklist.MANUAL:
            ticks = ChecklistTick.objects.filter(study=study, item=item.key)
            conditions[item.key] = exists(ticks)
        else:
            conditions[item.key] = events[item.event]
    for collection in collections:
        conditions[f"form-{collection.pk}"] = exists(submitted.filter(collection=collection))
    return conditions


@dataclass
class Flags:
    """One organization's columns without dates (for counts and filters): done, behind."""

    pk: int
    done: dict[str, bool]
    behind: dict[str, bool]

    @property
    def any_behind(self) -> bool:
        return any(self.behind.values())


def done_flags(
    study: Study,
    organizations: QuerySet[Organization],
    *,
    settings: ChecklistSettings,
    collections: list[Collection],
    deadlines: dict | None = None,
    today: date | None = None,
) -> list[Flags]:
    """Every organization's columns, in the queryset's order: one query for the «done» of all
    of them (and the calendar's); behind as `readiness` decides it."""
    today = today or timezone.localdate()
    deadlines = stage_deadlines(study) if deadlines is None else deadlines
    conditions = _done_conditions(study, settings, collections)
    names = {f"done_{index}": key for index, key in enumerate(conditions)}
    rows = organizations.annotate(
        **{
            name: ExpressionWrapper(conditions[key], output_field=BooleanField())
            for name, key in names.items()
        }
    ).values_list("pk", "region_id", *names)
    items = applicable_items(settings)
    closed = _closed(collections)
    forms = {f"form-{collection.pk}": collection.pk in closed for collection in collections}
    overdue_in: dict[int, dict[str, bool]] = {}  # region id → {column: past its deadline}

    def past_deadline(region_id: int) -> dict[str, bool]:
        if region_id not in overdue_in:
            overdue_in[region_id] = forms | {
                item.key: _overdue(deadline_for(deadlines, region_id, item.stage), today)
                for item in items
            }
        return overdue_in[region_id]

    extended = {
        (pk, f"form-{collection_id}")
        for pk, collection_id in _extended(collections, organizations.values("pk"))
    }
    flags = []
    for pk, region_id, *values in rows:
        done = dict(zip(names.values(), values, strict=True))
        past = past_deadline(region_id)
        behind = {key: past[key] and not done[key] and (pk, key) not in extended for key in done}
        flags.append(Flags(pk, done, behind))
    return flags


def _overdue(deadline: date | None, today: date) -> bool:
    return bool(deadline and today > deadline)


def _closed(collections: list[Collection]) -> set[int]:
    """Collections whose window has closed for everyone (extensions aside)."""
    now = timezone.now()
    return {c.pk for c in collections if c.closed_manually or c.closes_at <= now}


def _extended(collections: list[Collection], organization_ids) -> set[tuple[int, int]]:
    """(organization, collection) pairs still open by an extension although the window has
    closed for everyone — such an organization is not behind on that form (`is_open_for`'s
    rule: a manual close ends extensions too). One query, none when nothing has timed out."""
    now = timezone.now()
    timed_out = [c.pk for c in collections if not c.closed_manually and c.closes_at <= now]
    if not timed_out:
        return set()
    return set(
        Extension.objects.filter(
            collection_id__in=timed_out, organization_id__in=organization_ids, until__gt=now
        ).values_list("organization_id", "collection_id")
    )


def study_collections(study: Study) -> list[Collection]:
    return list(
        Collection.objects.filter(study=study).select_related("form").order_by("opens_at", "pk")
    )


def _applicable(item: checklist.Item, settings: ChecklistSettings) -> bool:
    needs = {
        checklist.REGISTRATION_SUBMITTED: settings.registration_collection_id,
        checklist.SURVEY_SUBMITTED: settings.survey_collection_id,
        checklist.PROTOCOL_SUBMITTED: settings.protocol_collection_id,
    }
    return bool(needs.get(item.event, True))


def readiness(
    study: Study,
    organizations: QuerySet[Organization],
    *,
    today: date | None = None,
    settings: ChecklistSettings | None = None,
    collections: list[Collection] | None = None,
    deadlines: dict | None = None,
) -> tuple[list[OrganizationReadiness], list[Collection]]:
    """Every organization's item and form states. Queries: organizations, settings, calendar,
    collections, downloads, watched reports, codes, rooms, opened reports, ticks, form reports —
    eleven whatever the number of organizations (twelve once a window has closed: extensions)."""
    today = today or timezone.localdate()
    settings = settings or checklist_settings(study)
    deadlines = stage_deadlines(study) if deadlines is None else deadlines
    collections = study_collections(study) if collections is None else collections
    org_list = list(organizations.only("pk", "login", "name", "region_id", "municipality_id"))
    org_ids = organizations.values("pk")
    events = _event_dates(study, settings, org_ids)
    tick_rows = ChecklistTick.objects.filter(study=study, organization_id__in=org_ids)
    ticks: dict[tuple[int, str], tuple] = {
        (organization_id, item): (pk, ticked_at, username, file_name)
        for pk, organization_id, item, ticked_at, username, file_name in tick_rows.values_list(
            "pk", "organization_id", "item", "ticked_at", "ticked_by__username", "file_name"
        )
    }
    reports: dict[tuple[int, int], tuple] = {
        (organization_id, collection_id): (status, submitted_at)
        for organization_id, collection_id, status, submitted_at in Report.objects.filter(
            collection__study=study, organization_id__in=org_ids
        ).values_list("organization_id", "collection_id", "status", "submitted_at")
    }
    closed = _closed(collections)
    extended = _extended(collections, org_ids)
    applicable = [item for item in checklist.TRACKED if _applicable(item, settings)]
    rows = []
    for organization in org_list:
        row = OrganizationReadiness(organization)
        for item in applicable:
            deadline = deadline_for(deadlines, organization.region_id, item.stage)
            if item.kind == checklist.MANUAL:
                tick = ticks.get((organization.pk, item.key))
                done_at = tick[1] if tick else None
            else:
                tick = None
                done_at = events[item.event].get(organization.pk)
            if done_at is not None:
                status = DONE
            elif _overdue(deadline, today):
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
            status, submitted_at = reports.get(
                (organization.pk, collection.pk), (Report.Status.NOT_STARTED, None)
            )
            row.forms[collection.pk] = FormState(
                collection,
                status,
                submitted_at,
                closed=collection.pk in closed and (organization.pk, collection.pk) not in extended,
            )
        rows.append(row)
    return rows, collections


def applicable_items(settings: ChecklistSettings) -> list[checklist.Item]:
    return [item for item in checklist.TRACKED if _applicable(item, settings)]
