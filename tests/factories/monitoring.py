"""Monitoring helpers: a transferred snapshot and reports in every state, written in bulk."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import Organization
from datacollection.models import Report, Submission

# The states `fill` gives organizations in turn ("none": no report at all).
STATUSES = ["none", "not_started", "in_progress", "submitted", "late", "returned"]


def snapshot(login: str, code: str = "40001") -> dict:
    return {
        "collection": 0,
        "form": "form",
        "organization": login,
        "tables": [
            {
                "key": "counts",
                "title": "Численность участников",
                "rows": [
                    {
                        "key": "grade4",
                        "label": "4 класс",
                        "values": {"listed": "20", "present": "19", "absent": "1"},
                    },
                    {
                        "key": "grade8",
                        "label": "8 класс",
                        "values": {"listed": "10", "present": "10", "absent": "0"},
                    },
                ],
            },
            {
                "key": "results",
                "title": "Результаты",
                "rows": [
                    {
                        "key": "r1",
                        "label": "Строка 1",
                        "values": {
                            "code": code,
                            "grade": "4",
                            "task_1": "2",
                            "task_2": "X",
                            "task_3": "1",
                            "total": "3",
                        },
                    }
                ],
            },
        ],
    }


def fill(collection, organizations, *, now=None) -> dict[int, str]:
    """Reports in every state, written with bulk_create (fast for 1,000 organizations).
    Returns organization pk → the state it was given."""
    now = now or timezone.now()
    before = collection.closes_at - timedelta(hours=5)
    after = collection.closes_at + timedelta(hours=5)
    states, reports = {}, []
    for index, organization in enumerate(organizations):
        state = STATUSES[index % len(STATUSES)]
        states[organization.pk] = state
        if state == "none":
            continue
        report = Report(collection=collection, organization=organization)
        if state == "in_progress":
            report.status = Report.Status.IN_PROGRESS
            report.started_at = report.last_saved_at = before - timedelta(days=1)
        elif state in ("submitted", "late"):
            report.status = Report.Status.SUBMITTED
            report.started_at = before - timedelta(days=1)
            report.submitted_at = report.last_saved_at = after if state == "late" else before
            # Every other submitted report was edited after the transfer.
            report.has_unsubmitted_changes = index % 4 == 3
        elif state == "returned":
            report.status = Report.Status.IN_PROGRESS
            report.started_at = before - timedelta(days=2)
            report.submitted_at = before - timedelta(days=1)
            report.returned_at = before
            report.returned_comment = "Исправьте численность."
            report.last_saved_at = before + timedelta(minutes=index % 2)  # edited or not
        reports.append(report)
    Report.objects.bulk_create(reports, batch_size=500)
    submissions = []
    for report in Report.objects.filter(collection=collection, submitted_at__isnull=False):
        submissions.append(
            Submission(
                report=report,
                submitted_at=report.submitted_at,
                data=snapshot(f"org{report.organization_id}"),
            )
        )
    Submission.objects.bulk_create(submissions, batch_size=500)
    return states


def many_organizations(municipality, count: int, *, start: int = 0) -> list[Organization]:
    """`count` schools of the municipality (edu47 5000 + n), every third without an e-mail."""
    region = municipality.region
    numbers = range(start, start + count)
    Organization.objects.bulk_create(
        [
            Organization(
                login=f"edu{region.code}{5000 + number:04d}",
                name=f"Школа № {number} «Тест»",
                region=region,
                municipality=municipality,
                email=f"school{number}@example.org" if number % 3 else "",
            )
            for number in numbers
        ]
    )
    logins = [f"edu{region.code}{5000 + number:04d}" for number in numbers]
    return list(Organization.objects.filter(login__in=logins).order_by("login"))
