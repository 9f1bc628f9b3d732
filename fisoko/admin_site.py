"""The admin site of the federal operators: who enters is decided by `accounts.permissions`."""

from django.contrib import admin

from accounts.permissions import may_administer

from .admin_russian import RussianNamesMixin


class NikoAdminSite(admin.AdminSite):
    site_header = "ФИС ОКО · НИКО — администрирование"
    site_title = "ФИС ОКО · НИКО"
    index_title = "Управление"

    def has_permission(self, request):
        return may_administer(request.user)

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every ModelAdmin, ours and third-party, speaks agreeing Russian (admin_russian)."""
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, RussianNamesMixin):
            admin_class = type(admin_class.__name__, (RussianNamesMixin, admin_class), {})
        return super().register(model_or_iterable, admin_class, **options)
