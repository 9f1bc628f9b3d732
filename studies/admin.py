"""The operator sets the study's calendar and what its checklist watches; the schools' classes,
codes, rooms, protocols and ticks are read-only here: the schools make them through the
services, so a code is never renamed behind their back."""

from django.contrib import admin

from accounts.admin import ReadOnlyAdminMixin
from datacollection.models import Collection
from fisoko.admin_paging import EstimatedCountMixin

from .models import (
    MAX_GRADE,
    MIN_GRADE,
    ChecklistSettings,
    ChecklistTick,
    ParticipantCode,
    Room,
    RoomProtocol,
    SchoolClass,
    StageDate,
)


class GradeFilter(admin.SimpleListFilter):
    """The grades a study may have, listed without reading the distinct grades of 1.9 M codes
    (Django's filter on a field does that on every page: 120 ms)."""

    title = "класс (параллель)"
    parameter_name = "grade"

    def lookups(self, request, model_admin):
        return [(str(grade), str(grade)) for grade in range(MIN_GRADE, MAX_GRADE + 1)]

    def queryset(self, request, queryset):
        if self.value() in {str(grade) for grade in range(MIN_GRADE, MAX_GRADE + 1)}:
            return queryset.filter(grade=int(self.value()))
        return queryset


@admin.register(SchoolClass)
class SchoolClassAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["organization", "study", "grade", "letter", "pupils"]
    list_filter = ["study", GradeFilter]
    show_full_result_count = False
    # The model's order (study, organization) sorts by the organizations' logins through a
    # join; by their ids it reads the unique index in order (76,500 classes: 52 → 1 ms).
    ordering = ["study_id", "organization_id", "grade", "letter"]
    search_fields = ["organization__login", "organization__name"]
    list_select_related = ["organization", "study"]


@admin.register(Room)
class RoomAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["organization", "study", "number", "capacity", "list_issued_at"]
    list_filter = ["study"]
    search_fields = ["organization__login", "number"]
    list_select_related = ["organization", "study"]


@admin.register(ParticipantCode)
class ParticipantCodeAdmin(EstimatedCountMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["code", "organization", "study", "grade", "variant", "room"]
    list_filter = ["study", GradeFilter]
    # In the order of the unique index (study, grade, number): the model's order sorted 1.9 M
    # codes by the organizations' logins through a join on every page (780 ms).
    ordering = ["study_id", "grade", "number"]
    search_fields = ["code", "organization__login"]
    list_select_related = ["organization", "study", "room"]


@admin.register(StageDate)
class StageDateAdmin(admin.ModelAdmin):
    """The study's calendar: the operator sets each stage's dates per grade and subject, for
    every region or for one (a region's own lines replace the general ones for that stage)."""

    list_display = ["study", "stage", "grade", "subject", "region", "starts_on", "ends_on"]
    list_filter = ["study", "stage", "region"]
    list_select_related = ["study", "region"]
    autocomplete_fields = ["region"]


@admin.register(ChecklistSettings)
class ChecklistSettingsAdmin(admin.ModelAdmin):
    """Which forms and which memo the checklist of a study watches."""

    list_display = ["study", "registration_collection", "protocol_collection", "security_memo"]
    list_select_related = ["study"]
    raw_id_fields = ["security_memo"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name.endswith("_collection"):
            kwargs["queryset"] = Collection.objects.select_related("form", "study")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(RoomProtocol)
class RoomProtocolAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["room", "held_on", "started_at", "ended_at", "observer_present", "filled_at"]
    list_select_related = ["room"]
    search_fields = ["room__organization__login"]


@admin.register(ChecklistTick)
class ChecklistTickAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["organization", "study", "item", "ticked_at", "ticked_by"]
    list_filter = ["study", "item"]
    list_select_related = ["organization", "study", "ticked_by"]
    search_fields = ["organization__login"]
