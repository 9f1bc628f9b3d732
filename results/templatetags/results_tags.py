from django import template

from results import presenters, selectors

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
    return "—" if value is None else f"{value:.2f}".replace(".", ",")


@register.filter
def mark_percents(aggregate):
    return selectors.mark_percents(aggregate)
