from pathlib import Path

import pytest
from playwright.sync_api import expect

from publications.models import Publication, PublicationRead
from tests.factories import (
    TEST_PASSWORD,
    OrganizationUserFactory,
    PublicationFactory,
    add_attachment,
    media_refuses_writes,
)

from .conftest import ARTIFACTS, login

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = ARTIFACTS / "publications"


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


MATERIAL_BYTES = b"PK\x03\x04 materials for NIKO " + bytes(range(256))


def test_organization_expands_a_publication_and_downloads_its_material(page, org):
    user = OrganizationUserFactory(organization=org)
    publication = PublicationFactory(
        title="Материалы для проведения НИКО", body="Скачайте **материалы** до дня проведения."
    )
    attachment = add_attachment(publication, "Материалы для проведения НИКО.zip", MATERIAL_BYTES)

    login(page, "edu470001", TEST_PASSWORD)
    page.goto("/publications/")
    item = page.get_by_test_id("publication").filter(has_text="Материалы для проведения НИКО")
    expect(item.get_by_text("Новое")).to_be_visible()
    link = item.get_by_role("link", name="Материалы для проведения НИКО.zip")
    expect(link).to_be_hidden()  # collapsed to date and title

    item.locator("summary").click()
    expect(item.get_by_text("Скачайте")).to_be_visible()
    expect(item.get_by_text("ZIP · 1 КБ")).to_be_visible()
    expect(item.get_by_text("Новое")).to_have_count(0)  # opened: marked read by the module
    assert PublicationRead.objects.filter(user=user, publication=publication).exists()

    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == attachment.name
    assert Path(download.path()).read_bytes() == MATERIAL_BYTES

    # A second click on the title collapses it again.
    item.locator("summary").click()
    expect(link).to_be_hidden()


def test_a_publication_opens_with_the_keyboard(page, org):
    OrganizationUserFactory(organization=org)
    PublicationFactory(title="Технические требования", body="Рабочее место организатора.")
    login(page, "edu470001", TEST_PASSWORD)
    page.goto("/publications/")
    summary = page.get_by_test_id("publication").locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Рабочее место организатора.")).to_be_visible()
    page.keyboard.press("Space")
    expect(page.get_by_text("Рабочее место организатора.")).to_be_hidden()


def test_a_refused_material_keeps_what_the_operator_typed(page, operator, monkeypatch, tmp_path):
    """The media directory refuses the material: the admin page comes back with the reason and
    the typed title and text, nothing saved; once the storage is back, the same form saves."""
    media_refuses_writes(monkeypatch, PermissionError(13, "Permission denied"))
    material = tmp_path / "Материалы.pdf"
    material.write_bytes(b"%PDF-1.4\n%%EOF\n")
    login(page, operator.username, TEST_PASSWORD)
    page.goto("/admin/publications/publication/add/")
    page.locator("#id_title").fill("Материалы для проведения")
    page.locator("#id_body").fill("Скачайте материалы к диагностике.")
    page.locator("#id_attachments-0-file").set_input_files(material)
    page.get_by_role("button", name="Сохранить", exact=True).click()

    expect(page.locator(".errornote, .errorlist").first).to_be_visible()
    expect(page.get_by_text("Публикация не сохранена. Файл не сохранен")).to_be_visible()
    expect(page.locator("#id_title")).to_have_value("Материалы для проведения")
    expect(page.locator("#id_body")).to_have_value("Скачайте материалы к диагностике.")
    assert not Publication.objects.exists()
    shot(page, "admin-storage-refused-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "admin-storage-refused-390")

    monkeypatch.undo()
    page.locator("#id_attachments-0-file").set_input_files(material)
    page.get_by_role("button", name="Сохранить", exact=True).click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert Publication.objects.get().title == "Материалы для проведения"
