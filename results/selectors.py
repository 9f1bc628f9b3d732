"""Reads for statistical reports: the stored figures (`Aggregate`) of a report and the levels it
is compared with, scoped through `accounts.scoping` and `accounts.permissions`.

Every page reads a fixed number of rows whatever the number of organizations: the definition,
the subject (organization, municipality or region), its tasks, the 1–4 aggregates of its levels in
one query, and one page of the organizations' table. Shares and averages are divisions of the
stored integers; nothing is parsed from cell text here.

The comparison rule: a task is highlighted when the organization's (or municipality's) share of
the maximum is below the region's by more than `BELOW_REGION_MARGIN` percentage points.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts import permissions
from accounts.models import Municipality, Organization, Region, User
from accounts.scoping import (
    municipalities_visible_to,
    organization_for_user_or_404,
    regions_visible_to,
)

from .models import MARKS, Aggregate, ReportDefinition, TaskDefinition

BELOW_REGION_MARGIN = 15  # percentage points
BELOW_REGION_RULE = (
    f"Выделены задания, доля выполнения которых ниже, чем в регионе, более чем на "
    f"{BELOW_REGION_MARGIN} процентных пунктов."
)
PAGE_SIZE = 100

Level = Aggregate.Level


def definitions_visible_to(user: User) -> QuerySet[ReportDefinition]:
    """Reports a user may open: an organization those of the collections it takes part in;
    coordinators and operators every report (the figures inside are scoped)."""
    definitions = ReportDefinition.objects.select_related("collection__study", "collection__form")
    if permissions.is_organization_user(user):
        return definitions.filter(collection__organizations=user.organization_id)
    if permissions.may_monitor(user):
        return definitions
    return definitions.none()


def definition_for_user_or_404(user: User, pk: int) -> ReportDefinition:
    try:
        return definitions_visible_to(user).get(pk=pk)
    except (ReportDefinition.DoesNotExist, ValueError, TypeError):
        raise Http404("Отчет не найден") from None


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class LevelFigures:
    """One column of the comparison: a level's figures as read by the pages and the .xlsx."""

    level: str
    label: str
    name: str
    pk: int | None = None  # the organization's, municipality's or region's; None for «all»
    organizations: int = 0
    participants: int = 0
    absentees: int = 0
    average: Decimal | None = None
    task_percents: list[float | None] = field(default_factory=list)
    score_counts: list[int] = field(default_factory=list)
    mark_counts: list[int] = field(default_factory=list)

    # Cached: the distribution's table and chart ask for one share at a time.
    @cached_property
    def score_percents(self) -> list[float | None]:
        return [_percent(count, self.participants) for count in self.score_counts]

    @cached_property
    def mark_percents(self) -> list[float | None]:
        return [_percent(count, self.participants) for count in self.mark_counts]


def level_figures(
    aggregate: Aggregate | None,
    tasks: list[TaskDefinition],
    *,
    level: str,
    name: str,
    with_marks: bool,
    pk: int | None = None,
) -> LevelFigures:
    max_total = sum(task.max_score for task in tasks)
    figures = LevelFigures(level=level, label=Level(level).label, name=name, pk=pk)
    if aggregate is None:
        figures.task_percents = [None] * len(tasks)
        figures.score_counts = [0] * (max_total + 1)
        figures.mark_counts = [0] * len(MARKS) if with_marks else []
        return figures
    participants = aggregate.participants
    figures.organizations = aggregate.organizations
    figures.participants = participants
    figures.absentees = aggregate.absentees
    figures.average = aggregate.average_score
    figures.task_percents = [
        _percent(score_sum, participants * task.max_score)
        for score_sum, task in zip(aggregate.task_score_sums, tasks, strict=False)
    ]
    figures.score_counts = list(aggregate.score_counts)
    figures.mark_counts = list(aggregate.mark_counts)
    return figures


@dataclass
class TaskRow:
    number: int
    task: TaskDefinition
    percents: list[float | None]
    below_region: bool


@dataclass
class ResultsReport:
    """A report as the page and the .xlsx show it: the subject first, then the levels above."""

    definition: ReportDefinition
    tasks: list[TaskDefinition]
    levels: list[LevelFigures]
    subject_name: str

    @property
    def subject(self) -> LevelFigures:
        return self.levels[0]

    @property
    def with_marks(self) -> bool:
        return self.definition.has_mark_scale

    @property
    def max_total(self) -> int:
        return sum(task.max_score for task in self.tasks)

    @property
    def has_participants(self) -> bool:
        return self.subject.participants > 0

    @property
    def compares_with_region(self) -> bool:
        return self.subject.level in (Level.ORGANIZATION, Level.MUNICIPALITY)

    @property
    def task_rows(self) -> list[TaskRow]:
        region = next((lv for lv in self.levels if lv.level == Level.REGION), None)
        rows = []
        for index, task in enumerate(self.tasks):
            percents = [lv.task_percents[index] for lv in self.levels]
            below = False
            if self.compares_with_region and region is not None:
                mine, theirs = self.subject.task_percents[index], region.task_percents[index]
                below = (
                    mine is not None
                    and theirs is not None
                    and (theirs - mine > BELOW_REGION_MARGIN)
                )
            rows.append(TaskRow(index + 1, task, percents, below))
        return rows

    @property
    def score_rows(self) -> list[tuple[int, list[tuple[int, float | None]]]]:
        """(score, [(count, percent) per level]) for every primary score 0 … max."""
        return [
            (
                score,
                [(lv.score_counts[score], lv.score_percents[score]) for lv in self.levels],
            )
            for score in range(self.max_total + 1)
        ]

    @property
    def mark_rows(self) -> list[tuple[int, list[tuple[int, float | None]]]]:
        if not self.with_marks:
            return []
        return [
            (mark, [(lv.mark_counts[i], lv.mark_percents[i]) for lv in self.levels])
            for i, mark in enumerate(MARKS)
        ]


def _tasks(definition: ReportDefinition) -> list[TaskDefinition]:
    return list(definition.tasks.all())


ALL_NAME = "Все участники"

Subject = Organization | Municipality | Region | None


def _places(subject: Subject) -> list[tuple[str, str, int | None, Q]]:
    """The subject (an organization, a municipality, a region, or None for all participants)
    and every level above it up to «Все участники»: (level, name, pk, its aggregate's filter)."""
    places = []
    municipality = region = None
    if isinstance(subject, Organization):
        places.append((Level.ORGANIZATION, subject.login, subject.pk, Q(organization=subject)))
        municipality, region = subject.municipality, subject.region
    elif isinstance(subject, Municipality):
        municipality, region = subject, subject.region
    elif isinstance(subject, Region):
        region = subject
    if municipality is not None:
        places.append(
            (Level.MUNICIPALITY, municipality.name, municipality.pk, Q(municipality=municipality))
        )
    if region is not None:
        places.append((Level.REGION, region.name, region.pk, Q(region=region)))
    places.append((Level.ALL, ALL_NAME, None, Q()))
    return places


def report_of(definition: ReportDefinition, subject: Subject) -> ResultsReport:
    """The subject's report beside every level above it (the subject already in scope): one
    query for the aggregates of all its levels."""
    tasks = _tasks(definition)
    places = _places(subject)
    condition = Q()
    for level, _, _, where in places:
        condition |= Q(level=level) & where
    found = {}
    if definition.is_published:
        for aggregate in Aggregate.objects.filter(definition=definition).filter(condition):
            found[aggregate.level] = aggregate
    levels = [
        level_figures(
            found.get(level),
            tasks,
            level=level,
            name=name,
            pk=pk,
            with_marks=definition.has_mark_scale,
        )
        for level, name, pk, _ in places
    ]
    return ResultsReport(definition, tasks, levels, subject.name if subject else ALL_NAME)


def organization_report(user: User, definition: ReportDefinition, pk: int):
    organization = organization_for_user_or_404(user, pk)
    permissions.require(
        permissions.may_view_results_of(user, organization), not_found="Организация не найдена"
    )
    return organization, report_of(definition, organization)


def municipality_for_user_or_404(user: User, pk: int) -> Municipality:
    try:
        municipality = municipalities_visible_to(user).select_related("region").get(pk=pk)
    except (Municipality.DoesNotExist, ValueError, TypeError):
        raise Http404("Муниципалитет не найден") from None
    permissions.require(permissions.may_view_area_results(user))
    return municipality


def region_for_user_or_404(user: User, pk: int) -> Region:
    try:
        region = regions_visible_to(user).get(pk=pk)
    except (Region.DoesNotExist, ValueError, TypeError):
        raise Http404("Регион не найден") from None
    permissions.require(permissions.may_view_region_results(user, region.pk))
    return region


def national_report(user: User, definition: ReportDefinition) -> ResultsReport:
    permissions.require(permissions.may_see_all_regions(user))
    return report_of(definition, None)


# ---------------------------------------------------------------- tables of an area

ORGANIZATION_SORTS = {
    "login": ("organization__login",),
    "name": ("organization__name", "organization__login"),
    "municipality": ("municipality__name", "organization__login"),
    "participants": ("participants", "organization__login"),
    "average": ("average_score", "organization__login"),
}
DEFAULT_SORT = "municipality"


def sort_key(sort: str) -> tuple[str, bool]:
    """(field, descending) from «average» or «-average»; unknown keys fall back."""
    descending = sort.startswith("-")
    key = sort.removeprefix("-")
    if key not in ORGANIZATION_SORTS:
        return DEFAULT_SORT, False
    return key, descending


def organization_rows(
    definition: ReportDefinition, *, region=None, municipality=None, sort: str = ""
) -> QuerySet[Aggregate]:
    """The organizations of an area with their figures, sorted (one query, or a stream)."""
    if not definition.is_published:
        return Aggregate.objects.none()
    rows = Aggregate.objects.filter(definition=definition, level=Level.ORGANIZATION)
    if municipality is not None:
        rows = rows.filter(municipality=municipality)
    if region is not None:
        rows = rows.filter(region=region)
    key, descending = sort_key(sort)
    order = [f"-{f}" if descending and i == 0 else f for i, f in enumerate(ORGANIZATION_SORTS[key])]
    return rows.select_related("organization", "municipality").order_by(*order, "pk")


def organization_page(
    definition: ReportDefinition, *, region=None, municipality=None, sort="", page=1
) -> Page:
    rows = organization_rows(definition, region=region, municipality=municipality, sort=sort)
    paginator = Paginator(rows, PAGE_SIZE)
    return paginator.get_page(paginator.num_pages if page == "last" else page)


def area_rows(definition: ReportDefinition, *, level: str, region=None) -> list[Aggregate]:
    """The municipalities of a region or every region, with their figures (a few hundred at
    most)."""
    if not definition.is_published:
        return []
    rows = Aggregate.objects.filter(definition=definition, level=level)
    if level == Level.MUNICIPALITY:
        return list(
            rows.filter(region=region).select_related("municipality").order_by("municipality__code")
        )
    return list(rows.select_related("region").order_by("region__code"))


def mark_percents(aggregate: Aggregate) -> list[float | None]:
    return [_percent(count, aggregate.participants) for count in aggregate.mark_counts]
