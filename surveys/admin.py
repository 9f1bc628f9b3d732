"""Questionnaires are built here by the federal operator, without code: the questionnaire
(study, respondents, window, participating ОО), its sections, and the questions of each section.
A questionnaire exports to and imports from a JSON file and has a preview of its screens."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import content_disposition_header

from accounts.admin import ReadOnlyAdminMixin
from datacollection.models import Study
from fisoko.admin_paging import EstimatedCountMixin
from fisoko.admin_rows import ChildPageMixin, RowForm

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


def condition_choices(questionnaire_id) -> QuerySet:
    """The questions a condition («Показывать, если») may read: this questionnaire's questions
    with choices to answer (the check of the order is the model's, on saving)."""
    if questionnaire_id is None:
        return Question.objects.none()
    return Question.objects.filter(
        section__questionnaire_id=questionnaire_id, kind__in=Question.CONDITION_KINDS
    ).select_related("section")


class QuestionInline(admin.TabularInline):
    """The section's questions, one row each: what is read and reordered together (order,
    key, text, required; the kind shown). Choices, statements, limits, the hint and the
    condition are on the question's own page («Изменить»), where a question is also added:
    a full form for each question of the section and for the empty one made this page 22× the
    bare view for four questions (bench/admin.py)."""

    model = Question
    form = RowForm  # a question above the one its condition reads: the condition's message
    fk_name = "section"
    extra = 0
    show_change_link = True
    fields = ["order", "key", "text", "kind", "required"]
    readonly_fields = ["kind"]
    # Narrow enough for a row of a table.
    formfield_overrides = {
        models.CharField: {"widget": forms.TextInput(attrs={"size": 12})},
        models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 36})},
    }

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["title", "questionnaire", "order"]
    list_filter = ["questionnaire"]
    inlines = [QuestionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("questionnaire")

    def get_inline_instances(self, request, obj=None):
        # Questions are added to a saved section, on the question's page (the link under them).
        return super().get_inline_instances(request, obj) if obj is not None else []


@admin.register(Question)
class QuestionAdmin(ChildPageMixin, admin.ModelAdmin):
    """One question whole. Opened from its section's page, added there with the section
    chosen (`?section=`), and saving returns to that section."""

    parent = "section"
    list_display = ["key", "text", "kind", "section"]
    list_filter = ["section__questionnaire"]
    list_select_related = ["section__questionnaire"]
    search_fields = ["key", "text"]
    fieldsets = [
        (None, {"fields": ["section", ("order", "key", "kind", "required"), "text", "help_text"]}),
        ("Варианты ответа", {"fields": ["choices", "statements", ("min_value", "max_value")]}),
        ("Условие показа", {"fields": ["show_if_question", "show_if_values"]}),
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None:
            questionnaire_id = obj.section.questionnaire_id
        else:  # the section chosen in the form, or the one it was opened for
            chosen = request.POST.get("section") or request.GET.get("section") or ""
            section = Section.objects.filter(pk=chosen).first() if chosen.isdigit() else None
            questionnaire_id = section.questionnaire_id if section else None
        form.base_fields["show_if_question"].queryset = condition_choices(questionnaire_id)
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "section":
            kwargs["queryset"] = Section.objects.select_related("questionnaire")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        """«Показывать, если» chooses among this questionnaire's questions in a plain select:
        adding or changing a question from there would leave the page being edited."""
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "show_if_question" and field is not None:
            field.widget = getattr(field.widget, "widget", field.widget)
        return field

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("section__questionnaire")


@admin.register(AccessCode)
class AccessCodeAdmin(EstimatedCountMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """A pupil's code for each participant code of the study: up to the 1.9 M participants'
    codes of the country, so the list counts and orders as theirs does."""

    list_display = [
        "questionnaire",
        "organization",
        "grade",
        "issued_at",
        "started_at",
        "submitted_at",
    ]
    list_filter = ["questionnaire"]
    # In the order of the index (questionnaire, organization): the model's order sorted every
    # code by the questionnaires' studies and the organizations' names through joins on each
    # page (15,000 codes of a region: 29 ms of the page's 100).
    ordering = ["questionnaire_id", "organization_id", "pk"]
    list_select_related = ["questionnaire", "organization"]
    # The code itself is not listed: the operator has no need to read a respondent's way in.
    exclude = ["code"]
