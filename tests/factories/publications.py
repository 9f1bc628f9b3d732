"""Publications and their attachments."""

from datetime import timedelta

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from factory.django import DjangoModelFactory

from publications import services
from publications.models import Publication

from .files import sample_file_bytes


class PublicationFactory(DjangoModelFactory):
    class Meta:
        model = Publication
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Публикация № {n}")
    body = "Информация о проведении НИКО."
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))

    @factory.post_generation
    def regions(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.regions.set(extracted)

    @factory.post_generation
    def organizations(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.organizations.set(extracted)


def add_attachment(publication, name="Инструкция.docx", content=None):
    """A material of the publication; real bytes of its type unless `content` is given."""
    if content is None:
        content = sample_file_bytes(name)
    return services.attachment_add(
        publication=publication, file=ContentFile(content, name=name), actor=None
    )


def admin_publication_with_material(content: bytes, name: str = "Материалы.pdf") -> dict:
    """The admin's «add publication» form: a published text with one material attached."""
    return {
        "title": "Материалы для проведения",
        "published_at_0": "01.11.2026",
        "published_at_1": "10:00",
        "is_published": "on",
        "body": "Скачайте материалы.",
        "audience": "everyone",
        "attachments-TOTAL_FORMS": "1",
        "attachments-INITIAL_FORMS": "0",
        "attachments-0-file": ContentFile(content, name=name),
    }
