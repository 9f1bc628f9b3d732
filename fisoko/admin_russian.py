"""Russian in the admin that agrees in case and gender.

Django's Russian admin puts the model's nominative verbose_name into every phrase: «Добавить
публикация», «публикация “…“ был успешно добавлен». Each model registered in the admin names
here its accusative form and grammatical gender, and so does each model edited inline;
`RussianNamesMixin`, mixed into every ModelAdmin by `NikoAdminSite.register`, uses them for the
page titles, the add button, the messages and the inlines' «Добавить еще одну строку».
`tests/test_admin_russian.py` fails on a registered or inline model missing from `FORMS`.
"""

import json
import re

from django.contrib.admin.helpers import InlineAdminFormSet
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

MASCULINE, FEMININE, NEUTER = "m", "f", "n"

# model label → (accusative singular, gender)
FORMS: dict[str, tuple[str, str]] = {
    "auth.group": ("группу", FEMININE),
    "axes.accessattempt": ("запись о попытке доступа", FEMININE),
    "axes.accesslog": ("запись о доступе", FEMININE),
    "axes.accessfailurelog": ("запись об ошибке доступа", FEMININE),
    "accounts.region": ("регион", MASCULINE),
    "accounts.municipality": ("муниципалитет", MASCULINE),
    "accounts.organization": ("образовательную организацию", FEMININE),
    "accounts.user": ("пользователя", MASCULINE),
    "accounts.auditevent": ("запись журнала", FEMININE),
    "publications.publication": ("публикацию", FEMININE),
    "publications.attachmentdownload": ("скачивание материала", NEUTER),
    "datacollection.study": ("исследование", NEUTER),
    "datacollection.form": ("форму", FEMININE),
    "datacollection.formtable": ("таблицу формы", FEMININE),
    "datacollection.collection": ("сбор данных", MASCULINE),
    "datacollection.report": ("отчет ОО", MASCULINE),
    "datacollection.submission": ("переданный отчет", MASCULINE),
    "forum.category": ("категорию", FEMININE),
    "forum.question": ("вопрос", MASCULINE),
    "studies.schoolclass": ("участвующий класс", MASCULINE),
    "studies.room": ("аудиторию", FEMININE),
    "studies.participantcode": ("код участника", MASCULINE),
    "studies.roomprotocol": ("протокол проведения в аудитории", MASCULINE),
    "studies.stagedate": ("срок этапа", MASCULINE),
    "studies.checklistsettings": ("настройку перечня действий", FEMININE),
    "studies.checklisttick": ("отметку о выполнении", FEMININE),
    "results.reportdefinition": ("статистический отчет", MASCULINE),
    "surveys.questionnaire": ("анкету", FEMININE),
    "surveys.section": ("раздел анкеты", MASCULINE),
    "surveys.accesscode": ("код доступа к анкете", MASCULINE),
    "notifications.notification": ("уведомление", NEUTER),
    "notifications.emaildelivery": ("письмо", NEUTER),
    "notifications.remindersettings": ("расписание напоминаний", NEUTER),
    # edited inline only
    "publications.attachment": ("материал", MASCULINE),
    "datacollection.column": ("столбец", MASCULINE),
    "datacollection.fixedrow": ("строку", FEMININE),
    "datacollection.crosscheck": ("проверку между столбцами", FEMININE),
    "datacollection.extension": ("продление срока", NEUTER),
    "forum.message": ("сообщение", NEUTER),
    "results.taskdefinition": ("задание", NEUTER),
    "surveys.question": ("вопрос анкеты", MASCULINE),
}

_ENDINGS = {MASCULINE: "", FEMININE: "а", NEUTER: "о"}
_ONE = {MASCULINE: "еще один", FEMININE: "еще одну", NEUTER: "еще одно"}

# Django's Russian messages after an add, a change or a delete (its own wording varies).
_MESSAGE = re.compile(
    r"^(?P<name>.+?) [“\"](?P<obj>.*)[“\"] был (?:успешно )?(?P<verb>добавлен|изменен|удален)"
    r"(?: успешно)?\.(?P<rest>.*)$",
    re.DOTALL,
)


def forms_of(opts) -> tuple[str, str]:
    return FORMS.get(opts.label_lower, (str(opts.verbose_name), MASCULINE))


def add_another_text(opts) -> str:
    """«Добавить еще одну строку»: the link under an inline (Django: «еще один Строка»)."""
    accusative, gender = forms_of(opts)
    return f"Добавить {_ONE[gender]} {accusative}"


class AgreeingInlineAdminFormSet(InlineAdminFormSet):
    """Django's inline JS (inlines.js) reads the add link's text from `data-inline-formset`."""

    def inline_formset_data(self):
        data = json.loads(super().inline_formset_data())
        data["options"]["addText"] = add_another_text(self.opts.model._meta)
        return json.dumps(data)


def agreed_message(opts, message):
    """Django's message about one object, with the verb agreeing with the model's gender."""
    match = _MESSAGE.match(str(message))
    if match is None:
        return message
    accusative, gender = forms_of(opts)
    ending = _ENDINGS[gender]
    text = (
        f"{capfirst(opts.verbose_name)} «{match['obj']}» "
        f"был{'' if gender == MASCULINE else ending} успешно {match['verb']}{ending}."
    )
    rest = match["rest"]
    if "добавить еще" in rest:
        text += f" Ниже можно добавить {_ONE[gender]} {accusative}."
    elif rest.strip():
        text += " Ниже можно продолжить изменения."
    # The object's text was escaped by Django's format_html; the rest is our own words.
    return mark_safe(text) if isinstance(message, SafeString) else text  # noqa: S308


class RussianNamesMixin:
    """Titles, the add button and messages in agreeing Russian (see FORMS)."""

    @property
    def add_label(self) -> str:
        return f"Добавить {forms_of(self.opts)[0]}"

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        accusative = forms_of(self.opts)[0]
        if object_id is None:
            title = f"Добавить {accusative}"
        elif self.has_change_permission(request):
            title = f"Изменить {accusative}"
        else:
            title = f"Просмотреть {accusative}"
        extra_context = {"title": title, **(extra_context or {})}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        accusative = forms_of(self.opts)[0]
        purpose = "изменения" if self.has_change_permission(request) else "просмотра"
        extra_context = {"title": f"Выберите {accusative} для {purpose}", **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def get_inline_formsets(self, request, formsets, inline_instances, obj=None):
        inline_admin_formsets = super().get_inline_formsets(
            request, formsets, inline_instances, obj
        )
        for inline_admin_formset in inline_admin_formsets:
            # Built by Django, every part as it made it; only the add text is ours.
            inline_admin_formset.__class__ = AgreeingInlineAdminFormSet
        return inline_admin_formsets

    def message_user(self, request, message, *args, **kwargs):
        return super().message_user(request, agreed_message(self.opts, message), *args, **kwargs)
