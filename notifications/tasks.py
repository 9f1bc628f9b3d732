"""Background work of notifications, run by the django-tasks worker (`manage.py db_worker`)."""

from django_tasks import task

from . import services


@task()
def send_queued_emails() -> int:
    """Send the queued e-mails (every `notify` enqueues this after its commit)."""
    return services.send_queued_emails()
