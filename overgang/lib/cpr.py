"""Recognise CPR-number-shaped text.

Citizens in Overgang are known by a self-chosen pseudonym, never by their CPR number
(security.md). A pseudonym that *looks* like a CPR number is refused: ten digits whose
first six form a day and month (DDMMYY), with an optional separator after the date — a
hyphen or other dash, a slash, a full stop or a space (``010190-1234``, ``0101901234``,
``010190 1234``, ``010190–1234``). Digits may stand inside other
text ("anna010190-1234"), which is refused too.
"""

import re

# ASCII digits only (a neighbouring digit of another script does not hide a CPR number);
# the separator may be any dash, a slash, a full stop or a space, as people type it.
_CPR = re.compile(
    r"(?<![0-9])(0[1-9]|[12][0-9]|3[01])(0[1-9]|1[0-2])([0-9]{2})[-\u2010-\u2015/.\s\u00a0]?([0-9]{4})(?![0-9])"
)


def looks_like_cpr(text: str) -> bool:
    """True when ``text`` contains a CPR-number-shaped run of digits."""
    return bool(_CPR.search(text or ""))
