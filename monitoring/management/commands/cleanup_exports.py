from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from monitoring.services import exports_cleanup


class Command(BaseCommand):
    help = "Удаляет файлы «Экспорт результатов» старше заданного числа дней (по расписанию)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.MONITORING_EXPORT_RETENTION_DAYS,
            help="Сколько дней хранить файлы экспорта.",
        )

    def handle(self, *args, **options):
        deleted = exports_cleanup(older_than=timedelta(days=options["days"]))
        self.stdout.write(f"Удалено экспортов: {deleted}")
