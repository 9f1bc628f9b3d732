from django.contrib import admin

from .models import EmailDelivery, Notification, ReminderSettings


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record of what was sent: the operator reads it, nobody edits it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "organization", "kind", "text", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["recipient__username", "organization__login", "text", "event_key"]
    list_select_related = ["recipient", "organization"]
    date_hierarchy = "created_at"
    show_full_result_count = False


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "address", "organization", "kind", "status", "sent_at", "error"]
    list_filter = ["status", "kind"]
    search_fields = ["address", "organization__login", "user__username", "event_key", "error"]
    list_select_related = ["organization"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    exclude = ["claim"]


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__"]

    def has_add_permission(self, request):
        # One schedule at most. Asked for the admin's list of models (fisoko/admin_site.py asks
        # once for its key and Django again when it builds the list), read once a request.
        if not hasattr(request, "_reminder_settings_exist"):
            request._reminder_settings_exist = ReminderSettings.objects.exists()
        return not request._reminder_settings_exist

    def has_delete_permission(self, request, obj=None):
        return False
