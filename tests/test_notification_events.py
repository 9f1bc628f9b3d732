"""Events raised by other apps' services: each gives exactly one notice and one e-mail per
recipient, linking straight to the thing, and nothing to anyone else."""

from datetime import timedelta

import pytest
from django.urls import reverse

from core.text import msk
from datacollection import services as dc_services
from datacollection.models import Report
from forum import services as forum_services
from monitoring import services as monitoring_services
from monitoring.models import ExportJob
from notifications import services as notification_services
from notifications.models import EmailDelivery, Kind
from results import services as results_services
from tests.factories import (
    OrganizationUserFactory,
    ReportFactory,
    ask,
    mails_to,
    make_collection,
    make_definition,
    notices_of,
    result_row,
    submit_results,
)


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


def test_a_returned_report_tells_the_school_with_the_comment(
    org, org_user, org_mail, regional, other_org_user
):
    collection = make_collection(organizations=[org])
    report = ReportFactory(collection=collection, organization=org, status=Report.Status.SUBMITTED)
    dc_services.report_return_for_corrections(
        report=report, actor=regional, comment="Исправьте баллы 8 класса."
    )
    (notice,) = notices_of(org_user, Kind.REPORT_RETURNED)
    assert "Исправьте баллы 8 класса." in notice.text
    assert notice.link == reverse("datacollection:report_detail", args=[report.pk])
    assert len(mails_to(org_mail, Kind.REPORT_RETURNED)) == 1
    assert not notices_of(other_org_user).exists()


def test_returned_stays_in_the_cabinet_when_its_email_is_off(org, org_user, org_mail, regional):
    notification_services.preferences_save(
        user=org_user, choices={Kind.REPORT_RETURNED.value: (False, False)}
    )
    collection = make_collection(organizations=[org])
    report = ReportFactory(collection=collection, organization=org, status=Report.Status.SUBMITTED)
    dc_services.report_return_for_corrections(report=report, actor=regional, comment="Исправьте.")
    assert notices_of(org_user, Kind.REPORT_RETURNED).count() == 1
    assert mails_to(org_mail) == []


def test_an_extension_tells_the_school_its_new_deadline(org, org_user, org_mail, regional):
    collection = make_collection(organizations=[org])
    until = collection.closes_at + timedelta(days=3)
    dc_services.extension_grant(
        collection=collection, organization=org, until=until, actor=regional
    )
    dc_services.extension_grant(
        collection=collection, organization=org, until=until, actor=regional
    )
    (notice,) = notices_of(org_user, Kind.DEADLINE_EXTENDED)
    assert msk(until) in notice.text
    assert len(mails_to(org_mail, Kind.DEADLINE_EXTENDED)) == 1


def test_a_published_statistical_report_tells_the_schools_that_transferred(
    org, org_user, org_mail, org_same_municipality, operator, django_capture_on_commit_callbacks
):
    idle_user = OrganizationUserFactory(organization=org_same_municipality)
    collection = make_collection(organizations=[org, org_same_municipality])
    submit_results(collection, org, [result_row(4, 1, 2, 2)])
    definition = make_definition(collection)
    for _ in range(2):  # a re-publication rebuilds the figures: it is not news again
        with django_capture_on_commit_callbacks(execute=True):
            results_services.results_publish(definitions=[definition], user=operator)
    (notice,) = notices_of(org_user, Kind.STATISTICAL_REPORT)
    assert notice.link == reverse("results:index")
    assert len(mails_to(org_mail, Kind.STATISTICAL_REPORT)) == 1
    assert not notices_of(idle_user).exists()
