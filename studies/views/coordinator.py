"""The readiness grid of a study for coordinators (and operators, per region): who is behind
in what, the .xlsx, and one reminder to everyone who has not done an item."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts import permissions
from accounts.models import Region
from accounts.scoping import municipalities_visible_to, regions_visible_to
from core.errors import ServiceError
from core.files import download

from ..extensions import SummaryScope, readiness_columns
from ..grid import build_grid, grid_workbook, page_rows
from ..presenters import select_options
from ..selectors import study_for_user_or_404
from ..services import reminders


def _study(request, study_pk):
    permissions.require(permissions.may_monitor(request.user), not_found="Исследование не найдено")
    return study_for_user_or_404(request.user, study_pk)


def _region(request) -> Region | None:
    """Operators look at one region at a time; coordinators at their own scope."""
    return _regions(request)[0]


def _regions(request) -> tuple[Region | None, list[Region]]:
    """(the region looked at, every region the operator may pick) from one query; (None, [])
    for coordinators."""
    if not permissions.may_see_all_regions(request.user):
        return None, []
    regions = list(regions_visible_to(request.user).order_by("code"))
    code = request.GET.get("region") or request.POST.get("region")
    chosen = next((region for region in regions if region.code == code), None)
    return chosen or (regions[0] if regions else None), regions


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _grid(request, study, region, *, page=None):
    return build_grid(
        request.user,
        study,
        region=region,
        municipality_id=_int(request.GET.get("municipality")),
        behind_only=request.GET.get("behind") == "1",
        item=request.GET.get("item", ""),
        page=page,
    )


def _summary_scope(readiness_grid) -> SummaryScope:
    """What the grid's row «Выполнено / просрочено» counts, for other apps' columns: the
    organizations shown on every page, out of the scope `build_grid` filtered in SQL."""
    return SummaryScope(readiness_grid.scope.order_by(), readiness_grid.shown)


@require_GET
def grid(request, study_pk):
    study = _study(request, study_pk)
    region, regions = _regions(request)
    readiness_grid = _grid(request, study, region, page=request.GET.get("page") or 1)
    # Other apps' columns (questionnaires): cells for the organizations of this page, the
    # summary row for all those shown.
    share_groups = readiness_columns(
        study,
        [row.organization.pk for row in readiness_grid.rows],
        summary_of=_summary_scope(readiness_grid),
    )
    municipalities = municipalities_visible_to(request.user)
    if region is not None:
        municipalities = municipalities.filter(region=region)
    return render(
        request,
        "studies/grid.html",
        {
            "study": study,
            "grid": readiness_grid,
            "page": readiness_grid.page,
            "rows": page_rows(readiness_grid.rows, readiness_grid.columns, share_groups),
            "share_groups": share_groups,
            "region": region,
            "region_options": select_options(
                ((r.code, str(r)) for r in regions), region.code if region else None
            ),
            "municipality_options": select_options(
                municipalities.order_by("name").values_list("pk", "name"),
                _int(request.GET.get("municipality")),
            ),
            "selected_municipality": _int(request.GET.get("municipality")),
            # «Не выполнен пункт» and «Напомнить всем, кто не выполнил» offer the same columns.
            "item_options": select_options(
                ((column.key, column.title) for column in readiness_grid.columns),
                request.GET.get("item", ""),
            ),
            "behind": request.GET.get("behind") == "1",
        },
    )


@require_GET
def grid_xlsx(request, study_pk):
    study = _study(request, study_pk)
    readiness_grid = _grid(request, study, _region(request))
    share_groups = readiness_columns(
        study,
        [row.organization.pk for row in readiness_grid.rows],
        summary_of=_summary_scope(readiness_grid),
    )
    return download(
        grid_workbook(readiness_grid, study, share_groups), f"Готовность ОО — {study.code}.xlsx"
    )


@require_POST
def grid_remind(request, study_pk):
    study = _study(request, study_pk)
    permissions.require(
        permissions.may_act_on_organizations(request.user), refusal=reminders.NOT_ALLOWED
    )
    region = _region(request)
    try:
        sent, skipped = reminders.remind_not_done(
            user=request.user,
            study=study,
            item_key=request.POST.get("item", ""),
            region=region,
            request=request,
        )
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, reminders.reminded_label(sent))
        if skipped:
            messages.warning(
                request,
                "Без адреса электронной почты, напоминание только в кабинете: "
                + ", ".join(o.login for o in skipped[:20]),
            )
    url = reverse("studies:grid", kwargs={"study_pk": study.pk})
    return redirect(f"{url}?region={region.code}" if region else url)
