from django import forms

from datacollection.models import Study

from .selectors import DownloadStatus


class FeedFilterForm(forms.Form):
    q = forms.CharField(label="Поиск", required=False, max_length=200)
    unread = forms.BooleanField(label="Только новые", required=False)
    study = forms.ModelChoiceField(
        label="Исследование",
        queryset=Study.objects.filter(publications__isnull=False).distinct(),
        required=False,
        empty_label="Все исследования",
    )


class DownloadLogFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Показать", choices=DownloadStatus.CHOICES, required=False, initial="all"
    )
