"""Form definitions and collections are set up here by the federal operator, without code
(the form builder's pages — forms, tables, columns — are in `admin_definitions`)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from accounts.admin import ReadOnlyAdminMixin
from accounts.models import Region

from . import (
    admin_definitions,  # noqa: F401 (the form builder's pages register there)
    services,
)
from .login_lists import logins_from_file, logins_from_text
from .models import (
    Collection,
    Extension,
    Report,
    Study,
    Submission,
)


@admin.register(Study)
class StudyAdmin(admin.ModelAdmin):
    list_display = ["title", "year", "code"]
    search_fields = ["title", "code"]


class ExtensionAdminForm(forms.ModelForm):
    """An extension typed in the admin meets the same date rules as «Продлить срок»
    (`services.extension_check`); the write itself is `services.extension_grant`."""

    class Meta:
        model = Extension
        fields = ["organization", "until"]

    def clean(self):
        data = super().clean()
        until = data.get("until")
        if until is not None and self.has_changed() and self.instance.collection_id:
            try:
                services.extension_check(collection=self.instance.collection, until=until)
            except services.DataCollectionError as error:
                self.add_error("until", error.message)
        return data


class ExtensionInline(admin.TabularInline):
    """Extensions of one collection, on its change page (the collection must exist first)."""

    model = Extension
    form = ExtensionAdminForm
    extra = 0
    autocomplete_fields = ["organization"]
    readonly_fields = ["granted_by", "granted_at"]

    def has_add_permission(self, request, obj=None):
        return obj is not None and super().has_add_permission(request, obj)


class LoginListForm(forms.Form):
    file = forms.FileField(
        label="Файл со списком логинов",
        required=False,
        help_text=".xlsx или .csv (логины в первом столбце) либо .txt.",
    )
    logins = forms.CharField(
        label="Или логины списком",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Через пробел, запятую или с новой строки: edu470001, edu470002.",
    )


class RegionForm(forms.Form):
    region = forms.ModelChoiceField(
        label="Регион", queryset=Region.objects.order_by("code"), empty_label=None
    )


@admin.register(Collection)
class CollectionAdmin(admin.ModelAdmin):
    """A collection and, on «Участвующие ОО», who takes part in it. The participants are no
    widget of the change form: a national collection has 45,000 of them, which the widget
    rendered as selected options (9 s, 6 MB) and the form posted back on every save."""

    list_display = ["form", "study", "opens_at", "closes_at", "closed_manually"]
    list_filter = ["study", "closed_manually"]
    list_select_related = ["form", "study"]
    fields = ["form", "study", "opens_at", "closes_at", "closed_manually", "participants"]
    readonly_fields = ["participants"]
    inlines = [ExtensionInline]
    change_form_template = "admin/datacollection/collection/change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("form", "study")  # its name

    @admin.display(description="участвующие ОО")
    def participants(self, obj):
        if obj is None or obj.pk is None:
            return "Добавляются после сохранения сбора, на странице «Участвующие ОО»."
        return format_html(
            '{} · <a href="{}">добавить или удалить</a>',
            obj.organizations.count(),
            reverse("admin:datacollection_collection_organizations", args=[obj.pk]),
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/organizations/",
                self.admin_site.admin_view(self.organizations_view),
                name="datacollection_collection_organizations",
            ),
            *super().get_urls(),
        ]

    def organizations_view(self, request, object_id):
        """«Участвующие ОО»: add a list of logins or all organizations of a region, remove a
        list of logins."""
        collection = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_change_permission(request, collection):
            raise PermissionDenied
        action = None
        if request.method == "POST":
            action = next(
                (name for name in ("add_region", "remove_logins") if name in request.POST),
                "add_logins",
            )

        def form_for(name, form_class, **kwargs):
            if action != name:
                return form_class(**kwargs)
            return form_class(request.POST, request.FILES, **kwargs)

        login_form = form_for("add_logins", LoginListForm)
        region_form = form_for("add_region", RegionForm)
        remove_form = form_for("remove_logins", LoginListForm, prefix="remove")
        bound = {"add_logins": login_form, "add_region": region_form}.get(action, remove_form)
        errors = []
        if action and bound.is_valid():
            try:
                done = self._change_participants(request, collection, action, bound)
            except services.DefinitionFileError as error:
                errors = error.messages
            except services.DataCollectionError as error:
                errors = [error.message]
            else:
                self.message_user(request, done, messages.SUCCESS)
                return redirect(reverse("admin:datacollection_collection_change", args=[object_id]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": collection,
            "title": f"Участвующие ОО: {collection}",
            "participants": collection.organizations.count(),
            "login_form": login_form,
            "region_form": region_form,
            "remove_form": remove_form,
            "errors": errors,
            "errors_title": "Ничего не удалено"
            if action == "remove_logins"
            else "Ничего не добавлено",
        }
        return TemplateResponse(
            request, "admin/datacollection/collection/organizations.html", context
        )

    def _change_participants(self, request, collection, action, form) -> str:
        """One action of «Участвующие ОО» through its service; the message of its success."""
        if action == "add_region":
            added = services.collection_add_organizations(
                collection=collection,
                region=form.cleaned_data["region"],
                actor=request.user,
                request=request,
            )
            return f"Добавлено участвующих ОО: {added}."
        upload = form.cleaned_data["file"]
        logins = logins_from_file(upload) if upload else []
        logins += logins_from_text(form.cleaned_data["logins"])
        if action == "remove_logins":
            removed = services.collection_remove_organizations(
                collection=collection, logins=logins, actor=request.user, request=request
            )
            return f"Удалено участвующих ОО: {removed}."
        added = services.collection_add_organizations(
            collection=collection, logins=logins, actor=request.user, request=request
        )
        return f"Добавлено участвующих ОО: {added}."

    def save_formset(self, request, form, formset, change):
        """Extensions go through the services (date rules, scope, audit row), never around."""
        if formset.model is not Extension:
            return super().save_formset(request, form, formset, change)
        saved = formset.save(commit=False)
        for obj, changed in formset.changed_objects:
            if "organization" in changed:  # moved to another organization: the old one ends
                previous = Extension.objects.select_related("organization").get(pk=obj.pk)
                services.extension_revoke(extension=previous, actor=request.user, request=request)
        for obj in saved:
            try:
                services.extension_grant(
                    collection=form.instance,
                    organization=obj.organization,
                    until=obj.until,
                    actor=request.user,
                    request=request,
                )
            except services.DataCollectionError as error:
                self.message_user(
                    request, f"{obj.organization.login}: {error.message}", messages.ERROR
                )
        for obj in formset.deleted_objects:
            services.extension_revoke(extension=obj, actor=request.user, request=request)
        return None


class CollectionListFilter(admin.RelatedFieldListFilter):
    """Collections named by form and study, read in one query (not two per collection)."""

    def field_choices(self, field, request, model_admin):
        return [(c.pk, str(c)) for c in Collection.objects.select_related("form", "study")]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["organization", "collection", "status", "last_saved_at", "submitted_at"]
    list_filter = ["status", ("collection", CollectionListFilter)]
    show_full_result_count = False
    list_per_page = 50  # as «Образовательные организации»: 100 rows rendered took 50 ms
    list_select_related = ["organization", "collection__form", "collection__study"]
    search_fields = ["organization__login", "organization__name"]
    readonly_fields = [f.name for f in Report._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["report", "submitted_at", "submitted_by"]
    list_select_related = [
        "report__organization",
        "report__collection__form",
        "report__collection__study",
        "submitted_by",
    ]
    readonly_fields = ["report", "submitted_at", "submitted_by", "data"]
    show_full_result_count = False
    # A transfer is written when it happens: the newest id is the newest transfer, read from
    # the primary key backwards (by time, 94,500 rows were sorted on every page: 60 ms).
    ordering = ["-id"]

    def get_queryset(self, request):
        # The snapshots (1.3 KB each, 127 MB at 94,500) are read only on a change page: the
        # list sorted them along with every row.
        return super().get_queryset(request).defer("data")
