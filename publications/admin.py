"""Operators write publications here. Every save, publish/unpublish and delete goes through
`services`, so each is recorded in the audit journal."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from accounts.admin import ReadOnlyAdminMixin
from core.files import FileStorageUnavailable, atomic_with_files

from . import services
from .models import AUDIENCE_EMPTY, Attachment, AttachmentDownload, Publication


class PublicationAdminForm(forms.ModelForm):
    class Meta:
        model = Publication
        fields = [
            "title",
            "study",
            "published_at",
            "is_published",
            "pinned",
            "body",
            "audience",
            *Publication.ROLE_AUDIENCE_FIELDS.values(),
            "regions",
            "organizations",
            "collection",
        ]
        widgets = {"title": forms.TextInput(attrs={"size": 90})}

    storage_refused = ""  # the media directory refused the material: the save is redone unsaved

    def clean(self):
        cleaned = super().clean()
        if self.storage_refused:
            raise forms.ValidationError(self.storage_refused)
        audience = cleaned.get("audience")
        Audience = Publication.Audience
        if audience == Audience.ROLES and not any(
            cleaned.get(field) for field in Publication.ROLE_AUDIENCE_FIELDS.values()
        ):
            self.add_error("audience", AUDIENCE_EMPTY["roles"])
        elif audience == Audience.REGIONS and not cleaned.get("regions"):
            self.add_error("regions", AUDIENCE_EMPTY["regions"])
        elif audience == Audience.ORGANIZATIONS and not cleaned.get("organizations"):
            self.add_error("organizations", AUDIENCE_EMPTY["organizations"])
        elif audience == Audience.COLLECTION and not cleaned.get("collection"):
            self.add_error("collection", AUDIENCE_EMPTY["collection"])
        return cleaned


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 1
    fields = ["file", "name", "size_label", "type_label", "uploaded_at"]
    readonly_fields = ["name", "size_label", "type_label", "uploaded_at"]
    # A plain file input: the default widget links to the file's media URL, which is never
    # served (materials download only through the view that checks the audience).
    formfield_overrides = {models.FileField: {"widget": forms.FileInput}}

    @admin.display(description="размер")
    def size_label(self, obj):
        return obj.size_label if obj.pk else "—"

    @admin.display(description="тип")
    def type_label(self, obj):
        return obj.type_label if obj.pk else "—"


@admin.register(Publication)
class PublicationAdmin(admin.ModelAdmin):
    form = PublicationAdminForm
    inlines = [AttachmentInline]
    list_display = ["title", "published_at", "state", "pinned", "audience", "attachment_count"]
    list_filter = ["is_published", "pinned", "audience"]
    search_fields = ["title", "body"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["regions", "organizations"]
    readonly_fields = ["body_preview", "created_at", "updated_at"]
    actions = ["unpublish", "publish"]
    fieldsets = [
        (None, {"fields": ["title", "published_at", "is_published", "pinned"]}),
        ("Текст", {"fields": ["body", "body_preview"]}),
        (
            "Аудитория",
            {
                "fields": [
                    "audience",
                    (
                        "for_regional_coordinators",
                        "for_municipal_coordinators",
                        "for_organizations",
                    ),
                    "regions",
                    "organizations",
                ],
                "description": (
                    "Роли учитываются при аудитории «Выбранные роли», регионы — при «Выбранные "
                    "регионы», организации — при «Выбранные организации». Координаторы видят "
                    "публикации для организаций своей области. Оператор видит все публикации."
                ),
            },
        ),
        ("Служебное", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("attachments")

    @admin.display(description="состояние")
    def state(self, obj):
        if not obj.is_published:
            return "Снята с публикации"
        if not obj.is_live():
            return "Запланирована"
        return "Опубликована"

    @admin.display(description="материалов")
    def attachment_count(self, obj):
        return len(obj.attachments.all())

    @admin.display(description="предпросмотр (как увидят пользователи)")
    def body_preview(self, obj):
        if not obj.pk:
            return "Появится после сохранения."
        # body_html is sanitized on every save (rendering.render_body): safe to show as is.
        return format_html('<div class="publication-body">{}</div>', mark_safe(obj.body_html))  # noqa: S308

    def changeform_view(self, request, *args, **kwargs):
        try:
            # The admin's own transaction inside one that deletes the materials stored in it
            # if the save fails, up to the commit.
            with atomic_with_files():
                return super().changeform_view(request, *args, **kwargs)
        except FileStorageUnavailable as error:
            # The whole save was rolled back (the admin saves in one transaction): a publication
            # without the material it announces is not sent out. The page comes back as for a
            # validation error, with what the operator typed and the reason above the form.
            request.storage_refused = f"Публикация не сохранена. {error.message}"
            return super().changeform_view(request, *args, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        refused = getattr(request, "storage_refused", "")
        return type(form.__name__, (form,), {"storage_refused": refused}) if refused else form

    def save_model(self, request, obj, form, change):
        services.publication_save(
            publication=obj, actor=request.user, changed_fields=form.changed_data, request=request
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not Attachment:
            return super().save_formset(request, form, formset, change)
        attachments = formset.save(commit=False)
        for attachment in formset.deleted_objects:
            services.attachment_delete(attachment=attachment, actor=request.user, request=request)
        for attachment in attachments:
            services.attachment_store(attachment=attachment, actor=request.user, request=request)
        formset.save_m2m()

    def delete_model(self, request, obj):
        services.publication_delete(publication=obj, actor=request.user, request=request)

    def delete_queryset(self, request, queryset):
        for publication in queryset:
            services.publication_delete(
                publication=publication, actor=request.user, request=request
            )

    @admin.action(description="Снять с публикации")
    def unpublish(self, request, queryset):
        for publication in queryset:
            services.publication_set_published(
                publication=publication, is_published=False, actor=request.user, request=request
            )
        messages.success(request, f"Снято с публикации: {queryset.count()}.")

    @admin.action(description="Опубликовать")
    def publish(self, request, queryset):
        for publication in queryset:
            services.publication_set_published(
                publication=publication, is_published=True, actor=request.user, request=request
            )
        messages.success(request, f"Опубликовано: {queryset.count()}.")


@admin.register(AttachmentDownload)
class AttachmentDownloadAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["attachment", "organization", "user", "first_downloaded_at", "count"]
    list_select_related = ["attachment", "organization", "user"]
    search_fields = ["organization__login", "organization__name", "attachment__name"]
    date_hierarchy = "first_downloaded_at"
