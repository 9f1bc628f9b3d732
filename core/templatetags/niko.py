"""Template filters every page uses; registered as builtins in settings (no {% load %})."""

from django import template

from core.text import msk as msk_text

register = template.Library()


@register.filter
def msk(moment) -> str:
    """{{ report.submitted_at|msk }} → «21.11.2026 14:05 (МСК)»; nothing for no date."""
    return msk_text(moment) if moment else ""
