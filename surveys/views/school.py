"""«Анкеты» in the cabinet: the school issues and prints codes and follows completion; the
coordinators follow completion per organization, remind and export; everyone in scope reads
the summary. Questionnaires are found through `questionnaire_for_user_or_404`."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts import permissions
from core import jobs
from core.files import download, stored_file_open
from core.text import msk
from studies.selectors import study_for_user_or_404

from .. import presenters, selectors, services
from ..models import SurveyExport

COMPLETION_PAGE_SIZE = 100


def _int(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


@require_GET
def questionnaire_list(request):
    permissions.require(
        permissions.is_organization_user(request.user) or permissions.may_monitor(request.user)
    )
    return render(
        request,
        "surveys/questionnaire_list.html",
        {"questionnaires": selectors.questionnaire_list(request.user)},
    )


def _school_questionnaire(request, pk):
    permissions.require(permissions.is_organization_user(request.user))
    return selectors.questionnaire_for_user_or_404(request.user, pk)


@require_GET
def school_detail(request, pk):
    questionnaire = _school_questionnaire(request, pk)
    organization = request.user.organization
    counts = selectors.school_counts(questionnaire=questionnaire, organization=organization)
    return render(
        request,
        "surveys/school_detail.html",
        {
            "questionnaire": questionnaire,
            "counts": counts,
            "totals": {
                "issued": sum(row.issued for row in counts),
                "started": sum(row.started for row in counts),
                "completed": sum(row.completed for row in counts),
            },
            "opens_at": msk(questionnaire.opens_at),
            "closes_at": msk(questionnaire.closes_at),
            "answer_url": request.build_absolute_uri(
                f"{reverse('surveys:enter')}?anketa={questionnaire.pk}"
            ),
            "issue_limit": services.ISSUE_LIMIT,
        },
    )


@require_POST
def codes_issue(request, pk):
    questionnaire = _school_questionnaire(request, pk)
    try:
        codes = services.codes_issue(
            questionnaire=questionnaire,
            actor=request.user,
            count=_int(request.POST.get("count")),
            grade=_int(request.POST.get("grade")),
            request=request,
        )
    except services.SurveyError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"Выдано: {presenters.codes_label(len(codes))}. Распечатайте листки с кодами."
        )
    return redirect("surveys:school_detail", pk=questionnaire.pk)


@require_GET
def codes_print(request, pk):
    """Slips to cut out: the address, the code, and for pupils the class."""
    questionnaire = _school_questionnaire(request, pk)
    codes = selectors.school_codes(
        questionnaire=questionnaire, organization=request.user.organization
    )
    grade = _int(request.GET.get("grade"))
    if grade is not None:
        codes = codes.filter(grade=grade)
    if request.GET.get("unused"):
        codes = codes.filter(started_at__isnull=True)
    return render(
        request,
        "surveys/codes_print.html",
        {
            "questionnaire": questionnaire,
            "codes": codes,
            "answer_url": request.build_absolute_uri(
                f"{reverse('surveys:enter')}?anketa={questionnaire.pk}"
            ),
            "closes_at": msk(questionnaire.closes_at),
        },
    )


@require_GET
def summary(request, pk):
    permissions.require(
        permissions.is_organization_user(request.user) or permissions.may_monitor(request.user)
    )
    questionnaire = selectors.questionnaire_for_user_or_404(request.user, pk)
    groups = selectors.summary_groups(questionnaire=questionnaire, user=request.user)
    questions = presenters.summary_rows(groups)
    return render(
        request,
        "surveys/summary.html",
        {
            "questionnaire": questionnaire,
            "groups": groups,
            "questions": questions,
            "min_responses": settings.SURVEYS_MIN_RESPONSES,
        },
    )


@require_GET
def completion(request, pk):
    """Completion per organization in the coordinator's scope, a page at a time; «Напомнить»
    those below a chosen share."""
    permissions.require(permissions.may_monitor(request.user))
    questionnaire = selectors.questionnaire_for_user_or_404(request.user, pk)
    below = _int(request.GET.get("below"))
    if below is not None and not 1 <= below <= 100:
        below = None
    organizations = selectors.completion_organizations(
        questionnaire=questionnaire, user=request.user, below_percent=below
    ).select_related("municipality")
    page = Paginator(organizations, COMPLETION_PAGE_SIZE).get_page(request.GET.get("page"))
    for row in page:
        row.completion_percent = selectors.completion_percent(row)
    return render(
        request,
        "surveys/completion.html",
        {"questionnaire": questionnaire, "page": page, "below": below},
    )


def _back(request, default: str) -> str:
    """Where «Напомнить» returns: the page it was pressed on (a local address only)."""
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return default


def _ids(values: list[str]) -> list[int] | None:
    """Chosen organizations, or None; a value that is not a number chooses nobody (refused)."""
    if not values:
        return None
    ids = [_int(value) for value in values]
    return [] if None in ids else ids


def _remind(request, questionnaire, back: str):
    try:
        result = services.reminders_request(
            questionnaire=questionnaire,
            actor=request.user,
            below_percent=_int(request.POST.get("below")),
            region_id=_int(request.POST.get("region")),
            municipality_id=_int(request.POST.get("municipality")),
            organization_ids=_ids(request.POST.getlist("organization")),
            request=request,
        )
    except services.AccessDenied as error:  # e.g. an organization outside the scope chosen
        raise PermissionDenied(error.message) from None
    except services.SurveyError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, result.message)
        if result.without_email:
            logins = result.without_email
            more = f" и еще {len(logins) - 20}" if len(logins) > 20 else ""
            messages.warning(
                request,
                "Без адреса электронной почты (напоминание только в кабинете): "
                f"{', '.join(logins[:20])}{more}.",
            )
    return redirect(back)


@require_POST
def remind(request, pk):
    permissions.require(permissions.may_act_on_organizations(request.user))
    questionnaire = selectors.questionnaire_for_user_or_404(request.user, pk)
    return _remind(request, questionnaire, _back(request, reverse("surveys:completion", args=[pk])))


@require_POST
def study_remind(request, study_pk):
    """«Напомнить» from the readiness grid or «Список участников»: the questionnaire is the
    chosen column of the study (`survey-<id>`)."""
    permissions.require(permissions.may_act_on_organizations(request.user))
    study = study_for_user_or_404(request.user, study_pk)
    back = _back(request, reverse("studies:grid", kwargs={"study_pk": study.pk}))
    questionnaire = selectors.study_questionnaire(
        study, request.POST.get("column", "").removeprefix("survey-")
    )
    if questionnaire is None:
        messages.error(request, services.REMIND_QUESTIONNAIRE)
        return redirect(back)
    return _remind(request, questionnaire, back)


@require_POST
def export_start(request, pk):
    permissions.require(permissions.may_monitor(request.user))
    questionnaire = selectors.questionnaire_for_user_or_404(request.user, pk)
    job = services.export_start(questionnaire=questionnaire, actor=request.user, request=request)
    return redirect("surveys:export_detail", pk=job.pk)


@require_GET
def export_detail(request, pk):
    permissions.require(permissions.may_monitor(request.user))
    job = selectors.export_for_user_or_404(request.user, pk)
    return render(request, "surveys/export_detail.html", {"job": job})


@require_POST
def export_retry(request, pk):
    """«Повторить экспорт» of a failed, interrupted or never taken job."""
    permissions.require(permissions.may_monitor(request.user))
    job = selectors.export_for_user_or_404(request.user, pk)
    return jobs.retry_from_page(request, job, services.export_retry, "surveys:export_detail")


@require_GET
def export_download(request, pk):
    permissions.require(permissions.may_monitor(request.user))
    job = selectors.export_for_user_or_404(request.user, pk)
    if job.status != SurveyExport.Status.DONE or not job.file:
        raise Http404("Файл выгрузки не готов")
    handle = stored_file_open(job.file, "Файл выгрузки удален")
    return download(handle, presenters.export_file_name(job.questionnaire.code, job.pk))
