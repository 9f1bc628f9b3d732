"""«Квитанция о сдаче отчета»: what proves that a version of a report was transferred.

The number is the transferred snapshot's own (`Submission.pk`, seven digits), so the school's
receipt and the coordinator's «Список участников» show the same one without storing it twice.
The checksum is the first 8 hex digits of SHA-256 over the snapshot's canonical JSON (sorted
keys, no spaces, UTF-8): the same values always give the same checksum, any change another.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from django.http import Http404

from accounts.models import User
from accounts.scoping import organizations_visible_to

from .models import Submission


def receipt_number(submission_pk: int) -> str:
    return f"{submission_pk:07d}"


def checksum(data) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:8]


@dataclass(frozen=True)
class Receipt:
    number: str
    checksum: str
    organization_name: str
    organization_login: str
    study: str
    form: str
    submitted_at: datetime
    submitted_by: str
    report_pk: int
    is_latest: bool


def submission_for_user_or_404(user: User, pk) -> Submission:
    """A transferred version of a report the user may see (the report's scope); else 404."""
    try:
        return Submission.objects.select_related(
            "report__organization",
            "report__collection__form",
            "report__collection__study",
            "submitted_by",
        ).get(pk=pk, report__organization__in=organizations_visible_to(user))
    except (Submission.DoesNotExist, ValueError, TypeError):
        raise Http404("Квитанция не найдена") from None


def receipt_for(submission: Submission) -> Receipt:
    report = submission.report
    latest = report.submissions.order_by("-submitted_at", "-pk").values_list("pk", flat=True)[:1]
    by = submission.submitted_by
    return Receipt(
        number=receipt_number(submission.pk),
        checksum=checksum(submission.data),
        organization_name=report.organization.name,
        organization_login=report.organization.login,
        study=report.collection.study.title,
        form=report.collection.form.title,
        submitted_at=submission.submitted_at,
        submitted_by=(by.get_full_name() or by.username) if by else "—",
        report_pk=report.pk,
        is_latest=submission.pk in list(latest),
    )
