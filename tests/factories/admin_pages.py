"""An admin change page sent back as its form would send it."""

__all__ = ["admin_post"]


def admin_post(page, **changes) -> dict:
    """The POST data of an admin change page (a test client response): the object's form and
    every row of every inline with their current values, `changes` (name → value, None to
    leave a field out, as an unticked box) applied."""
    data = {}
    formsets = [inline.formset for inline in page.context["inline_admin_formsets"]]
    for form in [page.context["adminform"].form, *(f for s in formsets for f in s.forms)]:
        for name in form.fields:
            value = form[name].value()
            if value is True:
                data[form.add_prefix(name)] = "on"
            elif value not in (None, False):
                data[form.add_prefix(name)] = value
    for formset in formsets:
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}
