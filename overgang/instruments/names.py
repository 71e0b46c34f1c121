"""One display name per instrument, in the user's language, from its definition.

The name of an instrument is the ``title`` of its YAML definition (instruments README):
the schedule, the forms list, the timeline, the caseload, page titles, printouts and
export choices all call ``instrument_name`` (templates: ``{{ name|instrument_name }}``
after ``{% load instrument_names %}``), so the same form is never called two things and
an English page never shows a Danish name.
"""

from functools import cache

from django.utils.translation import get_language

from . import registry


def language(lang: str | None = None) -> str:
    """'en' or 'da': the product's two languages, from ``lang`` or the active language."""
    return "en" if (lang or get_language() or "da").startswith("en") else "da"


@cache
def _titles() -> dict:
    # The definitions in the repository do not change while the process runs.
    return {name: instrument.title for name, instrument in registry.all_instruments().items()}


def instrument_name(name: str, lang: str | None = None) -> str:
    """The display name of instrument ``name`` (``"star"``, ``"cti_ongoing"`` …)."""
    title = _titles().get(name)
    return title.get(language(lang)) if title is not None else name
