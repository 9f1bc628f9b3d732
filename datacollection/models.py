"""Studies, form definitions, collection windows, reports and their cells.

A form is defined in the admin without code: tables, columns with a type and limits, fixed
(labelled) or dynamic rows, computed totals and cross-column checks. Values are stored one row per
cell (`Cell`) with a version, so saving one cell never rewrites another and a stale edit is seen.

Long module: one schema read top to bottom — the definition (Study → Form → FormTable → Column,
FixedRow, CrossCheck), the window (Collection, Extension) and what organizations enter (Report,
ReportRow, Cell, CellFile, Submission) — whose clean() rules refer to one another; the models
carry only field-level rules, the behaviour lives in services and selectors.
"""

import secrets
from datetime import datetime
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone

from accounts.models import Organization
from core.text import msk

KEY_VALIDATOR = RegexValidator(
    r"^[a-z][a-z0-9_]{0,39}$",
    "Ключ: латинские строчные буквы, цифры и «_», начинается с буквы (например, task_1).",
)


def split_lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def split_keys(text: str) -> list[str]:
    return [key.strip() for key in (text or "").replace(";", ",").split(",") if key.strip()]


class Study(models.Model):
    code = models.CharField("код", max_length=40, unique=True, validators=[KEY_VALIDATOR])
    title = models.CharField("наименование", max_length=300)
    year = models.PositiveSmallIntegerField("год")

    class Meta:
        verbose_name = "исследование"
        verbose_name_plural = "исследования"
        ordering = ["-year", "title"]

    def __str__(self):
        return f"{self.title} ({self.year})"


class Form(models.Model):
    code = models.CharField("код", max_length=40, unique=True, validators=[KEY_VALIDATOR])
    title = models.CharField("наименование", max_length=300)
    description = models.TextField("пояснение для ОО", blank=True)
    # Bumped whenever the definition changes (tables, columns, rows, checks: see
    # `definitions.bump_form_version`), so caches of the definition key on it.
    version = models.PositiveIntegerField("версия определения", default=1, editable=False)

    class Meta:
        verbose_name = "форма"
        verbose_name_plural = "формы"
        ordering = ["title"]

    def __str__(self):
        return self.title


class FormTable(models.Model):
    class RowMode(models.TextChoices):
        FIXED = "fixed", "Фиксированные строки"
        DYNAMIC = "dynamic", "Строки добавляет ОО"

    form = models.ForeignKey(
        Form, verbose_name="форма", on_delete=models.CASCADE, related_name="tables"
    )
    key = models.CharField("ключ", max_length=40, validators=[KEY_VALIDATOR])
    title = models.CharField("заголовок", max_length=300)
    order = models.PositiveSmallIntegerField("порядок", default=0)
    row_mode = models.CharField(
        "строки", max_length=10, choices=RowMode.choices, default=RowMode.FIXED
    )
    row_header = models.CharField(
        "заголовок столбца строк", max_length=200, blank=True, default="Показатель"
    )
    max_rows = models.PositiveIntegerField(
        "наибольшее число строк",
        null=True,
        blank=True,
        help_text="Только для строк, которые добавляет ОО.",
    )

    class Meta:
        verbose_name = "таблица формы"
        verbose_name_plural = "таблицы формы"
        ordering = ["form", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["form", "key"], name="formtable_unique_key"),
        ]

    def __str__(self):
        return f"{self.form.title}: {self.title}"

    @property
    def is_dynamic(self) -> bool:
        return self.row_mode == self.RowMode.DYNAMIC

    def clean(self):
        if self.is_dynamic and not self.max_rows:
            raise ValidationError(
                {"max_rows": "Для строк, которые добавляет ОО, укажите наибольшее число строк."}
            )
        if not self.is_dynamic and self.max_rows:
            raise ValidationError(
                {
                    "max_rows": "Наибольшее число строк задается только для строк, "
                    "которые добавляет ОО."
                }
            )


class Column(models.Model):
    class Type(models.TextChoices):
        INTEGER = "integer", "Целое число"
        DECIMAL = "decimal", "Дробное число"
        TEXT = "text", "Текст"
        CHOICE = "choice", "Выбор из списка"
        DATE = "date", "Дата"
        YES_NO = "yesno", "Да/нет"
        FILE = "file", "Файл"

    NUMERIC_TYPES = (Type.INTEGER, Type.DECIMAL)

    table = models.ForeignKey(
        FormTable, verbose_name="таблица", on_delete=models.CASCADE, related_name="columns"
    )
    key = models.CharField("ключ", max_length=40, validators=[KEY_VALIDATOR])
    title = models.CharField("заголовок", max_length=200)
    order = models.PositiveSmallIntegerField("порядок", default=0)
    type = models.CharField("тип", max_length=10, choices=Type.choices, default=Type.INTEGER)
    required = models.BooleanField("обязательный", default=False)
    min_value = models.DecimalField(
        "наименьшее значение", max_digits=14, decimal_places=4, null=True, blank=True
    )
    max_value = models.DecimalField(
        "наибольшее значение", max_digits=14, decimal_places=4, null=True, blank=True
    )
    max_length = models.PositiveIntegerField("наибольшая длина", null=True, blank=True)
    choices = models.TextField("варианты выбора", blank=True, help_text="По одному в строке.")
    special_codes = models.TextField(
        "допустимые особые коды",
        blank=True,
        help_text="По одному в строке, например X (задание не выполнялось) или «отсутствовал».",
    )
    sum_of = models.CharField(
        "сумма столбцов",
        max_length=500,
        blank=True,
        help_text="Вычисляемый столбец: ключи суммируемых столбцов через запятую.",
    )
    help_text = models.CharField("подсказка", max_length=300, blank=True)

    class Meta:
        verbose_name = "столбец"
        verbose_name_plural = "столбцы"
        ordering = ["table", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["table", "key"], name="column_unique_key"),
        ]

    def __str__(self):
        return self.title

    @property
    def choice_list(self) -> list[str]:
        return split_lines(self.choices)

    @property
    def special_code_list(self) -> list[str]:
        return split_lines(self.special_codes)

    @property
    def summed_keys(self) -> list[str]:
        return split_keys(self.sum_of)

    @property
    def is_computed(self) -> bool:
        return bool(self.sum_of.strip())

    @property
    def is_numeric(self) -> bool:
        return self.type in self.NUMERIC_TYPES

    def clean(self):
        errors = {}
        numeric = self.is_numeric
        if (self.min_value is not None or self.max_value is not None) and not numeric:
            errors["min_value"] = "Наименьшее и наибольшее значения задаются только для чисел."
        if (
            self.min_value is not None
            and self.max_value is not None
            and self.min_value > self.max_value
        ):
            errors["max_value"] = (
                f"Наименьшее значение ({self.min_value.normalize()}) больше "
                f"наибольшего ({self.max_value.normalize()})."
            )
        if self.max_length is not None and self.type != self.Type.TEXT:
            errors["max_length"] = "Наибольшая длина задается только для текстового столбца."
        if self.type == self.Type.CHOICE and not self.choice_list:
            errors["choices"] = "Для столбца «Выбор из списка» перечислите варианты выбора."
        if self.type != self.Type.CHOICE and self.choice_list:
            errors["choices"] = "Варианты выбора задаются только для столбца «Выбор из списка»."
        if self.type == self.Type.FILE and self.special_code_list:
            errors["special_codes"] = "Для файлового столбца особые коды не задаются."
        if self.is_computed:
            errors.update(self._clean_sum_of())
        if errors:
            raise ValidationError(errors)

    def _clean_sum_of(self) -> dict[str, str]:
        if not self.is_numeric:
            return {"sum_of": "Вычисляемый столбец должен иметь числовой тип."}
        if self.required:
            return {
                "required": "Вычисляемый столбец не заполняется, он не может быть обязательным."
            }
        if self.key in self.summed_keys:
            return {"sum_of": "Вычисляемый столбец не может суммировать сам себя."}
        if not self.table_id:
            return {}
        siblings = {c.key: c for c in self.table.columns.exclude(pk=self.pk)}
        for key in self.summed_keys:
            column = siblings.get(key)
            if column is None:
                return {"sum_of": f"В таблице нет столбца с ключом «{key}»."}
            if not column.is_numeric:
                return {"sum_of": f"Столбец «{column.title}» не числовой, его нельзя суммировать."}
            if column.is_computed:
                return {"sum_of": f"Столбец «{column.title}» сам вычисляемый."}
        return {}


class FixedRow(models.Model):
    table = models.ForeignKey(
        FormTable, verbose_name="таблица", on_delete=models.CASCADE, related_name="fixed_rows"
    )
    key = models.CharField("ключ", max_length=40, validators=[KEY_VALIDATOR])
    label = models.CharField("подпись", max_length=300)
    order = models.PositiveSmallIntegerField("порядок", default=0)

    class Meta:
        verbose_name = "строка"
        verbose_name_plural = "строки"
        ordering = ["table", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["table", "key"], name="fixedrow_unique_key"),
        ]

    def __str__(self):
        return self.label


class CrossCheck(models.Model):
    """A check between columns of one row: sum of `left` compared with sum of `right`,
    e.g. присутствовало + отсутствовало = по списку."""

    class Operator(models.TextChoices):
        EQ = "eq", "="
        LE = "le", "≤"
        GE = "ge", "≥"

    table = models.ForeignKey(
        FormTable, verbose_name="таблица", on_delete=models.CASCADE, related_name="checks"
    )
    left = models.CharField(
        "левая часть", max_length=300, help_text="Ключи столбцов через запятую."
    )
    operator = models.CharField("условие", max_length=2, choices=Operator.choices)
    right = models.CharField(
        "правая часть", max_length=300, help_text="Ключи столбцов через запятую."
    )
    message = models.CharField("сообщение об ошибке", max_length=300)

    class Meta:
        verbose_name = "проверка между столбцами"
        verbose_name_plural = "проверки между столбцами"

    def __str__(self):
        return self.message

    @property
    def left_keys(self) -> list[str]:
        return split_keys(self.left)

    @property
    def right_keys(self) -> list[str]:
        return split_keys(self.right)

    def clean(self):
        if not self.left_keys or not self.right_keys:
            raise ValidationError("Укажите столбцы в левой и правой частях проверки.")
        if not self.table_id:
            return
        columns = {c.key: c for c in self.table.columns.all()}
        for key in self.left_keys + self.right_keys:
            column = columns.get(key)
            if column is None:
                raise ValidationError(f"В таблице нет столбца с ключом «{key}».")
            if not column.is_numeric:
                raise ValidationError(f"Столбец «{column.title}» не числовой.")


class Collection(models.Model):
    form = models.ForeignKey(
        Form, verbose_name="форма", on_delete=models.PROTECT, related_name="collections"
    )
    study = models.ForeignKey(
        Study, verbose_name="исследование", on_delete=models.PROTECT, related_name="collections"
    )
    opens_at = models.DateTimeField("открывается (МСК)")
    closes_at = models.DateTimeField("закрывается (МСК)")
    closed_manually = models.BooleanField(
        "закрыт вручную", default=False, help_text="Закрывает сбор раньше срока для всех ОО."
    )
    organizations = models.ManyToManyField(
        Organization,
        verbose_name="участвующие ОО",
        related_name="collections",
        blank=True,
    )

    class Meta:
        verbose_name = "сбор данных"
        verbose_name_plural = "сборы данных"
        ordering = ["opens_at", "pk"]

    def __str__(self):
        return f"{self.form.title} — {self.study.title}"

    def clean(self):
        if self.opens_at and self.closes_at and self.opens_at >= self.closes_at:
            raise ValidationError({"closes_at": "Сбор должен закрываться позже, чем открывается."})

    def deadline_for(self, organization: Organization) -> datetime:
        """The moment the collection closes for this organization, extension included.

        A selector may annotate `extension_until` to save the query."""
        if hasattr(self, "extension_until"):
            until = self.extension_until
        else:
            until = (
                self.extensions.filter(organization=organization)
                .values_list("until", flat=True)
                .first()
            )
        return max(self.closes_at, until) if until else self.closes_at

    def has_opened(self, *, at: datetime | None = None) -> bool:
        return (at or timezone.now()) >= self.opens_at

    def is_open_for(self, organization: Organization, *, at: datetime | None = None) -> bool:
        """The one rule deciding whether the organization may still write: the window, a manual
        close and the organization's extension."""
        at = at or timezone.now()
        if self.closed_manually or at < self.opens_at:
            return False
        return at < self.deadline_for(organization)


class Extension(models.Model):
    collection = models.ForeignKey(
        Collection, verbose_name="сбор данных", on_delete=models.CASCADE, related_name="extensions"
    )
    organization = models.ForeignKey(
        Organization, verbose_name="организация", on_delete=models.CASCADE, related_name="+"
    )
    until = models.DateTimeField("продлено до (МСК)")
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто продлил",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    granted_at = models.DateTimeField("когда продлено", auto_now=True)

    class Meta:
        verbose_name = "продление срока"
        verbose_name_plural = "продления срока"
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "organization"], name="extension_one_per_organization"
            ),
        ]

    def __str__(self):
        return f"{self.organization.login} до {msk(self.until)}"


class Report(models.Model):
    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Не приступило"
        IN_PROGRESS = "in_progress", "В работе"
        SUBMITTED = "submitted", "Сдано"

    collection = models.ForeignKey(
        Collection, verbose_name="сбор данных", on_delete=models.PROTECT, related_name="reports"
    )
    organization = models.ForeignKey(
        Organization, verbose_name="организация", on_delete=models.PROTECT, related_name="reports"
    )
    status = models.CharField(
        "статус", max_length=12, choices=Status.choices, default=Status.NOT_STARTED
    )
    started_at = models.DateTimeField("начало ввода данных", null=True, blank=True)
    last_saved_at = models.DateTimeField("последнее сохранение", null=True, blank=True)
    submitted_at = models.DateTimeField("дата передачи данных", null=True, blank=True)
    has_unsubmitted_changes = models.BooleanField("есть несданные изменения", default=False)
    returned_at = models.DateTimeField("возвращен на доработку", null=True, blank=True)
    returned_comment = models.TextField("комментарий координатора", blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто вернул",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "отчет ОО"
        verbose_name_plural = "отчеты ОО"
        constraints = [
            models.UniqueConstraint(
                fields=["collection", "organization"], name="report_one_per_organization"
            ),
        ]
        indexes = [
            models.Index(fields=["collection", "status"]),
            # «Список участников» sorted by «Дата передачи» / «Начало ввода»: a page is read
            # from these in order. Not on last_saved_at: every autosave writes it, and an index
            # on it would make each of them update the index too.
            models.Index(fields=["collection", "submitted_at"]),
            models.Index(fields=["collection", "started_at"]),
            # «Возвращено на доработку» (returned_at set) read from its own rows, not by
            # checking every report of the collection.
            models.Index(fields=["collection", "returned_at"]),
        ]

    def __str__(self):
        return f"{self.organization.login}: {self.collection}"


class ReportRow(models.Model):
    """A row the organization added to a dynamic table."""

    # No index of its own: the unique constraint below starts with `report` and serves every
    # lookup by report (one index less to write per autosave and to build for a country).
    report = models.ForeignKey(
        Report, verbose_name="отчет", on_delete=models.CASCADE, db_index=False, related_name="rows"
    )
    table = models.ForeignKey(
        FormTable, verbose_name="таблица", on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField("ключ", max_length=40)
    created_at = models.DateTimeField("добавлена", auto_now_add=True)

    class Meta:
        verbose_name = "добавленная строка"
        verbose_name_plural = "добавленные строки"
        ordering = ["report", "table", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["report", "table", "key"], name="reportrow_unique"),
        ]

    def __str__(self):
        return self.key


class Cell(models.Model):
    """One value of one report. `version` grows with every change, so an edit based on an
    older value is refused instead of overwriting what another tab saved."""

    # No index of its own: the unique constraint below starts with `report` and serves every
    # lookup by report (one index less to write per autosave and to build for a country).
    report = models.ForeignKey(
        Report, verbose_name="отчет", on_delete=models.CASCADE, db_index=False, related_name="cells"
    )
    table = models.ForeignKey(
        FormTable, verbose_name="таблица", on_delete=models.CASCADE, related_name="+"
    )
    row_key = models.CharField("строка", max_length=40)
    column_key = models.CharField("столбец", max_length=40)
    value = models.TextField("значение", blank=True)
    version = models.PositiveIntegerField("версия", default=0)
    updated_at = models.DateTimeField("изменено", auto_now=True)

    class Meta:
        verbose_name = "значение"
        verbose_name_plural = "значения"
        constraints = [
            models.UniqueConstraint(
                fields=["report", "table", "row_key", "column_key"], name="cell_unique_address"
            ),
        ]

    def __str__(self):
        return f"{self.row_key}/{self.column_key}: {self.value}"


def cell_file_upload_to(instance, filename: str) -> str:
    # A random name on disk: the original (often Cyrillic) name lives in `name`, the path cannot
    # be guessed, and files are served only through the access-checked download view anyway.
    extension = PurePath(filename).suffix.lower().lstrip(".")[:10]
    return f"datacollection/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.{extension}"


class CellFile(models.Model):
    """The file of a file cell (a scan of a protocol). The cell's value is the original name."""

    report = models.ForeignKey(
        Report, verbose_name="отчет", on_delete=models.CASCADE, related_name="files"
    )
    table = models.ForeignKey(
        FormTable, verbose_name="таблица", on_delete=models.CASCADE, related_name="+"
    )
    row_key = models.CharField("строка", max_length=40)
    column_key = models.CharField("столбец", max_length=40)
    file = models.FileField("файл", upload_to=cell_file_upload_to, max_length=200)
    name = models.CharField("имя файла", max_length=255)
    size = models.PositiveBigIntegerField("размер, байт")
    content_type = models.CharField("тип содержимого", max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто загрузил",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField("загружен", default=timezone.now)

    class Meta:
        verbose_name = "файл ячейки"
        verbose_name_plural = "файлы ячеек"
        constraints = [
            models.UniqueConstraint(
                fields=["report", "table", "row_key", "column_key"], name="cellfile_unique_address"
            ),
        ]

    def __str__(self):
        return self.name


class Submission(models.Model):
    """An immutable snapshot of a report as transferred to ФИС ОКО."""

    report = models.ForeignKey(
        Report, verbose_name="отчет", on_delete=models.PROTECT, related_name="submissions"
    )
    submitted_at = models.DateTimeField("передано", default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто передал",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    data = models.JSONField("данные")

    class Meta:
        verbose_name = "переданный отчет"
        verbose_name_plural = "переданные отчеты"
        ordering = ["-submitted_at", "-pk"]
        get_latest_by = "submitted_at"
        indexes = [
            # A report's latest transfer (export, results build) and transfers per day
            # (statistics) read this index instead of the snapshots' table.
            models.Index(
                fields=["report", "-submitted_at", "-id"], name="submission_report_latest"
            ),
        ]

    def __str__(self):
        return f"{self.report} — {msk(self.submitted_at)}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Переданный отчет не изменяется.")
        super().save(*args, **kwargs)
