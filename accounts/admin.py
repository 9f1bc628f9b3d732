from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import AuditEvent, Municipality, Organization, Region, User


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    search_fields = ["code", "name"]
    list_select_related = ["region"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["login", "name", "kind", "municipality", "region"]
    list_filter = ["kind", "region"]
    search_fields = ["login", "name"]
    list_select_related = ["region", "municipality"]
    autocomplete_fields = ["municipality"]
    list_per_page = 50


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "role", "region", "municipality", "organization", "is_active"]
    list_filter = ["role", "is_active", "region"]
    list_select_related = ["region", "municipality", "organization"]
    search_fields = ["username", "first_name", "last_name", "email", "organization__name"]
    autocomplete_fields = ["region", "municipality", "organization"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        ("Роль и область", {"fields": ("role", "region", "municipality", "organization")}),
        ("Пароль", {"fields": ("must_change_password",)}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("Роль и область", {"fields": ("role", "region", "municipality", "organization")}),
    )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "organization", "action", "target", "ip_address"]
    list_filter = ["action"]
    search_fields = ["target", "actor__username", "organization__login"]
    list_select_related = ["actor", "organization"]
    date_hierarchy = "created_at"

    # The journal is evidence: nobody edits or deletes it through the admin.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
