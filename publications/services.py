"""Writes on publications. Operators' changes are recorded in the audit journal; a download is
recorded in the download log itself (one row per organization and file, with a counter), which
is the evidence coordinators look at, so it does not also write a journal row per click."""

from django.core.files import File
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from accounts import audit
from accounts.models import User
from core.files import atomic_with_files, upload_stored

from .models import (
    CONTENT_TYPES,
    Attachment,
    AttachmentDownload,
    Publication,
    PublicationRead,
    file_extension,
)


def _record(action: str, publication: Publication, actor, request, **details) -> None:
    audit.record(
        actor=actor,
        action=action,
        target=f"publication:{publication.pk} {publication.title}",
        request=request,
        **details,
    )


@transaction.atomic
def publication_save(
    *,
    publication: Publication,
    actor: User | None,
    changed_fields: list[str] | None = None,
    request: HttpRequest | None = None,
) -> Publication:
    """Create or change a publication (its many-to-many audience is saved by the caller)."""
    created = publication.pk is None
    publication.save()
    _record(
        "publication.created" if created else "publication.changed",
        publication,
        actor,
        request,
        changed=sorted(changed_fields or []),
        published_at=publication.published_at.isoformat(),
        is_published=publication.is_published,
        audience=publication.audience,
    )
    return publication


@transaction.atomic
def publication_set_published(
    *,
    publication: Publication,
    is_published: bool,
    actor: User | None,
    request: HttpRequest | None = None,
) -> Publication:
    """Publish again or take down («снять с публикации») without deleting anything."""
    publication.is_published = is_published
    publication.save(update_fields=["is_published", "updated_at"])
    action = "publication.published" if is_published else "publication.unpublished"
    _record(action, publication, actor, request)
    return publication


@transaction.atomic
def publication_delete(
    *, publication: Publication, actor: User | None, request: HttpRequest | None = None
) -> None:
    files = [attachment.file for attachment in publication.attachments.all()]
    _record("publication.deleted", publication, actor, request)
    publication.delete()
    # Files go only once the rows are surely gone.
    transaction.on_commit(lambda: [file.delete(save=False) for file in files])


def _fill_file_details(attachment: Attachment, original_name: str) -> None:
    attachment.name = original_name
    attachment.size = attachment.file.size
    attachment.content_type = CONTENT_TYPES.get(
        file_extension(original_name), "application/octet-stream"
    )


@atomic_with_files()
def attachment_store(
    *, attachment: Attachment, actor: User | None, request: HttpRequest | None = None
) -> Attachment:
    """Save an attachment whose `file` was just set from an upload (a new row or a replaced
    file): name, size and type come from the file, then it is validated and saved."""
    original_name = attachment.file.name.rsplit("/", 1)[-1]
    _fill_file_details(attachment, original_name)
    attachment.full_clean()
    created = attachment.pk is None
    # The file is written first; FileStorageUnavailable (a ServiceError) leaves nothing behind.
    with upload_stored(attachment.file, attachment.file.file, name=original_name):
        attachment.save()
        _record(
            "publication.attachment_added" if created else "publication.attachment_replaced",
            attachment.publication,
            actor,
            request,
            file=attachment.name,
            size=attachment.size,
        )
    return attachment


def attachment_add(
    *,
    publication: Publication,
    file: File,
    actor: User | None,
    request: HttpRequest | None = None,
) -> Attachment:
    return attachment_store(
        attachment=Attachment(publication=publication, file=file), actor=actor, request=request
    )


@transaction.atomic
def attachment_delete(
    *, attachment: Attachment, actor: User | None, request: HttpRequest | None = None
) -> None:
    _record(
        "publication.attachment_deleted",
        attachment.publication,
        actor,
        request,
        file=attachment.name,
    )
    file = attachment.file
    attachment.delete()
    transaction.on_commit(lambda: file.delete(save=False))


@transaction.atomic
def attachment_download_record(*, attachment: Attachment, user: User) -> AttachmentDownload:
    """Count a download: per organization for its users, per user for everyone else. The first
    download date stays; the counter and the last date move."""
    now = timezone.now()
    if user.organization_id:
        key = {"organization_id": user.organization_id}
    else:
        key = {"organization": None, "user": user}
    download, created = AttachmentDownload.objects.get_or_create(
        attachment=attachment,
        **key,
        defaults={"user": user, "first_downloaded_at": now, "last_downloaded_at": now},
    )
    if not created:
        AttachmentDownload.objects.filter(pk=download.pk).update(
            count=F("count") + 1, last_downloaded_at=now
        )
    return download


def publication_mark_read(*, publication: Publication, user: User) -> None:
    PublicationRead.objects.get_or_create(publication=publication, user=user)
