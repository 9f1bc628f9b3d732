"""The study as a school lives it: its classes, participant codes and rooms.

No personal data of pupils: a participant is a code (grade + sequence, `80001`), names stay on
paper at school. A code, once issued, is never renamed: distributing codes to rooms moves only
the room, and a withdrawn code's number is never issued again (`CodeSequence` only grows).
"""

import secrets
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from accounts.models import Organization
from core.text import date_ru, msk_date
from datacollection.models import Study

# НИКО runs in grades 2–11 (grade 1 is never tested). With grade 1 excluded a code reads
# unambiguously: a leading «1» means grade 10 or 11, any other digit is the grade itself.
MIN_GRADE = 2
MAX_GRADE = 11
GRADE_VALIDATORS = [MinValueValidator(MIN_GRADE), MaxValueValidator(MAX_GRADE)]


class SchoolClass(models.Model):
    """A participating class of an organization in a study (8 «А»), with its number of pupils."""

    study = models.ForeignKey(
        Study, verbose_name="исследование", on_delete=models.CASCADE, related_name="classes"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name="организация",
        on_delete=models.CASCADE,
        related_name="study_classes",
    )
    grade = models.PositiveSmallIntegerField("класс (параллель)", validators=GRADE_VALIDATORS)
    letter = models.CharField("литера", max_length=5, blank=True)
    pupils = models.PositiveSmallIntegerField(
        "обучающихся по списку", validators=[MaxValueValidator(60)]
    )

    class Meta:
        verbose_name = "участвующий класс"
        verbose_name_plural = "участвующие классы"
        ordering = ["study", "organization", "grade", "letter"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "organization", "grade", "letter"], name="schoolclass_unique"
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        return f"{self.grade} {self.letter}".strip() if self.letter else f"{self.grade} класс"


class Room(models.Model):
    """A room (аудитория) of an organization where the study is conducted."""

    study = models.ForeignKey(
        Study, verbose_name="исследование", on_delete=models.CASCADE, related_name="rooms"
    )
    organization = models.ForeignKey(
        Organization, verbose_name="организация", on_delete=models.CASCADE, related_name="rooms"
    )
    number = models.CharField("номер аудитории", max_length=20)
    capacity = models.PositiveSmallIntegerField(
        "мест для участников", validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    list_issued_at = models.DateTimeField(
        "список участников выдан",
        null=True,
        blank=True,
        help_text="Когда список участников в аудитории впервые напечатан или выгружен.",
    )

    class Meta:
        verbose_name = "аудитория"
        verbose_name_plural = "аудитории"
        ordering = ["study", "organization", "number", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "organization", "number"], name="room_unique_number"
            ),
        ]

    def __str__(self):
        return f"Аудитория {self.number}"


class CodeSequence(models.Model):
    """The last sequence number issued for a grade in a study. It only grows, so a number is
    issued once per study even if its code is withdrawn later."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="+")
    grade = models.PositiveSmallIntegerField(validators=GRADE_VALIDATORS)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "последовательность кодов"
        verbose_name_plural = "последовательности кодов"
        constraints = [
            models.UniqueConstraint(fields=["study", "grade"], name="codesequence_unique"),
        ]

    def __str__(self):
        return f"{self.grade} класс: {self.last}"


def format_code(grade: int, number: int) -> str:
    """`80001`: the grade, then the sequence number, at least four digits."""
    return f"{grade}{number:04d}"


class ParticipantCode(models.Model):
    study = models.ForeignKey(
        Study, verbose_name="исследование", on_delete=models.CASCADE, related_name="codes"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name="организация",
        on_delete=models.CASCADE,
        related_name="participant_codes",
    )
    school_class = models.ForeignKey(
        SchoolClass, verbose_name="класс", on_delete=models.PROTECT, related_name="codes"
    )
    grade = models.PositiveSmallIntegerField("класс (параллель)", validators=GRADE_VALIDATORS)
    number = models.PositiveIntegerField("порядковый номер")
    code = models.CharField("код участника", max_length=12)
    variant = models.PositiveSmallIntegerField("вариант", default=1)
    room = models.ForeignKey(
        Room,
        verbose_name="аудитория",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="codes",
    )
    issued_at = models.DateTimeField("выдан", auto_now_add=True)

    class Meta:
        verbose_name = "код участника"
        verbose_name_plural = "коды участников"
        ordering = ["study", "organization", "grade", "number"]
        constraints = [
            models.UniqueConstraint(fields=["study", "code"], name="participantcode_unique_code"),
            models.UniqueConstraint(
                fields=["study", "grade", "number"], name="participantcode_unique_number"
            ),
        ]
        indexes = [models.Index(fields=["study", "organization", "room"])]

    def __str__(self):
        return self.code

    def clean(self):
        if (
            self.code
            and self.grade
            and self.number
            and self.code != format_code(self.grade, self.number)
        ):
            raise ValidationError("Код участника не меняется после выдачи.")


def protocol_scan_upload_to(instance, filename: str) -> str:
    # A random name on disk, like every other upload: the original name lives in `scan_name`.
    return tick_file_upload_to(instance, filename)


class RoomProtocol(models.Model):
    """«Протокол проведения НИКО в аудитории», as the organizer in the room filled it on paper.

    Presence is ticked from the room's list; the absent are the room's codes not ticked, so
    present + absent = listed always holds."""

    room = models.OneToOneField(
        Room, verbose_name="аудитория", on_delete=models.CASCADE, related_name="protocol"
    )
    held_on = models.DateField("дата проведения")
    started_at = models.TimeField("время начала")
    ended_at = models.TimeField("время окончания")
    present_codes = models.ManyToManyField(
        ParticipantCode, verbose_name="присутствовали", blank=True, related_name="present_in"
    )
    observer_present = models.BooleanField("присутствовал независимый наблюдатель", default=False)
    incidents = models.TextField("нештатные ситуации", blank=True, max_length=2000)
    scan = models.FileField(
        "скан подписанного протокола", upload_to=protocol_scan_upload_to, max_length=200, blank=True
    )
    scan_name = models.CharField("имя файла скана", max_length=255, blank=True)
    filled_at = models.DateTimeField("заполнен", auto_now=True)
    filled_by = models.ForeignKey(
        "accounts.User",
        verbose_name="кто заполнил",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "протокол проведения в аудитории"
        verbose_name_plural = "протоколы проведения в аудиториях"

    def __str__(self):
        return f"Протокол: {self.room}"

    def clean(self):
        if self.started_at and self.ended_at and self.started_at >= self.ended_at:
            raise ValidationError({"ended_at": "Время окончания должно быть позже времени начала."})


class Stage(models.TextChoices):
    PREPARATION = "preparation", "Подготовка к НИКО"
    CONDUCT = "conduct", "Проведение НИКО"
    COMPLETION = "completion", "Завершение НИКО"


class StageDate(models.Model):
    """One line of the study's calendar: a stage's dates, for a grade and subject or for all,
    for one region or everywhere. A region's own lines replace the general ones for that stage."""

    study = models.ForeignKey(
        Study, verbose_name="исследование", on_delete=models.CASCADE, related_name="stage_dates"
    )
    stage = models.CharField("этап", max_length=12, choices=Stage.choices)
    grade = models.PositiveSmallIntegerField(
        "класс", null=True, blank=True, validators=GRADE_VALIDATORS, help_text="Пусто — все."
    )
    subject = models.CharField("предмет", max_length=100, blank=True, help_text="Пусто — все.")
    region = models.ForeignKey(
        "accounts.Region",
        verbose_name="регион",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Пусто — для всех регионов.",
    )
    starts_on = models.DateField("начало")
    ends_on = models.DateField("окончание")

    class Meta:
        verbose_name = "срок этапа"
        verbose_name_plural = "календарь исследования"
        ordering = ["study", "starts_on", "grade", "subject"]

    def __str__(self):
        return f"{self.get_stage_display()}: {date_ru(self.starts_on)}–{date_ru(self.ends_on)}"

    def clean(self):
        if self.starts_on and self.ends_on and self.starts_on > self.ends_on:
            raise ValidationError({"ends_on": "Окончание этапа не может быть раньше начала."})


class ChecklistSettings(models.Model):
    """Which of the study's forms and publications the checklist watches."""

    study = models.OneToOneField(
        Study, verbose_name="исследование", on_delete=models.CASCADE, related_name="checklist"
    )
    registration_collection = models.ForeignKey(
        "datacollection.Collection",
        verbose_name="сведения об ОО (подготовка, п. 3)",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    survey_collection = models.ForeignKey(
        "datacollection.Collection",
        verbose_name="анкеты (проведение, п. 5)",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    protocol_collection = models.ForeignKey(
        "datacollection.Collection",
        verbose_name="протокол проведения в ОО (завершение, п. 2)",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    results_collection = models.ForeignKey(
        "datacollection.Collection",
        verbose_name="форма сбора результатов",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    security_memo = models.ForeignKey(
        "publications.Publication",
        verbose_name="памятка по информационной безопасности",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "настройка перечня действий"
        verbose_name_plural = "настройки перечня действий"

    def __str__(self):
        return f"Перечень действий: {self.study}"


def tick_file_upload_to(instance, filename: str) -> str:
    extension = PurePath(filename).suffix.lower().lstrip(".")[:10]
    return f"studies/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.{extension}"


class ChecklistTick(models.Model):
    """An item the school ticked itself: when, who, and the scan where the item needs one."""

    study = models.ForeignKey(
        Study, verbose_name="исследование", on_delete=models.CASCADE, related_name="+"
    )
    organization = models.ForeignKey(
        Organization, verbose_name="организация", on_delete=models.CASCADE, related_name="+"
    )
    item = models.CharField("пункт", max_length=40)
    ticked_at = models.DateTimeField("отмечено", default=timezone.now)
    ticked_by = models.ForeignKey(
        "accounts.User",
        verbose_name="кто отметил",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    file = models.FileField("скан", upload_to=tick_file_upload_to, max_length=200, blank=True)
    file_name = models.CharField("имя файла", max_length=255, blank=True)

    class Meta:
        verbose_name = "отметка о выполнении"
        verbose_name_plural = "отметки о выполнении"
        constraints = [
            models.UniqueConstraint(
                fields=["study", "organization", "item"], name="checklisttick_once"
            ),
        ]
        indexes = [models.Index(fields=["study", "item"])]

    def __str__(self):
        return f"{self.organization_id}: {self.item}"


class StatisticalReportOpened(models.Model):
    """The organization opened its statistical report (checklist «Завершение», п. 3)."""

    study = models.ForeignKey(
        Study, verbose_name="исследование", on_delete=models.CASCADE, related_name="+"
    )
    organization = models.ForeignKey(
        Organization, verbose_name="организация", on_delete=models.CASCADE, related_name="+"
    )
    opened_at = models.DateTimeField("впервые открыт", default=timezone.now)

    class Meta:
        verbose_name = "открытие статистического отчета"
        verbose_name_plural = "открытия статистических отчетов"
        constraints = [
            models.UniqueConstraint(fields=["study", "organization"], name="statreport_once"),
        ]

    def __str__(self):
        return f"{self.organization_id}: {msk_date(self.opened_at)}"
