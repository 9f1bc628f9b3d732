"""The operator sees the schools' classes, codes and rooms read-only: they are issued and
distributed by the schools through the services, so a code is never renamed behind their back."""

from django.contrib import admin

from accounts.admin import ReadOnlyAdminMixin

from .models import ParticipantCode, Room, SchoolClass


@admin.register(SchoolClass)
class SchoolClassAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["organization", "study", "grade", "letter", "pupils"]
    list_filter = ["study", "grade"]
    search_fields = ["organization__login", "organization__name"]
    list_select_related = ["organization", "study"]


@admin.register(Room)
class RoomAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["organization", "study", "number", "capacity", "list_issued_at"]
    list_filter = ["study"]
    search_fields = ["organization__login", "number"]
    list_select_related = ["organization", "study"]


@admin.register(ParticipantCode)
class ParticipantCodeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["code", "organization", "study", "grade", "variant", "room"]
    list_filter = ["study", "grade"]
    search_fields = ["code", "organization__login"]
    list_select_related = ["organization", "study", "room"]
