"""Template filters every page uses; registered as builtins in settings (no {% load %})."""

from django import template

from core.files import format_file_size
from core.text import msk as msk_text
from core.text import msk_date as msk_date_text
from core.text import msk_time as msk_time_text
from core.text import plural as plural_text

register = template.Library()


@register.filter
def msk(moment) -> str:
    """{{ report.submitted_at|msk }} → «21.11.2026 14:05 (МСК)»; nothing for no date."""
    return msk_text(moment) if moment else ""


@register.filter
def msk_date(moment) -> str:
    """{{ report.started_at|msk_date }} → «21.11.2026» (the Moscow day); nothing for no date.
    Much cheaper than |date in a list of many rows."""
    return msk_date_text(moment) if moment else ""


@register.filter
def msk_time(moment) -> str:
    """{{ report.started_at|msk_time }} → «14:05» (Moscow); nothing for no date."""
    return msk_time_text(moment) if moment else ""


@register.filter
def file_size(size) -> str:
    """{{ attachment.size|file_size }} → «350 КБ», «1,5 МБ»: the one spelling of sizes."""
    return format_file_size(size) if size else ""


@register.filter
def plural(number, forms: str) -> str:
    """{{ count|plural:"новый ответ,новых ответа,новых ответов" }} → «3 новых ответа»: the
    number and its Russian form (core.text.plural), for counts read out as text."""
    one, few, many = forms.split(",")
    number = int(number)
    return f"{number} {plural_text(number, one, few, many)}"
