"""Questionnaires are built here by the federal operator, without code: the questionnaire
(study, respondents, window, participating ОО), its sections, and the questions of each section.
A questionnaire exports to and imports from a JSON file and has a preview of its screens."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import content_disposition_header

from accounts.admin import ReadOnlyAdminMixin
from datacollection.models import Study

from . import services
from .definitions import DefinitionFileError, definition_from_file, questionnaire_export_json
from .models import AccessCode, Question, Questionnaire, Section


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    show_change_link = True
    fields = ["order", "title", "description"]


class ImportForm(forms.Form):
    file = forms.FileField(label="Файл определения (JSON)")
    study = forms.ModelChoiceField(label="Исследование", queryset=Study.objects.all())
    code = forms.CharField(
        label="Новый код анкеты",
        max_length=40,
        required=False,
        help_text="Оставьте пустым, чтобы взять код из файла (он не должен быть занят).",
    )
    title = forms.CharField(label="Новое наименование", max_length=300, required=False)
    opens_at = forms.DateTimeField(label="Открывается (МСК)", help_text="дд.мм.гггг чч:мм")
    closes_at = forms.DateTimeField(label="Закрывается (МСК)", help_text="дд.мм.гггг чч:мм")


def definition_download(questionnaire: Questionnaire) -> HttpResponse:
    response = HttpResponse(
        questionnaire_export_json(questionnaire), content_type="application/json"
    )
    response["Content-Disposition"] = content_disposition_header(True, f"{questionnaire.code}.json")
    return response


@admin.register(Questionnaire)
class QuestionnaireAdmin(admin.ModelAdmin):
    list_display = ["title", "respondent", "study", "opens_at", "closes_at"]
    list_filter = ["study", "respondent"]
    search_fields = ["title", "code"]
    inlines = [SectionInline]
    change_list_template = "admin/surveys/questionnaire/change_list.html"
    change_form_template = "admin/surveys/questionnaire/change_form.html"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="surveys_questionnaire_import"),
            path(
                "<path:object_id>/export/",
                wrap(self.export_view),
                name="surveys_questionnaire_export",
            ),
            path(
                "<path:object_id>/preview/",
                wrap(self.preview_view),
                name="surveys_questionnaire_preview",
            ),
            *super().get_urls(),
        ]

    def export_view(self, request, object_id):
        questionnaire = get_object_or_404(Questionnaire, pk=object_id)
        if not self.has_view_permission(request, questionnaire):
            raise PermissionDenied
        return definition_download(questionnaire)

    def preview_view(self, request, object_id):
        """Every screen as a respondent sees it, one after another; nothing can be sent."""
        questionnaire = get_object_or_404(Questionnaire, pk=object_id)
        if not self.has_view_permission(request, questionnaire):
            raise PermissionDenied
        sections = list(questionnaire.sections.prefetch_related("questions__show_if_question"))
        screens = []
        for section in sections:
            by_pk = {q.pk: q for q in section.questions.all()}
            screens.append(
                {
                    "section": section,
                    "items": [
                        {
                            "question": question,
                            "value": None,
                            "error": "",
                            "condition_parent": by_pk.get(question.show_if_question_id),
                            "outer_condition": (
                                question.show_if_question
                                if question.show_if_question_id
                                and question.show_if_question_id not in by_pk
                                else None
                            ),
                        }
                        for question in section.questions.all()
                    ],
                }
            )
        return TemplateResponse(
            request,
            "admin/surveys/questionnaire/preview.html",
            {"questionnaire": questionnaire, "screens": screens, "count": len(screens)},
        )

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        upload_form = ImportForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and upload_form.is_valid():
            data = upload_form.cleaned_data
            try:
                questionnaire = services.questionnaire_import(
                    definition=definition_from_file(data["file"].read()),
                    study=data["study"],
                    code=data["code"],
                    title=data["title"],
                    opens_at=data["opens_at"],
                    closes_at=data["closes_at"],
                    actor=request.user,
                    request=request,
                )
            except (DefinitionFileError, services.DefinitionInvalid) as error:
                errors = error.messages
            else:
                self.message_user(
                    request,
                    f"Анкета «{questionnaire.title}» ({questionnaire.code}) импортирована.",
                    messages.SUCCESS,
                )
                return redirect(
                    reverse("admin:surveys_questionnaire_change", args=[questionnaire.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Импорт определения анкеты",
            "upload_form": upload_form,
            "errors": errors,
        }
        return TemplateResponse(request, "admin/surveys/questionnaire/import.html", context)


class QuestionInline(admin.StackedInline):
    model = Question
    fk_name = "section"
    extra = 0
    fields = [
        ("order", "key", "kind", "required"),
        "text",
        "help_text",
        ("choices", "statements"),
        ("min_value", "max_value"),
        ("show_if_question", "show_if_values"),
    ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "show_if_question":
            section_id = request.resolver_match.kwargs.get("object_id")
            section = Section.objects.filter(pk=section_id).first() if section_id else None
            kwargs["queryset"] = (
                Question.objects.filter(
                    section__questionnaire_id=section.questionnaire_id,
                    kind__in=Question.CONDITION_KINDS,
                ).select_related("section")
                if section
                else Question.objects.none()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        """«Показывать, если» chooses among this questionnaire's questions in a plain select:
        questions have no admin page of their own to link to, and the wrapper for those links
        was a fifth of the section's page."""
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "show_if_question" and field is not None:
            field.widget = getattr(field.widget, "widget", field.widget)
        return field


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["title", "questionnaire", "order"]
    list_filter = ["questionnaire"]
    inlines = [QuestionInline]


@admin.register(AccessCode)
class AccessCodeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "questionnaire",
        "organization",
        "grade",
        "issued_at",
        "started_at",
        "submitted_at",
    ]
    list_filter = ["questionnaire"]
    # The code itself is not listed: the operator has no need to read a respondent's way in.
    exclude = ["code"]
