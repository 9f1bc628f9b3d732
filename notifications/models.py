"""Notices in the cabinet, the e-mails that go with them, and who wants which.

At most once per event and recipient is a database rule, not a hope: `Notification` is unique on
(event_key, recipient) and `EmailDelivery` on (event_key, recipient_key), and both are written
with INSERT … ON CONFLICT DO NOTHING, so two schedulers, a restart or a retried task cannot send
anything twice.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Organization


class Kind(models.TextChoices):
    PUBLICATION = "publication", "Новая публикация"
    COLLECTION_OPENED = "collection_opened", "Открыт сбор данных"
    DEADLINE_NEAR = "deadline_near", "Приближается срок сдачи отчета"
    REPORT_RETURNED = "report_returned", "Отчет возвращен на доработку"
    DEADLINE_EXTENDED = "deadline_extended", "Срок сдачи продлен"
    FORUM_ANSWER = "forum_answer", "Ответ на форуме"
    STATISTICAL_REPORT = "statistical_report", "Опубликован статистический отчет"
    EXPORT_READY = "export_ready", "Экспорт результатов готов"
    COORDINATOR_REMINDER = "coordinator_reminder", "Напоминание координатора"


# What nobody may miss: these always appear in the cabinet; only their e-mail can be switched off.
ESSENTIAL_KINDS = frozenset({Kind.DEADLINE_NEAR, Kind.REPORT_RETURNED, Kind.DEADLINE_EXTENDED})


def is_essential(kind: str) -> bool:
    return kind in ESSENTIAL_KINDS


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="получатель",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name="организация",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField("вид", max_length=30, choices=Kind.choices)
    text = models.TextField("текст")
    link = models.CharField("ссылка", max_length=500, blank=True)
    event_key = models.CharField("ключ события", max_length=200)
    created_at = models.DateTimeField("создано", default=timezone.now)
    read_at = models.DateTimeField("прочитано", null=True, blank=True)

    class Meta:
        verbose_name = "уведомление"
        verbose_name_plural = "уведомления"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "recipient"], name="notification_once_per_recipient"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_list"),
            # The bell's unread count reads only this small index.
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self):
        return f"{self.recipient} · {self.get_kind_display()}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class EmailDelivery(models.Model):
    """One e-mail of one event to one address, from «в очереди» to «отправлено» or «ошибка»."""

    class Status(models.TextChoices):
        PENDING = "pending", "В очереди"
        SENDING = "sending", "Отправляется"
        SENT = "sent", "Отправлено"
        FAILED = "failed", "Ошибка"

    event_key = models.CharField("ключ события", max_length=200)
    # "org:<id>" for the organization's mailbox, "user:<id>" for a user's own address.
    recipient_key = models.CharField("получатель (ключ)", max_length=40)
    organization = models.ForeignKey(
        Organization,
        verbose_name="организация",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="пользователь",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    address = models.CharField("адрес", max_length=254, blank=True)
    kind = models.CharField("вид", max_length=30, choices=Kind.choices)
    subject = models.CharField("тема", max_length=300, blank=True)
    text = models.TextField("текст")
    link = models.CharField("ссылка", max_length=500, blank=True)
    status = models.CharField(
        "состояние", max_length=10, choices=Status.choices, default=Status.PENDING
    )
    error = models.TextField("причина ошибки", blank=True)
    created_at = models.DateTimeField("создано", default=timezone.now)
    claimed_at = models.DateTimeField("взято в отправку", null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True, editable=False)
    sent_at = models.DateTimeField("отправлено", null=True, blank=True)

    class Meta:
        verbose_name = "письмо"
        verbose_name_plural = "письма"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "recipient_key"], name="email_once_per_recipient"
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "id"],
                condition=Q(status__in=["pending", "sending"]),
                name="email_outbox",
            ),
            models.Index(fields=["claim"], name="email_claim"),
        ]

    def __str__(self):
        return f"{self.address or '—'} · {self.get_kind_display()}"


class Preference(models.Model):
    """A user's choice for one kind; no row means «в кабинете и по почте»."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="пользователь",
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField("вид", max_length=30, choices=Kind.choices)
    in_cabinet = models.BooleanField("в кабинете", default=True)
    by_email = models.BooleanField("по электронной почте", default=True)

    class Meta:
        verbose_name = "настройка уведомлений"
        verbose_name_plural = "настройки уведомлений"
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="preference_one_per_kind"),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_kind_display()}"


class ReminderSettings(models.Model):
    """The operator's reminder schedule (one row)."""

    deadline_days = models.CharField(
        "напоминать о сроке за (дней)",
        max_length=50,
        default="2, 1",
        help_text=(
            "Через запятую: за сколько суток до закрытия сбора напомнить организациям, "
            "которые еще не сдали отчет. 1 — последний день (за сутки до срока)."
        ),
    )

    class Meta:
        verbose_name = "расписание напоминаний"
        verbose_name_plural = "расписание напоминаний"

    def __str__(self):
        return f"Напоминать за {self.deadline_days} дн."

    def clean(self):
        parts = [p.strip() for p in self.deadline_days.replace(";", ",").split(",") if p.strip()]
        if not parts or not all(p.isdigit() and 0 < int(p) <= 60 for p in parts):
            raise ValidationError(
                {"deadline_days": "Укажите целые числа от 1 до 60 через запятую, например: 2, 1."}
            )

    @property
    def day_offsets(self) -> list[int]:
        days = set()
        for part in self.deadline_days.replace(";", ",").split(","):
            part = part.strip()
            if part.isdigit() and 0 < int(part) <= 60:
                days.add(int(part))
        return sorted(days, reverse=True)

    @classmethod
    def current(cls) -> "ReminderSettings":
        return cls.objects.order_by("pk").first() or cls()
