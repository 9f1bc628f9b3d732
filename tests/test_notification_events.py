"""Events raised by other apps' services: each gives exactly one notice and one e-mail per
recipient, linking straight to the thing, and nothing to anyone else."""

import pytest
from django.urls import reverse

from forum import services as forum_services
from monitoring import services as monitoring_services
from monitoring.models import ExportJob
from notifications.models import EmailDelivery, Kind
from tests.factories import ask, mails_to, make_collection, notices_of


@pytest.fixture
def org_mail(org):
    org.email = "school@example.ru"
    org.save(update_fields=["email"])
    return org.email


def test_a_forum_answer_reaches_the_asker_once(org, org_user, org_mail, regional, other_org_user):
    question = ask(org_user, title="Где протокол?")
    forum_services.question_answer(question=question, author=regional, text="В разделе «НИКО».")
    (notice,) = notices_of(org_user, Kind.FORUM_ANSWER)
    assert "В разделе «НИКО»." in notice.text
    assert notice.link == reverse("forum:question_detail", args=[question.pk])
    (email,) = mails_to(org_mail, Kind.FORUM_ANSWER)
    assert f"Ответ на вопрос № {question.pk} «Где протокол?»" in email.subject
    assert not notices_of(other_org_user).exists()
    assert not notices_of(regional).exists()


def test_a_second_answer_is_a_second_event(org, org_user, org_mail, regional):
    question = ask(org_user)
    forum_services.question_answer(question=question, author=regional, text="Первый")
    forum_services.question_answer(question=question, author=regional, text="Второй")
    assert notices_of(org_user, Kind.FORUM_ANSWER).count() == 2
    assert len(mails_to(org_mail)) == 2


def test_export_ready_tells_the_requester_only(
    org, regional, operator, django_capture_on_commit_callbacks
):
    regional.email = "coordinator@example.ru"
    regional.save(update_fields=["email"])
    collection = make_collection(organizations=[org])
    with django_capture_on_commit_callbacks(execute=True):  # the export task runs
        job = monitoring_services.export_start(collection=collection, requester=regional)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    (notice,) = notices_of(regional, Kind.EXPORT_READY)
    assert notice.link == reverse("monitoring:export_detail", args=[job.pk])
    assert len(mails_to("coordinator@example.ru", Kind.EXPORT_READY)) == 1
    assert not notices_of(operator).exists()


def test_a_failed_export_tells_nobody(
    org, regional, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise OSError("Диск заполнен")

    monkeypatch.setattr(monitoring_services, "_export_write", broken)
    collection = make_collection(organizations=[org])
    with django_capture_on_commit_callbacks(execute=True):
        job = monitoring_services.export_start(collection=collection, requester=regional)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert not notices_of(regional).exists()
    assert not EmailDelivery.objects.exists()
