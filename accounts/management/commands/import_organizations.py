"""Import organizations and their accounts from an .xlsx or .csv file.

Without --commit it is the dry run: every row is checked and nothing is written. With --commit
the organizations are created (all or none) and the credentials sheet with the one-time
passwords is written to --credentials, the only place the passwords ever exist in plain text.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts import importing, services
from accounts.credentials import credentials_workbook


class Command(BaseCommand):
    help = "Импорт образовательных организаций и их учетных записей из файла .xlsx или .csv."

    def add_arguments(self, parser):
        parser.add_argument("file", help="файл .xlsx или .csv с организациями")
        parser.add_argument(
            "--commit",
            action="store_true",
            help="записать организации (без этого ключа — только проверка)",
        )
        parser.add_argument(
            "--credentials",
            metavar="OUT.xlsx",
            help="куда сохранить лист учетных данных (обязательно с --commit)",
        )

    def handle(self, *args, file, commit, credentials, **options):
        source = Path(file)
        if commit and not credentials:
            raise CommandError(
                "Укажите --credentials ФАЙЛ.xlsx: куда сохранить лист учетных данных."
            )
        try:
            data = source.read_bytes()
        except OSError as error:
            raise CommandError(f"Не удалось прочитать файл {source}: {error.strerror}.") from None

        if not commit:
            result = importing.check_file(data=data, filename=source.name)
            if result.errors:
                self._reject(result.errors)
            self.stdout.write(
                f"Проверка пройдена: {importing.organizations_words(len(result.rows))}. "
                "Ничего не записано; для записи добавьте --commit --credentials ФАЙЛ.xlsx."
            )
            return

        # The sheet's file is created before anything is written, so a write can never end
        # with passwords that have nowhere to go.
        target = Path(credentials)
        try:
            sheet = target.open("xb")
        except FileExistsError:
            raise CommandError(
                f"Файл {target} уже существует: лист учетных данных не перезаписывается."
            ) from None
        except OSError as error:
            raise CommandError(f"Не удалось создать файл {target}: {error.strerror}.") from None
        try:
            rows = importing.read_file(data=data, filename=source.name)
            issued = services.organizations_import(rows=rows, actor=None, source=source.name)
        except BaseException as error:
            sheet.close()
            target.unlink(missing_ok=True)
            if isinstance(error, importing.ImportRejected):
                self._reject(error.errors)
            raise
        with sheet:
            sheet.write(credentials_workbook(issued))
        self.stdout.write(
            f"Создано: {importing.organizations_words(len(issued))}. "
            f"Лист учетных данных сохранен в {target}; передайте его организациям и удалите."
        )

    def _reject(self, errors):
        listed = importing.ImportResult(errors=errors).listed_errors()
        for error in listed:
            self.stderr.write(error)
        raise CommandError(f"Файл не принят, ничего не записано. Ошибок: {len(errors)}.")
