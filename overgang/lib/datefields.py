"""Dates as people in Denmark write them: day first, whatever the browser's locale.

A browser's ``<input type="date">`` shows its date in the *browser's* locale, not the
page's language: a default en-US Chromium shows 06/12/2026 and "mm/dd/yyyy" on a Danish
page, a US date a worker will misread (docs/style.md, "Dates"). Every date field in
Overgang is therefore a text field (``DayInput``) showing ``dd.mm.åååå``.

Accepted (``parse_day``), always day first:

* ``12.06.2026``, ``12-06-2026``, ``12/06/2026``, ``12,06,2026`` (a Danish tablet's
  number keyboard offers a comma, not a full stop); a day or month may have one digit.
* ISO ``2026-06-12`` (what tests, imports and an old form send); a four-digit year is
  never a day, so the two cannot be confused.

Refused: anything else (``2026/13/01``, ``06/12/26``) and days that do not exist
(``31.02.2026``). A month-first date cannot be told from a day-first one, so it is read
as day-first (the rule in docs/style.md) or refused when the "month" exceeds 12.
"""

import datetime as dt
import re

from django import forms
from django.utils.translation import gettext_lazy as _

_DAY_FIRST = re.compile(r"([0-9]{1,2})([./,-])([0-9]{1,2})\2([0-9]{4})")
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")

#: The shape shown in an empty field and in the message for a date that cannot be read.
PLACEHOLDER = _("dd.mm.åååå")
INVALID = _("Skriv datoen som dd.mm.åååå, fx 12.06.2026.")


def parse_day(text) -> dt.date | None:
    """``text`` → a date; None for an empty field; ValueError for anything else."""
    text = ("" if text is None else str(text)).strip()
    if not text:
        return None
    if match := _DAY_FIRST.fullmatch(text):
        day, _sep, month, year = match.groups()
    elif match := _ISO.fullmatch(text):
        year, month, day = match.groups()
    else:
        raise ValueError(f"{text[:40]!r} is not a day-first or ISO date")
    return dt.date(int(year), int(month), int(day))


def show_day(value) -> str:
    """A date (or an ISO text) → ``dd.mm.åååå``; any other text is shown as it is
    (a half-typed date comes back exactly as the worker left it)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        text = str(value)
        if not _ISO.fullmatch(text.strip()):
            return text
        try:
            value = dt.date.fromisoformat(text.strip())
        except ValueError:
            return text
    return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"


def iso_text(text) -> str:
    """A submitted date → its ISO text (the instruments' interchange form); a text that
    is no date is returned unchanged, for the caller's own refusal and message."""
    try:
        day = parse_day(text)
    except ValueError:
        return ("" if text is None else str(text)).strip()
    return "" if day is None else day.isoformat()


class DayInput(forms.TextInput):
    """A text field for one day, written ``dd.mm.åååå``.

    ``inputmode="decimal"`` gives a tablet a number keyboard *with* a separator (iOS's
    "numeric" has none); the separator is a full stop or, on a Danish tablet, a comma,
    and ``parse_day`` reads both. ``autocomplete="off"``: a browser's remembered entries
    would be other citizens' dates.
    """

    input_type = "text"

    def __init__(self, attrs=None):
        base = {"placeholder": PLACEHOLDER, "autocomplete": "off", "inputmode": "decimal",
                "maxlength": "10", "class": "day", "spellcheck": "false"}
        super().__init__({**base, **(attrs or {})})

    def format_value(self, value):
        text = show_day(value)
        return text or None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # The placeholder is lazy: translated in the language of the page being drawn.
        context["widget"]["attrs"]["placeholder"] = str(context["widget"]["attrs"].get("placeholder", ""))
        return context


class DayField(forms.DateField):
    """A date field with ``DayInput`` and ``parse_day``'s shapes (and no others)."""

    widget = DayInput
    default_error_messages = {"invalid": INVALID}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return parse_day(value)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
