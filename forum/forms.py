from crispy_forms.bootstrap import StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Layout
from django import forms
from django.conf import settings

from core.files import format_file_size
from datacollection.models import Study

from .models import Category, Question, validate_question_attachment

PREVIEW = "preview"
SEND = "send"


class QuestionFilterForm(forms.Form):
    q = forms.CharField(label="Поиск", required=False, max_length=200)
    category = forms.ModelChoiceField(
        label="Категория",
        queryset=Category.objects.all(),
        required=False,
        empty_label="Все категории",
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    status = forms.ChoiceField(
        label="Статус",
        choices=[("", "Все статусы"), *Question.Status.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class FaqSearchForm(forms.Form):
    q = forms.CharField(label="Поиск", required=False, max_length=200)


class AskForm(forms.Form):
    category = forms.ModelChoiceField(
        label="Категория", queryset=Category.objects.all(), empty_label=None
    )
    study = forms.ModelChoiceField(
        label="Исследование",
        queryset=Study.objects.all(),
        required=False,
        empty_label="Не выбрано",
    )
    title = forms.CharField(
        label="Тема вопроса",
        max_length=200,
        help_text="Коротко, о чем вопрос: по теме подбираются похожие ответы.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    text = forms.CharField(
        label="Вопрос",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Опишите ситуацию: что делали, что видите на экране. HTML не поддерживается.",
    )
    attachment = forms.FileField(
        label="Скриншот или файл",
        required=False,
        validators=[validate_question_attachment],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        extensions = settings.FORUM_ATTACHMENT_EXTENSIONS
        self.fields["attachment"].help_text = (
            f"Необязательно. {', '.join(e.upper() for e in extensions)}, "
            f"не больше {format_file_size(settings.FORUM_ATTACHMENT_MAX_SIZE)}."
        )
        self.fields["attachment"].widget.attrs["accept"] = ",".join(f".{e}" for e in extensions)
        if not self.fields["study"].queryset.exists():
            del self.fields["study"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        top = [Div(Field("category"), css_class="col-md-6")]
        if "study" in self.fields:
            top.append(Div(Field("study"), css_class="col-md-6"))
        self.helper.layout = Layout(
            Div(*top, css_class="row"),
            Field("title", css_class="js-similar-source"),
            Field("text"),
            Field("attachment"),
            Div(
                StrictButton(
                    "Проверить похожие",
                    type="submit",
                    name=PREVIEW,
                    value="1",
                    css_class="btn btn-outline-primary",
                ),
                StrictButton(
                    "Отправить вопрос", type="submit", name=SEND, value="1", css_class="btn-primary"
                ),
                css_class="d-flex flex-wrap gap-2",
            ),
        )


class ReplyForm(forms.Form):
    text = forms.CharField(
        label="Сообщение", max_length=10_000, widget=forms.Textarea(attrs={"rows": 4})
    )


class MoveForm(forms.Form):
    category = forms.ModelChoiceField(
        label="Категория",
        queryset=Category.objects.all(),
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select", "id": "id_move_category"}),
    )


class MergeForm(forms.Form):
    original = forms.ModelChoiceField(
        label="Номер исходного вопроса",
        queryset=Question.objects.filter(merged_into__isnull=True),
        to_field_name="pk",
        widget=forms.NumberInput(attrs={"min": 1}),
        error_messages={"invalid_choice": "Вопрос с таким номером не найден."},
    )
