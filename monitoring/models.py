"""Export jobs: «Экспорт результатов» runs in the task worker and reports its progress here."""

from django.conf import settings
from django.db import models

from core.jobs import BackgroundJob
from datacollection.models import Collection


class ExportJob(BackgroundJob):
    """Status, heartbeat, attempt, «dead after» and «stalled»: `core.jobs.BackgroundJob`."""

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто запросил",
        on_delete=models.CASCADE,
        related_name="+",
    )
    collection = models.ForeignKey(
        Collection,
        verbose_name="сбор данных",
        on_delete=models.CASCADE,
        related_name="+",
    )
    scope_description = models.CharField("область", max_length=300)
    progress_done = models.PositiveIntegerField("обработано организаций", default=0)
    progress_total = models.PositiveIntegerField("всего организаций", default=0)
    message = models.CharField("сообщение", max_length=300, blank=True)
    file = models.FileField("файл", upload_to="exports/%Y/%m/", blank=True)
    created_at = models.DateTimeField("создано", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "экспорт результатов"
        verbose_name_plural = "экспорт результатов"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Экспорт {self.pk}: {self.collection} ({self.scope_description})"
