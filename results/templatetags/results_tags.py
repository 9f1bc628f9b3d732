from django import template

from results import presenters

register = template.Library()


@register.filter
def percent(value):
    """75,5 % (or — when there is nobody to divide by)."""
    return presenters.percent_text(value)


@register.filter
def level_caption(figures):
    return presenters.level_caption(figures)


@register.filter
def average(value):
    return presenters.average_text(value)
