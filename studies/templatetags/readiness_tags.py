"""`share_cells`: one organization's cells of the columns other apps add (studies.extensions)."""

from django import template

from studies.extensions import cells_of

register = template.Library()


@register.simple_tag
def share_cells(groups, organization_id):
    return cells_of(groups or [], organization_id)
