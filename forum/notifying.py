"""The forum's one notification: an answer has come (in the cabinet and by e-mail, through
`notifications`, which records and sends it after commit)."""

from django.urls import reverse

from notifications.models import Kind
from notifications.services import notify

from .models import Message, Question


def answer_arrived(*, question_id: int, message_id: int) -> None:
    """Tell the asker of `question_id` about the answer `message_id` (its own, or the original's
    for a merged duplicate): the author's address, else the organization's."""
    question = Question.objects.select_related("author__organization", "organization").get(
        pk=question_id
    )
    message = Message.objects.only("question_id", "text").get(pk=message_id)
    merged = (
        f" (вопрос объединен с вопросом № {message.question_id})"
        if message.question_id != question.pk
        else ""
    )
    notify(
        kind=Kind.FORUM_ANSWER,
        subject=f"Ответ на вопрос № {question.pk} «{question.title}» · Форум поддержки НИКО",
        text=f"На вопрос № {question.pk} «{question.title}» получен ответ{merged}:\n{message.text}",
        link=reverse("forum:question_detail", args=[question.pk]),
        event_key=f"forum_answer:{question.pk}:{message.pk}",
        users=[question.author] if question.author else None,
        organizations=None if question.author else [question.organization],
    )
