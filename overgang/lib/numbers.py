"""Numbers as people read them, the same in tables, charts and printouts.

One rounding (half up, from the shortest decimal form of the number: 50.25 → 50.3,
6.65 → 6.7, 12.5 % → 13 %) and the language's decimal mark (50,3 in Danish, 50.3 in
English). Python's ``round`` and ``f"{x:.1f}"`` round half to even on the binary value
(50.25 → 50.2, 12.5 → 12) and always write a point: a chart label made that way can
disagree with the table beside it.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format


def half_up(value, decimals: int = 1) -> Decimal:
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def decimal_text(value, decimals: int = 1) -> str:
    """``value`` with ``decimals`` decimals, rounded half up, in the active language."""
    return number_format(half_up(value, decimals), decimals)


def percent(count: int, n: int) -> int:
    """``count`` of ``n`` as a whole percent, rounded half up, decided in integers."""
    return (200 * count + n) // (2 * n)


def label(value, decimals: int = 1) -> str:
    """A value printed on a chart: a whole number as it is, anything else as ``decimal_text``."""
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and decimals == 0):
        return str(int(value))
    return decimal_text(value, decimals)


def tick(value) -> str:
    """An axis tick: as few decimals as the value needs (0, 2,5, 100), in the active language."""
    return number_format(Decimal(f"{float(value):g}"))
