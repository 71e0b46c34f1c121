"""Recognise CPR-number-shaped text.

Citizens in Overgang are known by a self-chosen pseudonym, never by their CPR number
(security.md). A pseudonym that *looks* like a CPR number is refused: ten digits whose
first six form a day and month (DDMMYY), with an optional hyphen or space after the
date (``010190-1234``, ``0101901234``, ``010190 1234``). Digits may stand inside other
text ("anna010190-1234"), which is refused too.
"""

import re

_CPR = re.compile(r"(?<!\d)(0[1-9]|[12]\d|3[01])(0[1-9]|1[0-2])(\d{2})[-\s]?(\d{4})(?!\d)")


def looks_like_cpr(text: str) -> bool:
    """True when ``text`` contains a CPR-number-shaped run of digits."""
    return bool(_CPR.search(text or ""))
