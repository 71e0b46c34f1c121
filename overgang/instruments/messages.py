"""User-facing Danish (and English) messages for the stable answer-problem codes.

``types.py`` and ``engine.py`` report problems with a stable code and a developer
message; forms and the importer show the user these instead.
"""

from django.utils.translation import gettext as _


def answer_message(issue, item=None) -> str:
    constraint = getattr(item, "constraint", None)
    values = {
        "min": getattr(constraint, "min", ""),
        "max": getattr(constraint, "max", ""),
    }
    messages = {
        "not_a_code": _("Vælg et af svarene på listen."),
        "unknown_code": _("Svaret findes ikke på listen for dette spørgsmål."),
        "bad_format": _("Svaret har en form, der ikke kan læses."),
        "not_ascending": _("Svarkoderne skal stå i stigende rækkefølge og kun én gang hver."),
        "exclusive_code": _("Dette svar kan ikke kombineres med andre svar."),
        "below_min": _("Værdien må ikke være mindre end %(min)s.") % values,
        "above_max": _("Værdien må ikke være større end %(max)s.") % values,
        "not_an_integer": _("Skriv et helt tal, fx 3."),
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
