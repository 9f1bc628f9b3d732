"""Reads on the forum. Every page, download and counter asks `questions_visible_to` (or the
narrower `questions_in_scope`), so they cannot disagree about who sees which thread.

- An organization sees the questions of its organization (whoever of its users asked) and the
  published «Часто задаваемые вопросы».
- A regional coordinator sees the questions of its region's organizations, a municipal
  coordinator those of its municipality (read-only), an operator all; everyone reads the FAQ.
Which organizations are in a user's scope is decided by `accounts.scoping` alone.
"""

from django.core.paginator import Page, Paginator
from django.db.models import Case, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.http import Http404

from accounts import permissions
from accounts.models import User
from accounts.scoping import organizations_visible_to
from core.search import filter_by_words

from .models import Category, Message, Question, QuestionRead

PAGE_SIZE = 20
SIMILAR_LIMIT = 5
# Words shorter than this («в», «по», «для») match almost everything.
SIMILAR_MIN_WORD = 4


def questions_in_scope(user: User) -> QuerySet[Question]:
    """The threads of the organizations in the user's scope (without other organizations'
    FAQ entries): the forum list and the answerers' queue."""
    if not user.is_authenticated:
        return Question.objects.none()
    if permissions.may_see_all_regions(user):
        return Question.objects.all()
    return Question.objects.filter(organization__in=organizations_visible_to(user).values("pk"))


def questions_visible_to(user: User) -> QuerySet[Question]:
    """Every question the user may open: those in scope and the published FAQ."""
    if not user.is_authenticated:
        return Question.objects.none()
    if permissions.may_see_all_regions(user):
        return Question.objects.all()
    return Question.objects.filter(
        Q(organization__in=organizations_visible_to(user).values("pk"))
        | Q(is_published_to_faq=True)
    )


def question_for_user_or_404(user: User, pk) -> Question:
    try:
        return (
            questions_visible_to(user)
            .select_related(
                "organization__region", "organization__municipality", "author", "category", "study"
            )
            .get(pk=pk)
        )
    except (Question.DoesNotExist, ValueError, TypeError):
        raise Http404("Вопрос не найден") from None


# Who may do what with a visible question ---------------------------------------------------


def can_answer(user: User, question: Question) -> bool:
    return not question.merged_into_id and permissions.may_act_in_region(
        user, question.organization.region_id
    )


def is_asker(user: User, question: Question) -> bool:
    return permissions.acts_for_organization(user, question.organization_id)


def can_follow_up(user: User, question: Question) -> bool:
    return is_asker(user, question) and not question.merged_into_id


def can_close(user: User, question: Question) -> bool:
    return question.status != Question.Status.CLOSED and (
        can_answer(user, question) or can_follow_up(user, question)
    )


# Lists --------------------------------------------------------------------------------------


def _read_since_answer(user: User) -> Exists:
    return Exists(
        QuestionRead.objects.filter(
            question=OuterRef("pk"), user=user, read_at__gte=OuterRef("last_answered_at")
        )
    )


def _for_list(questions: QuerySet[Question], user: User) -> QuerySet[Question]:
    """Category and organization joined; for an asker, `has_unread_answer` per row (in the
    same query), which the list marks «Новый ответ»."""
    questions = questions.select_related("category", "organization")
    if user.organization_id:
        questions = questions.annotate(
            has_unread_answer=Q(last_answered_at__isnull=False) & ~_read_since_answer(user)
        )
    return questions


def _search(questions: QuerySet[Question], q: str) -> QuerySet[Question]:
    return filter_by_words(questions, q)


def question_list(
    user: User,
    *,
    category: Category | None = None,
    status: str = "",
    q: str = "",
) -> QuerySet[Question]:
    """«Форум поддержки НИКО»: the threads in scope, newest first."""
    questions = questions_in_scope(user)
    if category is not None:
        questions = questions.filter(category=category)
    if status:
        questions = questions.filter(status=status)
    return _for_list(_search(questions, q), user).order_by("-created_at", "-id")


def unanswered_queue(user: User) -> QuerySet[Question]:
    """Questions waiting for an answer, oldest first: what an answerer does next."""
    return _for_list(
        questions_in_scope(user).filter(status=Question.Status.NEW, merged_into__isnull=True),
        user,
    ).order_by("created_at", "id")


def faq_list(user: User, *, q: str = "", category: Category | None = None) -> QuerySet[Question]:
    """«Часто задаваемые вопросы»: published questions with their answers (one prefetch)."""
    questions = questions_visible_to(user).filter(is_published_to_faq=True)
    if category is not None:
        questions = questions.filter(category=category)
    answers = Message.objects.filter(is_answer=True).order_by("created_at", "id")
    return (
        _search(questions, q)
        .select_related("category")
        .prefetch_related(Prefetch("messages", queryset=answers, to_attr="answers"))
        .order_by("category__order", "-faq_published_at", "-id")
    )


def paginate(questions: QuerySet[Question], page) -> Page:
    return Paginator(questions, PAGE_SIZE).get_page(page)


def similar_faq(user: User, text: str, *, exclude_pk=None) -> list[Question]:
    """Published questions sharing words with `text` (a title being typed), most shared
    words first: shown before asking so the same question gets answered once."""
    words = sorted({w for w in _words(text) if len(w) >= SIMILAR_MIN_WORD})[:8]
    if not words:
        return []
    # Stems: «проведения» should find «проведение». Cutting endings is crude but needs no
    # dictionary and errs towards showing a few more suggestions.
    stems = [word[: max(SIMILAR_MIN_WORD, len(word) - 2)] for word in words]
    matches = sum(
        (Case(When(search_text__contains=stem, then=Value(1)), default=Value(0)) for stem in stems),
        start=Value(0),
    )
    questions = (
        questions_visible_to(user)
        .filter(is_published_to_faq=True)
        .filter(_any_contains(stems))
        .annotate(matches=matches)
        .select_related("category")
        .order_by("-matches", "-faq_published_at")
    )
    if exclude_pk:
        questions = questions.exclude(pk=exclude_pk)
    return list(questions[:SIMILAR_LIMIT])


def _words(text: str) -> list[str]:
    return "".join(ch if ch.isalnum() else " " for ch in text.lower()).split()


def _any_contains(stems: list[str]) -> Q:
    condition = Q()
    for stem in stems:
        condition |= Q(search_text__contains=stem)
    return condition


# A thread -----------------------------------------------------------------------------------


def thread_messages(question: Question) -> list[Message]:
    return list(question.messages.select_related("author").order_by("created_at", "id"))


def original_answers(user: User, duplicate: Question) -> tuple[Question | None, list[Message]]:
    """For a merged duplicate: the original (when the user may open it) and its answers,
    which the duplicate's asker reads on the duplicate's page even when the original belongs
    to another organization and stays private."""
    if not duplicate.merged_into_id:
        return None, []
    answers = list(
        Message.objects.filter(question_id=duplicate.merged_into_id, is_answer=True)
        .select_related("author")
        .order_by("created_at", "id")
    )
    original = questions_visible_to(user).filter(pk=duplicate.merged_into_id).first()
    return original, answers


def merge_targets_for(question: Question) -> QuerySet[Question]:
    return Question.objects.exclude(pk=question.pk).filter(merged_into__isnull=True)


# The counter in the top bar -----------------------------------------------------------------


def unread_answer_count(user: User) -> int:
    """Questions of the user's organization with an answer the user has not opened since it
    came. One query; users who do not ask (coordinators, operators) have none to read."""
    if not user.is_authenticated or not user.organization_id:
        return 0
    return (
        questions_in_scope(user)
        .filter(organization_id=user.organization_id, last_answered_at__isnull=False)
        .exclude(_read_since_answer(user))
        .count()
    )
