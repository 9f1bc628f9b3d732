"""Who takes part and in what state: `participants(user, collection)` — the organizations in the
user's scope (`accounts.scoping`) with the collection's report joined in and the status of
`datacollection.status` annotated — the «Список участников» over it, and the read-only data."""

from typing import Any

from django.core.paginator import Page
from django.db.models import (
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.http import Http404

from accounts import permissions
from accounts.models import Organization, User
from accounts.scoping import organization_search, organizations_visible_to
from core.paging import CountDifference, Counted, CountEither, ReversiblePaginator
from datacollection import status as participant_status
from datacollection.definitions import TableDefinition
from datacollection.models import Collection, Extension, Report, Submission
from datacollection.selectors import report_grid

from .. import presenters

PAGE_SIZE = 50


# A participant's status is one of the report's own statuses (the same values and Russian
# labels as the organization's card), decided by `datacollection.status`.
Status = Report.Status

# Filters of the list; each number of the statistics links to one of them.
FILTERS = participant_status.FILTERS
COUNTED_FILTERS = ["not_started", "in_progress", "submitted", "late", "changes", "returned"]

# «Список участников» sorts by these columns only (the key is what the URL carries).
SORTS = {
    "login": ("login",),
    "name": ("name",),
    "region": ("region__code",),
    "municipality": ("municipality__name",),
    "status": ("status_order",),
    "started": ("report_started_at",),
    "submitted": ("report_submitted_at",),
    "saved": ("report_last_saved_at",),
}
DEFAULT_SORT = "login"
# Sorts by a report's date: NULL for those without one (and without a report), read in two
# parts (`ReversiblePaginator(nulls_apart=…)`): the dated ones, and the undated ones in login
# order from the organizations' index on login (on region and login for a region) — or,
# under a filter that needs a report, sorted (`few_nulls`).
NULLABLE_SORTS = {"started", "submitted", "saved"}

# The name of the participant's report in the collection, joined (a FilteredRelation).
REPORT = "collection_report"
# The prefix of the annotations that copy its columns (`report_status`, …: `_report_columns`).
REPORT_COLUMNS = "report"


def collections_visible_to(user: User) -> QuerySet[Collection]:
    """Collections with at least one participant the user may see (every one for operators)."""
    collections = Collection.objects.select_related("form", "study")
    if permissions.may_see_all_regions(user):
        return collections
    if not permissions.may_monitor(user):
        return collections.none()
    return collections.filter(
        Exists(
            Collection.organizations.through.objects.filter(
                collection_id=OuterRef("pk"),
                organization_id__in=organizations_visible_to(user).values("pk"),
            )
        )
    )


def collection_for_user_or_404(user: User, pk: int) -> Collection:
    try:
        return collections_visible_to(user).get(pk=pk)
    except (Collection.DoesNotExist, ValueError, TypeError):
        raise Http404("Сбор данных не найден") from None


def participants(user: User, collection: Collection) -> QuerySet[Organization]:
    """The participants the user may see, with the report's dates and the statuses above."""
    return _with_status(organizations_visible_to(user), collection)


def every_participant(collection: Collection) -> QuerySet[Organization]:
    """`participants` of someone who sees every region (the operator's national numbers,
    counted once for all of them)."""
    return _with_status(Organization.objects.all(), collection)


def participations(user: User, collections: list[Collection], *, statuses: bool = True) -> QuerySet:
    """One row per (collection, participant the user may see) of these collections — the
    collection's list of participants itself — with the participant's report in that
    collection as `REPORT` and the statuses of `datacollection.status` annotated, «с
    опозданием» against each row's own collection's deadline: counted per collection in one
    GROUP BY («Мониторинг (все сборы)»). Without `statuses` nothing is joined until a filter
    asks for it (a count of the rows alone reads the link table's index)."""
    rows = Collection.organizations.through.objects.filter(
        collection__in=[collection.pk for collection in collections]
    )
    if not permissions.may_see_all_regions(user):  # every organization: no scope to join
        rows = rows.filter(organization__in=organizations_visible_to(user).values("pk"))
    rows = rows.annotate(
        **{
            REPORT: FilteredRelation(
                "organization__reports",
                condition=Q(organization__reports__collection=F("collection")),
            )
        }
    )
    if not statuses:
        return rows
    return rows.annotate(
        **participant_status.status_annotations(REPORT, None, deadline=F("collection__closes_at"))
    )


def _with_status(organizations: QuerySet[Organization], collection: Collection):
    return _with_report(organizations.filter(collections=collection), collection).annotate(
        report_returned_comment=F(f"{REPORT}__returned_comment"),
        **participant_status.status_annotations(REPORT, collection),
    )


def _with_report(organizations: QuerySet[Organization], collection: Collection):
    """The organizations with their report in the collection joined as `REPORT` (none: its
    columns NULL) and the columns the status rules and the list's dates read."""
    return organizations.annotate(
        **{REPORT: FilteredRelation("reports", condition=Q(reports__collection=collection))}
    ).annotate(**_report_columns(), report_started_at=F(f"{REPORT}__started_at"))


def _listed(
    user: User, collection: Collection, *, by_status: bool, with_report: bool = False
) -> QuerySet[Organization]:
    """The participants the user may see with the report's columns joined (no statuses in
    SQL: `_with_statuses` works them out for a page's rows); `by_status` adds the status's
    order, for the list sorted by it. `with_report`: the caller keeps only organizations with
    a report in the collection (a filter that needs one), and those are participants — every
    report belongs to one (`_counted`) — so the list of participants is not joined (for
    6,750 «В работе» sorted by their last save, one lookup in it per row before the sort)."""
    rows = organizations_visible_to(user)
    if not with_report:
        rows = rows.filter(collections=collection)
    rows = _with_report(rows, collection)
    if by_status:
        order = participant_status.status_annotations(REPORT, collection)["status_order"]
        rows = rows.annotate(status_order=order)
    return rows


def _with_statuses(organizations, collection: Collection) -> list[Organization]:
    """`participation_status`, `is_late`, … of `participants` for a page's rows, worked out in
    Python by the same rules from the report's columns the rows carry."""
    organizations = list(organizations)
    for organization in organizations:
        values = {
            name: getattr(organization, f"{REPORT_COLUMNS}_{name}")
            for name in participant_status.FIELDS
        }
        found = participant_status.status_of(values, collection)
        organization.participation_status = found.status
        organization.is_late = found.is_late
        organization.has_changes = found.has_changes
        organization.is_returned = found.is_returned
        organization.is_not_submitted = found.is_not_submitted
    return organizations


def _report_columns() -> dict:
    """`report_status`, `report_pk`, … — the joined report's columns that the status rules
    read (`datacollection.status.FIELDS`), by the names `filter_condition(annotated=True)`
    filters on. A status filter on them reuses the join they make; one through the relation
    (`REPORT__status`) would join the report again and turn each negation into a NOT EXISTS
    (the count has no join to reuse: `filter_exists`)."""
    return {
        f"{REPORT_COLUMNS}_{name}": F(f"{REPORT}__{name}") for name in participant_status.FIELDS
    }


def participant_for_user_or_404(user: User, collection: Collection, pk: int) -> Organization:
    try:
        return participants(user, collection).select_related("region", "municipality").get(pk=pk)
    except (Organization.DoesNotExist, ValueError, TypeError):
        raise Http404("Организация не найдена") from None


# ---------------------------------------------------------------- «Список участников»


def participant_page(
    user: User,
    collection: Collection,
    *,
    status: str = "",
    region: int | None = None,
    municipality: int | None = None,
    q: str = "",
    sort: str = DEFAULT_SORT,
    page: Any = 1,
) -> Page:
    """One page of the list (3 queries: the count, the page's ids, its rows with their regions,
    municipalities and latest receipts). The count reads the collection's list of participants
    (`participations`: the link table's index, no organization joined unless a filter needs
    it) or, under a status filter, the collection's reports (`_counted`); the sort
    reads only ids, so the database orders narrow rows and computes the statuses and dates
    for the page's 50 rows alone; a page past the middle is read from the end
    (`ReversiblePaginator`). Regions and municipalities are joined to the page's 50 rows only
    (read by their ids: two queries of their own cost more than the join)."""

    def narrowed(
        rows: QuerySet, via: str = "", *, by_status: bool = True, search: str = "match"
    ) -> QuerySet:
        """The list's filters on `rows` (organizations, or rows that reach one `via`);
        `by_status=False` for rows that passed the status filter already (`_counted`);
        `search`: "match" keeps the rows the search finds, "fail" those it does not, ""
        ignores it (`_counted`)."""
        if status in FILTERS and by_status and via:  # the list of participants: EXISTS
            rows = rows.filter(
                participant_status.filter_exists(
                    status,
                    collection.closes_at,
                    collection=OuterRef("collection_id"),
                    organization=OuterRef("organization_id"),
                )
            )
        elif status in FILTERS and by_status:
            rows = rows.filter(
                participant_status.filter_condition(
                    status, REPORT_COLUMNS, collection.closes_at, annotated=True
                )
            )
        if region:
            rows = rows.filter(**{f"{via}region_id": region})
        if municipality:
            rows = rows.filter(**{f"{via}municipality_id": municipality})
        found = organization_search(q, via=via) if search else None
        if found is not None:
            rows = rows.filter(found if search == "match" else ~found)
        return rows

    # A filter only a report passes: its rows are the collection's reports (`_counted`).
    needs_report = status in FILTERS and participant_status.filter_needs_report(status)
    descending = sort.startswith("-")
    key = sort.lstrip("-") if sort.lstrip("-") in SORTS else DEFAULT_SORT
    fields = SORTS[key]
    ordering = [
        F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True)
        for name in fields
    ]
    paginator = ReversiblePaginator(
        narrowed(
            _listed(user, collection, by_status=key == "status", with_report=needs_report)
        ).order_by(*ordering, "login"),
        PAGE_SIZE,
        counted=_counted(user, collection, status, q, narrowed, needs_report=needs_report),
        rows=lambda ids: _with_statuses(
            _listed(user, collection, by_status=False)
            .filter(pk__in=ids)
            .select_related("region", "municipality")
            .annotate(receipt_pk=_latest_receipt()),
            collection,
        ),
        nulls_apart=fields[0] if key in NULLABLE_SORTS else "",
        # A filter that needs a report: those without the date are the few reports that
        # lack it (none, as a rule), not every organization without a report.
        few_nulls=needs_report,
    )
    return paginator.get_page(page)


def _counted(
    user: User, collection: Collection, status: str, q: str, narrowed, *, needs_report: bool
) -> Counted:
    """What the list counts: the collection's list of participants narrowed as the list is —
    or, under a filter only a report passes («В работе», «Сдано», …), the collection's reports
    that pass it, with no list of participants joined: every report belongs to a participant
    (`datacollection.services.report_open` opens one for a participant only, and removing a
    participant with entered data is refused, an empty report going with it). 31,500 reports
    «Сдано» are counted from their index, not hashed against 45,000 participants. Under a
    filter passed by having no report («Не приступили»), for the same reason, the participants
    less the reports that fail it (`CountDifference`: 6,750 of 45,000 by two index scans,
    16 → ~8 ms, where NOT EXISTS per participant hashed 38,250 reports). A search is counted
    as the rows it finds when a sample shows them few, or as all the rows less those it does
    not find when they are most (`CountEither`: «организация», in every name, 51 → 15 ms)."""

    def counted(search: str) -> Counted:
        def reports(condition: Q) -> QuerySet:
            found = Report.objects.filter(collection=collection).filter(condition)
            if not permissions.may_see_all_regions(user):
                found = found.filter(organization__in=organizations_visible_to(user).values("pk"))
            return narrowed(found, "organization__", by_status=False, search=search)

        if needs_report:
            return reports(participant_status.report_condition(status, collection.closes_at))
        listed = participations(user, [collection], statuses=False)
        if status in FILTERS:
            # Passed by having no report («Не приступили», «Не сдали»): the participants less
            # those whose report fails the filter (each report is a participant's, as above).
            return CountDifference(
                narrowed(listed, "organization__", by_status=False, search=search),
                reports(~participant_status.report_condition(status, collection.closes_at)),
            )
        return narrowed(listed, "organization__", search=search)

    every = counted("")
    found = organization_search(q, via="organization__")
    if found is None:
        return every
    return CountEither(
        every.minuend if isinstance(every, CountDifference) else every,
        found,
        most=CountDifference(every, counted("fail")),
        few=counted("match"),
    )


def _latest_receipt() -> Subquery:
    """`receipt_pk`: the number of the row's latest «Квитанция о сдаче отчета» — a subquery
    of the page's rows, read by their ids (50 lookups in the index of a report's latest
    transfers), not of the sorted list."""
    return Subquery(
        Submission.objects.filter(report=OuterRef(f"{REPORT_COLUMNS}_pk"))
        .order_by("-submitted_at", "-id")
        .values("pk")[:1]
    )


def reminder_recipients(
    user: User, collection: Collection, *, target: str
) -> QuerySet[Organization]:
    """Whom «Напомнить» writes to: the participants that have not started, or that have not
    submitted (not started, in progress or returned)."""
    return (
        participants(user, collection)
        .filter(FILTERS[target][1])
        .annotate(
            extension_until=Subquery(
                Extension.objects.filter(collection=collection, organization=OuterRef("pk")).values(
                    "until"
                )[:1]
            )
        )
        .order_by("login")
    )


# ---------------------------------------------------------------- read-only data


def current_tables(
    report: Report, definitions: list[TableDefinition]
) -> list["presenters.ReadOnlyTable"]:
    """The values as they are now, submitted or not (2 queries)."""
    return [
        presenters.read_only_table(
            grid.definition,
            [
                (
                    row.label,
                    [cell.value for cell in row.cells],
                )
                for row in grid.rows
            ],
        )
        for grid in report_grid(report, definitions)
    ]


def report_of(collection: Collection, organization: Organization) -> Report | None:
    return Report.objects.filter(collection=collection, organization=organization).first()


def submissions_of(report: Report | None) -> list[Submission]:
    if report is None:
        return []
    return list(
        Submission.objects.filter(report=report)
        .order_by("-submitted_at", "-pk")
        .only("pk", "submitted_at", "report_id")
    )
