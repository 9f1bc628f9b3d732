from axes.apps import AppConfig as AxesAppConfig


class AxesConfig(AxesAppConfig):
    """django-axes with a Russian section name in the admin (its own is «Axes»)."""

    verbose_name = "Блокировка входа"
