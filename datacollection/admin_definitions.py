"""The form builder of the admin: forms (with their definition files), each form's tables, and
each table's columns, fixed rows and checks between columns. Registered on import by
`datacollection.admin`."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import content_disposition_header

from fisoko.admin_rows import ChildPageMixin, RowForm

from . import services
from .definitions import form_definition_errors
from .models import Column, CrossCheck, FixedRow, Form, FormTable


class FormTableInline(admin.TabularInline):
    model = FormTable
    extra = 0
    show_change_link = True
    fields = ["order", "key", "title", "row_mode", "max_rows"]


class FormImportForm(forms.Form):
    file = forms.FileField(label="Файл определения (JSON)")
    code = forms.CharField(
        label="Новый код формы",
        max_length=40,
        required=False,
        help_text="Оставьте пустым, чтобы взять код из файла (он не должен быть занят).",
    )
    title = forms.CharField(
        label="Новое наименование", max_length=300, required=False, help_text="Необязательно."
    )


def definition_download(form: Form) -> HttpResponse:
    response = HttpResponse(services.form_export_json(form), content_type="application/json")
    response["Content-Disposition"] = content_disposition_header(True, f"{form.code}.json")
    return response


@admin.register(Form)
class FormAdmin(admin.ModelAdmin):
    list_display = ["title", "code"]
    search_fields = ["title", "code"]
    inlines = [FormTableInline]
    actions = ["export_definition"]
    change_list_template = "admin/datacollection/form/change_list.html"
    change_form_template = "admin/datacollection/form/change_form.html"

    def response_change(self, request, obj):
        for message in form_definition_errors(obj):
            self.message_user(request, message, messages.WARNING)
        return super().response_change(request, obj)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="datacollection_form_import"),
            path(
                "<path:object_id>/export/",
                wrap(self.export_view),
                name="datacollection_form_export",
            ),
            *super().get_urls(),
        ]

    @admin.action(description="Экспорт определения формы (JSON)")
    def export_definition(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Для экспорта выберите одну форму.", messages.WARNING)
            return None
        return definition_download(queryset.get())

    def export_view(self, request, object_id):
        form = get_object_or_404(Form, pk=object_id)
        if not self.has_view_permission(request, form):
            raise PermissionDenied
        return definition_download(form)

    def import_view(self, request):
        """A form from a definition file: next year's form from this year's."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        upload_form = FormImportForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and upload_form.is_valid():
            try:
                definition = services.definition_from_file(upload_form.cleaned_data["file"].read())
                form = services.form_import(
                    definition=definition,
                    code=upload_form.cleaned_data["code"],
                    title=upload_form.cleaned_data["title"],
                    actor=request.user,
                    request=request,
                )
            except (services.DefinitionFileError, services.DefinitionInvalidError) as error:
                errors = error.messages
            else:
                self.message_user(
                    request, f"Форма «{form.title}» ({form.code}) импортирована.", messages.SUCCESS
                )
                return redirect(reverse("admin:datacollection_form_change", args=[form.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Импорт определения формы",
            "upload_form": upload_form,
            "errors": errors,
        }
        return TemplateResponse(request, "admin/datacollection/form/import.html", context)


class ColumnInline(admin.TabularInline):
    """The table's columns, one row each: what is read and reordered together (order, key,
    title, required; the type shown). Limits, choices, special codes, the sum and the hint are
    on the column's own page («Изменить»), where a column is also added: a full form for each
    column and for the empty one cost ~10 ms each (bench/admin.py, as a section's questions)."""

    model = Column
    form = RowForm  # a computed column marked required: the sum's message names its field
    extra = 0
    show_change_link = True
    fields = ["order", "key", "title", "type", "required"]
    readonly_fields = ["type"]
    # Django's tabular markup with these fields named directly (~1 ms a row less).
    template = "admin/datacollection/formtable/column_rows.html"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "key":  # narrow enough for a row of a table
            field.widget = forms.TextInput(attrs={"size": 12})
        return field

    def has_add_permission(self, request, obj=None):
        return False


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

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("form")

    def get_inline_instances(self, request, obj=None):
        # Columns are added to a saved table, on the column's page (the link under them).
        inlines = super().get_inline_instances(request, obj)
        if obj is None:
            return [i for i in inlines if i.model is not Column]
        if obj.is_dynamic and not obj.fixed_rows.exists():
            # Rows the organization adds have no fixed rows: the empty «Строки» with its form
            # for a new row was ~7 ms of the page (bench/admin.py, the results' table). They
            # appear once the table is saved with fixed rows; leftovers stay shown to delete.
            return [i for i in inlines if i.model is not FixedRow]
        return inlines

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        prefixes = {inline.formset.prefix for inline in context.get("inline_admin_formsets", [])}
        context["fixed_rows_after_save"] = (
            obj is not None and obj.is_dynamic and "fixed_rows" not in prefixes
        )
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(Column)
class ColumnAdmin(ChildPageMixin, admin.ModelAdmin):
    """One column whole. Opened from its table's page, added there with the table chosen
    (`?table=`), and saving returns to that table."""

    parent = "table"
    list_display = ["key", "title", "type", "table"]
    list_filter = ["table__form"]
    list_select_related = ["table__form"]
    search_fields = ["key", "title"]
    fields = [
        "table",
        ("order", "key", "title", "type", "required"),
        ("min_value", "max_value", "max_length"),
        "choices",
        "special_codes",
        "sum_of",
        "help_text",
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "table":
            kwargs["queryset"] = FormTable.objects.select_related("form")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("table__form")
