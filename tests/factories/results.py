"""Statistical reports: a report definition over `make_form()`'s results table (tasks 1–3, max 2
each, class column «grade») and transferred results written straight as snapshots."""

from datetime import timedelta

from django.utils import timezone

from datacollection.models import Report, Submission
from results.models import ReportDefinition, TaskDefinition


def make_definition(collection, *, grade=4, max_scores=(2, 2, 2), scale=(2, 4, 6), **fields):
    """A definition with tasks task_1… of the given maximum scores; `scale` = the lower bounds
    of marks 3, 4, 5 (None: no scale)."""
    three, four, five = scale or (None, None, None)
    definition = ReportDefinition.objects.create(
        collection=collection,
        grade=grade,
        mark_3_from=three,
        mark_4_from=four,
        mark_5_from=five,
        **fields,
    )
    for number, max_score in enumerate(max_scores, 1):
        TaskDefinition.objects.create(
            definition=definition,
            order=number,
            column_key=f"task_{number}",
            title=str(number),
            max_score=max_score,
        )
    return definition


def result_row(grade, *scores, code=None):
    """A row of the results table: scores as typed («X», «отсутствовал», "1", "")."""
    values = {"code": code or f"{grade}0001", "grade": str(grade)}
    values.update({f"task_{n}": str(score) for n, score in enumerate(scores, 1)})
    return values


def submit_results(collection, organization, rows, *, at=None) -> Submission:
    """A transferred snapshot of `rows` for the organization (its report made if missing)."""
    at = at or timezone.now()
    report, _ = Report.objects.get_or_create(
        collection=collection,
        organization=organization,
        defaults={"status": Report.Status.SUBMITTED, "submitted_at": at, "started_at": at},
    )
    data = {
        "collection": collection.pk,
        "form": collection.form.code,
        "organization": organization.login,
        "tables": [
            {
                "key": "results",
                "title": "Результаты",
                "rows": [
                    {"key": f"r{n}", "label": str(n), "values": values}
                    for n, values in enumerate(rows, 1)
                ],
            }
        ],
    }
    return Submission.objects.create(report=report, submitted_at=at, data=data)


def earlier(minutes=60):
    return timezone.now() - timedelta(minutes=minutes)
