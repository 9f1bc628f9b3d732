"""Statistical reports on a study's results.

The operator describes, per results collection and class (parallel), what the report needs: the
tasks with their maximum scores (columns of the results form) and, optionally, the mark scale.
Publishing runs a background build (`results.services.results_build`) that reads the latest
transferred snapshot of every organization once and stores typed figures (`Aggregate`) per
organization, municipality, region and for all participants. Pages only read those figures.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from accounts.models import Municipality, Organization, Region
from datacollection.models import Collection

MARKS = (2, 3, 4, 5)


class ReportDefinition(models.Model):
    class Status(models.TextChoices):
        NOT_PUBLISHED = "not_published", "Не опубликован"
        QUEUED = "queued", "Публикация в очереди"
        BUILDING = "building", "Формируется"
        PUBLISHED = "published", "Опубликован"
        FAILED = "failed", "Ошибка формирования"

    collection = models.ForeignKey(
        Collection,
        verbose_name="сбор результатов",
        on_delete=models.PROTECT,
        related_name="result_definitions",
        help_text="Сбор данных по форме с результатами участников.",
    )
    grade = models.PositiveSmallIntegerField("класс (параллель)")
    table_key = models.CharField(
        "ключ таблицы результатов",
        max_length=40,
        default="results",
        help_text="Таблица формы, в которой строка — один участник.",
    )
    grade_column = models.CharField("ключ столбца «Класс»", max_length=40, default="grade")
    absent_code = models.CharField(
        "код отсутствия",
        max_length=40,
        default="отсутствовал",
        help_text="Участник с этим кодом в любом задании считается отсутствовавшим.",
    )
    mark_3_from = models.PositiveSmallIntegerField("отметка «3» от, баллов", null=True, blank=True)
    mark_4_from = models.PositiveSmallIntegerField("отметка «4» от, баллов", null=True, blank=True)
    mark_5_from = models.PositiveSmallIntegerField("отметка «5» от, баллов", null=True, blank=True)
    expected_on = models.DateField(
        "ожидаемая дата публикации",
        null=True,
        blank=True,
        help_text="Показывается ОО, пока отчет не опубликован.",
    )
    status = models.CharField(
        "состояние", max_length=14, choices=Status.choices, default=Status.NOT_PUBLISHED
    )
    publish_requested_at = models.DateTimeField("публикация запрошена", null=True, blank=True)
    publish_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто опубликовал",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    built_at = models.DateTimeField("данные сформированы", null=True, blank=True)
    build_error = models.TextField("причина ошибки", blank=True)

    class Meta:
        verbose_name = "статистический отчет"
        verbose_name_plural = "статистические отчеты"
        ordering = ["collection", "grade"]
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "grade"], name="results_definition_one_per_grade"
            ),
        ]

    def __str__(self):
        return f"{self.collection.study.title}, {self.grade} класс"

    @property
    def study(self):
        return self.collection.study

    @property
    def is_published(self) -> bool:
        """Figures exist: they stay visible while a re-publication rebuilds them."""
        return self.built_at is not None

    @property
    def has_mark_scale(self) -> bool:
        return self.mark_3_from is not None

    def mark_for(self, score: int) -> int | None:
        """The mark for a primary score by the scale, or None without a scale."""
        if not self.has_mark_scale:
            return None
        if score >= self.mark_5_from:
            return 5
        if score >= self.mark_4_from:
            return 4
        if score >= self.mark_3_from:
            return 3
        return 2

    def clean(self):
        bounds = [self.mark_3_from, self.mark_4_from, self.mark_5_from]
        if any(b is None for b in bounds) and any(b is not None for b in bounds):
            raise ValidationError(
                "Шкала отметок задается целиком: укажите границы отметок «3», «4» и «5» "
                "или оставьте все три пустыми."
            )
        if all(b is not None for b in bounds) and not (0 < bounds[0] < bounds[1] < bounds[2]):
            raise ValidationError(
                "Границы отметок должны возрастать: «3» от … < «4» от … < «5» от … "
                "(отметка «2» — ниже границы «3»)."
            )

    def mark_scale_errors(self, max_score: int) -> list[str]:
        if self.has_mark_scale and self.mark_5_from > max_score:
            return [
                f"Граница отметки «5» ({self.mark_5_from}) больше максимального "
                f"первичного балла ({max_score})."
            ]
        return []


class TaskDefinition(models.Model):
    definition = models.ForeignKey(
        ReportDefinition,
        verbose_name="отчет",
        on_delete=models.CASCADE,
        related_name="tasks",
    )
    order = models.PositiveSmallIntegerField("порядок", default=0)
    column_key = models.CharField(
        "ключ столбца формы", max_length=40, help_text="Например, task_1."
    )
    title = models.CharField("задание", max_length=100, help_text="Например, «1» или «1.2».")
    max_score = models.PositiveSmallIntegerField("максимальный балл")

    class Meta:
        verbose_name = "задание"
        verbose_name_plural = "задания"
        ordering = ["definition", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["definition", "column_key"], name="results_task_unique_column"
            ),
            models.CheckConstraint(
                condition=models.Q(max_score__gt=0), name="results_task_max_score_positive"
            ),
        ]

    def __str__(self):
        return f"Задание {self.title}"


class Aggregate(models.Model):
    """The figures of one level for one report definition, stored by the build.

    `task_score_sums[i]` is the sum of the scores of task i (the definition's tasks in order) over
    the participants present; `score_counts[s]` the number of participants with primary score s
    (0 … the sum of maximum scores); `mark_counts` the numbers of marks 2, 3, 4, 5 (empty without
    a scale). Shares and averages are divisions of these integers."""

    class Level(models.TextChoices):
        ORGANIZATION = "organization", "ОО"
        MUNICIPALITY = "municipality", "Муниципалитет"
        REGION = "region", "Регион"
        ALL = "all", "Все участники"

    definition = models.ForeignKey(
        ReportDefinition,
        verbose_name="отчет",
        on_delete=models.CASCADE,
        related_name="aggregates",
    )
    level = models.CharField("уровень", max_length=12, choices=Level.choices)
    organization = models.ForeignKey(
        Organization,
        verbose_name="организация",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name="муниципалитет",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    region = models.ForeignKey(
        Region,
        verbose_name="регион",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    organizations = models.PositiveIntegerField("организаций", default=0)
    participants = models.PositiveIntegerField("участников (выполняли работу)", default=0)
    absentees = models.PositiveIntegerField("отсутствовали", default=0)
    score_sum = models.PositiveBigIntegerField("сумма первичных баллов", default=0)
    average_score = models.DecimalField(
        "средний первичный балл", max_digits=7, decimal_places=2, null=True
    )
    task_score_sums = models.JSONField("суммы баллов по заданиям", default=list)
    score_counts = models.JSONField("распределение первичных баллов", default=list)
    mark_counts = models.JSONField("распределение отметок", default=list)
    built_at = models.DateTimeField("сформировано", default=timezone.now)

    class Meta:
        verbose_name = "показатели"
        verbose_name_plural = "показатели"
        indexes = [
            models.Index(fields=["definition", "level", "region"]),
            models.Index(fields=["definition", "level", "municipality"]),
            models.Index(fields=["definition", "organization"]),
        ]

    def __str__(self):
        return f"{self.get_level_display()}: {self.definition}"
