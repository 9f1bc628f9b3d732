from django import template

from monitoring.presenters import status_label as _status_label

register = template.Library()


@register.filter
def status_label(organization) -> str:
    """«Не приступило» / «В работе» / «Сдано» of a participant (monitoring.presenters)."""
    return _status_label(organization)
