"""Publication pages: the feed, mark-read, downloads through the checking view, the log."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from publications.models import AttachmentDownload, Publication, PublicationRead
from tests.factories import (
    OrganizationFactory,
    PublicationFactory,
    add_attachment,
    sample_file_bytes,
)

pytestmark = pytest.mark.django_db

FEED = reverse("publications:feed")


def test_feed_shows_pinned_first_then_newest_collapsed(as_user, org_user):
    old = PublicationFactory(title="Старая", published_at="2026-09-01T10:00:00+03:00")
    new = PublicationFactory(title="Новая", published_at="2026-10-01T10:00:00+03:00")
    pinned = PublicationFactory(
        title="Закрепленная", pinned=True, published_at="2026-08-01T10:00:00+03:00"
    )
    response = as_user(org_user).get(FEED)
    assert [p.pk for p in response.context["page"]] == [pinned.pk, new.pk, old.pk]
    content = response.content.decode()
    assert '<details class="publication"' in content
    assert '<details class="publication" open' not in content
    assert "01.10.2026" in content
    assert content.count("js-new-badge") == 3


def test_opening_marks_read_and_the_badge_goes(as_user, org_user):
    publication = PublicationFactory()
    client = as_user(org_user)
    response = client.post(reverse("publications:mark_read", args=[publication.pk]))
    assert response.status_code == HTTPStatus.NO_CONTENT
    client.post(reverse("publications:mark_read", args=[publication.pk]))
    assert PublicationRead.objects.filter(user=org_user).count() == 1
    assert "js-new-badge" not in client.get(FEED).content.decode()


def test_mark_read_of_a_publication_out_of_scope_is_404(as_user, org_user, other_region):
    hidden = PublicationFactory(audience=Publication.Audience.REGIONS, regions=[other_region])
    response = as_user(org_user).post(reverse("publications:mark_read", args=[hidden.pk]))
    assert response.status_code == HTTPStatus.NOT_FOUND


def test_search_by_words_in_title_and_text_ignores_case(as_user, org_user):
    PublicationFactory(title="Технические требования", body="Аудитории и компьютеры")
    PublicationFactory(title="Порядок проведения", body="Этапы НИКО")
    client = as_user(org_user)
    titles = lambda q: [p.title for p in client.get(FEED, {"q": q}).context["page"]]  # noqa: E731
    assert titles("технические") == ["Технические требования"]
    assert titles("АУДИТОРИИ требования") == ["Технические требования"]
    assert titles("этапы") == ["Порядок проведения"]
    assert titles("нет такого") == []


def test_only_new_filter(as_user, org_user):
    read = PublicationFactory(title="Прочитанная")
    PublicationFactory(title="Непрочитанная")
    PublicationRead.objects.create(publication=read, user=org_user)
    page = as_user(org_user).get(FEED, {"unread": "on"}).context["page"]
    assert [p.title for p in page] == ["Непрочитанная"]


def test_feed_is_paginated(as_user, org_user):
    for _ in range(25):
        PublicationFactory()
    response = as_user(org_user).get(FEED, {"page": 2})
    assert len(response.context["page"]) == 5


@pytest.mark.parametrize("count", [2, 20])
def test_feed_query_count_does_not_grow_with_publications(
    as_user, org_user, count, django_assert_num_queries
):
    for number in range(count):
        publication = PublicationFactory()
        add_attachment(publication, f"Материал {number}.pdf")
        if number % 2:
            PublicationRead.objects.create(publication=publication, user=org_user)
    client = as_user(org_user)
    # 1 session, 2 user, 3 paginator count, 4 the page of publications with the read state
    # (EXISTS subquery), 5 attachments of the page (prefetch), 6 studies for the filter,
    # 7 the forum's unread-answers badge in the section bar (organizations only), 8 the bell.
    with django_assert_num_queries(8):
        response = client.get(FEED)
    assert len(response.context["page"]) == count


@pytest.mark.parametrize("count", [2, 8])
def test_cabinet_block_query_count_is_constant(as_user, org_user, count, django_assert_num_queries):
    for number in range(count):
        add_attachment(PublicationFactory(), f"Материал {number}.pdf")
    client = as_user(org_user)
    # 1 session, 2 user, 3 the latest publications with the read state, 4 their attachments,
    # 5 the organization's collections for the «Сбор данных» block, 6 the forum's
    # unread-answers badge in the section bar (organizations only), 7 the studies the
    # organization takes part in («Что сделать сейчас»; none here), 8 the bell.
    with django_assert_num_queries(8):
        response = client.get(reverse("cabinet"))
    assert "Последние публикации" in response.content.decode()


# Downloads -------------------------------------------------------------------------------


def test_download_streams_the_file_with_a_cyrillic_name_and_logs_it(as_user, org_user, org):
    content = sample_file_bytes("Инструкция для ОО.docx")
    attachment = add_attachment(PublicationFactory(), "Инструкция для ОО.docx", content)
    response = as_user(org_user).get(
        reverse("publications:attachment_download", args=[attachment.pk])
    )
    assert response.status_code == HTTPStatus.OK
    assert b"".join(response.streaming_content) == content
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%D0%98%D0%BD%D1%81%D1%82%D1%80" in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AttachmentDownload.objects.get().organization == org


def test_attachment_url_guessing_is_404(as_user, org_user, other_region):
    hidden = PublicationFactory(audience=Publication.Audience.REGIONS, regions=[other_region])
    hidden_file = add_attachment(hidden)
    scheduled_file = add_attachment(PublicationFactory(published_at="2099-01-01T00:00:00Z"))
    unpublished_file = add_attachment(PublicationFactory(is_published=False))
    client = as_user(org_user)
    for pk in (hidden_file.pk, scheduled_file.pk, unpublished_file.pk, 999999):
        response = client.get(reverse("publications:attachment_download", args=[pk]))
        assert response.status_code == HTTPStatus.NOT_FOUND, pk
    assert not AttachmentDownload.objects.exists()


def test_a_file_missing_on_disk_is_404_not_500(as_user, org_user):
    attachment = add_attachment(PublicationFactory())
    attachment.file.delete(save=False)
    response = as_user(org_user).get(
        reverse("publications:attachment_download", args=[attachment.pk])
    )
    assert response.status_code == HTTPStatus.NOT_FOUND


# Download log pages ----------------------------------------------------------------------


def test_download_log_shows_who_downloaded_and_who_did_not(
    as_user, regional, org, org_user, org_same_municipality, org_other_region
):
    publication = PublicationFactory(title="Материалы для проведения")
    attachment = add_attachment(publication)
    as_user(org_user).get(reverse("publications:attachment_download", args=[attachment.pk]))
    client = as_user(regional)
    summary = client.get(reverse("publications:download_log"))
    assert summary.context["rows"][0]["complete"] == 1
    assert summary.context["rows"][0]["none"] == 1
    response = client.get(reverse("publications:download_log_detail", args=[publication.pk]))
    content = response.content.decode()
    assert org.login in content
    assert org_same_municipality.login in content
    assert org_other_region.login not in content
    assert "не скачивали" in content
    assert "(МСК)" in content
    missing = client.get(
        reverse("publications:download_log_detail", args=[publication.pk]), {"status": "missing"}
    )
    assert [o.login for o in missing.context["page"]] == [org_same_municipality.login]


def test_download_log_of_a_publication_out_of_scope_is_404(as_user, regional, other_region):
    hidden = PublicationFactory(audience=Publication.Audience.REGIONS, regions=[other_region])
    add_attachment(hidden)
    without_files = PublicationFactory()
    for pk in (hidden.pk, without_files.pk):
        response = as_user(regional).get(reverse("publications:download_log_detail", args=[pk]))
        assert response.status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("organizations", [3, 30])
def test_download_log_query_count_does_not_grow_with_organizations(
    as_user, regional, municipality, organizations, django_assert_num_queries
):
    publication = PublicationFactory()
    add_attachment(publication)
    for _ in range(organizations):
        OrganizationFactory(municipality=municipality)
    client = as_user(regional)
    url = reverse("publications:download_log_detail", args=[publication.pk])
    # 1 session, 2 user, 3 the publication (audience check), 4 its attachments,
    # 5 summary (one aggregate), 6 paginator count, 7 the page of organizations with
    # their download counts and first dates (subqueries) and municipalities (join), 8 the bell.
    with django_assert_num_queries(8):
        client.get(url)
    # 1 session, 2 user, 3 paginator count, 4 publications, 5 their attachments,
    # 6 summary of the one publication, 7 the bell.
    with django_assert_num_queries(7):
        client.get(reverse("publications:download_log"))
