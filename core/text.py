"""Russian words and Moscow dates as every page shows them; the one place that spells them."""

from datetime import date, datetime, tzinfo
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings


@cache
def _moscow() -> tzinfo:
    """The project's TIME_ZONE (Europe/Moscow; no page activates another), looked up once:
    `timezone.localtime` asks for the current zone on every call (~5 µs), and the readiness
    grid formats hundreds of moments a page."""
    return ZoneInfo(settings.TIME_ZONE)


def _local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("A naive moment has no Moscow time.")
    return moment.astimezone(_moscow())


def msk(moment: datetime) -> str:
    """21.11.2026 13:50 (МСК): the project's TIME_ZONE is Europe/Moscow."""
    return f"{_local(moment):%d.%m.%Y %H:%M} (МСК)"


def date_ru(day: date) -> str:
    """21.11.2026: a calendar date (no time, so no time zone)."""
    return f"{day:%d.%m.%Y}"


def msk_date(moment: datetime) -> str:
    """21.11.2026: the Moscow calendar day of a moment (not the UTC one, which differs between
    00:00 and 03:00 МСК)."""
    return date_ru(_local(moment).date())


def msk_day_month(moment: datetime) -> str:
    """21.11: the Moscow day and month of a moment, for narrow cells (the readiness grid)."""
    return f"{_local(moment):%d.%m}"


def msk_time(moment: datetime) -> str:
    return f"{_local(moment):%H:%M}"


def plural(number: int, one: str, few: str, many: str) -> str:
    """The Russian form for a count: 1 организация, 2 организации, 5 организаций."""
    if number % 10 == 1 and number % 100 != 11:
        return one
    if 2 <= number % 10 <= 4 and not 12 <= number % 100 <= 14:
        return few
    return many


def absolute_url(path: str) -> str:
    """A link for an e-mail: the portal's public address (SITE_URL) and the path."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"
