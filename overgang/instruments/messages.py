"""User-facing Danish (and English) messages for the stable answer-problem codes.

``types.py`` and ``engine.py`` report problems with a stable code and a developer
message; forms and the importer show the user these instead.
"""

from django.utils import translation
from django.utils.translation import gettext as _

from overgang.instruments.types import REFERENCE


def _bound(bound, instrument=None) -> str:
    """A constraint bound as the user reads it: a number or date as it is, the fill-in
    date and another item's answer by name (never ``filled_on`` or ``${last_contact}``)."""
    if bound is None:
        return ""
    if bound == "filled_on":
        return _("udfyldelsesdatoen")
    m = REFERENCE.fullmatch(str(bound))
    if m:
        name = m.group(1)
        if instrument is not None and instrument.has_item(name):
            label = instrument.item(name).label.get(translation.get_language() or "da")
            return _("svaret på «%(label)s»") % {"label": label}
        return _("svaret på %(name)s") % {"name": name}
    return str(bound)


def answer_message(issue, item=None, instrument=None) -> str:
    constraint = getattr(item, "constraint", None)
    values = {
        "min": _bound(getattr(constraint, "min", None), instrument),
        "max": _bound(getattr(constraint, "max", None), instrument),
    }
    is_date = getattr(item, "type", None) == "date"
    messages = {
        "not_a_code": _("Vælg et af svarene på listen."),
        "unknown_code": _("Svaret findes ikke på listen for dette spørgsmål."),
        "bad_format": _("Svaret har en form, der ikke kan læses."),
        "not_ascending": _("Svarkoderne skal stå i stigende rækkefølge og kun én gang hver."),
        "exclusive_code": _("Dette svar kan ikke kombineres med andre svar."),
        "below_min": (_("Datoen må ikke ligge før %(min)s.") if is_date
                      else _("Værdien må ikke være mindre end %(min)s.")) % values,
        "above_max": (_("Datoen må ikke ligge efter %(max)s.") if is_date
                      else _("Værdien må ikke være større end %(max)s.")) % values,
        "not_an_integer": _("Skriv et helt tal, fx 3."),
        "out_of_range": _("Tallet er alt for stort (det skal ligge mellem −1.000.000.000 og 1.000.000.000)."),
        "not_a_number": _("Skriv et tal, fx 2,5."),
        "too_many_decimals": _("Brug højst to decimaler."),
        "not_a_date": _("Skriv en dato som ÅÅÅÅ-MM-DD, fx 2026-03-01."),
        "empty": _("Svaret er tomt."),
        "too_long": _("Teksten er for lang (højst 2000 tegn)."),
        "note_has_answer": _("Dette felt er en forklaring og kan ikke besvares."),
        "not_relevant": _("Spørgsmålet er sprunget over ifølge de tidligere svar og må ikke besvares."),
        "unknown_item": _("Spørgsmålet findes ikke i dette skema."),
    }
    return messages.get(issue.code, _("Svaret kan ikke bruges."))
