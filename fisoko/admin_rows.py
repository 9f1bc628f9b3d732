"""Children shown as rows on their parent's admin page (a section's questions, a table's
columns): a row has the fields read and reordered together, the child whole is on its own page.
The model's own checks (`clean`) still see every field, and may fault one the row does not
have: Django would fail on it (`add_error` names a field the form lacks), so the message goes to
the row, with the field's name."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import capfirst


class RowForm(forms.ModelForm):
    def add_error(self, field, error):
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            error = self._in_row(error.error_dict)
        super().add_error(field, error)

    def _in_row(self, error_dict) -> ValidationError:
        opts = self._meta.model._meta
        kept = {
            name: messages
            for name, messages in error_dict.items()
            if name == NON_FIELD_ERRORS or name in self.fields
        }
        elsewhere = [
            f"{capfirst(opts.get_field(name).verbose_name)}: {message}"
            for name, messages in error_dict.items()
            if name not in kept
            for message in ValidationError(messages).messages
        ]
        if elsewhere:
            kept[NON_FIELD_ERRORS] = kept.get(NON_FIELD_ERRORS, []) + elsewhere
        return ValidationError(kept)


class ChildPageMixin:
    """The admin of a child shown as a row on its parent's page: saving the child (added or
    changed) returns to that parent's page, where the operator came from. `parent` is the
    child's foreign key to it («Сохранить и продолжить» / «…и добавить другой» keep Django's
    own answers)."""

    parent: str

    def _parent_page(self, obj):
        field = obj._meta.get_field(self.parent)
        meta = field.related_model._meta
        url = reverse(
            f"admin:{meta.app_label}_{meta.model_name}_change",
            args=[getattr(obj, field.attname)],
        )
        return redirect(url)

    def response_post_save_add(self, request, obj):
        return self._parent_page(obj)

    def response_post_save_change(self, request, obj):
        return self._parent_page(obj)
