from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """In-cabinet notices and their e-mails. Low in the graph: it imports `accounts` and `core`
    only; other apps' services call `notifications.services.notify`, and the scheduler finds the
    apps' timed events in their `notification_sources` modules (autodiscovered, never imported
    by name)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"
    verbose_name = "Уведомления"
