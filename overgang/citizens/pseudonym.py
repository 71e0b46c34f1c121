"""The one validator of a pseudonym, used by the web form, the actions and the importer.

A pseudonym is what the worker types to find, confirm and erase a citizen, and what
every export and report carries, so it must be plain visible text:

- not empty, at most 64 characters;
- no surrounding, double or non-plain spaces, no line breaks, no control characters
  (escape sequences included) and no invisible formatting characters — among them the
  bidirectional overrides and isolates that make text display differently from what it
  is (U+202A–U+202E, U+2066–U+2069) — nor unassigned or private-use code points;
- nothing shaped like a CPR number (lib/cpr.py).

The web form first tidies what a person types (Unicode NFC, runs of spaces to one, no
spaces at the ends) and then applies the same rules; an import applies them as they
stand, since an imported id must come back out unchanged.
"""

import re
import unicodedata

from django.utils.translation import gettext_lazy as _

from overgang.lib.cpr import looks_like_cpr

MAX_LENGTH = 64
# Unicode categories a pseudonym never holds: controls, formatting (bidi marks and
# overrides, zero-width characters), surrogates, private use, unassigned, line and
# paragraph separators.
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_DIGITS_ONLY_CPR = re.compile(r"\d{6}-?\d{4}")

MESSAGES = {
    "required": _("Skriv et pseudonym."),
    "too_long": _("Pseudonymet må højst være %(max)s tegn."),
    "bad_text": _("Pseudonymet må kun indeholde synlige tegn og enkelte mellemrum: ingen linjeskift, styretegn eller "
                  "usynlige tegn (fx tegn, der vender skriftretningen), og ingen mellemrum først eller sidst."),
    "cpr_number": _("Pseudonymet ligner et CPR-nummer. Vælg sammen med borgeren et navn, der ikke kan føres tilbage "
                    "til personen."),
}


_TYPED_SPACE = re.compile(r"[ \t\u00a0\u202f]+")


def tidy(text: str) -> str:
    """What the web form makes of typed text before checking it: NFC, and every run of
    spaces a keyboard or a paste gives (space, tab, no-break spaces) one plain space,
    none at the ends. Anything else is left for the rules to refuse."""
    return _TYPED_SPACE.sub(" ", unicodedata.normalize("NFC", text or "")).strip(" ")


def problem(text: str) -> str | None:
    """The first rule ``text`` breaks, as a stable code (``required``, ``too_long``,
    ``bad_text``, ``cpr_number``), or None for a valid pseudonym."""
    if not text:
        return "required"
    if len(text) > MAX_LENGTH:
        return "too_long"
    if text != text.strip(" ") or "  " in text:
        return "bad_text"
    for char in text:
        if char != " " and (char.isspace() or unicodedata.category(char) in _REFUSED_CATEGORIES):
            return "bad_text"
    if _DIGITS_ONLY_CPR.fullmatch(text) or looks_like_cpr(text):
        return "cpr_number"
    return None


def message(code) -> str:
    return str(MESSAGES[code]) % {"max": MAX_LENGTH} if code == "too_long" else str(MESSAGES[code])


class InvalidPseudonym(ValueError):
    def __init__(self, code):
        self.code = code
        super().__init__(code)


def check(text: str) -> str:
    """``text`` if it is a valid pseudonym, else InvalidPseudonym(code)."""
    code = problem(text)
    if code:
        raise InvalidPseudonym(code)
    return text
