"""Publications: who sees what, sanitizing, attachments, the download log."""

import io
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from publications import selectors, services
from publications.models import (
    ATTACHMENT_TOO_LARGE,
    ATTACHMENT_TYPE_REFUSED,
    Attachment,
    AttachmentDownload,
    Publication,
)
from publications.rendering import render_body
from tests.factories import (
    OrganizationFactory,
    OrganizationUserFactory,
    PublicationFactory,
    add_attachment,
    sample_file_bytes,
)

from .conftest import client_for

pytestmark = pytest.mark.django_db


def visible_ids(user):
    return set(selectors.publications_visible_to(user).values_list("pk", flat=True))


# Audience --------------------------------------------------------------------------------


def test_everyone_sees_a_publication_for_everyone(users_by_role, other_org_user):
    publication = PublicationFactory()
    for role, user in users_by_role.items():
        if user is not None:
            assert publication.pk in visible_ids(user), role
    assert publication.pk in visible_ids(other_org_user)


@pytest.mark.parametrize(
    ("role_field", "seen_by"),
    [
        ("for_regional_coordinators", {"operator", "regional"}),
        ("for_municipal_coordinators", {"operator", "municipal"}),
        ("for_organizations", {"operator", "regional", "municipal", "organization"}),
    ],
)
def test_chosen_roles_see_it_and_other_roles_do_not(users_by_role, role_field, seen_by):
    publication = PublicationFactory(audience=Publication.Audience.ROLES, **{role_field: True})
    for role, user in users_by_role.items():
        if role == "anonymous":
            continue
        assert (publication.pk in visible_ids(user)) == (role in seen_by), role


def test_chosen_regions_are_seen_by_everyone_of_the_region_only(
    users_by_role, region, other_region, other_org_user, other_regional
):
    publication = PublicationFactory(audience=Publication.Audience.REGIONS, regions=[region])
    for role in ["operator", "regional", "municipal", "organization"]:
        assert publication.pk in visible_ids(users_by_role[role]), role
    assert publication.pk not in visible_ids(other_org_user)
    assert publication.pk not in visible_ids(other_regional)


def test_chosen_organizations_are_seen_by_them_and_their_coordinators(
    users_by_role, org, org_same_municipality, org_other_municipality, other_org_user
):
    publication = PublicationFactory(
        audience=Publication.Audience.ORGANIZATIONS, organizations=[org_other_municipality]
    )
    org_user, municipal, regional = (
        users_by_role["organization"],
        users_by_role["municipal"],
        users_by_role["regional"],
    )
    # The organization in another municipality: its own user and the regional coordinator.
    assert publication.pk in visible_ids(
        OrganizationUserFactory(organization=org_other_municipality)
    )
    assert publication.pk in visible_ids(regional)
    assert publication.pk in visible_ids(users_by_role["operator"])
    assert publication.pk not in visible_ids(municipal)
    assert publication.pk not in visible_ids(org_user)
    assert publication.pk not in visible_ids(
        OrganizationUserFactory(organization=org_same_municipality)
    )
    assert publication.pk not in visible_ids(other_org_user)


def test_scheduled_and_unpublished_are_invisible_even_to_the_operator(operator, org_user):
    scheduled = PublicationFactory(published_at=timezone.now() + timedelta(days=1))
    unpublished = PublicationFactory(is_published=False)
    for user in (operator, org_user):
        assert visible_ids(user) == set()
    # A scheduled publication appears when its time comes.
    later = timezone.now() + timedelta(days=2)
    assert set(
        selectors.publications_visible_to(org_user, at=later).values_list("pk", flat=True)
    ) == {scheduled.pk}
    assert unpublished.pk not in set(
        selectors.publications_visible_to(org_user, at=later).values_list("pk", flat=True)
    )


def test_unpublishing_is_audited(operator, org_user):
    publication = PublicationFactory()
    services.publication_set_published(publication=publication, is_published=False, actor=operator)
    assert visible_ids(org_user) == set()
    event = AuditEvent.objects.get(action="publication.unpublished")
    assert event.actor == operator
    assert str(publication.pk) in event.target


def test_organizations_in_audience_agree_with_visibility(
    regional, org, org_same_municipality, org_other_municipality, region
):
    organizations = [org, org_same_municipality, org_other_municipality]
    users = {o.pk: OrganizationUserFactory(organization=o) for o in organizations}
    publications = [
        PublicationFactory(),
        PublicationFactory(audience=Publication.Audience.ROLES, for_organizations=True),
        PublicationFactory(audience=Publication.Audience.ROLES, for_regional_coordinators=True),
        PublicationFactory(audience=Publication.Audience.REGIONS, regions=[region]),
        PublicationFactory(audience=Publication.Audience.ORGANIZATIONS, organizations=[org]),
    ]
    scope = selectors.organizations_visible_to(regional)
    for publication in publications:
        expected = set(
            selectors.organizations_in_audience(publication, scope).values_list("pk", flat=True)
        )
        seen = {pk for pk, user in users.items() if publication.pk in visible_ids(user)}
        assert expected == seen, publication.audience


# Sanitizing ------------------------------------------------------------------------------

HOSTILE_BODY = (
    "Текст <script>alert('xss')</script>\n\n"
    '<img src="x" onerror="alert(1)">\n\n'
    "[ссылка](javascript:alert(2)) "
    '<a href="JaVaScRiPt:alert(3)" onclick="alert(4)">еще</a> '
    '<iframe src="https://example.com"></iframe>\n\n'
    "[сайт](https://fioco.ru)"
)


def test_body_is_sanitized_on_save():
    publication = PublicationFactory(body=HOSTILE_BODY)
    html = publication.body_html.lower()
    for forbidden in ("<script", "onerror", "onclick", "javascript:", "<iframe", "<img"):
        assert forbidden not in html
    assert '<a href="https://fioco.ru" rel="noopener noreferrer">сайт</a>' in publication.body_html


def test_hostile_body_never_reaches_the_feed(org_user):
    PublicationFactory(body=HOSTILE_BODY)
    content = client_for(org_user).get(reverse("publications:feed")).content.decode().lower()
    assert "alert(" not in content
    assert "javascript:" not in content
    assert "onerror" not in content


def test_markdown_renders_lists_and_tables():
    html = render_body("- один\n- два\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<li>один</li>" in html
    assert "<td>1</td>" in html


# Attachments -----------------------------------------------------------------------------


def test_attachment_keeps_name_size_and_type():
    content = sample_file_bytes("Технические требования.xlsx")
    attachment = add_attachment(PublicationFactory(), "Технические требования.xlsx", content)
    assert attachment.name == "Технические требования.xlsx"
    assert attachment.size == len(content)
    assert attachment.size_label == "1 КБ"
    assert attachment.type_label == "XLSX"
    assert attachment.content_type.endswith("spreadsheetml.sheet")
    assert "Технические" not in attachment.file.name  # stored under a random name


def test_refused_file_type_has_a_clear_message(settings):
    with pytest.raises(ValidationError) as error:
        add_attachment(PublicationFactory(), "вирус.exe")
    assert error.value.messages == [
        ATTACHMENT_TYPE_REFUSED.format(
            name="вирус.exe", extensions=", ".join(settings.PUBLICATION_ATTACHMENT_EXTENSIONS)
        )
    ]
    assert not Attachment.objects.exists()


def test_too_large_file_has_a_clear_message(settings):
    settings.PUBLICATION_ATTACHMENT_MAX_SIZE = 1024
    with pytest.raises(ValidationError) as error:
        add_attachment(PublicationFactory(), "большой.pdf", b"x" * 2048)
    assert error.value.messages == [
        ATTACHMENT_TOO_LARGE.format(name="большой.pdf", size="2 КБ", limit="1 КБ")
    ]


def test_admin_refuses_a_wrong_type_with_the_message(as_user, operator):
    response = as_user(operator).post(
        reverse("admin:publications_publication_add"),
        {
            "title": "Материалы",
            "published_at_0": "01.11.2026",
            "published_at_1": "10:00",
            "is_published": "on",
            "body": "Текст",
            "audience": "everyone",
            "attachments-TOTAL_FORMS": "1",
            "attachments-INITIAL_FORMS": "0",
            "attachments-0-file": ContentFile(b"MZ", name="setup.exe"),
        },
    )
    assert response.status_code == HTTPStatus.OK
    assert "Файл «setup.exe» не принят: допустимые типы файлов" in response.content.decode()
    assert not Publication.objects.exists()


def test_admin_creates_a_publication_with_a_file_and_audits_it(as_user, operator, region):
    response = as_user(operator).post(
        reverse("admin:publications_publication_add"),
        {
            "title": "Материалы для проведения",
            "published_at_0": "01.11.2026",
            "published_at_1": "10:00",
            "is_published": "on",
            "body": "Скачайте **материалы**.",
            "audience": "regions",
            "regions": [region.pk],
            "attachments-TOTAL_FORMS": "1",
            "attachments-INITIAL_FORMS": "0",
            "attachments-0-file": ContentFile(b"%PDF-1.4", name="Материалы.pdf"),
        },
    )
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:3000]
    publication = Publication.objects.get()
    assert list(publication.regions.all()) == [region]
    assert publication.body_html == "<p>Скачайте <strong>материалы</strong>.</p>"
    assert publication.attachments.get().name == "Материалы.pdf"
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {
        "publication.created",
        "publication.attachment_added",
    }


def test_admin_requires_a_choice_for_a_chosen_audience(as_user, operator):
    response = as_user(operator).post(
        reverse("admin:publications_publication_add"),
        {
            "title": "Для регионов",
            "published_at_0": "01.11.2026",
            "published_at_1": "10:00",
            "audience": "regions",
            "attachments-TOTAL_FORMS": "0",
            "attachments-INITIAL_FORMS": "0",
        },
    )
    assert "Выберите хотя бы один регион" in response.content.decode()


# Download log ----------------------------------------------------------------------------


def test_downloads_are_counted_once_per_organization_with_the_first_date(org, org_user):
    attachment = add_attachment(PublicationFactory())
    colleague = OrganizationUserFactory(organization=org, username="edu470001-2")
    first = services.attachment_download_record(attachment=attachment, user=org_user)
    services.attachment_download_record(attachment=attachment, user=colleague)
    services.attachment_download_record(attachment=attachment, user=org_user)
    download = AttachmentDownload.objects.get()
    assert download.organization == org
    assert download.count == 3
    assert download.first_downloaded_at == first.first_downloaded_at
    assert download.user == org_user


def test_download_summary_counts_the_scope(
    regional, municipal, org, org_same_municipality, org_other_municipality, org_other_region
):
    publication = PublicationFactory()
    first, second = add_attachment(publication, "1.pdf"), add_attachment(publication, "2.pdf")
    OrganizationFactory(municipality=org_other_municipality.municipality)  # never downloads
    user = OrganizationUserFactory(organization=org)
    services.attachment_download_record(attachment=first, user=user)
    services.attachment_download_record(attachment=second, user=user)
    services.attachment_download_record(
        attachment=first, user=OrganizationUserFactory(organization=org_same_municipality)
    )
    services.attachment_download_record(
        attachment=first, user=OrganizationUserFactory(organization=org_other_region)
    )
    assert selectors.download_summary(regional, publication, files=2) == {
        "total": 4,
        "complete": 1,
        "partial": 1,
        "none": 2,
    }
    assert selectors.download_summary(municipal, publication, files=2) == {
        "total": 2,
        "complete": 1,
        "partial": 1,
        "none": 0,
    }
    rows = {
        o.login: (o.files_downloaded, o.first_downloaded_at)
        for o in selectors.download_log_rows(regional, publication, files=2)
    }
    assert rows[org.login][0] == 2
    assert rows[org.login][1] is not None
    assert rows[org_other_municipality.login] == (0, None)
    assert org_other_region.login not in rows


def test_download_log_counts_only_the_audience(regional, org, org_other_municipality):
    publication = PublicationFactory(
        audience=Publication.Audience.ORGANIZATIONS, organizations=[org]
    )
    add_attachment(publication)
    assert selectors.download_summary(regional, publication, files=1)["total"] == 1


def test_demo_seed_is_idempotent():
    call_command("seed_demo", stdout=io.StringIO())
    counts = (Publication.objects.count(), Attachment.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (Publication.objects.count(), Attachment.objects.count()) == counts
    assert counts[0] >= 4
    assert counts[1] >= 4


def test_admin_edit_keeps_the_file_and_unpublish_action_is_audited(as_user, operator, org_user):
    publication = PublicationFactory(title="Инструкция")
    attachment = add_attachment(publication)
    client = as_user(operator)
    response = client.post(
        reverse("admin:publications_publication_change", args=[publication.pk]),
        {
            "title": "Инструкция (обновлено)",
            "published_at_0": "01.11.2026",
            "published_at_1": "10:00",
            "is_published": "on",
            "body": "Новый текст",
            "audience": "everyone",
            "attachments-TOTAL_FORMS": "1",
            "attachments-INITIAL_FORMS": "1",
            "attachments-0-id": attachment.pk,
            "attachments-0-publication": publication.pk,
        },
    )
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:3000]
    attachment.refresh_from_db()
    assert attachment.name == "Инструкция.docx"
    event = AuditEvent.objects.get(action="publication.changed")
    assert event.details["changed"] == ["body", "published_at", "title"]

    client.post(
        reverse("admin:publications_publication_changelist"),
        {"action": "unpublish", "_selected_action": [publication.pk]},
    )
    assert AuditEvent.objects.filter(action="publication.unpublished").count() == 1
    assert visible_ids(org_user) == set()


# Study and collection audience ------------------------------------------------------------


def test_collection_participants_and_their_coordinators_see_it(
    users_by_role, org, org_same_municipality, org_other_municipality, other_org_user
):
    from tests.factories import make_collection

    collection = make_collection(organizations=[org, other_org_user.organization])
    publication = PublicationFactory(
        audience=Publication.Audience.COLLECTION, collection=collection
    )
    for role in ["operator", "regional", "municipal", "organization"]:
        assert publication.pk in visible_ids(users_by_role[role]), role
    assert publication.pk in visible_ids(other_org_user)
    # Not participating: another school of the same municipality.
    assert publication.pk not in visible_ids(
        OrganizationUserFactory(organization=org_same_municipality)
    )
    # The download log counts the participants only.
    within = selectors.organizations_in_audience(
        publication, selectors.organizations_visible_to(users_by_role["regional"])
    )
    assert list(within) == [org]


def test_collection_audience_requires_a_collection_in_the_admin(db):
    from publications.admin import PublicationAdminForm

    form = PublicationAdminForm(
        data={
            "title": "Для участников",
            "published_at": "20.11.2026 10:00",
            "is_published": "on",
            "audience": Publication.Audience.COLLECTION,
        }
    )
    assert not form.is_valid()
    assert form.errors["collection"] == [
        "Выберите сбор данных, участникам которого адресована публикация."
    ]


def test_feed_filters_by_study(as_user, org_user):
    from tests.factories import StudyFactory

    literature = StudyFactory(code="lit2026", title="НИКО по литературе")
    history = StudyFactory(code="hist2026", title="НИКО по истории")
    PublicationFactory(title="Инструкция по литературе", study=literature)
    PublicationFactory(title="Инструкция по истории", study=history)
    PublicationFactory(title="Общая информация")
    response = as_user(org_user).get(reverse("publications:feed"), {"study": history.pk})
    assert [p.title for p in response.context["page"]] == ["Инструкция по истории"]
    content = response.content.decode()
    assert "НИКО по литературе (2026)" in content  # offered in the filter
    response = as_user(org_user).get(reverse("publications:feed"), {"study": "999"})
    assert response.status_code == HTTPStatus.OK  # a forged id is ignored, the feed is whole
    assert len(response.context["page"]) == 3
