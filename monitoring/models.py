"""Export jobs: «Экспорт результатов» runs in the task worker and reports its progress here."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from datacollection.models import Collection


class ExportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "В очереди"
        RUNNING = "running", "Выполняется"
        DONE = "done", "Готово"
        FAILED = "failed", "Ошибка"

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
    status = models.CharField(
        "статус", max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress_done = models.PositiveIntegerField("обработано организаций", default=0)
    progress_total = models.PositiveIntegerField("всего организаций", default=0)
    message = models.CharField("сообщение", max_length=300, blank=True)
    file = models.FileField("файл", upload_to="exports/%Y/%m/", blank=True)
    error = models.TextField("причина ошибки", blank=True)
    created_at = models.DateTimeField("создано", auto_now_add=True, db_index=True)
    started_at = models.DateTimeField("начато", null=True, blank=True)
    finished_at = models.DateTimeField("завершено", null=True, blank=True)
    updated_at = models.DateTimeField("последнее изменение", default=timezone.now)

    class Meta:
        verbose_name = "экспорт результатов"
        verbose_name_plural = "экспорт результатов"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Экспорт {self.pk}: {self.collection} ({self.scope_description})"

    # A worker reports progress every few hundred organizations; a job silent for this long
    # lost its worker (a restart, a killed process) and may be started again.
    STALLED_AFTER = timedelta(minutes=15)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    def is_stalled(self, *, at=None) -> bool:
        return (
            self.status in (self.Status.QUEUED, self.Status.RUNNING)
            and self.updated_at < (at or timezone.now()) - self.STALLED_AFTER
        )

    @property
    def can_retry(self) -> bool:
        return self.status == self.Status.FAILED or self.is_stalled()
