"""Results' notification: a statistical report is published (its figures are built)."""

from django.urls import reverse

from accounts.models import Organization
from notifications.models import Kind
from notifications.services import notify

from .models import ReportDefinition


def reports_published(definition_ids: list[int]) -> None:
    """Tell the organizations that transferred results: once per report (a rebuild after a
    re-publication is not news)."""
    published = ReportDefinition.objects.filter(
        pk__in=definition_ids, status=ReportDefinition.Status.PUBLISHED
    ).select_related("collection__study")
    for definition in published:
        notify(
            kind=Kind.STATISTICAL_REPORT,
            text=f"Опубликован статистический отчет: {definition}.",
            link=reverse("results:index"),
            event_key=f"statistical_report:{definition.pk}",
            organizations=Organization.objects.filter(
                reports__collection_id=definition.collection_id,
                reports__submissions__isnull=False,
            ).distinct(),
        )
