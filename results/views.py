"""«Статистические отчеты»: the list of reports and each report (an organization, a municipality,
a region, all participants) as a page and as .xlsx.

Thin views: the report is found through `selectors.definition_for_user_or_404`, its subject
through the scoping selectors (out of scope → 404, a role without the right → 403).
"""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from accounts import permissions
from core.files import download
from studies.services import statistical_report_opened

from . import presenters, selectors, xlsx
from .models import Aggregate


def _home_url(user, definition) -> str | None:
    """Where «Открыть отчет» leads each role: its own organization, municipality, region, or
    the national report."""
    if permissions.is_organization_user(user):
        return reverse("results:organization", args=[definition.pk, user.organization_id])
    if permissions.may_see_all_regions(user):
        return reverse("results:national", args=[definition.pk])
    if permissions.may_view_region_results(user, user.region_id):
        return reverse("results:region", args=[definition.pk, user.region_id])
    if permissions.may_view_area_results(user) and user.municipality_id:
        return reverse("results:municipality", args=[definition.pk, user.municipality_id])
    return None


@require_GET
def index(request):
    definitions = selectors.definitions_visible_to(request.user).order_by(
        "-collection__study__year", "collection__study__title", "grade", "pk"
    )
    rows = [(definition, _home_url(request.user, definition)) for definition in definitions]
    return render(request, "results/index.html", {"rows": rows})


def _xlsx(report, **tables) -> HttpResponse:
    if not report.definition.is_published:
        raise Http404("Отчет еще не опубликован")
    return download(xlsx.report_workbook(report, **tables), presenters.xlsx_filename(report))


def _may_open(user, figures) -> bool:
    """Whether the user's role opens the page of a level above a report's subject."""
    if figures.level == Aggregate.Level.MUNICIPALITY:
        return permissions.may_view_area_results(user)
    if figures.level == Aggregate.Level.REGION:
        return permissions.may_view_region_results(user, figures.pk)
    return permissions.may_see_all_regions(user)


def _page(request, report, **context):
    """Every level's page: the subject's figures beside the levels above it, the way up to
    those the user may open, the .xlsx link; `context`: the tables of an area."""
    up = [
        (figures.name, presenters.level_url(report, figures))
        for figures in report.levels[1:]
        if _may_open(request.user, figures)
    ]
    return render(
        request,
        "results/report.html",
        {
            "definition": report.definition,
            "report": report,
            "charts": presenters.charts(report) if report.definition.is_published else [],
            "rule": selectors.BELOW_REGION_RULE,
            "mark_scale": presenters.mark_scale(report),
            "score_cells": presenters.count_cells(report.score_rows),
            "mark_cells": presenters.count_cells(report.mark_rows),
            "xlsx_url": presenters.level_url(report, report.subject, xlsx=True),
            "up": up,
            **context,
        },
    )


ORGANIZATION_COLUMNS = [
    ("login", "Логин", False),
    ("name", "Наименование", False),
    ("municipality", "Муниципалитет", False),
    ("participants", "Участников", True),
    ("average", "Средний балл", True),
]


def _organization_columns(current: str) -> list[tuple[str, str, bool, str]]:
    """(key, title, numeric, link): the link sorts by the column, or the other way round when
    the table is already sorted by it."""
    key, descending = selectors.sort_key(current)
    columns = []
    for name, title, numeric in ORGANIZATION_COLUMNS:
        value = f"-{name}" if name == key and not descending else name
        columns.append((name, title, numeric, "?" + urlencode({"sort": value})))
    return columns


def _organizations(request, definition, **area):
    sort = request.GET.get("sort", "")
    page = selectors.organization_page(definition, sort=sort, page=request.GET.get("page"), **area)
    return {
        "organizations": page,
        "organization_table": presenters.organization_table(definition, page),
        "sort": selectors.sort_key(sort),
        "organization_columns": _organization_columns(sort),
        "sort_query": urlencode({"sort": sort}) if sort else "",
    }


@require_GET
def organization(request, pk, organization_pk, fmt="html"):
    definition = selectors.definition_for_user_or_404(request.user, pk)
    subject, report = selectors.organization_report(request.user, definition, organization_pk)
    if fmt == "xlsx":
        return _xlsx(report)
    if definition.is_published:
        # «Получение статистического отчета» on the school's checklist ticks itself (the hook
        # counts only the school's own first opening).
        statistical_report_opened(
            user=request.user, study=definition.collection.study, organization=subject
        )
    return _page(request, report, subject=subject)


@require_GET
def municipality(request, pk, municipality_pk, fmt="html"):
    definition = selectors.definition_for_user_or_404(request.user, pk)
    subject = selectors.municipality_for_user_or_404(request.user, municipality_pk)
    report = selectors.report_of(definition, subject)
    if fmt == "xlsx":
        return _xlsx(
            report, organizations=selectors.organization_rows(definition, municipality=subject)
        )
    return _page(request, report, **_organizations(request, definition, municipality=subject))


@require_GET
def region(request, pk, region_pk, fmt="html"):
    definition = selectors.definition_for_user_or_404(request.user, pk)
    subject = selectors.region_for_user_or_404(request.user, region_pk)
    report = selectors.report_of(definition, subject)
    areas = selectors.area_rows(definition, level=Aggregate.Level.MUNICIPALITY, region=subject)
    if fmt == "xlsx":
        return _xlsx(
            report,
            organizations=selectors.organization_rows(definition, region=subject).iterator(),
            areas=areas,
            area_title="Муниципалитеты",
        )
    return _page(
        request,
        report,
        areas=presenters.area_table(definition, areas),
        area_kind="municipality",
        **_organizations(request, definition, region=subject),
    )


@require_GET
def national(request, pk, fmt="html"):
    definition = selectors.definition_for_user_or_404(request.user, pk)
    report = selectors.national_report(request.user, definition)
    areas = selectors.area_rows(definition, level=Aggregate.Level.REGION)
    if fmt == "xlsx":
        return _xlsx(report, areas=areas, area_title="Регионы")
    return _page(
        request, report, areas=presenters.area_table(definition, areas), area_kind="region"
    )
