"""The respondent's pages: no account, a code instead.

The code entered is kept in the session (`SESSION_KEY`), never in an address, so it is not
left in a browser's history or a server log. Every page finds the code through
`_code_or_redirect`, which also refuses a code of another questionnaire (404) — the same check
for the screens, autosave and «Отправить»."""

from http import HTTPStatus

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core.text import msk

from .. import services
from ..answers import visible_ids
from ..models import AccessCode, Questionnaire
from ..selectors import answer_values, questionnaire_sections

SESSION_KEY = "surveys_code"


def _questionnaire_from_query(request) -> Questionnaire | None:
    pk = request.GET.get("anketa") or request.POST.get("anketa")
    if not pk:
        return None
    try:
        return Questionnaire.objects.filter(pk=int(pk)).first()
    except ValueError:
        return None


@login_not_required
@require_http_methods(["GET", "POST"])
def enter(request):
    """«Введите код доступа»; with ?anketa=<id> (the address on a slip), only that
    questionnaire's codes open it."""
    questionnaire = _questionnaire_from_query(request)
    error = ""
    code_text = ""
    if request.method == "POST":
        code_text = request.POST.get("code", "")
        try:
            access_code = services.code_enter(
                text=code_text, request=request, questionnaire=questionnaire
            )
        except services.CodeRefused as refusal:
            error = refusal.message
        except services.ResponseClosed as refusal:
            error = refusal.message
        else:
            request.session.cycle_key()
            request.session[SESSION_KEY] = access_code.pk
            return redirect(
                "surveys:section",
                questionnaire_pk=access_code.questionnaire_id,
                number=access_code.current_section,
            )
    status = HTTPStatus.OK if not error else HTTPStatus.BAD_REQUEST
    return render(
        request,
        "surveys/respondent/enter.html",
        {"questionnaire": questionnaire, "error": error, "code_text": code_text},
        status=status,
    )


class _Refused(Exception):
    def __init__(self, response):
        self.response = response


def _code_or_redirect(request, questionnaire_pk: int) -> AccessCode:
    pk = request.session.get(SESSION_KEY)
    access_code = (
        AccessCode.objects.select_related("questionnaire").filter(pk=pk).first() if pk else None
    )
    if access_code is None:
        raise _Refused(redirect(f"{reverse('surveys:enter')}?anketa={questionnaire_pk}"))
    if access_code.questionnaire_id != questionnaire_pk:
        raise Http404("Анкета не найдена")
    return access_code


def _closed_page(request, message: str):
    request.session.pop(SESSION_KEY, None)
    return render(
        request, "surveys/respondent/closed.html", {"message": message}, status=HTTPStatus.FORBIDDEN
    )


def _screen(request, access_code, sections, number, *, errors=None, posted=None, status=200):
    section = sections[number - 1]
    values = answer_values(access_code)
    questions_all = [q for s in sections for q in s.questions.all()]
    shown = visible_ids(questions_all, values)
    items = []
    for question in section.questions.all():
        parent = question.show_if_question_id
        same_screen_condition = parent is not None and any(
            q.pk == parent for q in section.questions.all()
        )
        if question.pk not in shown and not same_screen_condition:
            continue
        items.append(
            {
                "question": question,
                "value": values.get(question.pk),
                "error": (errors or {}).get(question.pk, ""),
                "condition_parent": (
                    next(q for q in section.questions.all() if q.pk == parent)
                    if same_screen_condition
                    else None
                ),
                "hidden": question.pk not in shown,
            }
        )
    if posted is not None:
        # A refused value is shown back as typed, so nothing typed is lost from the screen.
        for item in items:
            if item["error"] and item["question"].field_name in posted:
                item["typed"] = posted.get(item["question"].field_name)
    return render(
        request,
        "surveys/respondent/section.html",
        {
            "access_code": access_code,
            "questionnaire": access_code.questionnaire,
            "section": section,
            "number": number,
            "count": len(sections),
            "items": items,
            "is_last": number == len(sections),
            "errors": errors or {},
            "closes_at": msk(access_code.questionnaire.closes_at),
        },
        status=status,
    )


@login_not_required
@require_http_methods(["GET", "POST"])
def section(request, questionnaire_pk: int, number: int):
    """One screen: GET shows it with the answers saved so far; POST saves it and moves
    («Далее» checks the required questions of the screen, «Назад» does not)."""
    try:
        access_code = _code_or_redirect(request, questionnaire_pk)
    except _Refused as refused:
        return refused.response
    sections = questionnaire_sections(access_code.questionnaire)
    if not 1 <= number <= len(sections):
        raise Http404("Раздел не найден")
    if request.method == "GET":
        reason = services.closed_reason(access_code)
        if reason:
            return _closed_page(request, reason)
        return _screen(request, access_code, sections, number)
    action = request.POST.get("action", "next")
    try:
        saved = services.answers_save(
            access_code=access_code,
            section=sections[number - 1],
            data=request.POST,
            check_required=action in ("next", "submit"),
        )
    except services.ResponseClosed as refusal:
        return _closed_page(request, refusal.message)
    if saved.errors and action != "back":
        return _screen(
            request,
            access_code,
            sections,
            number,
            errors=saved.errors,
            posted=request.POST,
            status=HTTPStatus.BAD_REQUEST,
        )
    if action == "submit" and number == len(sections):
        return _submit(request, access_code, sections)
    target = number - 1 if action == "back" else number + 1
    target = min(max(target, 1), len(sections))
    AccessCode.objects.filter(pk=access_code.pk).update(current_section=target)
    return redirect("surveys:section", questionnaire_pk=questionnaire_pk, number=target)


def _submit(request, access_code, sections):
    try:
        services.response_submit(access_code=access_code)
    except services.ResponseIncomplete as incomplete:
        return _screen(
            request,
            access_code,
            sections,
            incomplete.first_section,
            errors=incomplete.errors,
            status=HTTPStatus.BAD_REQUEST,
        )
    except services.ResponseClosed as refusal:
        return _closed_page(request, refusal.message)
    request.session.pop(SESSION_KEY, None)
    return redirect("surveys:done")


@login_not_required
@require_POST
def autosave(request, questionnaire_pk: int, number: int):
    """The JS module's save of one changed field (the whole screen's fields are posted, so
    the same rules as the screen's own submit apply)."""
    pk = request.session.get(SESSION_KEY)
    access_code = (
        AccessCode.objects.select_related("questionnaire").filter(pk=pk).first() if pk else None
    )
    if access_code is None:
        return JsonResponse(
            {"error": "Код доступа не введен или сеанс истек: введите код еще раз."},
            status=HTTPStatus.FORBIDDEN,
        )
    if access_code.questionnaire_id != questionnaire_pk:
        raise Http404("Анкета не найдена")
    found = list(
        access_code.questionnaire.sections.order_by("order", "pk")[max(number - 1, 0) : number]
    )
    if number < 1 or not found:
        raise Http404("Раздел не найден")
    section_obj = found[0]
    try:
        saved = services.answers_save(
            access_code=access_code, section=section_obj, data=request.POST
        )
    except services.ResponseClosed as refusal:
        return JsonResponse({"error": refusal.message}, status=HTTPStatus.CONFLICT)
    return JsonResponse(
        {
            "saved_at": msk(saved.saved_at),
            "errors": saved.field_errors,
        }
    )


@login_not_required
def done(request):
    return render(request, "surveys/respondent/done.html")


@login_not_required
@require_POST
def leave(request):
    """«Прервать и выйти»: the answers stay; the same code continues later (a shared class
    computer is then free for the next pupil)."""
    request.session.pop(SESSION_KEY, None)
    return render(request, "surveys/respondent/left.html")
