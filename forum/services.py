"""Writes on the forum. Each checks who may do it (the caller has already found the question
through `selectors.question_for_user_or_404`, so it is in the user's view), runs in one
transaction and records an audit row. E-mail goes out through a background task once the
transaction has committed, so a rolled-back answer never notifies anybody."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts import audit, permissions
from accounts.models import User
from core.errors import ServiceError
from core.files import atomic_with_files, upload_stored
from core.search import search_text
from datacollection.models import Study

from . import selectors
from .models import Category, Message, Question, QuestionRead
from .notifying import answer_arrived

QUESTIONS_RATE_LIMITED = (
    "Слишком много вопросов за последний час: можно задать не больше {limit}. "
    "Вопрос не сохранен. Попробуйте позже или поищите ответ в «Часто задаваемых вопросах»."
)
MESSAGES_RATE_LIMITED = (
    "Слишком много сообщений за последний час: можно отправить не больше {limit}. "
    "Сообщение не сохранено. Попробуйте позже."
)
MERGE_INTO_ITSELF = "Нельзя объединить вопрос с самим собой."
MERGE_INTO_DUPLICATE = (
    "Вопрос № {pk} сам объединен с другим вопросом: выберите исходный вопрос № {target}."
)
FAQ_NEEDS_ANSWER = "В «Часто задаваемые вопросы» можно опубликовать только вопрос с ответом."
FAQ_NOT_FOR_DUPLICATE = "Объединенный вопрос нельзя опубликовать: опубликуйте исходный."
RATE_WINDOW = timedelta(hours=1)


class ForumError(ServiceError):
    """A forum write refused for a reason the user can act on (merging into a duplicate,
    publishing an unanswered question…); views show `message`. Access stays PermissionDenied."""


class RateLimited(ForumError):
    """Too many posts in the last hour; the message says so in Russian."""


def _record(action: str, question: Question, actor: User, request, **details) -> None:
    audit.record(
        actor=actor,
        action=action,
        organization=question.organization,
        target=f"question:{question.pk} {question.title}",
        request=request,
        **details,
    )


# Lock order, the same in every write (PostgreSQL; SQLite's IMMEDIATE transactions serialize
# writes anyway): first the question rows, in the order of their numbers, then the author's
# row. Both are no-key locks: inserting a message or an audit row checks its foreign keys with
# a key-share lock, which a no-key lock does not block, so a follow-up and a close of one
# question by one user (two tabs, a double click) never wait on each other crosswise.


def _lock_questions(*questions: Question) -> None:
    """Lock the questions and reload them: the write sees what the previous one committed."""
    pks = sorted({question.pk for question in questions})
    locked = Question.objects.select_for_update(no_key=True).filter(pk__in=pks).order_by("pk")
    list(locked.values_list("pk"))
    for question in questions:
        question.refresh_from_db()


def _lock_author(author: User) -> None:
    # Two tabs posting at once must not both slip under the limit: the author's row is locked
    # until the transaction ends.
    list(User.objects.select_for_update(no_key=True).filter(pk=author.pk).values_list("pk"))


def _check_question_rate(author: User) -> None:
    limit = settings.FORUM_QUESTIONS_PER_HOUR
    since = timezone.now() - RATE_WINDOW
    if Question.objects.filter(author=author, created_at__gte=since).count() >= limit:
        raise RateLimited(QUESTIONS_RATE_LIMITED.format(limit=limit))


def _check_message_rate(author: User) -> None:
    limit = settings.FORUM_MESSAGES_PER_HOUR
    since = timezone.now() - RATE_WINDOW
    if Message.objects.filter(author=author, created_at__gte=since).count() >= limit:
        raise RateLimited(MESSAGES_RATE_LIMITED.format(limit=limit))


def _refresh_search_text(question: Question) -> None:
    texts = [question.title, question.text, *question.messages.values_list("text", flat=True)]
    question.search_text = search_text(*texts)


@atomic_with_files()
def question_ask(
    *,
    author: User,
    category: Category,
    title: str,
    text: str,
    study: Study | None = None,
    attachment: UploadedFile | None = None,
    request: HttpRequest | None = None,
) -> Question:
    permissions.require(
        permissions.may_ask_questions(author), refusal="Вопросы задают образовательные организации."
    )
    _lock_author(author)
    _check_question_rate(author)
    question = Question(
        organization=author.organization,
        author=author,
        category=category,
        study=study,
        title=title.strip(),
        text=text.strip(),
    )
    if attachment is not None:
        question.attachment = attachment
        question.attachment_name = attachment.name.rsplit("/", 1)[-1][:255]
        question.attachment_size = attachment.size
    question.search_text = search_text(question.title, question.text)
    question.full_clean()
    with upload_stored(question.attachment, attachment):  # FileStorageUnavailable: nothing kept
        question.save()
        _record(
            "forum.question_asked",
            question,
            author,
            request,
            category=category.name,
            attachment=question.attachment_name,
        )
    return question


def _add_message(*, question: Question, author: User, text: str, is_answer: bool) -> Message:
    message = Message(question=question, author=author, text=text.strip(), is_answer=is_answer)
    message.full_clean(exclude=["question"])
    message.save()
    return message


@transaction.atomic
def question_answer(
    *, question: Question, author: User, text: str, request: HttpRequest | None = None
) -> Message:
    """A coordinator of the question's region or an operator answers: the thread becomes
    «Отвечен», the asker (and the askers of merged duplicates) get an e-mail and a counter."""
    _lock_questions(question)
    if not selectors.can_answer(author, question):
        raise PermissionDenied("Отвечать могут региональный координатор и оператор.")
    message = _add_message(question=question, author=author, text=text, is_answer=True)
    question.status = Question.Status.ANSWERED
    question.last_answered_at = message.created_at
    _refresh_search_text(question)
    question.save(update_fields=["status", "last_answered_at", "search_text", "updated_at"])
    duplicate_ids = list(question.duplicates.values_list("pk", flat=True))
    if duplicate_ids:
        Question.objects.filter(pk__in=duplicate_ids).update(last_answered_at=message.created_at)
    _record("forum.question_answered", question, author, request, message=message.pk)
    for question_id in [question.pk, *duplicate_ids]:
        _notify_after_commit(question_id=question_id, message_id=message.pk)
    return message


def _notify_after_commit(*, question_id: int, message_id: int) -> None:
    """A notice now; its e-mail leaves after commit (notifications sends it from the queue)."""
    answer_arrived(question_id=question_id, message_id=message_id)


@transaction.atomic
def question_follow_up(
    *, question: Question, author: User, text: str, request: HttpRequest | None = None
) -> Message:
    """The asking organization adds to its thread; the thread is «Новый» again, back in the
    answerers' queue."""
    _lock_questions(question)
    if not selectors.can_follow_up(author, question):
        raise PermissionDenied("Уточнять вопрос может только организация, которая его задала.")
    _lock_author(author)
    _check_message_rate(author)
    message = _add_message(question=question, author=author, text=text, is_answer=False)
    reopened = question.status != Question.Status.NEW
    question.status = Question.Status.NEW
    _refresh_search_text(question)
    question.save(update_fields=["status", "search_text", "updated_at"])
    _record(
        "forum.question_followed_up",
        question,
        author,
        request,
        message=message.pk,
        reopened=reopened,
    )
    return message


@transaction.atomic
def question_close(
    *, question: Question, actor: User, request: HttpRequest | None = None
) -> Question:
    _lock_questions(question)
    if question.status == Question.Status.CLOSED and (
        selectors.can_answer(actor, question) or selectors.is_asker(actor, question)
    ):
        return question  # closed a moment ago (a double click, another tab): nothing to do
    if not selectors.can_close(actor, question):
        raise PermissionDenied("Закрыть вопрос могут автор и отвечающие.")
    question.status = Question.Status.CLOSED
    question.save(update_fields=["status", "updated_at"])
    _record("forum.question_closed", question, actor, request)
    return question


@transaction.atomic
def question_move(
    *, question: Question, category: Category, actor: User, request: HttpRequest | None = None
) -> Question:
    permissions.require(
        permissions.may_moderate_forum(actor),
        refusal="Переносить вопросы может федеральный оператор.",
    )
    _lock_questions(question)
    previous = question.category
    if previous.pk == category.pk:
        return question
    question.category = category
    question.save(update_fields=["category", "updated_at"])
    _record(
        "forum.question_moved",
        question,
        actor,
        request,
        category_from=previous.name,
        category_to=category.name,
    )
    return question


@transaction.atomic
def question_correct(
    *, question: Question, title: str, text: str, actor: User, request: HttpRequest | None = None
) -> Question:
    """The operator corrects a question (removes personal data, fixes a title)."""
    permissions.require(
        permissions.may_moderate_forum(actor),
        refusal="Исправлять вопросы может федеральный оператор.",
    )
    _lock_questions(question)
    question.title, question.text = title.strip(), text.strip()
    _refresh_search_text(question)
    question.full_clean(exclude=["attachment"])
    question.save(update_fields=["title", "text", "search_text", "updated_at"])
    _record("forum.question_corrected", question, actor, request)
    return question


@transaction.atomic
def question_merge(
    *,
    duplicate: Question,
    original: Question,
    actor: User,
    request: HttpRequest | None = None,
) -> Question:
    """The duplicate is closed and points to the original; its asker reads the original's
    answers on the duplicate's page, now and when they come. Duplicates of the duplicate
    follow it to the original."""
    permissions.require(
        permissions.may_moderate_forum(actor),
        refusal="Объединять вопросы может федеральный оператор.",
    )
    _lock_questions(duplicate, original)
    if duplicate.pk == original.pk:
        raise ForumError(MERGE_INTO_ITSELF)
    if original.merged_into_id:
        raise ForumError(
            MERGE_INTO_DUPLICATE.format(pk=original.pk, target=original.merged_into_id)
        )
    duplicate.merged_into = original
    duplicate.status = Question.Status.CLOSED
    duplicate.is_published_to_faq = False
    duplicate.last_answered_at = original.last_answered_at
    duplicate.save(
        update_fields=[
            "merged_into",
            "status",
            "is_published_to_faq",
            "last_answered_at",
            "updated_at",
        ]
    )
    moved = list(duplicate.duplicates.values_list("pk", flat=True))
    Question.objects.filter(pk__in=moved).update(
        merged_into=original, last_answered_at=original.last_answered_at
    )
    _record(
        "forum.question_merged",
        duplicate,
        actor,
        request,
        original=original.pk,
        duplicates_moved=moved,
    )
    last_answer = original.messages.filter(is_answer=True).order_by("-created_at", "-id").first()
    if last_answer is not None:
        for question_id in [duplicate.pk, *moved]:
            _notify_after_commit(question_id=question_id, message_id=last_answer.pk)
    return duplicate


@transaction.atomic
def question_set_faq(
    *,
    question: Question,
    published: bool,
    actor: User,
    request: HttpRequest | None = None,
) -> Question:
    """Publish a good question with its answer to «Часто задаваемые вопросы» (every user
    reads it there), or take it back."""
    permissions.require(
        permissions.may_moderate_forum(actor),
        refusal="Публиковать вопросы может федеральный оператор.",
    )
    _lock_questions(question)
    if published:
        if question.merged_into_id:
            raise ForumError(FAQ_NOT_FOR_DUPLICATE)
        if not question.messages.filter(is_answer=True).exists():
            raise ForumError(FAQ_NEEDS_ANSWER)
    question.is_published_to_faq = published
    if published and question.faq_published_at is None:
        question.faq_published_at = timezone.now()
    question.save(update_fields=["is_published_to_faq", "faq_published_at", "updated_at"])
    action = "forum.faq_published" if published else "forum.faq_unpublished"
    _record(action, question, actor, request)
    return question


def question_mark_read(*, question: Question, user: User) -> None:
    """The asking organization's user opened the thread: its answers are read (the counter in
    the top bar goes down). Others' visits are not tracked."""
    if not selectors.is_asker(user, question) or question.last_answered_at is None:
        return
    QuestionRead.objects.update_or_create(
        question=question, user=user, defaults={"read_at": timezone.now()}
    )
