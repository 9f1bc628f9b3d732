"""The scheduler: window opens, deadline near, scheduled publications — once per event and
recipient however often (or however many) schedulers run, catching up without stale news."""

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from datacollection.models import Extension, Report
from notifications import scheduler
from notifications.models import EmailDelivery, Kind, Notification, ReminderSettings
from publications.models import Publication
from tests.factories import (
    OrganizationFactory,
    OrganizationUserFactory,
    PublicationFactory,
    ReportFactory,
    mails_to,
    make_collection,
    notices_of,
)


@pytest.fixture
def org_mail(org):
    org.email = "school@example.ru"
    org.save(update_fields=["email"])
    return org.email


def collection_closing_in(delta, organizations, **fields):
    now = timezone.now()
    return make_collection(
        organizations=organizations,
        opens_at=now - timedelta(days=5),
        closes_at=now + delta,
        **fields,
    )


def test_a_window_that_opens_is_announced_once(org, org_user, org_mail):
    now = timezone.now()
    collection = make_collection(
        organizations=[org], opens_at=now + timedelta(hours=1), closes_at=now + timedelta(days=9)
    )
    scheduler.run_pass(now=now)
    assert not notices_of(org_user, Kind.COLLECTION_OPENED).exists()
    later = now + timedelta(hours=1, minutes=1)
    scheduler.run_pass(now=later)
    scheduler.run_pass(now=later + timedelta(minutes=1))
    (notice,) = notices_of(org_user, Kind.COLLECTION_OPENED)
    assert collection.form.title in notice.text
    assert notice.link == f"/collections/{collection.pk}/fill/"
    assert len(mails_to(org_mail, Kind.COLLECTION_OPENED)) == 1


def test_a_window_closed_while_the_scheduler_was_down_is_not_announced(org, org_user):
    now = timezone.now()
    make_collection(
        organizations=[org], opens_at=now - timedelta(days=3), closes_at=now - timedelta(days=1)
    )
    scheduler.run_pass(now=now)
    assert not Notification.objects.exists()


def test_deadline_reminders_two_days_and_the_last_day(org, org_user, org_mail):
    collection = collection_closing_in(timedelta(days=3), [org])
    now = timezone.now()
    scheduler.run_pass(now=now)  # three days left: nothing
    assert not notices_of(org_user, Kind.DEADLINE_NEAR).exists()
    scheduler.run_pass(now=now + timedelta(days=1, minutes=1))  # two days left
    scheduler.run_pass(now=now + timedelta(days=1, minutes=2))  # again: nothing new
    scheduler.run_pass(now=now + timedelta(days=2, minutes=1))  # the last day
    scheduler.run_pass(now=now + timedelta(days=2, minutes=2))
    notices = list(notices_of(org_user, Kind.DEADLINE_NEAR).order_by("created_at"))
    assert len(notices) == 2
    assert "Остался последний день" not in notices[0].text
    assert "Остался последний день" in notices[1].text
    assert notices[0].link == f"/collections/{collection.pk}/fill/"
    assert len(mails_to(org_mail, Kind.DEADLINE_NEAR)) == 2


def test_operator_sets_the_days(org, org_user):
    ReminderSettings.objects.create(deadline_days="5")
    collection_closing_in(timedelta(days=4), [org])
    scheduler.run_pass()
    assert notices_of(org_user, Kind.DEADLINE_NEAR).count() == 1


def test_after_downtime_only_the_latest_due_reminder_is_sent(org, org_user):
    collection_closing_in(timedelta(hours=10), [org])  # the 2-day mark passed while down
    scheduler.run_pass()
    (notice,) = notices_of(org_user, Kind.DEADLINE_NEAR)
    assert "Остался последний день" in notice.text


def test_no_reminder_for_a_passed_deadline_or_a_closed_window(org, org_user):
    collection_closing_in(timedelta(hours=10), [org], closed_manually=True)
    collection_closing_in(-timedelta(hours=1), [org])
    scheduler.run_pass()
    assert not notices_of(org_user, Kind.DEADLINE_NEAR).exists()


def test_no_reminder_to_who_has_submitted(org, org_user, org_same_municipality):
    late_user = OrganizationUserFactory(organization=org_same_municipality)
    collection = collection_closing_in(timedelta(hours=10), [org, org_same_municipality])
    ReportFactory(collection=collection, organization=org, status=Report.Status.SUBMITTED)
    scheduler.run_pass()
    assert not notices_of(org_user, Kind.DEADLINE_NEAR).exists()
    assert notices_of(late_user, Kind.DEADLINE_NEAR).count() == 1


def test_an_extension_moves_the_reminder(org, org_user, regional):
    collection = collection_closing_in(timedelta(hours=10), [org])
    Extension.objects.create(
        collection=collection, organization=org, until=timezone.now() + timedelta(days=4)
    )
    scheduler.run_pass()
    assert not notices_of(org_user, Kind.DEADLINE_NEAR).exists()
    scheduler.run_pass(now=timezone.now() + timedelta(days=3, minutes=1))
    (notice,) = notices_of(org_user, Kind.DEADLINE_NEAR)
    assert "Остался последний день" in notice.text


def test_a_scheduled_publication_appears_at_its_time(org, org_user, other_org_user, org_mail):
    now = timezone.now()
    publication = PublicationFactory(
        published_at=now + timedelta(hours=2),
        audience=Publication.Audience.ORGANIZATIONS,
        organizations=[org],
    )
    scheduler.run_pass(now=now)
    assert not notices_of(org_user, Kind.PUBLICATION).exists()
    scheduler.run_pass(now=now + timedelta(hours=2, minutes=1))
    scheduler.run_pass(now=now + timedelta(hours=2, minutes=2))
    (notice,) = notices_of(org_user, Kind.PUBLICATION)
    assert publication.title in notice.text
    assert not notices_of(other_org_user).exists()
    assert len(mails_to(org_mail, Kind.PUBLICATION)) == 1


def test_a_region_publication_reaches_its_coordinators_not_others(
    org_user, regional, other_regional, other_org_user, region
):
    PublicationFactory(audience=Publication.Audience.REGIONS, regions=[region])
    scheduler.run_pass()
    assert notices_of(org_user, Kind.PUBLICATION).count() == 1
    assert notices_of(regional, Kind.PUBLICATION).count() == 1
    assert not notices_of(other_regional).exists()
    assert not notices_of(other_org_user).exists()


def test_old_publications_are_not_announced(org_user):
    PublicationFactory(published_at=timezone.now() - timedelta(days=30))
    scheduler.run_pass()
    assert not Notification.objects.exists()


def test_the_command_runs_once(org, org_user, capsys):
    collection_closing_in(timedelta(hours=10), [org])
    call_command("notification_scheduler", "--once")
    call_command("notification_scheduler", "--once")
    assert "создано уведомлений — 0" in capsys.readouterr().out
    assert notices_of(org_user, Kind.DEADLINE_NEAR).count() == 1


def test_a_failing_source_does_not_stop_the_others(org, org_user, monkeypatch):
    def broken(*, now):
        raise RuntimeError("сломано")

    scheduler.autodiscover_modules("notification_sources")  # the real sources, in any test order
    monkeypatch.setitem(scheduler._sources, "broken", broken)
    collection_closing_in(timedelta(hours=10), [org])
    result = scheduler.run_pass()
    assert result["broken"] == 0
    assert notices_of(org_user, Kind.DEADLINE_NEAR).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
def test_two_schedulers_at_once_send_each_notice_and_email_once(region, municipality):
    organizations = [
        OrganizationFactory(region=region, municipality=municipality, email=f"s{n}@example.ru")
        for n in range(60)
    ]
    for organization in organizations:
        OrganizationUserFactory(organization=organization)
    collection_closing_in(timedelta(hours=10), organizations)
    now = timezone.now()
    barrier = threading.Barrier(3)
    failures = []

    def run():
        try:
            barrier.wait(timeout=10)
            scheduler.run_pass(now=now)
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    for kind in (Kind.DEADLINE_NEAR, Kind.COLLECTION_OPENED):
        assert Notification.objects.filter(kind=kind).count() == 60
        deliveries = EmailDelivery.objects.filter(kind=kind, status=EmailDelivery.Status.SENT)
        assert deliveries.count() == 60
        sent_to = sorted(
            address
            for message in mail.outbox
            if message.subject.startswith(kind.label)
            for address in message.to
        )
        assert sent_to == sorted(f"s{n}@example.ru" for n in range(60))
