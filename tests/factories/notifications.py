from django.core import mail

from notifications.models import EmailDelivery, Kind, Notification

__all__ = ["FailingBackend", "mails_to", "notices_of"]


def notices_of(user, kind=None):
    notices = Notification.objects.filter(recipient=user)
    return notices.filter(kind=kind) if kind else notices


def mails_to(address, kind=None):
    """The messages in the test outbox to `address` (and their recorded deliveries agree)."""
    sent = [message for message in mail.outbox if address in message.to]
    deliveries = EmailDelivery.objects.filter(address=address, status=EmailDelivery.Status.SENT)
    if kind:
        sent = [message for message in sent if message.subject.startswith(Kind(kind).label)]
        deliveries = deliveries.filter(kind=kind)
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
