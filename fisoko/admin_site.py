"""The admin site of the federal operators: who enters is decided by `accounts.permissions`."""

from django.contrib import admin

from accounts.permissions import may_administer


class NikoAdminSite(admin.AdminSite):
    site_header = "ФИС ОКО · НИКО — администрирование"
    site_title = "ФИС ОКО · НИКО"
    index_title = "Управление"

    def has_permission(self, request):
        return may_administer(request.user)
