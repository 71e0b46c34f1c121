"""Small text helpers shared by commands and writers."""

from django.utils import translation


def in_both_languages(message) -> str:
    """``message()`` rendered in Danish and in English, joined by " / " (the command
    line speaks both, as the rest of the ``overgang`` command does)."""
    with translation.override("da"):
        da = str(message())
    with translation.override("en"):
        en = str(message())
    return da if da == en else f"{da} / {en}"
