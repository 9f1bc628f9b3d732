"""Who is who: regions, municipalities, organizations and the users who act for them."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from core.text import msk

REGION_CODE_VALIDATOR = RegexValidator(r"^\d{2}$", "Код региона — две цифры, например 47.")
MUNICIPALITY_CODE_VALIDATOR = RegexValidator(
    r"^reg\d{2}_m\d{3}$", "Код муниципалитета имеет вид reg47_m001."
)
ORGANIZATION_LOGIN_VALIDATOR = RegexValidator(
    r"^edu\d{6}$", "Логин ОО имеет вид edu470001: edu, код региона и четыре цифры."
)


class Region(models.Model):
    code = models.CharField("код", max_length=2, unique=True, validators=[REGION_CODE_VALIDATOR])
    name = models.CharField("наименование", max_length=200)

    class Meta:
        verbose_name = "регион"
        verbose_name_plural = "регионы"
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} — {self.name}"

    @property
    def coordinator_login(self) -> str:
        """The regional coordinator's login in the real system: reg470000."""
        return f"reg{self.code}0000"


class Municipality(models.Model):
    region = models.ForeignKey(
        Region, verbose_name="регион", on_delete=models.PROTECT, related_name="municipalities"
    )
    code = models.CharField(
        "код", max_length=20, unique=True, validators=[MUNICIPALITY_CODE_VALIDATOR]
    )
    name = models.CharField("наименование", max_length=200)

    class Meta:
        verbose_name = "муниципалитет"
        verbose_name_plural = "муниципалитеты"
        ordering = ["code"]

    def __str__(self):
        return self.name


class Organization(models.Model):
    class Kind(models.TextChoices):
        SCHOOL = "school", "Общеобразовательная организация"
        COLLEGE = "college", "Профессиональная образовательная организация"

    login = models.CharField(
        "логин", max_length=20, unique=True, validators=[ORGANIZATION_LOGIN_VALIDATOR]
    )
    name = models.CharField("наименование", max_length=500)
    # The name as the search compares it (`accounts.scoping.search_organizations`), folded once
    # when written instead of on every search (45,000 names, ~12 ms of PostgreSQL for a query
    # matching them all). Computed by the database from `name` whatever writes the row — a
    # form, `bulk_create`, an import, an `update()`, seed_scale's COPY — so it cannot disagree
    # with the name; a trigram index on it on PostgreSQL (migration 0006).
    name_folded = models.GeneratedField(
        expression=Lower("name"),
        output_field=models.CharField(max_length=500),
        db_persist=True,
        verbose_name="наименование для поиска",
    )
    kind = models.CharField("тип", max_length=10, choices=Kind.choices, default=Kind.SCHOOL)
    region = models.ForeignKey(
        Region, verbose_name="регион", on_delete=models.PROTECT, related_name="organizations"
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name="муниципалитет",
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    email = models.EmailField("электронная почта", blank=True)

    class Meta:
        verbose_name = "образовательная организация"
        verbose_name_plural = "образовательные организации"
        ordering = ["login"]
        indexes = [
            models.Index(fields=["region", "municipality", "login"]),
            # A region's organizations in login order from either end (a regional coordinator's
            # «Список участников» by a date reads its undated rows so: monitoring.selectors).
            models.Index(fields=["region", "login"]),
        ]
        constraints = [
            # The search compares logins as stored (accounts.scoping.search_organizations):
            # whatever writes an organization (a form, an import, seed_scale's COPY), its login
            # is lower case, as the validator's edu470001 is.
            models.CheckConstraint(
                condition=Q(login=Lower("login")),
                name="organization_login_lower_case",
                violation_error_message="Логин ОО пишется строчными буквами: edu470001.",
            ),
        ]

    def __str__(self):
        return f"{self.login} — {self.name}"


class NikoUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # A superuser is a federal operator: `createsuperuser` must satisfy the role constraint.
        extra_fields.setdefault("role", User.Role.OPERATOR)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    class Role(models.TextChoices):
        OPERATOR = "operator", "Федеральный оператор"
        REGIONAL = "regional", "Региональный координатор"
        MUNICIPAL = "municipal", "Муниципальный координатор"
        ORGANIZATION = "organization", "Ответственный организатор ОО"

    role = models.CharField("роль", max_length=20, choices=Role.choices)
    region = models.ForeignKey(
        Region,
        verbose_name="регион",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coordinators",
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name="муниципалитет",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coordinators",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name="организация",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    must_change_password = models.BooleanField(
        "сменить пароль при входе",
        default=False,
        help_text="Выданный одноразовый пароль нужно сменить при первом входе.",
    )

    objects = NikoUserManager()

    class Meta:
        verbose_name = "пользователь"
        verbose_name_plural = "пользователи"
        constraints = [
            # Each role is tied to exactly the scope it works in, so scoping never guesses.
            models.CheckConstraint(
                name="user_role_scope",
                condition=(
                    Q(
                        role="operator",
                        region__isnull=True,
                        municipality__isnull=True,
                        organization__isnull=True,
                    )
                    | Q(
                        role="regional",
                        region__isnull=False,
                        municipality__isnull=True,
                        organization__isnull=True,
                    )
                    | Q(
                        role="municipal",
                        region__isnull=False,
                        municipality__isnull=False,
                        organization__isnull=True,
                    )
                    | Q(
                        role="organization",
                        region__isnull=False,
                        municipality__isnull=False,
                        organization__isnull=False,
                    )
                ),
                violation_error_message=(
                    "Роль не соответствует области: оператору не нужны регион и организация, "
                    "региональному координатору нужен регион, муниципальному — регион и "
                    "муниципалитет, организации — организация."
                ),
            ),
            # The admin is the operator's tool: `is_staff` and the operator role are one notion,
            # so the admin link (role) and Django's admin gate (is_staff) cannot disagree.
            models.CheckConstraint(
                name="user_staff_is_operator",
                condition=Q(role="operator", is_staff=True)
                | (~Q(role="operator") & Q(is_staff=False)),
                violation_error_message=(
                    "Доступ к администрированию есть только у федерального оператора, "
                    "и у каждого оператора он есть."
                ),
            ),
        ]

    def __str__(self):
        return self.username

    def get_short_name(self) -> str:
        """How the admin greets: «Федеральный оператор» rather than only the first name."""
        return self.get_full_name() or self.username

    @property
    def is_operator(self) -> bool:
        return self.role == self.Role.OPERATOR

    @property
    def is_regional_coordinator(self) -> bool:
        return self.role == self.Role.REGIONAL

    @property
    def is_municipal_coordinator(self) -> bool:
        return self.role == self.Role.MUNICIPAL

    @property
    def is_coordinator(self) -> bool:
        return self.role in (self.Role.REGIONAL, self.Role.MUNICIPAL)

    @property
    def is_organization(self) -> bool:
        return self.role == self.Role.ORGANIZATION

    @property
    def scope_label(self) -> str:
        """What the top bar shows next to the role: the organization, municipality or region."""
        if self.is_organization:
            return self.organization.name
        if self.is_municipal_coordinator:
            return self.municipality.name
        if self.is_regional_coordinator:
            return self.region.name
        return "Все регионы"


class AuditEvent(models.Model):
    """One row per write that matters: who, for which organization, what, when, from where."""

    created_at = models.DateTimeField("когда", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        User,
        verbose_name="кто",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name="организация",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField("действие", max_length=64, db_index=True)
    target = models.CharField("объект", max_length=200, blank=True)
    details = models.JSONField("подробности", default=dict, blank=True)
    ip_address = models.GenericIPAddressField("IP-адрес", null=True, blank=True)

    class Meta:
        verbose_name = "запись журнала"
        verbose_name_plural = "журнал действий"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{msk(self.created_at)} {self.action} {self.target}"
