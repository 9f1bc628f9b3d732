"""Idempotent demo data: Ленинградская область, its municipalities, about 40 organizations and the
demo accounts, all with the password niko2026. Later apps add their own demo data through
`seed_demo_steps` below, each step idempotent too."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string

from accounts.models import Municipality, Organization, Region, User

DEMO_PASSWORD = "niko2026"

LENINGRAD_MUNICIPALITIES = [
    "Бокситогорский муниципальный район",
    "Волосовский муниципальный район",
    "Волховский муниципальный район",
    "Всеволожский муниципальный район",
    "Выборгский район",
    "Гатчинский муниципальный округ",
    "Кингисеппский муниципальный район",
    "Киришский муниципальный район",
    "Кировский муниципальный район",
    "Лодейнопольский муниципальный район",
    "Ломоносовский муниципальный район",
    "Лужский муниципальный район",
    "Подпорожский муниципальный район",
    "Приозерский муниципальный район",
    "Сланцевский муниципальный район",
    "Сосновоборский городской округ",
    "Тихвинский муниципальный район",
    "Тосненский муниципальный район",
]

# (municipality number, name, kind); edu470001 and edu470002 are in Бокситогорский район, so the
# demo municipal coordinator reg47_m001 sees them.
LENINGRAD_ORGANIZATIONS = [
    (1, "МБОУ «Бокситогорская средняя общеобразовательная школа № 1»", "school"),
    (1, "МБОУ «Пикалевская средняя общеобразовательная школа № 2»", "school"),
    (1, "МБОУ «Ефимовская средняя общеобразовательная школа»", "school"),
    (2, "МОУ «Волосовская средняя общеобразовательная школа № 1»", "school"),
    (2, "МОУ «Бегуницкая средняя общеобразовательная школа»", "school"),
    (3, "МОБУ «Волховская средняя общеобразовательная школа № 6»", "school"),
    (3, "МОБУ «Сясьстройская средняя общеобразовательная школа № 1»", "school"),
    (3, "ГБПОУ ЛО «Волховский алюминиевый колледж»", "college"),
    (4, "МОБУ «Всеволожская средняя общеобразовательная школа № 2»", "school"),
    (4, "МОБУ «Сертоловская средняя общеобразовательная школа № 1»", "school"),
    (4, "МОБУ «Кудровский центр образования № 1»", "school"),
    (4, "МОУ «Токсовская средняя общеобразовательная школа»", "school"),
    (5, "МБОУ «Средняя общеобразовательная школа № 10» г. Выборга", "school"),
    (5, "МБОУ «Светогорская средняя общеобразовательная школа»", "school"),
    (5, "ГАПОУ ЛО «Выборгский политехнический колледж «Александровский»", "college"),
    (6, "МБОУ «Гатчинская средняя общеобразовательная школа № 4»", "school"),
    (6, "МБОУ «Коммунарская средняя общеобразовательная школа № 1»", "school"),
    (6, "ГБПОУ ЛО «Гатчинский педагогический колледж имени К.Д. Ушинского»", "college"),
    (7, "МБОУ «Кингисеппская средняя общеобразовательная школа № 5»", "school"),
    (7, "МБОУ «Ивангородская средняя общеобразовательная школа № 1»", "school"),
    (8, "МОУ «Киришская средняя общеобразовательная школа № 3»", "school"),
    (8, "ГБПОУ ЛО «Киришский политехнический техникум»", "college"),
    (9, "МБОУ «Кировская средняя общеобразовательная школа № 2»", "school"),
    (9, "МБОУ «Шлиссельбургская средняя общеобразовательная школа № 1»", "school"),
    (10, "МКОУ «Лодейнопольская средняя общеобразовательная школа № 3»", "school"),
    (11, "МОУ «Виллозская средняя общеобразовательная школа»", "school"),
    (11, "МОУ «Ропшинская средняя общеобразовательная школа»", "school"),
    (12, "МОУ «Средняя общеобразовательная школа № 2» г. Луги", "school"),
    (12, "ГАПОУ ЛО «Лужский агропромышленный техникум»", "college"),
    (13, "МБОУ «Подпорожская средняя общеобразовательная школа № 1»", "school"),
    (14, "МОУ «Приозерская средняя общеобразовательная школа № 4»", "school"),
    (14, "МОУ «Сосновская средняя общеобразовательная школа»", "school"),
    (15, "МОУ «Сланцевская средняя общеобразовательная школа № 1»", "school"),
    (16, "МБОУ «Средняя общеобразовательная школа № 3» г. Сосновый Бор", "school"),
    (16, "МБОУ «Лицей № 8» г. Сосновый Бор", "school"),
    (17, "МОУ «Тихвинская средняя общеобразовательная школа № 6»", "school"),
    (17, "ГБПОУ ЛО «Тихвинский промышленно-технологический техникум»", "college"),
    (18, "МБОУ «Тосненская средняя общеобразовательная школа № 3»", "school"),
    (18, "МБОУ «Никольская средняя общеобразовательная школа № 1»", "school"),
    (18, "МБОУ «Любанская средняя общеобразовательная школа»", "school"),
]

# Further demo steps, added by later apps: dotted paths to functions `step(*, stdout)`.
SEED_DEMO_STEPS: list[str] = [
    "publications.demo.seed",
    "datacollection.demo.seed",
    "forum.demo.seed",
    "monitoring.demo.seed",
    "studies.demo.seed",
    "surveys.demo.seed",
    "results.demo.seed",
]


def municipality_code(region_code: str, number: int) -> str:
    return f"reg{region_code}_m{number:03d}"


def organization_login(region_code: str, number: int) -> str:
    return f"edu{region_code}{number:04d}"


def ensure_user(username: str, **fields) -> User:
    user, created = User.objects.update_or_create(username=username, defaults=fields)
    if created or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


class Command(BaseCommand):
    help = "Создает демонстрационные данные (повторный запуск ничего не дублирует)."

    @transaction.atomic
    def handle(self, *args, **options):
        region, _ = Region.objects.update_or_create(
            code="47", defaults={"name": "Ленинградская область"}
        )
        municipalities = {}
        for number, name in enumerate(LENINGRAD_MUNICIPALITIES, start=1):
            municipalities[number], _ = Municipality.objects.update_or_create(
                code=municipality_code("47", number), defaults={"region": region, "name": name}
            )
        for number, (mun_number, name, kind) in enumerate(LENINGRAD_ORGANIZATIONS, start=1):
            organization, _ = Organization.objects.update_or_create(
                login=organization_login("47", number),
                defaults={
                    "name": name,
                    "kind": kind,
                    "region": region,
                    "municipality": municipalities[mun_number],
                },
            )
            ensure_user(
                organization.login,
                role=User.Role.ORGANIZATION,
                region=region,
                municipality=organization.municipality,
                organization=organization,
                must_change_password=False,
            )

        ensure_user(
            "admin",
            role=User.Role.OPERATOR,
            is_staff=True,
            is_superuser=True,
            first_name="Федеральный",
            last_name="оператор",
        )
        ensure_user(region.coordinator_login, role=User.Role.REGIONAL, region=region)
        ensure_user(
            municipality_code("47", 1),
            role=User.Role.MUNICIPAL,
            region=region,
            municipality=municipalities[1],
        )

        for step in SEED_DEMO_STEPS:
            import_string(step)(stdout=self.stdout)

        self.stdout.write(self.style.SUCCESS("Демонстрационные данные готовы."))
        self.stdout.write(
            "Логины (пароль niko2026 у всех):\n"
            "  admin       — федеральный оператор (также /admin/)\n"
            "  reg470000   — региональный координатор, Ленинградская область\n"
            "  reg47_m001  — муниципальный координатор, Бокситогорский район\n"
            "  edu470001   — образовательная организация\n"
            "  edu470002   — образовательная организация"
        )
