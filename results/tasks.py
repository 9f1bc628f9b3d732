"""Background work of statistical reports, run by the django-tasks worker (`manage.py db_worker`).
Thin: the work is in `services`, where it is tested without a queue."""

from django_tasks import task

from . import services
from .notifying import reports_published


@task()
def build_results(collection_id: int, definition_ids: list[int]) -> int:
    """Build the figures of the published reports of one collection; returns the number of
    organizations' snapshots read."""
    summary = services.results_build(collection_id=collection_id, definition_ids=definition_ids)
    reports_published(definition_ids)
    return summary.snapshots
