"""A national-size data set for benchmarks: 89 regions, their municipalities, organizations and
organization accounts, written with bulk inserts. Existing data is kept; regions and
municipalities are reused, organizations are added up to the requested total."""

import time

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Municipality, Organization, Region, User

REGION_COUNT = 89
MUNICIPALITIES_PER_REGION = 20
BATCH_SIZE = 2000
SCALE_PASSWORD = "niko2026"


class Command(BaseCommand):
    help = "Создает данные национального масштаба для замеров (89 регионов)."

    def add_arguments(self, parser):
        parser.add_argument("--organizations", type=int, default=45_000)

    def handle(self, *args, **options):
        started = time.monotonic()
        total = options["organizations"]
        with transaction.atomic():
            regions = self._regions()
            municipalities = self._municipalities(regions)
            created = self._organizations(regions, municipalities, total)
        self.stdout.write(
            f"Регионов: {len(regions)}, муниципалитетов: {Municipality.objects.count()}, "
            f"организаций: {Organization.objects.count()} (добавлено {created}) "
            f"за {time.monotonic() - started:.1f} с"
        )

    def _regions(self) -> list[Region]:
        codes = [f"{n:02d}" for n in range(1, REGION_COUNT + 1)]
        existing = set(Region.objects.filter(code__in=codes).values_list("code", flat=True))
        Region.objects.bulk_create(
            Region(code=code, name=f"Регион {code}") for code in codes if code not in existing
        )
        return list(Region.objects.filter(code__in=codes).order_by("code"))

    def _municipalities(self, regions) -> dict[int, list[Municipality]]:
        wanted = {
            f"reg{region.code}_m{n:03d}": region
            for region in regions
            for n in range(1, MUNICIPALITIES_PER_REGION + 1)
        }
        existing = set(Municipality.objects.values_list("code", flat=True))
        Municipality.objects.bulk_create(
            (
                Municipality(code=code, region=region, name=f"Муниципалитет {code[-3:]}")
                for code, region in wanted.items()
                if code not in existing
            ),
            batch_size=BATCH_SIZE,
        )
        by_region: dict[int, list[Municipality]] = {}
        for municipality in Municipality.objects.filter(code__in=wanted).order_by("code"):
            by_region.setdefault(municipality.region_id, []).append(municipality)
        return by_region

    def _organizations(self, regions, municipalities, total) -> int:
        missing = total - Organization.objects.count()
        if missing <= 0:
            return 0
        taken = set(Organization.objects.values_list("login", flat=True))
        # One hash for all: hashing 45,000 passwords would take minutes and prove nothing.
        password = make_password(SCALE_PASSWORD)
        per_region = -(-missing // len(regions))
        new_orgs = []
        for region in regions:
            number, made = 0, 0
            region_municipalities = municipalities[region.pk]
            while made < per_region and len(new_orgs) < missing and number < 9999:
                number += 1
                login = f"edu{region.code}{number:04d}"
                if login in taken:
                    continue
                municipality = region_municipalities[number % len(region_municipalities)]
                new_orgs.append(
                    Organization(
                        login=login,
                        name=f"Образовательная организация № {number} ({region.name})",
                        kind=Organization.Kind.COLLEGE if number % 9 == 0 else "school",
                        region=region,
                        municipality=municipality,
                    )
                )
                made += 1
        Organization.objects.bulk_create(new_orgs, batch_size=BATCH_SIZE)
        # Every organization gets its account; an organization that has one keeps it.
        without_account = Organization.objects.filter(users__isnull=True)
        User.objects.bulk_create(
            (
                User(
                    username=org.login,
                    password=password,
                    role=User.Role.ORGANIZATION,
                    region_id=org.region_id,
                    municipality_id=org.municipality_id,
                    organization_id=org.pk,
                )
                for org in without_account.only(
                    "pk", "login", "region_id", "municipality_id"
                ).iterator(chunk_size=BATCH_SIZE)
            ),
            batch_size=BATCH_SIZE,
            ignore_conflicts=True,
        )
        return len(new_orgs)
