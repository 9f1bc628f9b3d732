"""«Форум поддержки НИКО». Thin views: every question is found through
`selectors.question_for_user_or_404` (out of scope is 404, the same as missing), every write
goes through `services`, which checks the role and records the audit row."""

from http import HTTPStatus

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import permissions
from core.files import FileStorageUnavailable, download, stored_file_open

from . import selectors, services
from .forms import SEND, AskForm, FaqSearchForm, MergeForm, MoveForm, QuestionFilterForm, ReplyForm


@require_GET
def question_list(request):
    form = QuestionFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    questions = selectors.question_list(
        request.user,
        category=filters.get("category"),
        status=filters.get("status", ""),
        q=filters.get("q", ""),
    )
    is_answerer = permissions.may_answer_questions(request.user)
    return render(
        request,
        "forum/question_list.html",
        {
            "form": form,
            "page": selectors.paginate(questions, request.GET.get("page")),
            "is_filtered": any(filters.values()),
            "can_ask": permissions.may_ask_questions(request.user),
            "is_answerer": is_answerer,
            "show_organization": not permissions.is_organization_user(request.user),
            "queue_count": selectors.unanswered_queue(request.user).count()
            if is_answerer
            else None,
        },
    )


@require_GET
def queue(request):
    """Unanswered questions, oldest first: for those who answer."""
    permissions.require(permissions.may_answer_questions(request.user))
    page = selectors.paginate(selectors.unanswered_queue(request.user), request.GET.get("page"))
    return render(request, "forum/queue.html", {"page": page})


@require_GET
def faq(request):
    """«Часто задаваемые вопросы»: every user reads them."""
    form = FaqSearchForm(request.GET)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    page = selectors.paginate(selectors.faq_list(request.user, q=q), request.GET.get("page"))
    return render(
        request,
        "forum/faq.html",
        {"form": form, "page": page, "can_ask": permissions.may_ask_questions(request.user)},
    )


@require_GET
def similar(request):
    """Published questions like the title being typed (forum-ask.js shows them)."""
    title = request.GET.get("title", "")[:200]
    questions = selectors.similar_faq(request.user, title)
    return JsonResponse(
        {
            "results": [
                {
                    "title": question.title,
                    "category": question.category.name,
                    "url": reverse("forum:question_detail", args=[question.pk]),
                }
                for question in questions
            ]
        }
    )


@require_http_methods(["GET", "POST"])
def ask(request):
    """The ask form. «Проверить похожие» shows published answers to similar questions
    first; «Отправить вопрос» saves it."""
    permissions.require(permissions.may_ask_questions(request.user))
    status = HTTPStatus.OK
    similar_questions = None
    if request.method == "POST":
        form = AskForm(request.POST, request.FILES)
        if form.is_valid() and SEND in request.POST:
            data = form.cleaned_data
            try:
                question = services.question_ask(
                    author=request.user,
                    category=data["category"],
                    study=data.get("study"),
                    title=data["title"],
                    text=data["text"],
                    attachment=data.get("attachment"),
                    request=request,
                )
            except services.RateLimited as error:
                form.add_error(None, error.message)
                status = HTTPStatus.TOO_MANY_REQUESTS
            except FileStorageUnavailable as error:
                form.add_error(None, error.message)
                status = HTTPStatus.SERVICE_UNAVAILABLE
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"Вопрос № {question.pk} отправлен.")
                return redirect("forum:question_detail", pk=question.pk)
        similar_questions = selectors.similar_faq(request.user, request.POST.get("title", ""))
    else:
        form = AskForm()
    return render(
        request,
        "forum/ask.html",
        {"form": form, "similar_questions": similar_questions},
        status=status,
    )


def _render_question(request, question, *, reply_form=None, status=HTTPStatus.OK):
    user = request.user
    can_answer = selectors.can_answer(user, question)
    can_follow_up = selectors.can_follow_up(user, question)
    can_moderate = permissions.may_moderate_forum(user)
    original, original_answers = selectors.original_answers(user, question)
    if reply_form is None and (can_answer or can_follow_up):
        reply_form = ReplyForm()
    return render(
        request,
        "forum/question_detail.html",
        {
            "question": question,
            "thread": selectors.thread_messages(question),
            "original": original,
            "original_answers": original_answers,
            "can_answer": can_answer,
            "can_follow_up": can_follow_up,
            "can_close": selectors.can_close(user, question),
            "can_moderate": can_moderate,
            "is_asker": selectors.is_asker(user, question),
            "reply_form": reply_form,
            "move_form": MoveForm(initial={"category": question.category_id})
            if can_moderate
            else None,
            "merge_form": MergeForm() if can_moderate and not question.merged_into_id else None,
        },
        status=status,
    )


@require_GET
def question_detail(request, pk):
    question = selectors.question_for_user_or_404(request.user, pk)
    services.question_mark_read(question=question, user=request.user)
    return _render_question(request, question)


@require_POST
def question_reply(request, pk):
    """An answer from a coordinator or operator, a follow-up from the asking organization."""
    question = selectors.question_for_user_or_404(request.user, pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _render_question(request, question, reply_form=form, status=HTTPStatus.BAD_REQUEST)
    if selectors.can_answer(request.user, question):
        post = services.question_answer
        done = "Ответ опубликован, автор вопроса получит уведомление."
    elif selectors.can_follow_up(request.user, question):
        post = services.question_follow_up
        done = "Сообщение отправлено, вопрос снова ждет ответа."
    else:
        raise PermissionDenied
    try:
        post(
            question=question, author=request.user, text=form.cleaned_data["text"], request=request
        )
    except services.RateLimited as error:
        form.add_error(None, error.message)
        return _render_question(
            request, question, reply_form=form, status=HTTPStatus.TOO_MANY_REQUESTS
        )
    messages.success(request, done)
    return redirect("forum:question_detail", pk=question.pk)


@require_POST
def question_close(request, pk):
    question = selectors.question_for_user_or_404(request.user, pk)
    services.question_close(question=question, actor=request.user, request=request)
    messages.success(request, "Вопрос закрыт.")
    return redirect("forum:question_detail", pk=question.pk)


@require_POST
def question_move(request, pk):
    permissions.require(permissions.may_moderate_forum(request.user))
    question = selectors.question_for_user_or_404(request.user, pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        category = form.cleaned_data["category"]
        services.question_move(
            question=question, category=category, actor=request.user, request=request
        )
        messages.success(request, f"Вопрос перенесен в категорию «{category.name}».")
    else:
        messages.error(request, "Выберите категорию.")
    return redirect("forum:question_detail", pk=question.pk)


@require_POST
def question_merge(request, pk):
    permissions.require(permissions.may_moderate_forum(request.user))
    question = selectors.question_for_user_or_404(request.user, pk)
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("original", ["Укажите номер вопроса."])))
        return redirect("forum:question_detail", pk=question.pk)
    original = form.cleaned_data["original"]
    try:
        services.question_merge(
            duplicate=question, original=original, actor=request.user, request=request
        )
    except services.ForumError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Вопрос объединен с вопросом № {original.pk}.")
    return redirect("forum:question_detail", pk=question.pk)


@require_POST
def question_faq(request, pk):
    permissions.require(permissions.may_moderate_forum(request.user))
    question = selectors.question_for_user_or_404(request.user, pk)
    published = request.POST.get("published") == "1"
    try:
        services.question_set_faq(
            question=question, published=published, actor=request.user, request=request
        )
    except services.ForumError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            "Вопрос опубликован в «Часто задаваемых вопросах»."
            if published
            else "Вопрос снят из «Часто задаваемых вопросов».",
        )
    return redirect("forum:question_detail", pk=question.pk)


@require_GET
def question_attachment(request, pk):
    """The question's screenshot or file, only to those who see the question. Images open in
    place (`?inline=1` is used by the thumbnail); PDFs always download."""
    question = selectors.question_for_user_or_404(request.user, pk)
    if not question.attachment:
        raise Http404("Файл не найден")
    file = stored_file_open(question.attachment)
    return download(
        file,
        question.attachment_name,
        content_type=question.attachment_content_type,
        inline=request.GET.get("inline") == "1" and question.attachment_is_image,
    )
