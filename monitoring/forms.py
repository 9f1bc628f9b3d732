from django import forms
from django.http import QueryDict
from django.utils import timezone

from accounts import permissions
from accounts.models import User
from accounts.scoping import municipalities_visible_to, regions_visible_to
from datacollection.models import Collection

from .selectors import DEFAULT_SORT, FILTERS, SORTS
from .services import REMINDER_TARGETS

STATUS_CHOICES = [("", "Все статусы")] + [
    (key, label) for key, (label, _) in FILTERS.items() if key != "not_submitted"
]
SORT_CHOICES = [(key, key) for key in SORTS] + [(f"-{key}", f"-{key}") for key in SORTS]
# What the list keeps in its URL and passes on to the pages it opens, so «Закрыть» comes back
# to the same filters.
LIST_PARAMETERS = ("status", "region", "municipality", "q", "sort", "page")


class ParticipantFilterForm(forms.Form):
    status = forms.ChoiceField(label="Статус", choices=STATUS_CHOICES, required=False)
    region = forms.ModelChoiceField(
        label="Регион", queryset=None, required=False, empty_label="Все регионы"
    )
    municipality = forms.ModelChoiceField(
        label="Муниципалитет", queryset=None, required=False, empty_label="Все муниципалитеты"
    )
    q = forms.CharField(label="Логин или наименование", required=False, max_length=200)
    sort = forms.ChoiceField(choices=SORT_CHOICES, required=False)

    def __init__(self, data, *, user: User, collection: Collection):
        super().__init__(data)
        self.fields["region"].queryset = regions_visible_to(user)
        municipalities = municipalities_visible_to(user).filter(
            organizations__collections=collection
        )
        if not permissions.may_see_all_regions(user):
            del self.fields["region"]
        elif data.get("region", "").isdigit():
            municipalities = municipalities.filter(region_id=data["region"])
        else:
            municipalities = municipalities.none()  # choose a region first
        if user.municipality_id is not None:  # a scope of one municipality: nothing to choose
            del self.fields["municipality"]
        else:
            self.fields["municipality"].queryset = municipalities.distinct().order_by("name")

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        region = data.get("region")
        municipality = data.get("municipality")
        return {
            "status": data.get("status", ""),
            "region": region.pk if region else None,
            "municipality": municipality.pk if municipality else None,
            "q": (data.get("q") or "").strip(),
            "sort": data.get("sort") or DEFAULT_SORT,
        }


def list_query(data: QueryDict, **changes: str) -> str:
    """The list's own parameters only, re-encoded (safe to put in a link back to the list),
    with `changes` applied; an empty value drops the parameter."""
    kept = QueryDict(mutable=True)
    for key in LIST_PARAMETERS:
        value = changes[key] if key in changes else data.get(key, "")
        if value:
            kept[key] = str(value)[:200]
    return kept.urlencode()


def sort_links(data: QueryDict, current: str) -> dict[str, dict]:
    """For each sortable column: the list's query sorted by it (a second click reverses) and
    the direction it is sorted now ("asc", "desc" or "")."""
    links = {}
    for key in SORTS:
        direction = "asc" if current == key else "desc" if current == f"-{key}" else ""
        target = f"-{key}" if direction == "asc" else key
        links[key] = {"query": list_query(data, sort=target, page=""), "direction": direction}
    return links


class ReminderForm(forms.Form):
    target = forms.ChoiceField(
        label="Кому напомнить",
        choices=list(REMINDER_TARGETS.items()),
        initial="not_submitted",
        widget=forms.RadioSelect,
    )


class ExtensionForm(forms.Form):
    until = forms.DateTimeField(
        label="Продлить до (МСК)",
        input_formats=["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M", "%d.%m.%Y"],
        widget=forms.DateTimeInput(
            attrs={
                "type": "datetime-local",
                "class": "form-control",
                "aria-describedby": "until-help",
            },
            format="%Y-%m-%dT%H:%M",
        ),
        help_text="Дата и время по Москве, например 25.11.2026 18:00.",
    )

    def clean_until(self):
        until = self.cleaned_data["until"]
        # Django reads the value in the current time zone, Europe/Moscow: make sure of it.
        if timezone.is_naive(until):
            until = timezone.make_aware(until)
        return until


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label="Комментарий для организации",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Что нужно исправить. Организация увидит комментарий в блоке «Сбор данных».",
    )
