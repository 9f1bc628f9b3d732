"""notify(): exactly one notice and one e-mail per recipient and event, opt-outs, scope."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from notifications import selectors, services
from notifications.models import EmailDelivery, Kind, Notification, Preference
from tests.factories import OrganizationUserFactory, mails_to, notices_of


@pytest.fixture
def org_mail(org):
    org.email = "school@example.ru"
    org.save(update_fields=["email"])
    return org.email


def _notify(org, kind=Kind.PUBLICATION, key="event:1", **extra):
    return services.notify(
        kind=kind, text="Текст", link="/publications/", event_key=key, organizations=[org], **extra
    )


def test_one_notice_and_one_email_per_recipient_even_when_repeated(org, org_user, org_mail):
    assert _notify(org) == 1
    assert _notify(org) == 0
    assert notices_of(org_user).count() == 1
    assert len(mails_to(org_mail)) == 1
    assert len(mails_to(org_mail)) == 1  # draining again sends nothing more
    delivery = EmailDelivery.objects.get()
    assert delivery.status == EmailDelivery.Status.SENT
    assert delivery.sent_at is not None


def test_email_is_html_and_plain_russian_with_a_link(org, org_user, org_mail, settings):
    settings.SITE_URL = "https://lk.example.ru"
    _notify(org, kind=Kind.REPORT_RETURNED, key="returned:1")
    (message,) = mails_to(org_mail)
    assert message.subject.startswith("Отчет возвращен на доработку")
    assert "https://lk.example.ru/publications/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert 'href="https://lk.example.ru/publications/"' in html
    assert "Здравствуйте" in html


def test_every_user_of_the_organization_sees_it_but_the_mailbox_gets_one(org, org_user, org_mail):
    second = OrganizationUserFactory(organization=org, username="edu470001_2")
    _notify(org)
    assert notices_of(org_user).count() == 1
    assert notices_of(second).count() == 1
    assert len(mails_to(org_mail)) == 1


def test_opting_out_of_email_keeps_the_essential_notice(org, org_user, org_mail):
    services.preferences_save(user=org_user, choices={Kind.DEADLINE_NEAR.value: (False, False)})
    _notify(org, kind=Kind.DEADLINE_NEAR)
    assert notices_of(org_user, Kind.DEADLINE_NEAR).count() == 1
    assert mails_to(org_mail) == []
    assert not EmailDelivery.objects.exists()


def test_opting_out_of_a_non_essential_kind_stops_both(org, org_user, org_mail):
    services.preferences_save(user=org_user, choices={Kind.PUBLICATION.value: (False, False)})
    _notify(org)
    assert not notices_of(org_user).exists()
    assert mails_to(org_mail) == []


def test_essential_kinds_cannot_be_hidden_from_the_cabinet(org_user):
    services.preferences_save(user=org_user, choices={Kind.REPORT_RETURNED.value: (False, True)})
    # Asking to hide it changes nothing: no preference is stored.
    assert not Preference.objects.filter(user=org_user).exists()
    row = next(r for r in selectors.preferences_for(org_user) if r["kind"] == "report_returned")
    assert row["essential"] and row["in_cabinet"]


def test_a_failed_email_is_recorded_with_its_reason(org, org_user, org_mail, settings):
    settings.EMAIL_BACKEND = "tests.factories.notifications.FailingBackend"
    _notify(org)
    assert mails_to(org_mail) == []
    delivery = EmailDelivery.objects.get()
    assert delivery.status == EmailDelivery.Status.FAILED
    assert "Сервер почты недоступен" in delivery.error
    assert notices_of(org_user).count() == 1


def test_no_address_is_recorded_as_a_failure_not_silence(org, org_user):
    _notify(org)
    delivery = EmailDelivery.objects.get()
    assert delivery.status == EmailDelivery.Status.FAILED
    assert delivery.error == services.NO_ADDRESS


def test_the_emails_leave_after_commit_through_the_task(
    org, org_user, org_mail, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _notify(org)
        assert mail.outbox == []  # not before the commit
    assert len(callbacks) == 1
    assert [message.to for message in mail.outbox] == [[org_mail]]


def test_nothing_is_sent_when_the_callers_transaction_rolls_back(
    org, org_user, org_mail, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _notify(org)
        raise RuntimeError
    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.exists()
    assert not EmailDelivery.objects.exists()


def test_a_notice_never_reaches_another_organization(org, org_user, other_org_user, org_mail):
    _notify(org)
    assert not notices_of(other_org_user).exists()
    assert selectors.unread_count(other_org_user) == 0


def test_stale_claims_are_sent_again(db, org, org_user, org_mail):
    delivery = EmailDelivery.objects.create(
        event_key="x",
        recipient_key=f"org:{org.pk}",
        organization=org,
        address=org_mail,
        kind=Kind.PUBLICATION,
        text="Текст",
        status=EmailDelivery.Status.SENDING,
        claimed_at=timezone.now() - timedelta(hours=1),
    )
    assert services.send_queued_emails() == 1
    delivery.refresh_from_db()
    assert delivery.status == EmailDelivery.Status.SENT


def test_a_fresh_claim_of_another_worker_is_left_alone(db, org, org_mail):
    EmailDelivery.objects.create(
        event_key="x",
        recipient_key=f"org:{org.pk}",
        organization=org,
        address=org_mail,
        kind=Kind.PUBLICATION,
        text="Текст",
        status=EmailDelivery.Status.SENDING,
        claimed_at=timezone.now(),
    )
    assert services.send_queued_emails() == 0
    assert mail.outbox == []


def test_unread_count_is_one_query(db, org_user, django_assert_num_queries):
    Notification.objects.create(recipient=org_user, kind=Kind.PUBLICATION, text="a", event_key="a")
    Notification.objects.create(
        recipient=org_user, kind=Kind.PUBLICATION, text="b", event_key="b", read_at=timezone.now()
    )
    with django_assert_num_queries(1):  # SELECT COUNT(*) … WHERE recipient AND read_at IS NULL
        assert selectors.unread_count(org_user) == 1


def test_unknown_kind_is_refused(db, org):
    from core.errors import ServiceError

    with pytest.raises(ServiceError, match="Неизвестный вид"):
        services.notify(kind="nope", text="t", event_key="k", organizations=[org])
