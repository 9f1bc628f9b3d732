"""Monitoring's services check access themselves: called directly (no view, no scoping done by
the caller) with a collection or an export outside the actor's scope, they refuse and change
nothing."""

import pytest
from django.core.files.base import ContentFile

from core.errors import AccessDenied, ServiceError
from monitoring import services
from monitoring.models import ExportJob
from tests.factories import make_collection


@pytest.fixture
def foreign_collection(org_other_region):
    """A collection whose only participant is in another region."""
    return make_collection(organizations=[org_other_region])


def test_monitoring_error_is_a_service_error():
    assert issubclass(services.MonitoringError, ServiceError)
    assert issubclass(services.MonitoringAccessDenied, AccessDenied)


def test_reminder_to_a_foreign_collection_is_refused(regional, foreign_collection, mailoutbox):
    with pytest.raises(services.MonitoringAccessDenied) as refused:
        services.reminder_send(collection=foreign_collection, actor=regional, target="not_started")
    assert refused.value.message == services.OUT_OF_SCOPE_MESSAGE
    assert mailoutbox == []


def test_reminder_by_a_municipal_coordinator_is_refused(municipal, org):
    collection = make_collection(organizations=[org])
    with pytest.raises(services.MonitoringAccessDenied):
        services.reminder_send(collection=collection, actor=municipal, target="not_started")


def test_reminder_in_scope_is_sent(regional, org, django_capture_on_commit_callbacks):
    collection = make_collection(organizations=[org])
    with django_capture_on_commit_callbacks():
        result = services.reminder_send(collection=collection, actor=regional, target="not_started")
    assert result.sent == 1  # in the cabinet; by e-mail too where there is an address


def test_export_of_a_foreign_collection_is_refused(regional, foreign_collection):
    with pytest.raises(services.MonitoringAccessDenied):
        services.export_start(collection=foreign_collection, requester=regional)
    assert not ExportJob.objects.exists()


def test_export_by_an_organization_is_refused(org_user, org):
    collection = make_collection(organizations=[org])
    with pytest.raises(services.MonitoringAccessDenied):
        services.export_start(collection=collection, requester=org_user)
    assert not ExportJob.objects.exists()


@pytest.fixture
def finished_export(other_regional, org_other_region):
    collection = make_collection(organizations=[org_other_region])
    job = ExportJob.objects.create(
        requester=other_regional,
        collection=collection,
        scope_description="другой регион",
        status=ExportJob.Status.DONE,
    )
    job.file.save("export.xlsx", ContentFile(b"PK\x03\x04"), save=True)
    return job


def test_someone_elses_export_cannot_be_downloaded(regional, finished_export):
    with pytest.raises(services.MonitoringAccessDenied):
        services.export_file_open(job=finished_export, actor=regional)


def test_the_requester_and_the_operator_download_the_export(
    other_regional, operator, finished_export
):
    for actor in (other_regional, operator):
        with services.export_file_open(job=finished_export, actor=actor) as handle:
            assert handle.read() == b"PK\x03\x04"
