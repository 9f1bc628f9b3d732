"""Publications of the «НИКО» section: dated posts with materials, each for a chosen audience."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Organization, Region, User
from core.files import (  # noqa: F401
    CONTENT_TYPES,
    UploadRefused,
    UploadRule,
    check_upload,
    file_extension,
    format_file_size,
)
from core.search import search_text

from .rendering import render_body

ATTACHMENT_TYPE_REFUSED = "Файл «{name}» не принят: допустимые типы файлов — {extensions}."
ATTACHMENT_TOO_LARGE = "Файл «{name}» не принят: размер {size} больше допустимого ({limit})."
AUDIENCE_EMPTY = {
    "roles": "Отметьте хотя бы одну роль или выберите другую аудиторию.",
    "regions": "Выберите хотя бы один регион или другую аудиторию.",
    "organizations": "Выберите хотя бы одну организацию или другую аудиторию.",
    "collection": "Выберите сбор данных, участникам которого адресована публикация.",
}


def validate_attachment_file(file) -> None:
    """The upload rule of core.files (extension, size, the first bytes, zip bombs in office
    documents) for a material of a publication, said the publications' way."""
    allowed = settings.PUBLICATION_ATTACHMENT_EXTENSIONS
    limit = settings.PUBLICATION_ATTACHMENT_MAX_SIZE
    rule = UploadRule(
        extensions=tuple(allowed),
        max_size=limit,
        max_unpacked=settings.PUBLICATION_ATTACHMENT_MAX_UNPACKED_SIZE,
    )
    try:
        check_upload(file, rule)
    except UploadRefused as refused:
        if refused.reason == "type":
            message = ATTACHMENT_TYPE_REFUSED.format(
                name=refused.name, extensions=", ".join(allowed)
            )
        elif refused.reason == "size":
            message = ATTACHMENT_TOO_LARGE.format(
                name=refused.name, size=format_file_size(file.size), limit=format_file_size(limit)
            )
        else:
            message = refused.message
        raise ValidationError(message, code=f"attachment_{refused.reason}") from None


def attachment_upload_to(instance, filename: str) -> str:
    # A random name on disk: the original (often Cyrillic) name lives in `name`, and the path
    # cannot be guessed; files are served only through the download view anyway.
    extension = file_extension(filename)
    return f"publications/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class Publication(models.Model):
    class Audience(models.TextChoices):
        EVERYONE = "everyone", "Все пользователи"
        ROLES = "roles", "Выбранные роли"
        REGIONS = "regions", "Выбранные регионы"
        ORGANIZATIONS = "organizations", "Выбранные организации"
        COLLECTION = "collection", "Участники сбора данных"

    # Which boolean field puts a role into a ROLES audience. Operators see every publication.
    ROLE_AUDIENCE_FIELDS = {
        User.Role.REGIONAL: "for_regional_coordinators",
        User.Role.MUNICIPAL: "for_municipal_coordinators",
        User.Role.ORGANIZATION: "for_organizations",
    }

    title = models.CharField("название", max_length=300)
    published_at = models.DateTimeField(
        "дата публикации",
        default=timezone.now,
        db_index=True,
        help_text="Публикация с будущей датой появится у пользователей в этот момент (МСК).",
    )
    is_published = models.BooleanField(
        "опубликована",
        default=True,
        help_text="Снимите отметку, чтобы снять публикацию: пользователи перестанут ее видеть.",
    )
    pinned = models.BooleanField(
        "закреплена", default=False, help_text="Закрепленные публикации показываются первыми."
    )
    body = models.TextField(
        "текст",
        blank=True,
        help_text="Разметка Markdown: **жирный**, *курсив*, списки, [ссылка](https://…), таблицы.",
    )
    study = models.ForeignKey(
        "datacollection.Study",
        verbose_name="исследование",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="publications",
    )
    body_html = models.TextField("текст (HTML)", editable=False, default="")
    search_text = models.TextField(editable=False, default="")

    audience = models.CharField(
        "аудитория", max_length=20, choices=Audience.choices, default=Audience.EVERYONE
    )
    for_regional_coordinators = models.BooleanField("региональные координаторы", default=False)
    for_municipal_coordinators = models.BooleanField("муниципальные координаторы", default=False)
    for_organizations = models.BooleanField("образовательные организации", default=False)
    regions = models.ManyToManyField(
        Region, verbose_name="регионы", blank=True, related_name="publications"
    )
    organizations = models.ManyToManyField(
        Organization, verbose_name="организации", blank=True, related_name="publications"
    )
    collection = models.ForeignKey(
        "datacollection.Collection",
        verbose_name="сбор данных",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="publications",
        help_text="Для аудитории «Участники сбора данных»: организации, участвующие в этом сборе.",
    )

    created_at = models.DateTimeField("создана", auto_now_add=True)
    updated_at = models.DateTimeField("изменена", auto_now=True)

    class Meta:
        verbose_name = "публикация"
        verbose_name_plural = "публикации"
        ordering = ["-pinned", "-published_at", "-id"]
        indexes = [models.Index(fields=["is_published", "published_at"])]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Derived from `body` and `title` on every save, so they can never disagree with it:
        # pages show only the sanitized HTML, search looks in the lower-cased text (SQLite's
        # LIKE folds the case of Latin letters only).
        self.body_html = render_body(self.body)
        self.search_text = search_text(self.title, self.body)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"body", "title"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "body_html", "search_text"}
        super().save(*args, **kwargs)

    def is_live(self, at=None) -> bool:
        return self.is_published and self.published_at <= (at or timezone.now())


class Attachment(models.Model):
    publication = models.ForeignKey(
        Publication,
        verbose_name="публикация",
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(
        "файл", upload_to=attachment_upload_to, validators=[validate_attachment_file]
    )
    name = models.CharField("имя файла", max_length=255, editable=False)
    size = models.PositiveBigIntegerField("размер, байт", editable=False, default=0)
    content_type = models.CharField("тип", max_length=100, editable=False)
    uploaded_at = models.DateTimeField("загружен", auto_now_add=True)

    class Meta:
        verbose_name = "материал"
        verbose_name_plural = "материалы"
        ordering = ["id"]

    def __str__(self):
        return self.name

    @property
    def size_label(self) -> str:
        return format_file_size(self.size)

    @property
    def type_label(self) -> str:
        return file_extension(self.name).upper() or "файл"


class AttachmentDownload(models.Model):
    """Who has the materials: one row per organization and file (for an organization's users),
    or per user and file (coordinators, operators). The first download date is kept."""

    attachment = models.ForeignKey(
        Attachment, verbose_name="материал", on_delete=models.CASCADE, related_name="downloads"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name="организация",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachment_downloads",
    )
    user = models.ForeignKey(
        User,
        verbose_name="пользователь",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        help_text="Кто скачал первым.",
    )
    first_downloaded_at = models.DateTimeField("первое скачивание", default=timezone.now)
    last_downloaded_at = models.DateTimeField("последнее скачивание", default=timezone.now)
    count = models.PositiveIntegerField("скачиваний", default=1)

    class Meta:
        verbose_name = "скачивание материала"
        verbose_name_plural = "скачивания материалов"
        constraints = [
            models.UniqueConstraint(
                fields=["attachment", "organization"],
                condition=Q(organization__isnull=False),
                name="attachment_download_once_per_organization",
            ),
            models.UniqueConstraint(
                fields=["attachment", "user"],
                condition=Q(organization__isnull=True),
                name="attachment_download_once_per_user",
            ),
        ]
        indexes = [models.Index(fields=["organization", "attachment"])]

    def __str__(self):
        return f"{self.attachment} · {self.organization or self.user}"


class PublicationRead(models.Model):
    """The user has opened the publication: it is no longer «Новое» for them."""

    publication = models.ForeignKey(
        Publication, verbose_name="публикация", on_delete=models.CASCADE, related_name="reads"
    )
    user = models.ForeignKey(
        User, verbose_name="пользователь", on_delete=models.CASCADE, related_name="+"
    )
    read_at = models.DateTimeField("открыта", default=timezone.now)

    class Meta:
        verbose_name = "прочтение публикации"
        verbose_name_plural = "прочтения публикаций"
        constraints = [
            models.UniqueConstraint(fields=["user", "publication"], name="publication_read_once")
        ]

    def __str__(self):
        return f"{self.user} · {self.publication}"
