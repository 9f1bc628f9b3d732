"""Data collection's immediate notifications (the timed ones are in `notification_sources`):
a report returned for corrections and a deadline extended. Both are essential: they stay in
the cabinet even for a user who switched their e-mail off."""

from django.urls import reverse

from core.text import msk
from notifications.models import Kind
from notifications.services import notify

from .models import Extension, Report


def report_returned(report: Report) -> None:
    collection = report.collection
    notify(
        kind=Kind.REPORT_RETURNED,
        text=(
            f"Отчет «{collection.form.title}» ({collection.study.title}) возвращен на доработку. "
            f"Комментарий координатора: {report.returned_comment}"
        ),
        link=reverse("datacollection:report_detail", args=[report.pk]),
        event_key=f"report_returned:{report.pk}:{report.returned_at:%Y%m%d%H%M%S%f}",
        organizations=[report.organization_id],
    )


def deadline_extended(extension: Extension) -> None:
    collection = extension.collection
    notify(
        kind=Kind.DEADLINE_EXTENDED,
        text=(
            f"Срок сдачи отчета «{collection.form.title}» ({collection.study.title}) продлен "
            f"до {msk(extension.until)}."
        ),
        link=reverse("datacollection:collection_fill", args=[collection.pk]),
        event_key=(
            f"deadline_extended:{collection.pk}:{extension.organization_id}:"
            f"{extension.until:%Y%m%d%H%M}"
        ),
        organizations=[extension.organization_id],
    )
