"""Operators manage categories and look after questions here. Changes of category and the
«Часто задаваемые вопросы» flag go through `services`, so they are recorded in the audit
journal like the same actions on the question page."""

from django.contrib import admin, messages

from . import services
from .models import Category, Message, Question


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "order"]
    list_editable = ["order"]


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    fields = ["created_at", "author", "is_answer", "text"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # answers are written on the question page, which notifies the asker


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["pk", "title", "organization", "category", "status", "is_published_to_faq"]
    list_display_links = ["pk", "title"]
    list_filter = ["status", "category", "is_published_to_faq"]
    search_fields = ["title", "text", "organization__login", "organization__name"]
    date_hierarchy = "created_at"
    list_select_related = ["organization", "category"]
    inlines = [MessageInline]
    fields = [
        "title",
        "text",
        "category",
        "status",
        "organization",
        "author",
        "study",
        "attachment_name",
        "is_published_to_faq",
        "faq_published_at",
        "merged_into",
        "created_at",
        "last_answered_at",
    ]
    readonly_fields = [
        "status",
        "organization",
        "author",
        "study",
        "attachment_name",
        "is_published_to_faq",
        "faq_published_at",
        "merged_into",
        "created_at",
        "last_answered_at",
    ]
    actions = ["publish_to_faq", "remove_from_faq"]

    def has_add_permission(self, request):
        return False  # questions are asked by organizations in the cabinet

    def save_model(self, request, obj, form, change):
        # Only title, text and category are editable here, each through its service.
        if {"title", "text"} & set(form.changed_data):
            services.question_correct(
                question=obj, title=obj.title, text=obj.text, actor=request.user, request=request
            )
        if "category" in form.changed_data:
            category = obj.category
            obj.category = Category.objects.get(pk=form.initial["category"])
            services.question_move(
                question=obj, category=category, actor=request.user, request=request
            )

    def _set_faq(self, request, queryset, published: bool):
        done = 0
        for question in queryset.select_related("organization", "category"):
            try:
                services.question_set_faq(
                    question=question, published=published, actor=request.user, request=request
                )
                done += 1
            except services.ForumError as error:
                self.message_user(request, f"№ {question.pk}: {error.message}", messages.WARNING)
        self.message_user(request, f"Изменено вопросов: {done}.")

    @admin.action(description="Опубликовать в «Часто задаваемых вопросах»")
    def publish_to_faq(self, request, queryset):
        self._set_faq(request, queryset, True)

    @admin.action(description="Снять из «Часто задаваемых вопросов»")
    def remove_from_faq(self, request, queryset):
        self._set_faq(request, queryset, False)
