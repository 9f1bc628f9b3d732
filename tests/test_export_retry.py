"""«Повторить экспорт» of a background job (`core.jobs.retry` and `retry_from_page`), the same for
monitoring's «Экспорт результатов» and the questionnaires' «Выгрузка ответов»: a failed job is
queued again under the next attempt and written; one still alive or already done is refused
with a Russian message, nothing changed; someone else's job is not theirs to retry."""

from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from core.errors import AccessDenied
from monitoring import services as monitoring_services
from monitoring.models import ExportJob
from surveys import services as surveys_services
from surveys.models import SurveyExport
from tests.factories import make_collection, make_questionnaire, send_response


@dataclass
class Kind:
    app: str
    model: Any
    service: Any
    not_retriable: str
    what: str  # the page's «номер экспорта / выгрузки»

    def url(self, name, job):
        return reverse(f"{self.app}:{name}", args=[job.pk])


MONITORING = Kind(
    "monitoring",
    ExportJob,
    monitoring_services,
    monitoring_services.NOT_FAILED_MESSAGE,
    "экспорта",
)
SURVEYS = Kind(
    "surveys", SurveyExport, surveys_services, surveys_services.EXPORT_NOT_RETRIABLE, "выгрузки"
)


@pytest.fixture(params=[MONITORING, SURVEYS], ids=lambda kind: kind.app)
def kind(request):
    return request.param


@pytest.fixture
def job(kind, regional, org, org_same_municipality, django_capture_on_commit_callbacks):
    """The regional coordinator's job, queued and not taken yet."""
    with django_capture_on_commit_callbacks(execute=False):
        if kind is MONITORING:
            collection = make_collection(organizations=[org, org_same_municipality])
            return monitoring_services.export_start(collection=collection, requester=regional)
        questionnaire = make_questionnaire(organizations=[org, org_same_municipality])
        send_response(questionnaire, org)
        return surveys_services.export_start(questionnaire=questionnaire, actor=regional)


def test_a_failed_job_is_retried_from_its_page_and_written(
    kind, job, as_user, regional, django_capture_on_commit_callbacks
):
    kind.model.objects.filter(pk=job.pk).update(
        status=kind.model.Status.FAILED, error="OSError: Нет места на диске"
    )
    client = as_user(regional)
    page = client.get(kind.url("export_detail", job)).content.decode()
    assert "Повторить экспорт" in page and f"указав номер {kind.what} {job.pk}" in page
    assert kind.url("export_retry", job) in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(kind.url("export_retry", job))
    assert response.status_code == 302 and response["Location"] == kind.url("export_detail", job)
    job.refresh_from_db()
    assert (job.status, job.attempt, job.error, bool(job.file)) == (
        kind.model.Status.DONE,
        2,
        "",
        True,
    )
    assert AuditEvent.objects.filter(
        actor=regional, action=f"{kind.app}.export_retried", target__startswith=f"export:{job.pk} "
    ).exists()


@pytest.mark.parametrize("state", ["running", "done"])
def test_a_job_still_alive_or_done_is_not_retried(kind, job, as_user, regional, state):
    status = {"running": kind.model.Status.RUNNING, "done": kind.model.Status.DONE}[state]
    kind.model.objects.filter(pk=job.pk).update(status=status, heartbeat_at=timezone.now())
    response = as_user(regional).post(kind.url("export_retry", job), follow=True)
    assert kind.not_retriable in response.content.decode()
    job.refresh_from_db()
    assert (job.status, job.attempt) == (status, 1)
    assert not AuditEvent.objects.filter(action=f"{kind.app}.export_retried").exists()


def test_someone_elses_job_is_not_retried(kind, job, as_user, other_regional):
    kind.model.objects.filter(pk=job.pk).update(status=kind.model.Status.FAILED)
    assert as_user(other_regional).post(kind.url("export_retry", job)).status_code == 404
    with pytest.raises(AccessDenied):  # the service checks it too
        kind.service.export_retry(job=job, actor=other_regional)
    job.refresh_from_db()
    assert (job.status, job.attempt) == (kind.model.Status.FAILED, 1)
