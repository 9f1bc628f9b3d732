from django import forms

from .selectors import DownloadStatus


class FeedFilterForm(forms.Form):
    q = forms.CharField(label="Поиск", required=False, max_length=200)
    unread = forms.BooleanField(label="Только новые", required=False)


class DownloadLogFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Показать", choices=DownloadStatus.CHOICES, required=False, initial="all"
    )
