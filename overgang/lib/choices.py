"""``get_FOO_display`` without translating every label of the field on every call.

Django's ``Model._get_FIELD_display`` builds a dict of the field's choices per call,
hashing each (lazy, translated) label: a contact's form label cost six translations, and
a citizen's page asks for a hundred of them. ``ChoiceDisplay`` keeps each field's
value → label map once per process (the labels stay lazy, so the text is still the
active language's) and answers exactly as Django does: the label for a known value,
the value itself for an unknown one.
"""

from django.utils.encoding import force_str

_labels: dict = {}


def labels(field) -> dict:
    """The field's value → (lazy) label, built once per field."""
    found = _labels.get(field)
    if found is None:
        found = _labels[field] = dict(field.flatchoices)
    return found


class ChoiceDisplay:
    """Mixin for models: a faster ``get_FOO_display``, same answers."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        try:
            label = labels(field).get(value, value)
        except TypeError:  # an unhashable value: Django's own way
            return super()._get_FIELD_display(field)
        return force_str(label, strings_only=True)
