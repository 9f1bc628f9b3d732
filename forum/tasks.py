"""Background work of the forum: telling the asker that an answer has come."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from core.text import absolute_url


@task()
def notify_asker_of_answer(*, question_id: int, message_id: int) -> int:
    """E-mail the asker of `question_id` (its author's address, else the organization's) about
    the answer `message_id`, which belongs to the question or, for a merged duplicate, to its
    original. Returns the number of messages sent; without an address nothing is sent and
    the counter in the cabinet still tells."""
    from .models import Message, Question

    question = Question.objects.select_related("author", "organization").get(pk=question_id)
    message = Message.objects.select_related("author").get(pk=message_id)
    address = (question.author.email if question.author else "") or question.organization.email
    if not address:
        return 0
    context = {
        "question": question,
        "message": message,
        "support_email": settings.SUPPORT_EMAIL,
        "question_url": absolute_url(reverse("forum:question_detail", args=[question.pk])),
    }
    email = EmailMessage(
        subject=f"Ответ на вопрос № {question.pk} «{question.title}» · Форум поддержки НИКО",
        body=render_to_string("forum/email/answer.txt", context),
        to=[address],
    )
    return email.send()
