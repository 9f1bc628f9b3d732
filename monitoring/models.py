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
    heartbeat_at = models.DateTimeField("последний сигнал обработчика", null=True, blank=True)
    attempt = models.PositiveIntegerField("попытка", default=1)

    class Meta:
        verbose_name = "экспорт результатов"
        verbose_name_plural = "экспорт результатов"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Экспорт {self.pk}: {self.collection} ({self.scope_description})"

    # A running job beats every HEARTBEAT_EVERY while it writes (`services.Heartbeat`); one
    # silent for DEAD_AFTER lost its worker (a killed process, a restart) and may be started
    # again at once. The margin covers the longest step between two beats (one chunk of rows,
    # zipping the finished workbook), a few seconds even for every organization of the country.
    HEARTBEAT_EVERY = timedelta(seconds=5)
    DEAD_AFTER = timedelta(seconds=60)
    # A queued job has no heartbeat: the queue may be busy. One nobody took for this long was
    # lost with the queue (or no worker runs) and may be started again.
    QUEUED_STALLED_AFTER = timedelta(minutes=15)

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    def is_interrupted(self, *, at=None) -> bool:
        """Running, but its worker has not beaten for DEAD_AFTER: it died mid-export."""
        last_sign = self.heartbeat_at or self.started_at or self.updated_at
        return (
            self.status == self.Status.RUNNING
            and last_sign < (at or timezone.now()) - self.DEAD_AFTER
        )

    def is_stalled(self, *, at=None) -> bool:
        """Interrupted, or queued and never taken: the page offers «Повторить»."""
        now = at or timezone.now()
        return self.is_interrupted(at=now) or (
            self.status == self.Status.QUEUED and self.updated_at < now - self.QUEUED_STALLED_AFTER
        )

    @property
    def can_retry(self) -> bool:
        return self.status == self.Status.FAILED or self.is_stalled()
