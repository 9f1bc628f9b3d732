from axes.apps import AppConfig as AxesAppConfig
from django.contrib.admin.apps import AdminConfig


class AxesConfig(AxesAppConfig):
    """django-axes with a Russian section name in the admin (its own is «Axes»)."""

    verbose_name = "Блокировка входа"


class NikoAdminConfig(AdminConfig):
    """Django's admin with the operators' site (`fisoko.admin_site.NikoAdminSite`)."""

    default_site = "fisoko.admin_site.NikoAdminSite"
