from django.core.management.base import BaseCommand

from notifications import scheduler


class Command(BaseCommand):
    help = (
        "Планировщик уведомлений: открытие сборов, напоминания о сроках, публикации по "
        "расписанию. Работает рядом с db_worker; с --once делает один проход (для cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Один проход и выход.")
        parser.add_argument(
            "--interval", type=float, default=60.0, help="Пауза между проходами, секунд."
        )

    def handle(self, *args, once, interval, **options):
        if once:
            created = scheduler.run_pass()
            total = sum(created.values())
            self.stdout.write(f"Проход планировщика: создано уведомлений — {total}.")
            return
        self.stdout.write(f"Планировщик уведомлений запущен, проход каждые {interval:g} с.")
        try:
            scheduler.run_forever(interval=interval)
        except KeyboardInterrupt:
            self.stdout.write("Планировщик остановлен.")
