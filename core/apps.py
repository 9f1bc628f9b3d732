from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _unicode_lower_for_sqlite(sender, connection, **kwargs):
    """SQLite's LOWER() folds ASCII letters only, so «Лицей» would not match «лицей». Replace it
    with Python's, so `Lower(...)` searches behave on SQLite as on PostgreSQL."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "LOWER",
            1,
            lambda value: value.lower() if isinstance(value, str) else value,
            deterministic=True,
        )


class CoreConfig(AppConfig):
    """Helpers that are not about any domain: Russian words and Moscow dates, uploads, the
    error base, request facts. Every app may import `core`; `core` imports no app."""

    name = "core"
    verbose_name = "Общие средства"

    def ready(self):
        connection_created.connect(_unicode_lower_for_sqlite, dispatch_uid="niko-sqlite-lower")
