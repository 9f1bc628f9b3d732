"""The credentials sheet: login, name and one-time password of each issued account, as .xlsx.

The sheet is built in memory and handed to the operator once (a download or a file the
management command writes); the plain passwords are kept nowhere else.
"""

from collections.abc import Iterable
from datetime import datetime
from io import BytesIO
from typing import NamedTuple

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from core.files import safe_text
from core.text import msk_date, msk_time

SHEET_TITLE = "Учетные данные"
HEADERS = ("Логин", "Наименование", "Одноразовый пароль")
COLUMN_WIDTHS = (14, 70, 22)


class Credential(NamedTuple):
    login: str
    name: str
    password: str


def credentials_workbook(credentials: Iterable[Credential]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for credential in credentials:
        sheet.append([credential.login, safe_text(credential.name), credential.password])
    for letter, width in zip("ABC", COLUMN_WIDTHS, strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def credentials_filename(at: datetime | None = None) -> str:
    """«Учетные данные ОО 01.03.2026 14-05.xlsx» (Moscow time; no colon, Windows forbids it)."""
    moment = at or timezone.now()
    return f"Учетные данные ОО {msk_date(moment)} {msk_time(moment).replace(':', '-')}.xlsx"
