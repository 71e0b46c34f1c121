from django import template

from overgang.instruments.names import instrument_name as _instrument_name

register = template.Library()


@register.filter
def instrument_name(name):
    """``{{ record.instrument|instrument_name }}``: the instrument's one display name."""
    return _instrument_name(name)
