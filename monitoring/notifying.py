"""Monitoring's notification: the coordinator's «Экспорт результатов» is ready."""

from django.urls import reverse

from notifications.models import Kind
from notifications.services import notify

from .models import ExportJob


def export_finished(*, job_id: int) -> None:
    """Tell the requester that the file can be downloaded (nothing if the export failed: the
    export page says why)."""
    job = (
        ExportJob.objects.select_related("requester__organization", "collection__form")
        .filter(pk=job_id, status=ExportJob.Status.DONE)
        .first()
    )
    if job is None:
        return
    notify(
        kind=Kind.EXPORT_READY,
        text=(
            f"Экспорт результатов «{job.collection.form.title}» ({job.scope_description}) "
            "готов: файл можно загрузить."
        ),
        link=reverse("monitoring:export_detail", args=[job.pk]),
        event_key=f"export_ready:{job.pk}",
        users=[job.requester],
    )
