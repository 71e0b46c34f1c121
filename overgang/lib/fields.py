"""Form fields that refuse tampered choices with a form error, never a database error.

Django's model choice fields pass a submitted primary key straight into a query; a key
beyond the database's integer range (``99999999999999999999``) then fails inside the
database driver (SQLite: OverflowError) instead of as "not a valid choice". These check
the shape of the key first.
"""

import re

from django import forms
from django.core.exceptions import ValidationError

_PK = re.compile(r"[0-9]{1,18}")


def _checked(field, value):
    if value in field.empty_values:
        return
    if not _PK.fullmatch(str(value)):
        raise ValidationError(field.error_messages["invalid_choice"], code="invalid_choice",
                              params={"value": str(value)[:40]})


class SafeModelChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        _checked(self, value)
        return super().to_python(value)


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for item in value:
            if not _PK.fullmatch(str(item)):
                raise ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                      params={"pk": str(item)[:40]})
        return super()._check_values(value)
