"""«Форум поддержки НИКО»: an organization's questions, the thread of answers and follow-ups,
and the shared «Часто задаваемые вопросы» made of good answered questions."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Organization, User
from core.files import (
    CONTENT_TYPES,
    UploadRefused,
    UploadRule,
    check_upload,
    file_extension,
    format_file_size,
)

from .rendering import render_text

ATTACHMENT_TYPE_REFUSED = "Файл «{name}» не принят: допустимые типы — {extensions}."
ATTACHMENT_TOO_LARGE = "Файл «{name}» не принят: размер {size} больше допустимого ({limit})."
ATTACHMENT_NOT_WHAT_IT_SAYS = "Файл «{name}» не принят: его содержимое не похоже на {kind}."

IMAGE_EXTENSIONS = {"png", "jpg", "jpeg"}


def validate_question_attachment(file) -> None:
    """The upload rule of core.files for a screenshot or a PDF, said the forum's way."""
    allowed = settings.FORUM_ATTACHMENT_EXTENSIONS
    limit = settings.FORUM_ATTACHMENT_MAX_SIZE
    try:
        check_upload(file, UploadRule(extensions=tuple(allowed), max_size=limit))
    except UploadRefused as refused:
        name, extension = refused.name, file_extension(refused.name)
        if refused.reason == "type":
            message = ATTACHMENT_TYPE_REFUSED.format(name=name, extensions=", ".join(allowed))
        elif refused.reason == "size":
            message = ATTACHMENT_TOO_LARGE.format(
                name=name, size=format_file_size(file.size), limit=format_file_size(limit)
            )
        elif refused.reason == "content":
            kind = "изображение" if extension in IMAGE_EXTENSIONS else "документ PDF"
            message = ATTACHMENT_NOT_WHAT_IT_SAYS.format(name=name, kind=kind)
        else:
            message = refused.message
        raise ValidationError(message, code=f"attachment_{refused.reason}") from None


def attachment_upload_to(instance, filename: str) -> str:
    # A random name: the path cannot be guessed, and files are served only through the view
    # that checks access to the question.
    return f"forum/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{file_extension(filename)}"


class Category(models.Model):
    name = models.CharField("название", max_length=200, unique=True)
    order = models.PositiveSmallIntegerField("порядок", default=0)

    class Meta:
        verbose_name = "категория"
        verbose_name_plural = "категории"
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Question(models.Model):
    class Status(models.TextChoices):
        NEW = "new", "Новый"
        ANSWERED = "answered", "Отвечен"
        CLOSED = "closed", "Закрыт"

    organization = models.ForeignKey(
        Organization,
        verbose_name="организация",
        on_delete=models.PROTECT,
        related_name="forum_questions",
    )
    author = models.ForeignKey(
        User,
        verbose_name="автор",
        on_delete=models.SET_NULL,
        null=True,
        related_name="forum_questions",
    )
    category = models.ForeignKey(
        Category, verbose_name="категория", on_delete=models.PROTECT, related_name="questions"
    )
    study = models.ForeignKey(
        "datacollection.Study",
        verbose_name="исследование",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="forum_questions",
    )
    title = models.CharField("тема", max_length=200)
    text = models.TextField("текст вопроса", max_length=10_000)
    text_html = models.TextField("текст (HTML)", editable=False, default="")
    # Title, text and every message, lower-cased: SQLite's LIKE folds the case of Latin
    # letters only, so searches compare lower-cased words with this.
    search_text = models.TextField(editable=False, default="")

    attachment = models.FileField(
        "скриншот или файл",
        upload_to=attachment_upload_to,
        validators=[validate_question_attachment],
        blank=True,
    )
    attachment_name = models.CharField("имя файла", max_length=255, blank=True, editable=False)
    attachment_size = models.PositiveBigIntegerField("размер файла", default=0, editable=False)

    status = models.CharField(
        "статус", max_length=10, choices=Status.choices, default=Status.NEW, db_index=True
    )
    is_published_to_faq = models.BooleanField("в «Часто задаваемых вопросах»", default=False)
    faq_published_at = models.DateTimeField("опубликован в ЧЗВ", null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name="объединен с вопросом",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="duplicates",
    )
    # When the thread (or, for a duplicate, its original) last got an answer: the unread
    # counter compares it with the moment the asker's users last opened the question.
    last_answered_at = models.DateTimeField("последний ответ", null=True, blank=True)
    created_at = models.DateTimeField("создан", default=timezone.now, db_index=True)
    updated_at = models.DateTimeField("изменен", auto_now=True)

    class Meta:
        verbose_name = "вопрос"
        verbose_name_plural = "вопросы"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "-created_at"]),
            models.Index(fields=["status", "created_at"]),
            models.Index(
                fields=["faq_published_at"],
                condition=Q(is_published_to_faq=True),
                name="forum_question_faq",
            ),
            models.Index(fields=["author", "created_at"]),
        ]

    def __str__(self):
        return f"№ {self.pk} {self.title}"

    def save(self, *args, **kwargs):
        # The page shows only the sanitized HTML, derived here so it cannot lag behind `text`
        # (an operator may correct a question in the admin).
        self.text_html = render_text(self.text)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "text" in update_fields:
            kwargs["update_fields"] = {*update_fields, "text_html"}
        super().save(*args, **kwargs)

    @property
    def attachment_size_label(self) -> str:
        return format_file_size(self.attachment_size)

    @property
    def attachment_is_image(self) -> bool:
        return file_extension(self.attachment_name) in IMAGE_EXTENSIONS

    @property
    def attachment_content_type(self) -> str:
        return CONTENT_TYPES.get(file_extension(self.attachment_name), "application/octet-stream")


class Message(models.Model):
    """One post in a thread after the question: an answer (coordinator or operator) or a
    follow-up from the organization."""

    question = models.ForeignKey(
        Question, verbose_name="вопрос", on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        User, verbose_name="автор", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    is_answer = models.BooleanField("ответ", default=False)
    text = models.TextField("текст", max_length=10_000)
    text_html = models.TextField("текст (HTML)", editable=False, default="")
    created_at = models.DateTimeField("создано", default=timezone.now)

    class Meta:
        verbose_name = "сообщение"
        verbose_name_plural = "сообщения"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["author", "created_at"])]

    def __str__(self):
        return f"{'Ответ' if self.is_answer else 'Уточнение'} к вопросу № {self.question_id}"

    def save(self, *args, **kwargs):
        self.text_html = render_text(self.text)
        super().save(*args, **kwargs)


class QuestionRead(models.Model):
    """A user opened the question at `read_at`: answers up to then are read."""

    question = models.ForeignKey(
        Question, verbose_name="вопрос", on_delete=models.CASCADE, related_name="reads"
    )
    user = models.ForeignKey(
        User, verbose_name="пользователь", on_delete=models.CASCADE, related_name="+"
    )
    read_at = models.DateTimeField("прочитан", default=timezone.now)

    class Meta:
        verbose_name = "прочтение вопроса"
        verbose_name_plural = "прочтения вопросов"
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="forum_question_read_once")
        ]

    def __str__(self):
        return f"{self.user} · {self.question_id}"
