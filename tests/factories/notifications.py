from django.core import mail

from notifications.models import EmailDelivery, Notification
from notifications.services import email_message, send_queued_emails

__all__ = ["FailingBackend", "mails_to", "notices_of"]


def notices_of(user, kind=None):
    notices = Notification.objects.filter(recipient=user)
    return notices.filter(kind=kind) if kind else notices


def mails_to(address, kind=None):
    """What reaches `address` once the worker has drained the queue: the messages in the test
    outbox (and their recorded deliveries agree). Tests run in a transaction that never commits,
    so the queue is drained here, as `db_worker` would after the commit."""
    send_queued_emails()
    sent = [message for message in mail.outbox if address in message.to]
    deliveries = EmailDelivery.objects.filter(address=address, status=EmailDelivery.Status.SENT)
    if kind:
        deliveries = deliveries.filter(kind=kind)
        subjects = {email_message(delivery).subject for delivery in deliveries}
        sent = [message for message in sent if message.subject in subjects]
    assert deliveries.count() == len(sent)
    return sent


class FailingBackend:
    """An e-mail backend whose server is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("Сервер почты недоступен")

    def open(self):
        pass

    def close(self):
        pass
