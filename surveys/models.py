"""Questionnaires («анкеты») of a study, their access codes and the answers given with them.

The operator builds a questionnaire in the admin: sections (one screen each), questions of a
fixed set of kinds, a required flag and a simple show-if on an earlier answer. A school issues
access codes; a respondent enters one on a public page and answers without an account. An
answer is one row per question (`Answer`), so saving one screen never rewrites another.

No personal data: a code stands for a person only on the paper slip the school hands out.
"""

import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from accounts.models import Organization
from core.jobs import BackgroundJob
from datacollection.models import KEY_VALIDATOR, Study, split_lines
from studies.models import ParticipantCode

# Without 0/O, 1/I/L, 5/S, 2/Z, 8/B: a code read aloud or copied from paper is typed right.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 10  # 25**10 ≈ 9.5·10^13 codes: guessing one of a school's is hopeless


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    """What a person typed, as stored: upper case, without spaces and dashes of a slip."""
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


def format_code(code: str) -> str:
    """ABCDE-FGHJK: easier to read off a slip."""
    return f"{code[:5]}-{code[5:]}" if len(code) == CODE_LENGTH else code


class Respondent(models.TextChoices):
    PUPIL = "pupil", "Обучающийся"
    TEACHER = "teacher", "Учитель"
    ADMINISTRATION = "administration", "Администрация ОО"


class Questionnaire(models.Model):
    study = models.ForeignKey(
        Study, verbose_name="исследование", on_delete=models.PROTECT, related_name="questionnaires"
    )
    respondent = models.CharField("респонденты", max_length=20, choices=Respondent.choices)
    code = models.CharField("код", max_length=40, unique=True, validators=[KEY_VALIDATOR])
    title = models.CharField("наименование", max_length=300)
    intro = models.TextField("вступление для респондента", blank=True)
    # Who takes part is the study's: every organization of its data collections
    # (`studies.selectors.participating_organizations`), so nothing here can disagree with it.
    opens_at = models.DateTimeField("открывается (МСК)")
    closes_at = models.DateTimeField("закрывается (МСК)")

    class Meta:
        verbose_name = "анкета"
        verbose_name_plural = "анкеты"
        ordering = ["study", "respondent", "title"]

    def __str__(self):
        return f"{self.title} ({self.get_respondent_display()})"

    def clean(self):
        if self.opens_at and self.closes_at and self.opens_at >= self.closes_at:
            raise ValidationError(
                {"closes_at": "Анкета должна закрываться позже, чем открывается."}
            )

    def is_open(self, *, at=None) -> bool:
        at = at or timezone.now()
        return self.opens_at <= at < self.closes_at

    @property
    def is_for_pupils(self) -> bool:
        return self.respondent == Respondent.PUPIL


class Section(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name="анкета", on_delete=models.CASCADE, related_name="sections"
    )
    order = models.PositiveSmallIntegerField("порядок", default=0)
    title = models.CharField("заголовок", max_length=300)
    description = models.TextField("пояснение", blank=True)

    class Meta:
        verbose_name = "раздел анкеты"
        verbose_name_plural = "разделы анкеты"
        ordering = ["questionnaire", "order", "pk"]

    def __str__(self):
        return f"{self.questionnaire.title}: {self.title}"


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", "Один вариант"
        MULTIPLE = "multiple", "Несколько вариантов"
        SCALE = "scale", "Шкала (Лайкерт)"
        NUMBER = "number", "Число"
        SHORT_TEXT = "short_text", "Короткий текст"
        LONG_TEXT = "long_text", "Длинный текст"
        MATRIX = "matrix", "Матрица: утверждения × шкала"

    CHOICE_KINDS = (Kind.SINGLE, Kind.MULTIPLE, Kind.SCALE, Kind.MATRIX)
    # Kinds whose answer a later question may depend on.
    CONDITION_KINDS = (Kind.SINGLE, Kind.MULTIPLE, Kind.SCALE)

    section = models.ForeignKey(
        Section, verbose_name="раздел", on_delete=models.CASCADE, related_name="questions"
    )
    order = models.PositiveSmallIntegerField("порядок", default=0)
    key = models.CharField("ключ", max_length=40, validators=[KEY_VALIDATOR])
    text = models.TextField("вопрос")
    help_text = models.CharField("подсказка", max_length=300, blank=True)
    kind = models.CharField("тип", max_length=12, choices=Kind.choices)
    required = models.BooleanField("обязательный", default=False)
    choices = models.TextField(
        "варианты ответа / шкала",
        blank=True,
        help_text="По одному в строке. Для шкалы и матрицы — деления шкалы по порядку.",
    )
    statements = models.TextField(
        "утверждения матрицы", blank=True, help_text="По одному в строке; только для матрицы."
    )
    min_value = models.IntegerField("наименьшее число", null=True, blank=True)
    max_value = models.IntegerField("наибольшее число", null=True, blank=True)
    show_if_question = models.ForeignKey(
        "self",
        verbose_name="показывать, если на вопрос",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Более ранний вопрос с вариантами ответа той же анкеты.",
    )
    show_if_values = models.TextField(
        "дан один из ответов",
        blank=True,
        help_text="Варианты того вопроса, по одному в строке.",
    )

    class Meta:
        verbose_name = "вопрос анкеты"
        verbose_name_plural = "вопросы анкеты"
        ordering = ["section__order", "section_id", "order", "pk"]

    def __str__(self):
        return f"{self.key}: {self.text[:60]}"

    @property
    def choice_list(self) -> list[str]:
        return split_lines(self.choices)

    @property
    def statement_list(self) -> list[str]:
        return split_lines(self.statements)

    @property
    def show_if_list(self) -> list[str]:
        return split_lines(self.show_if_values)

    @property
    def field_name(self) -> str:
        return f"q_{self.key}"

    def clean(self):
        from .definitions import question_errors

        errors = question_errors(self)
        if errors:
            raise ValidationError(errors)


class AccessCode(models.Model):
    """One respondent's way in: the code on a slip, and where that respondent got to.

    A code opens its questionnaire only, only while the questionnaire is open, and only until the
    respondent presses «Отправить»."""

    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name="анкета", on_delete=models.CASCADE, related_name="codes"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name="организация",
        on_delete=models.CASCADE,
        related_name="survey_codes",
    )
    code = models.CharField("код доступа", max_length=20, unique=True, default=new_code)
    # A pupil's code is paired with the pupil's participant code of the study (`80001`): the
    # participant code alone is short and sequential, so it could be guessed; the pair keeps
    # the class and lets the school hand each pupil the slip with the number they know.
    participant = models.ForeignKey(
        ParticipantCode,
        verbose_name="код участника",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="survey_codes",
    )
    grade = models.PositiveSmallIntegerField("класс", null=True, blank=True)
    current_section = models.PositiveSmallIntegerField("текущий раздел", default=1)
    issued_at = models.DateTimeField("выдан", default=timezone.now)
    started_at = models.DateTimeField("начало заполнения", null=True, blank=True)
    last_saved_at = models.DateTimeField("последнее сохранение", null=True, blank=True)
    submitted_at = models.DateTimeField("отправлено", null=True, blank=True)

    class Meta:
        verbose_name = "код доступа к анкете"
        verbose_name_plural = "коды доступа к анкетам"
        ordering = ["questionnaire", "organization", "grade", "issued_at", "pk"]
        indexes = [models.Index(fields=["questionnaire", "organization"])]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "participant"],
                condition=models.Q(participant__isnull=False),
                name="accesscode_one_per_participant",
            ),
        ]

    def __str__(self):
        return format_code(self.code)

    @property
    def display_code(self) -> str:
        return format_code(self.code)


class Answer(models.Model):
    access_code = models.ForeignKey(
        AccessCode, verbose_name="код доступа", on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name="вопрос", on_delete=models.CASCADE, related_name="answers"
    )
    value = models.JSONField("ответ")
    saved_at = models.DateTimeField("сохранено", default=timezone.now)

    class Meta:
        verbose_name = "ответ"
        verbose_name_plural = "ответы"
        constraints = [
            models.UniqueConstraint(
                fields=["access_code", "question"], name="answer_one_per_question"
            ),
        ]

    def __str__(self):
        return f"{self.question.key}: {self.value}"


class SurveyExport(BackgroundJob):
    """«Выгрузить ответы»: an .xlsx written by the task worker. Status, heartbeat, attempt,
    «dead after» and «stalled»: `core.jobs.BackgroundJob`, as monitoring's export."""

    requester = models.ForeignKey(
        "accounts.User", verbose_name="кто запросил", on_delete=models.CASCADE, related_name="+"
    )
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name="анкета", on_delete=models.CASCADE, related_name="+"
    )
    rows = models.PositiveIntegerField("строк", default=0)
    file = models.FileField("файл", upload_to="survey-exports/%Y/%m/", blank=True)
    created_at = models.DateTimeField("создано", auto_now_add=True)

    class Meta:
        verbose_name = "выгрузка ответов"
        verbose_name_plural = "выгрузки ответов"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Выгрузка {self.pk}: {self.questionnaire}"
