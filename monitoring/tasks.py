"""Background work of monitoring, run by the django-tasks worker (`manage.py db_worker`).
The tasks are thin: the work is in `services`, where it is tested without a queue."""

from datetime import timedelta

from django.conf import settings
from django_tasks import task

from . import services
from .notifying import export_finished


@task()
def export_results(job_id: int) -> None:
    """Write the .xlsx of an «Экспорт результатов» job, then remove expired ones: exports are
    what fills the disk, so each one clears out the old (no cron entry to forget)."""
    services.export_run(job_id=job_id)
    export_finished(job_id=job_id)
    services.exports_cleanup(older_than=timedelta(days=settings.MONITORING_EXPORT_RETENTION_DAYS))
