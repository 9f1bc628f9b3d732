"""`seed_scale --organizations 45000`: a realistic country for the benchmarks (monitoring.scale).
Prints the time per phase, the rows of every table it fills and the size of the database."""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from accounts.models import AuditEvent, Municipality, Organization, Region, User
from datacollection.models import Cell, Collection, Extension, Report, ReportRow, Submission
from monitoring import scale
from studies.models import ParticipantCode, SchoolClass


class Command(BaseCommand):
    help = (
        "Создает данные национального масштаба для замеров: 89 регионов, организации, "
        "координаторов, сборы данных НИКО, коды участников, отчеты во всех состояниях и "
        "переданные данные."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organizations", type=int, default=45_000)

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            with transaction.atomic():
                result = scale.build(options["organizations"], coordinators)
        except scale.codes.TooManyCodesError as error:
            raise CommandError(str(error)) from error
        elapsed = time.monotonic() - started
        analyzed = time.monotonic()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        analyzed = time.monotonic() - analyzed
        self.stdout.write(
            f"seed_scale: {elapsed:.1f} с (добавлено организаций: {result['organizations_added']},"
            f" значений: {result.get('cells', 0):,}); ANALYZE после: {analyzed:.1f} с"
        )
        self.stdout.write(f"  {'этап':<42} {'время, с':>10} {'ЦП клиента':>11} {'ЦП сервера':>11}")
        for name, seconds in scale.PHASES.items():
            client, server = scale.CPU[name]
            self.stdout.write(f"  {name:<42} {seconds:>10.1f} {client:>11.1f} {server:>11.1f}")
        client, server = (sum(cpu[i] for cpu in scale.CPU.values()) for i in (0, 1))
        self.stdout.write(f"  {'всего':<42} {elapsed:>10.1f} {client:>11.1f} {server:>11.1f}")
        models = [
            Region, Municipality, Organization, User, Collection,
            Collection.organizations.through, SchoolClass, ParticipantCode, Report, ReportRow,
            Cell, Submission, Extension, AuditEvent,
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


def coordinators(regions, municipalities, password: str) -> dict[int, int]:
    """`reg470000` per region, `reg47_m001` per municipality, and `operator_scale`; returns the
    regional coordinator's user id per region (who returns reports and grants extensions)."""
    users = [
        User(
            username=scale.OPERATOR_LOGIN,
            password=password,
            role=User.Role.OPERATOR,
            is_staff=True,
            # Federal operators are superusers (`seed_demo`'s admin, `createsuperuser`): the
            # admin's model pages follow Django's permissions, which only a superuser has.
            is_superuser=True,
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
    scale.country.new_users(users)
    return dict(
        User.objects.filter(
            role=User.Role.REGIONAL, username__in=[f"reg{r.code}0000" for r in regions]
        ).values_list("region_id", "pk")
    )
