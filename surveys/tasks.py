"""Background work of the questionnaires (django-tasks, `manage.py db_worker`); thin: the work
is in `services`."""

from datetime import timedelta

from django.conf import settings
from django_tasks import task

from . import services


@task()
def export_answers(export_id: int) -> None:
    services.export_run(export_id=export_id)
    services.exports_cleanup(older_than=timedelta(days=settings.MONITORING_EXPORT_RETENTION_DAYS))
