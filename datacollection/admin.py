"""Form definitions and collections are set up here by the federal operator, without code."""

from django.contrib import admin, messages

from .definitions import form_definition_errors
from .models import (
    Collection,
    Column,
    CrossCheck,
    Extension,
    FixedRow,
    Form,
    FormTable,
    Report,
    Study,
    Submission,
)


@admin.register(Study)
class StudyAdmin(admin.ModelAdmin):
    list_display = ["title", "year", "code"]
    search_fields = ["title", "code"]


class FormTableInline(admin.TabularInline):
    model = FormTable
    extra = 0
    show_change_link = True
    fields = ["order", "key", "title", "row_mode", "max_rows"]


@admin.register(Form)
class FormAdmin(admin.ModelAdmin):
    list_display = ["title", "code"]
    search_fields = ["title", "code"]
    inlines = [FormTableInline]

    def response_change(self, request, obj):
        for message in form_definition_errors(obj):
            self.message_user(request, message, messages.WARNING)
        return super().response_change(request, obj)


class ColumnInline(admin.StackedInline):
    model = Column
    extra = 0
    fields = [
        ("order", "key", "title", "type", "required"),
        ("min_value", "max_value", "max_length"),
        "choices",
        "special_codes",
        "sum_of",
        "help_text",
    ]


class FixedRowInline(admin.TabularInline):
    model = FixedRow
    extra = 0


class CrossCheckInline(admin.TabularInline):
    model = CrossCheck
    extra = 0


@admin.register(FormTable)
class FormTableAdmin(admin.ModelAdmin):
    list_display = ["title", "form", "key", "row_mode"]
    list_filter = ["form"]
    inlines = [ColumnInline, FixedRowInline, CrossCheckInline]


class ExtensionInline(admin.TabularInline):
    model = Extension
    extra = 0
    autocomplete_fields = ["organization"]
    readonly_fields = ["granted_by", "granted_at"]


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    list_display = ["form", "study", "opens_at", "closes_at", "closed_manually"]
    list_filter = ["study", "closed_manually"]
    list_select_related = ["form", "study"]
    autocomplete_fields = ["organizations"]
    inlines = [ExtensionInline]

    def save_formset(self, request, form, formset, change):
        for obj in formset.save(commit=False):
            if isinstance(obj, Extension) and obj.granted_by_id is None:
                obj.granted_by = request.user
            obj.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["organization", "collection", "status", "last_saved_at", "submitted_at"]
    list_filter = ["status", "collection"]
    list_select_related = ["organization", "collection__form", "collection__study"]
    search_fields = ["organization__login", "organization__name"]
    readonly_fields = [f.name for f in Report._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["report", "submitted_at", "submitted_by"]
    list_select_related = ["report__organization", "report__collection__form", "submitted_by"]
    readonly_fields = ["report", "submitted_at", "submitted_by", "data"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
