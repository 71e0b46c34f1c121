"""Dates as pages show them, formatted once per day and language in the process.

A citizen's page shows a few hundred dates (the timeline, the contact log, the
measurement plan); Django's ``date`` filter parses the format string and builds a
formatter for every one of them. ``short_date`` gives the same text as
``date_format(day, "SHORT_DATE_FORMAT")`` for the active language, remembered per
(day, language): a date's text in a language never changes while the process runs.
Datetimes are formatted every time (they depend on the time zone).

Templates use the ``shortdate`` filter (a built-in of the template engine, settings.py):
``{{ day|shortdate }}`` is ``{{ day|date:"SHORT_DATE_FORMAT" }}``, faster.
"""

import datetime as dt
from functools import lru_cache

from django import template
from django.utils.formats import date_format
from django.utils.translation import get_language

register = template.Library()


@lru_cache(maxsize=16384)
def _short(day: dt.date, language: str) -> str:
    # ``language`` is the active language: part of the key, used by date_format.
    return date_format(day, "SHORT_DATE_FORMAT")


def short_date(value) -> str:
    """``value`` (a date or datetime) as the active language writes a short date."""
    if type(value) is dt.date:
        return _short(value, get_language())
    return date_format(value, "SHORT_DATE_FORMAT")


@register.filter(expects_localtime=True, is_safe=False)
def shortdate(value):
    """The ``date:"SHORT_DATE_FORMAT"`` filter, memoised for dates; "" for no value."""
    if value in (None, ""):
        return ""
    try:
        return short_date(value)
    except (AttributeError, TypeError, ValueError):
        return ""
