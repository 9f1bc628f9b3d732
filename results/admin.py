"""The operator describes statistical reports and publishes them, without code."""

from django.contrib import admin, messages
from django.db import transaction

from core.text import msk

from . import services
from .models import ReportDefinition, TaskDefinition


class TaskDefinitionInline(admin.TabularInline):
    model = TaskDefinition
    extra = 0
    fields = ["order", "title", "column_key", "max_score"]


@admin.register(ReportDefinition)
class ReportDefinitionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "collection", "grade", "status", "built_at_msk"]
    list_filter = ["status", "grade", "collection__study"]
    list_select_related = ["collection__study", "collection__form"]
    inlines = [TaskDefinitionInline]
    actions = ["publish", "tasks_from_form"]
    readonly_fields = [
        "status",
        "publish_requested_at",
        "publish_requested_by",
        "built_at",
        "build_error",
    ]
    fieldsets = [
        (None, {"fields": ["collection", "grade", "expected_on"]}),
        (
            "Шкала перевода первичных баллов в отметки (необязательно)",
            {
                "fields": [("mark_3_from", "mark_4_from", "mark_5_from")],
                "description": "Отметка «2» — первичный балл ниже границы отметки «3».",
            },
        ),
        (
            "Форма результатов",
            {"fields": ["table_key", "grade_column", "absent_code"], "classes": ["collapse"]},
        ),
        ("Публикация", {"fields": readonly_fields}),
    ]

    @admin.display(description="данные сформированы", ordering="built_at")
    def built_at_msk(self, obj):
        return msk(obj.built_at) if obj.built_at else "—"

    def response_change(self, request, obj):
        self._warn(request, obj)
        return super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        self._warn(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def _warn(self, request, obj):
        for message in services.definition_errors(obj):
            self.message_user(request, message, messages.WARNING)

    @admin.action(description="Опубликовать результаты (сформировать отчеты заново)")
    def publish(self, request, queryset):
        try:
            definitions = services.results_publish(
                definitions=list(queryset), user=request.user, request=request
            )
        except services.ResultsError as error:
            self.message_user(request, error.message, messages.ERROR)
            return
        self.message_user(
            request,
            f"Формирование отчетов поставлено в очередь: {len(definitions)}. "
            "Прежние данные видны, пока не сформированы новые.",
            messages.SUCCESS,
        )

    @admin.action(description="Задания из столбцов формы (с наибольшим значением)")
    def tasks_from_form(self, request, queryset):
        made = 0
        with transaction.atomic():
            for definition in queryset.select_related("collection"):
                made += services.tasks_from_form(definition=definition, user=request.user)
        self.message_user(request, f"Добавлено заданий: {made}.", messages.SUCCESS)
