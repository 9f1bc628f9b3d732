"""Children shown as rows on their parent's admin page (a section's questions, a table's
columns): a row has the fields read and reordered together, the child whole is on its own page.
The model's own checks (`clean`) still see every field, and may fault one the row does not
have: Django would fail on it (`add_error` names a field the form lacks), so the message goes to
the row, with the field's name."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
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
