"""A participant's status in a collection: the ONE definition.

The school's card asks `participant_status(report, collection)` for one report (or None: the
organization has not opened the form); monitoring annotates thousands of organizations at once
with `status_annotations(...)`. Both are derived from the rules below, written once as small
conditions over the report's fields that can be evaluated in Python and rendered as SQL, so
the two readings cannot drift apart (tests/test_datacollection_status.py checks them against
each other on every state).

The statuses (a partition: every participant is in exactly one):
- «Не приступило»: no report yet, or a report nobody has typed into;
- «В работе»: data entered, never transferred to ФИС ОКО;
- «Сдано»: transferred at least once (`services.report_submit` stamps `submitted_at` together
  with the `Submission`, and nothing clears it). A report returned for corrections stays
  «Сдано» (it was transferred once) and carries the flag «возвращено на доработку».
The flags on top:
- «сдано с опозданием»: the last transfer came after the collection's common deadline (only
  possible with an extension);
- «есть несданные изменения»: the data changed after the last transfer;
- «возвращено на доработку»: a coordinator sent it back and it has not been submitted since.
And «не сдали» (whom a reminder «не сдавшим» reaches): not started, or entering data now —
a returned report included, since it waits for a new transfer.
"""

from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    F,
    IntegerField,
    Q,
    Value,
    When,
)

from .models import Collection, Report

Status = Report.Status

# ------------------------------------------------------------------ conditions

# In SQL a comparison with NULL (a missing report's columns in an outer join) is neither true
# nor false, and so is its negation. Through the relation Django knows the columns may be NULL
# and its negation says so itself; over annotations that copy the columns it does not, and
# `q(prefix, two_valued=True)` then adds the IS NOT NULL to each comparison that Python's
# `holds` makes false for None.


@dataclass(frozen=True)
class _IsSet:
    field: str

    def q(self, prefix: str, two_valued: bool = False) -> Q:
        return Q(**{f"{prefix}{self.field}__isnull": False})

    def holds(self, values: dict) -> bool:
        return values[self.field] is not None


@dataclass(frozen=True)
class _Equals:
    field: str
    value: Any

    def q(self, prefix: str, two_valued: bool = False) -> Q:
        condition = Q(**{f"{prefix}{self.field}": self.value})
        if two_valued:
            condition &= Q(**{f"{prefix}{self.field}__isnull": False})
        return condition

    def holds(self, values: dict) -> bool:
        # SQL: NULL = x is not true; Python: None == x is False for every value used here.
        return values[self.field] is not None and values[self.field] == self.value


@dataclass(frozen=True)
class _After:
    """`field` > `other` (another field's name) or > a fixed moment — in SQL also a column
    given as an expression (each collection's own deadline when several are counted at once);
    false when either is NULL."""

    field: str
    other: Any  # str (a report field) | datetime | an expression (SQL only)

    def q(self, prefix: str, two_valued: bool = False) -> Q:
        bound = F(f"{prefix}{self.other}") if isinstance(self.other, str) else self.other
        condition = Q(**{f"{prefix}{self.field}__gt": bound})
        if two_valued:
            condition &= Q(**{f"{prefix}{self.field}__isnull": False})
            if isinstance(self.other, str):
                condition &= Q(**{f"{prefix}{self.other}__isnull": False})
        return condition

    def holds(self, values: dict) -> bool:
        bound = values[self.other] if isinstance(self.other, str) else self.other
        return values[self.field] is not None and bound is not None and values[self.field] > bound


@dataclass(frozen=True)
class _NoReport:
    """The organization has no report in the collection (the outer join's id is NULL)."""

    def q(self, prefix: str, two_valued: bool = False) -> Q:
        return Q(**{f"{prefix}pk__isnull": True})

    def holds(self, values: dict) -> bool:
        return values["pk"] is None


@dataclass(frozen=True)
class _All:
    parts: tuple

    def q(self, prefix: str, two_valued: bool = False) -> Q:
        result = Q()
        for part in self.parts:
            result &= part.q(prefix, two_valued)
        return result

    def holds(self, values: dict) -> bool:
        return all(part.holds(values) for part in self.parts)


@dataclass(frozen=True)
class _Any:
    parts: tuple

    def q(self, prefix: str, two_valued: bool = False) -> Q:
        result = Q()
        for part in self.parts:
            result |= part.q(prefix, two_valued)
        return result

    def holds(self, values: dict) -> bool:
        return any(part.holds(values) for part in self.parts)


@dataclass(frozen=True)
class _Not:
    """Not `part`, where a NULL reads as «does not hold» (as a CASE's WHEN does): Django's
    negation adds the IS NOT NULL checks for the outer join's NULL columns (`two_valued`
    adds them over annotations)."""

    part: Any

    def q(self, prefix: str, two_valued: bool = False) -> Q:
        return ~self.part.q(prefix, two_valued)

    def holds(self, values: dict) -> bool:
        return not self.part.holds(values)


# ------------------------------------------------------------------ the rules

# Report fields the rules read; a missing report reads as all NULL (as the outer join does).
FIELDS = ("pk", "status", "submitted_at", "last_saved_at", "has_unsubmitted_changes", "returned_at")

SUBMITTED = _Any((_IsSet("submitted_at"), _Equals("status", Status.SUBMITTED)))
IN_PROGRESS = _Equals("status", Status.IN_PROGRESS)
# (status, order for sorting, rule) in the order they are tried; the last one is the default.
STATUS_RULES = (
    (Status.SUBMITTED, 2, SUBMITTED),
    (Status.IN_PROGRESS, 1, IN_PROGRESS),
)
DEFAULT_STATUS = (Status.NOT_STARTED, 0)


def _late(deadline):
    """Transferred after the collection's common deadline: a moment, or in SQL the column of
    the collection (an expression such as F("collection__closes_at"))."""
    return _After("submitted_at", deadline)


HAS_CHANGES = _All(
    (
        _IsSet("submitted_at"),
        _Any((_Equals("has_unsubmitted_changes", True), _After("last_saved_at", "submitted_at"))),
    )
)
RETURNED = _IsSet("returned_at")
NOT_SUBMITTED = _Any(
    (
        _Equals("status", Status.NOT_STARTED),
        _Equals("status", Status.IN_PROGRESS),
        _NoReport(),
    )
)

FLAG_LABELS = {
    "is_late": "сдано с опозданием",
    "has_changes": "есть несданные изменения",
    "is_returned": "возвращено на доработку",
}


def _flag_rules(deadline) -> dict:
    return {"is_late": _late(deadline), "has_changes": HAS_CHANGES, "is_returned": RETURNED}


# ------------------------------------------------------------------ Python: one report


@dataclass(frozen=True)
class ParticipantStatus:
    status: str  # a Report.Status value
    is_late: bool
    has_changes: bool
    is_returned: bool
    is_not_submitted: bool

    @property
    def label(self) -> str:
        """«Не приступило» / «В работе» / «Сдано»."""
        return Status(self.status).label

    @property
    def flags(self) -> list[str]:
        """The flags that hold, in their fixed order, lower case: «сдано с опозданием», …"""
        return [label for name, label in FLAG_LABELS.items() if getattr(self, name)]

    @property
    def text(self) -> str:
        """«Сдано (возвращено на доработку)»."""
        return f"{self.label} ({', '.join(self.flags)})" if self.flags else self.label


def _values(report: Report | None) -> dict:
    return {name: (getattr(report, name) if report is not None else None) for name in FIELDS}


def participant_status(report: Report | None, collection: Collection) -> ParticipantStatus:
    """The status of one organization in `collection`, `report` being its report or None."""
    return status_of(_values(report), collection)


def status_of(values: dict, collection: Collection) -> ParticipantStatus:
    """The status from the report's `FIELDS` (all None without a report) — read with the
    rows of a page, instead of computing it in SQL for each."""
    status = next(
        (value for value, _order, rule in STATUS_RULES if rule.holds(values)), DEFAULT_STATUS[0]
    )
    flags = {name: rule.holds(values) for name, rule in _flag_rules(collection.closes_at).items()}
    return ParticipantStatus(status=status, is_not_submitted=NOT_SUBMITTED.holds(values), **flags)


# ------------------------------------------------------------------ SQL: many organizations


def status_annotations(report: str, collection: Collection | None, *, deadline=None) -> dict:
    """Annotations for a queryset of organizations in which `report` names the joined report
    (a FilteredRelation on this collection): participation_status, status_order, is_late,
    has_changes, is_returned, is_not_submitted. Counting several collections at once, pass
    `deadline`, an expression for each row's collection's `closes_at`, instead of one
    collection."""
    prefix = f"{report}__"
    if deadline is None:
        deadline = collection.closes_at

    def flag(condition) -> Case:
        return Case(
            When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
        )

    annotations = {
        "participation_status": Case(
            *[When(rule.q(prefix), then=Value(value)) for value, _order, rule in STATUS_RULES],
            default=Value(DEFAULT_STATUS[0]),
            output_field=CharField(),
        ),
        "status_order": Case(
            *[When(rule.q(prefix), then=Value(order)) for _value, order, rule in STATUS_RULES],
            default=Value(DEFAULT_STATUS[1]),
            output_field=IntegerField(),
        ),
        "is_not_submitted": flag(NOT_SUBMITTED.q(prefix)),
    }
    for name, rule in _flag_rules(deadline).items():
        annotations[name] = flag(rule.q(prefix))
    return annotations


def _status_is(status: str):
    """The rule of one status: its own rule and none of those tried before it (the default:
    none of them) — the CASE of `status_annotations` as a plain condition."""
    earlier = []
    for value, _order, rule in STATUS_RULES:
        if value == status:
            return _All((*(_Not(part) for part in earlier), rule))
        earlier.append(rule)
    return _All(tuple(_Not(part) for part in earlier))


def filter_needs_report(key: str) -> bool:
    """Whether the filter `key` of FILTERS leaves out every organization without a report
    («В работе», «Сдано», … — not «Не приступили», «Не сдали»)."""
    return not _filter_rule(key, None).holds(dict.fromkeys(FIELDS))


def filter_condition(key: str, report: str, deadline, *, annotated: bool = False) -> Q:
    """The filter `key` of FILTERS as a condition on the joined report's columns rather than on
    the annotations: the database estimates and uses it (a CASE compared to a value reads to
    the planner as one row in 200, and it then picks nested loops over 30,000 rows).

    `report` names the joined report (`report__status`, …) or, `annotated`, the prefix of
    annotations that copy its columns (`report_status`, `report_pk`, …): a queryset that
    already joins the report for its annotations filters on them, since a filter through a
    multi-valued relation joins it once more and turns each negation into a NOT EXISTS."""
    rule = _filter_rule(key, deadline)
    if annotated:
        return rule.q(f"{report}_", two_valued=True)
    return rule.q(f"{report}__")


def filter_exists(key: str, deadline, *, collection, organization) -> Exists:
    """The filter `key` of FILTERS for rows that only name a collection and an organization (a
    collection's list of participants): whether the organization's report there — at most one
    — passes it, as EXISTS, or as NOT EXISTS of a report that fails it when having no report
    passes (not started, not submitted). Counting a status so joins only the reports, matched
    on both columns of their unique index; `filter_condition` reaches them through the
    organization, joining every organization only to reach its reports."""
    rule = _filter_rule(key, deadline)
    reports = Report.objects.filter(collection=collection, organization=organization)
    if not filter_needs_report(key):
        return ~Exists(reports.filter(~rule.q("")))
    return Exists(reports.filter(rule.q("")))


def report_condition(key: str, deadline) -> Q:
    """The filter `key` of FILTERS on a report's own columns: the reports of a collection that
    pass it. For a filter that does not need a report (`filter_needs_report`) the participants
    without a report pass too: its negation gives the reports of those it leaves out."""
    return _filter_rule(key, deadline).q("")


def _filter_rule(key: str, deadline):
    rules = {
        Status.NOT_STARTED.value: _status_is(Status.NOT_STARTED),
        Status.IN_PROGRESS.value: _status_is(Status.IN_PROGRESS),
        Status.SUBMITTED.value: _status_is(Status.SUBMITTED),
        "late": _late(deadline),
        "changes": HAS_CHANGES,
        "returned": RETURNED,
        "not_submitted": NOT_SUBMITTED,
    }
    return rules[key]


# The monitoring filters over those annotations (each number of the statistics links to one).
FILTERS = {
    "not_started": (Status.NOT_STARTED.label, Q(participation_status=Status.NOT_STARTED)),
    "in_progress": (Status.IN_PROGRESS.label, Q(participation_status=Status.IN_PROGRESS)),
    "submitted": (Status.SUBMITTED.label, Q(participation_status=Status.SUBMITTED)),
    "late": ("Сдано с опозданием", Q(is_late=True)),
    "changes": ("Есть несданные изменения", Q(has_changes=True)),
    "returned": ("Возвращено на доработку", Q(is_returned=True)),
    "not_submitted": ("Не сдали", Q(is_not_submitted=True)),
}


# ------------------------------------------------------------------ counts kept in the cache


def counts_cache_key(collection: Collection) -> str:
    """Where monitoring keeps a collection's national counts (`monitoring.selectors`). The
    deadline is part of the key: «сдано с опозданием» is counted against it, so moving it
    counts afresh at once."""
    return f"status-counts:{collection.pk}:{collection.closes_at.timestamp():.0f}"


def counts_changed(collection: Collection) -> None:
    """A transfer, a return or new participants: the cached counts go once the transaction
    commits. Typing into a report (not started → in progress, unsent changes) does not call
    this — the autosave stays as lean as it is; the cache's lifetime bounds that delay."""
    key = counts_cache_key(collection)
    transaction.on_commit(lambda: cache.delete(key))
