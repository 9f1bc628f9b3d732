"""`seed_scale --organizations 45000`: a realistic country for the benchmarks (monitoring.scale).
Prints the time, the rows of every table it fills and the size of the database."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from accounts.models import Municipality, Organization, Region, User
from datacollection.models import Cell, Collection, Extension, Report, ReportRow, Submission
from monitoring import scale


class Command(BaseCommand):
    help = (
        "Создает данные национального масштаба для замеров: 89 регионов, организации, "
        "координаторов, сборы данных НИКО, отчеты во всех состояниях и переданные данные."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organizations", type=int, default=45_000)

    def handle(self, *args, **options):
        started = time.monotonic()
        with transaction.atomic():
            result = scale.build(options["organizations"], coordinators)
        elapsed = time.monotonic() - started
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            f"seed_scale: {elapsed:.1f} с (добавлено организаций: {result['organizations_added']})"
        )
        for name, seconds in scale.PHASES.items():
            self.stdout.write(f"  {name:<42} {seconds:>10.1f} с")
        models = [
            Region, Municipality, Organization, User, Collection,
            Collection.organizations.through, Report, ReportRow, Cell, Submission, Extension,
        ]  # fmt: skip
        for model in models:
            self.stdout.write(f"  {model._meta.db_table:<42} {model.objects.count():>12,}")
        self.stdout.write(f"  размер базы: {self._database_size()}")

    def _database_size(self) -> str:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
                return cursor.fetchone()[0]
        name = settings.DATABASES["default"]["NAME"]
        path = Path(str(name))
        return f"{path.stat().st_size / 2**20:.0f} MiB" if path.exists() else "в памяти"


def coordinators(regions, municipalities, password: str) -> None:
    """`reg470000` per region, `reg47_m001` per municipality, and `operator_scale`."""
    users = [
        User(
            username=scale.OPERATOR_LOGIN,
            password=password,
            role=User.Role.OPERATOR,
            is_staff=True,
        )
    ]
    for region in regions:
        users.append(
            User(
                username=f"reg{region.code}0000",
                password=password,
                role=User.Role.REGIONAL,
                region=region,
            )
        )
        for municipality in municipalities[region.pk]:
            users.append(
                User(
                    username=municipality.code,
                    password=password,
                    role=User.Role.MUNICIPAL,
                    region=region,
                    municipality=municipality,
                )
            )
    User.objects.bulk_create(users, batch_size=scale.BATCH_SIZE, ignore_conflicts=True)
