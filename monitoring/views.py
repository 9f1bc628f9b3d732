"""Monitoring for coordinators and operators: statistics, «Список участников», an
organization's data read-only, reminders, extensions, returns and «Экспорт результатов».

Thin views: every collection, organization and export job is found through the scoping
selectors (out of scope → 404), every write goes through a service that records an audit row.
Organizations have nothing to monitor (403); municipal coordinators only watch (403 on actions).
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import permissions
from core import jobs
from core.files import download
from core.text import msk
from datacollection import services as datacollection_services
from datacollection.definitions import load_form
from studies.extensions import cells_of, readiness_columns
from studies.presenters import select_options

from . import presenters, selectors, services
from .forms import (
    ExtensionForm,
    ParticipantFilterForm,
    ReminderForm,
    ReturnForm,
    list_query,
    sort_links,
)
from .models import ExportJob
from .participant_html import rows_html


def _list_url(collection, back: str = "") -> str:
    url = reverse("monitoring:participant_list", args=[collection.pk])
    return f"{url}?{back}" if back else url


@require_GET
def overview(request):
    """Every collection of the user's scope with its four numbers."""
    permissions.require(permissions.may_monitor(request.user))
    collections = list(selectors.collections_visible_to(request.user).order_by("-opens_at", "-pk"))
    counts = selectors.counts_of_collections(request.user, collections)
    rows = [
        {"collection": collection, "counts": counts[collection.pk]} for collection in collections
    ]
    return render(request, "monitoring/overview.html", {"rows": rows})


@require_GET
def collection_detail(request, pk):
    """The statistics of one collection: numbers, breakdown, chart, reminder and export."""
    permissions.require(permissions.may_monitor(request.user))
    collection = selectors.collection_for_user_or_404(request.user, pk)
    statistics = selectors.collection_statistics(request.user, collection)
    chart = presenters.daily_chart(
        selectors.submissions_per_day(request.user, collection), collection
    )

    def drill_url(region_id):
        return reverse("monitoring:collection_region", args=[collection.pk, region_id])

    return render(
        request,
        "monitoring/collection_detail.html",
        {
            "collection": collection,
            "statistics": statistics,
            "breakdown": presenters.breakdown_parts(
                statistics, _list_url(collection), drill_url if statistics.by_region else None
            ),
            "chart": chart,
            "counts_seconds": settings.MONITORING_NATIONAL_COUNTS_SECONDS,
            "can_act": permissions.may_act_on_organizations(request.user),
            "reminder_form": ReminderForm(),
            "exports": selectors.recent_exports(request.user, collection),
            "deadline": msk(collection.closes_at),
            "opens": msk(collection.opens_at),
        },
    )


@require_GET
def collection_region(request, pk, region_pk):
    """One region of the national statistics (operators): its numbers and its municipalities."""
    permissions.require(permissions.may_monitor(request.user))
    collection = selectors.collection_for_user_or_404(request.user, pk)
    region = selectors.region_for_user_or_404(request.user, region_pk)
    statistics = selectors.collection_statistics(request.user, collection, region=region)
    return render(
        request,
        "monitoring/collection_region.html",
        {
            "collection": collection,
            "region": region,
            "region_query": f"region={region.pk}",
            "statistics": statistics,
            "breakdown": presenters.breakdown_parts(statistics, _list_url(collection)),
            "deadline": msk(collection.closes_at),
            "opens": msk(collection.opens_at),
        },
    )


@require_GET
def participant_list(request, pk):
    """«Список участников»: statuses and dates, filters, search, sorting, pages."""
    permissions.require(permissions.may_monitor(request.user))
    collection = selectors.collection_for_user_or_404(request.user, pk)
    form = ParticipantFilterForm(request.GET, user=request.user, collection=collection)
    filters = form.filters()
    page = selectors.participant_page(
        request.user, collection, **filters, page=request.GET.get("page")
    )
    back = list_query(request.GET)
    # Other apps' columns (questionnaires of the study) for the organizations of this page.
    share_groups = readiness_columns(collection.study, [org.pk for org in page])
    rows = presenters.participant_rows(
        page, collection, back, lambda pk: cells_of(share_groups, pk)
    )
    can_act = permissions.may_act_on_organizations(request.user)
    return render(
        request,
        "monitoring/participant_list.html",
        {
            "collection": collection,
            "form": form,
            "filters": filters,
            "page": page,
            "rows": rows,
            "rows_html": rows_html(
                rows,
                see_all_regions=permissions.may_see_all_regions(request.user),
                can_act=can_act,
            ),
            "sorts": sort_links(request.GET, filters["sort"]),
            "can_act": can_act,
            "filter_label": selectors.FILTERS.get(filters["status"], ("",))[0],
            **_filter_options(form, filters),
            "share_groups": share_groups,
            "colspan": 10 + sum(len(group.columns) for group in share_groups),
        },
    )


def _filter_options(form: ParticipantFilterForm, filters: dict) -> dict:
    """The `<option>`s of the list's selects written at once (`select_options`): a template
    loop over the operator's 89 regions was ~2.5 ms of every page of the list."""
    labels = {"region": str, "municipality": lambda municipality: municipality.name}
    options = {"status_options": select_options(form.fields["status"].choices, filters["status"])}
    for name, label in labels.items():
        if name in form.fields:
            options[f"{name}_options"] = select_options(
                ((item.pk, label(item)) for item in form.fields[name].queryset), filters[name]
            )
    return options


@require_GET
def participant_data(request, pk, organization_pk):
    """The organization's data, read-only: the last transfer by default, an earlier one
    (?submission=<id>) or the current values (?version=current)."""
    permissions.require(permissions.may_monitor(request.user))
    collection = selectors.collection_for_user_or_404(request.user, pk)
    organization = selectors.participant_for_user_or_404(request.user, collection, organization_pk)
    report = selectors.report_of(collection, organization)
    submissions = selectors.submissions_of(report)
    definitions = load_form(collection.form)
    shown = None
    wanted = request.GET.get("submission", "")
    if request.GET.get("version") == "current" or (not submissions and not wanted):
        tables = selectors.current_tables(report, definitions) if report else []
    else:
        shown = next((s for s in submissions if str(s.pk) == wanted), None)
        if wanted and shown is None:
            raise Http404("Переданные данные не найдены")
        shown = shown or submissions[0]
        tables = presenters.snapshot_tables(definitions, _snapshot_data(shown))
    return render(
        request,
        "monitoring/participant_data.html",
        {
            "collection": collection,
            "organization": organization,
            "report": report,
            "submissions": submissions,
            "shown": shown,
            "tables": tables,
            "back": list_query(request.GET),
            "can_act": permissions.may_act_on_organizations(request.user),
            "badges": presenters.status_badges(organization),
        },
    )


def _snapshot_data(submission) -> dict:
    # `submissions_of` loads the list without the (large) data; fetch the one shown.
    return type(submission).objects.values_list("data", flat=True).get(pk=submission.pk)


@require_POST
def remind(request, pk):
    permissions.require(permissions.may_monitor(request.user))
    collection = selectors.collection_for_user_or_404(request.user, pk)
    permissions.require(permissions.may_act_on_organizations(request.user))
    form = ReminderForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Выберите, кому отправить напоминание.")
        return redirect("monitoring:collection_detail", pk=collection.pk)
    result = services.reminder_send(
        collection=collection,
        actor=request.user,
        target=form.cleaned_data["target"],
        request=request,
    )
    messages.success(request, result.message)
    if result.skipped:
        skipped = ", ".join(org.login for org in result.skipped[:50])
        more = f" и еще {len(result.skipped) - 50}" if len(result.skipped) > 50 else ""
        messages.warning(
            request,
            f"Без адреса электронной почты, напоминание только в кабинете "
            f"({len(result.skipped)}): {skipped}{more}.",
        )
    return redirect("monitoring:collection_detail", pk=collection.pk)


@require_http_methods(["GET", "POST"])
def extension_grant(request, pk, organization_pk):
    """«Продлить срок» for one organization, in Moscow time."""
    permissions.require(permissions.may_monitor(request.user))
    collection = selectors.collection_for_user_or_404(request.user, pk)
    organization = selectors.participant_for_user_or_404(request.user, collection, organization_pk)
    permissions.require(permissions.may_act_on_organizations(request.user))
    # The form posts to its own URL, query string included: the list's filters come back.
    back = list_query(request.GET)
    deadline = collection.deadline_for(organization)
    form = ExtensionForm(request.POST or None, initial={"until": deadline + timedelta(days=1)})
    if request.method == "POST" and form.is_valid():
        try:
            extension = datacollection_services.extension_grant(
                collection=collection,
                organization=organization,
                until=form.cleaned_data["until"],
                actor=request.user,
                request=request,
            )
        except datacollection_services.DataCollectionError as error:
            form.add_error("until", error.message)
        else:
            messages.success(
                request, f"Срок для {organization.login} продлен до {msk(extension.until)}."
            )
            return redirect(_list_url(collection, back))
    return render(
        request,
        "monitoring/extension_form.html",
        {
            "collection": collection,
            "organization": organization,
            "form": form,
            "back": back,
            "deadline": msk(deadline),
        },
    )


@require_http_methods(["GET", "POST"])
def report_return(request, pk, organization_pk):
    """«Вернуть на доработку» a submitted report, with a comment the organization will see."""
    permissions.require(permissions.may_monitor(request.user))
    collection = selectors.collection_for_user_or_404(request.user, pk)
    organization = selectors.participant_for_user_or_404(request.user, collection, organization_pk)
    permissions.require(permissions.may_act_on_organizations(request.user))
    report = selectors.report_of(collection, organization)
    if report is None:
        raise Http404("Отчет не найден")
    back = list_query(request.GET)
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            datacollection_services.report_return_for_corrections(
                report=report,
                actor=request.user,
                comment=form.cleaned_data["comment"],
                request=request,
            )
        except datacollection_services.DataCollectionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Отчет {organization.login} возвращен на доработку.")
            return redirect(_list_url(collection, back))
    return render(
        request,
        "monitoring/return_form.html",
        {
            "collection": collection,
            "organization": organization,
            "report": report,
            "form": form,
            "back": back,
        },
    )


@require_POST
def export_start(request, pk):
    permissions.require(permissions.may_monitor(request.user))
    collection = selectors.collection_for_user_or_404(request.user, pk)
    job = services.export_start(collection=collection, requester=request.user, request=request)
    return redirect("monitoring:export_detail", pk=job.pk)


@require_GET
def export_detail(request, pk):
    """The job's messages; monitoring-export.js refreshes them, «Обновить» does without JS."""
    permissions.require(permissions.may_monitor(request.user))
    job = selectors.export_job_for_user_or_404(request.user, pk)
    return render(
        request,
        "monitoring/export_detail.html",
        {
            "job": job,
            "collection": job.collection,
            "messages_of_job": presenters.export_messages(job),
            "file_name": presenters.export_file_name(job),
        },
    )


@require_GET
def export_status(request, pk):
    permissions.require(permissions.may_monitor(request.user))
    job = selectors.export_job_for_user_or_404(request.user, pk)
    return JsonResponse(
        {
            "status": job.status,
            "message": job.message,
            "messages": [text for _, text in presenters.export_messages(job)],
            "done": job.progress_done,
            "total": job.progress_total,
            # A stalled job counts as finished for the page: it reloads and offers a retry.
            "finished": job.is_finished or job.can_retry,
            "error": job.error,
            "download_url": (
                reverse("monitoring:export_download", args=[job.pk])
                if job.status == ExportJob.Status.DONE
                else ""
            ),
        },
        headers={"Cache-Control": "no-store"},
    )


@require_GET
def export_download(request, pk):
    """«Загрузить отчет»: only the requester and operators (404 for anyone else)."""
    permissions.require(permissions.may_monitor(request.user))
    job = selectors.export_job_for_user_or_404(request.user, pk)
    try:
        handle = services.export_file_open(job=job, actor=request.user)
    except services.MonitoringError as error:
        raise Http404(error.message) from None
    return download(handle, presenters.export_file_name(job))


@require_POST
def export_retry(request, pk):
    permissions.require(permissions.may_monitor(request.user))
    job = selectors.export_job_for_user_or_404(request.user, pk)
    return jobs.retry_from_page(request, job, services.export_retry, "monitoring:export_detail")
