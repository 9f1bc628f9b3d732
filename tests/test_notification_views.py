"""The bell, the list, following a notice, «Настройки уведомлений»."""

from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Kind, Notification, Preference
from tests.factories import notices_of


def notice(user, key, **fields):
    fields.setdefault("kind", Kind.PUBLICATION)
    return Notification.objects.create(
        recipient=user,
        organization=user.organization,
        text=f"Уведомление {key}",
        link="/publications/",
        event_key=key,
        **fields,
    )


def test_bell_shows_the_unread_count(as_user, org_user):
    notice(org_user, "a")
    notice(org_user, "b")
    notice(org_user, "c", read_at=timezone.now())
    response = as_user(org_user).get(reverse("cabinet"))
    assert (
        '<span class="badge rounded-pill text-bg-danger bell-count" data-testid="bell-count">'
        '<span aria-hidden="true">2</span><span class="visually-hidden">: 2 непрочитанных</span>'
        in (response.content.decode())
    )


def test_no_count_without_unread(as_user, org_user):
    response = as_user(org_user).get(reverse("cabinet"))
    assert 'data-testid="bell"' in response.content.decode()
    assert "bell-count" not in response.content.decode()


def test_list_newest_first_with_read_state(as_user, org_user):
    old = notice(org_user, "old", read_at=timezone.now())
    Notification.objects.filter(pk=old.pk).update(created_at=timezone.now().replace(year=2025))
    notice(org_user, "new", kind=Kind.REPORT_RETURNED)
    response = as_user(org_user).get(reverse("notifications:list"))
    page = list(response.context["page_obj"])
    assert [n.event_key for n in page] == ["new", "old"]
    html = response.content.decode()
    assert html.index("Уведомление new") < html.index("Уведомление old")
    assert html.count("notification-unread") == 1


def test_list_query_count_is_pinned(as_user, org_user, django_assert_num_queries):
    for n in range(12):
        notice(org_user, f"n{n}")
    client = as_user(org_user)
    client.get(reverse("notifications:list"))  # warm the session
    with django_assert_num_queries(6):
        # session, user, page count, unread count (the bell), forum unread answers, page rows
        client.get(reverse("notifications:list"))


def test_following_a_notice_marks_it_read_and_leads_to_the_thing(as_user, org_user):
    n = notice(org_user, "x")
    response = as_user(org_user).get(reverse("notifications:open", args=[n.pk]))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/publications/"
    n.refresh_from_db()
    assert n.is_read


def test_another_users_notice_is_not_found_and_stays_unread(as_user, org_user, other_org_user):
    n = notice(org_user, "x")
    response = as_user(other_org_user).get(reverse("notifications:open", args=[n.pk]))
    assert response.status_code == HTTPStatus.NOT_FOUND
    n.refresh_from_db()
    assert not n.is_read
    assert (
        "Уведомление x"
        not in as_user(other_org_user).get(reverse("notifications:list")).content.decode()
    )


def test_an_outside_link_is_never_followed(as_user, org_user):
    n = notice(org_user, "evil")
    Notification.objects.filter(pk=n.pk).update(link="https://evil.example/")
    response = as_user(org_user).get(reverse("notifications:open", args=[n.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_mark_all_read_touches_only_own(as_user, org_user, other_org_user):
    notice(org_user, "a")
    theirs = notice(other_org_user, "b")
    as_user(org_user).post(reverse("notifications:mark_all_read"))
    assert not notices_of(org_user).filter(read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_preferences_page_saves_choices(as_user, org_user):
    client = as_user(org_user)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "Настройки уведомлений" in page
    assert 'name="report_returned-cabinet"' not in page  # essential: always in the cabinet
    # Everything on except the publication e-mail and the returned-report e-mail.
    data = {f"{kind}-cabinet": "on" for kind in Kind.values}
    data.update({f"{kind}-email": "on" for kind in Kind.values})
    del data["publication-email"], data["report_returned-email"]
    response = client.post(reverse("notifications:preferences"), data)
    assert response.status_code == HTTPStatus.FOUND
    stored = {p.kind: (p.in_cabinet, p.by_email) for p in Preference.objects.filter(user=org_user)}
    assert stored == {"publication": (True, False), "report_returned": (True, False)}


@pytest.mark.parametrize("kind", ["deadline_near", "report_returned", "deadline_extended"])
def test_essential_kinds_are_marked_on_the_page(as_user, org_user, kind):
    page = as_user(org_user).get(reverse("notifications:preferences")).content.decode()
    assert f'name="{kind}-email"' in page
    assert f'name="{kind}-cabinet"' not in page
