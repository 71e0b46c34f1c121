"""Chapter 5's quantitative exhibits (sfi-analyses.md "Chapter 5, the quantitative rest").

Pure functions on a ``cohort.Cohort``: Figure 5.1 (focus areas worked on, by phase),
Figure 5.2 (kinds of activity, by phase), Table 5.2 (activities in the contact phase),
Table 5.3 (offers received in phase 3) and the hours per activity kind by phase (the
guide's figure "Støtte / Koordinering"), as the ``chapter5`` key of the JSON contract.

What an answer means — its type, its codes, which codes are missing codes — is asked
of the instrument definitions (``instruments.registry``): every code of an item's
choice list is a key of the output, also with a count of 0, and each distinct stored
answer is parsed once through the item's question type. What this module states itself
are the report's own definitions below (which item each exhibit reads, SFI's merged rows
of Table 5.2); ``tests/test_chapter5.py`` checks every item and code they name against
the codebook, so a renamed item or code fails loudly.

Populations (evaluation.md, sfi-analyses.md §2.1, §2.4): a phase's forms are the
course's ongoing forms with phase code 1 / 3 / 5, the latest per course (``Cohort.ongoing``);
the start form is the course's start CTI record; the end form its latest ``cti_end``.
A form is in an exhibit's N when it holds a valid answer to the item (not unanswered,
not only missing codes); "none" (code 0) is an answer with its own share.
"""

from __future__ import annotations

from collections import Counter
from operator import methodcaller

from overgang.evaluation import stats
from overgang.instruments import registry
from overgang.instruments.types import AnswerError

PHASES = ("phase1", "phase2", "phase3")
HOURS_POINTS = (*PHASES, "end")

#: Figure 5.1: ongoing form item 1.7.
FOCUS_AREAS = ("cti_ongoing", "dimensions_worked")
#: Figure 5.2: ongoing form item 1.8.
ACTIVITY_TYPES = ("cti_ongoing", "activity_types")
#: Table 5.3: ongoing form item 1.9, in phase 3.
OFFERS = ("cti_ongoing", "offers")
#: Codes the figures leave out of the chart, as SFI did ("other" and "none" are in the
#: table below it).
CHART_LEAVES_OUT = {FOCUS_AREAS: (9, 0), ACTIVITY_TYPES: (12, 0)}
#: Table 5.2: start form item 1.5 ("activities as part of establishing contact?") and the
#: code that is "yes"; then item 1.5.1, the kinds of activity.
CONTACT_ACTIVITIES = ("cti_start", "contact_activities")
CONTACT_ACTIVITIES_YES = 1
CONTACT_ACTIVITY_TYPES = ("cti_start", "contact_activity_types")
#: SFI's rows of Table 5.2 (codes of 1.5.1 merged as SFI printed them); every other code
#: of the list follows as a row of its own, keyed by its code.
CONTACT_TYPE_ROWS = {"supportive_talks": (6,), "benefits": (4, 5), "housing": (1,), "acute": (7,)}
#: The hours items 1.6 of the ongoing and the end form (the start form has none), by the
#: contract's key; ``support`` (an extra key) is practical + social support on one form.
HOURS = {
    "practical": "hours_practical", "social_support": "hours_social_support", "coordination": "hours_coordination",
    "transport": "hours_transport", "sparring": "hours_sparring", "other_activities": "hours_other_activities",
}
HOURS_INSTRUMENTS = ("cti_ongoing", "cti_end")
SUPPORT_KINDS = ("practical", "social_support")


def item(spec):
    """The codebook's item for ``(instrument, item name)`` (the current definition)."""
    instrument, name = spec
    return registry.get_instrument(instrument).item(name)


def answer_codes(spec) -> tuple[int, ...]:
    """The item's codes that are answers (missing codes left out), in the codebook's order."""
    choices = item(spec).choices
    return tuple(c for c in choices.codes if c not in choices.missing_codes)


class _Reader:
    """Valid answers to one item, each distinct stored text parsed once by the item's
    question type (``types.TYPES``); an answer the type refuses counts as unanswered."""

    def __init__(self, spec):
        self.item = item(spec)
        self.missing = self.item.choices.missing_codes if self.item.choices else frozenset()
        self._parsed = {}

    def value(self, raw):
        if raw is None:
            return None
        found = self._parsed.get(raw, self)
        if found is self:
            try:
                found = self.item.handler.parse(self.item, str(raw))
            except AnswerError:
                found = None
            if found is not None and stats.is_missing(found, self.missing):
                found = None
            self._parsed[raw] = found
        return found

    def tally(self, forms) -> Counter:
        """Counter of the valid answers of ``forms`` (answer dicts)."""
        name = self.item.name
        out = Counter()
        for raw, k in Counter(map(methodcaller("get", name), forms)).items():
            value = self.value(raw)
            if value is not None:
                out[value] += k
        return out


def _shares(count, n):
    return count / n if n else None


def multiple_choice(forms, spec) -> dict:
    """``{"n", "shares", "counts"}``: the forms answering ``spec`` and, per code of the
    item's list (as a string), the share of them that ticked it."""
    tally = _Reader(spec).tally(forms)
    n = sum(tally.values())
    counts = dict.fromkeys(answer_codes(spec), 0)
    for value, k in tally.items():
        for code in set(value if isinstance(value, tuple) else (value,)):
            if code in counts:
                counts[code] += k
    return {
        "n": n,
        "shares": {str(c): _shares(k, n) for c, k in counts.items()},
        "counts": {str(c): k for c, k in counts.items()},
    }


def by_phase(cohort, d, spec) -> dict:
    return {phase: multiple_choice(list(cohort.ongoing.get(d.ongoing_phase_codes[phase], {}).values()), spec)
            for phase in PHASES}


def contact_phase(cohort) -> dict:
    """Table 5.2: ``n`` start forms answering 1.5; ``with_activities`` those saying yes
    (share over ``n``); ``types`` per SFI row and per remaining code the number with that
    kind and its share of ``with_activities.n`` (sfi-analyses.md: 70 of 122, then of 70)."""
    starts = list(cohort.start_forms.values())
    asked = _Reader(CONTACT_ACTIVITIES)
    name = asked.item.name
    n = sum(asked.tally(starts).values())
    with_activities = [a for a in starts if asked.value(a.get(name)) == CONTACT_ACTIVITIES_YES]
    yes = len(with_activities)
    tally = _Reader(CONTACT_ACTIVITY_TYPES).tally(with_activities)
    merged = {code for codes in CONTACT_TYPE_ROWS.values() for code in codes}
    rows = dict(CONTACT_TYPE_ROWS)
    rows.update({str(c): (c,) for c in answer_codes(CONTACT_ACTIVITY_TYPES) if c not in merged})
    types = {}
    for key, codes in rows.items():
        hits = sum(k for value, k in tally.items() if any(c in codes for c in value))
        types[key] = {"n": hits, "share": _shares(hits, yes)}
    return {"n": n, "with_activities": {"n": yes, "share": _shares(yes, n)}, "types": types}


def offers_phase3(cohort, d) -> dict:
    """Table 5.3: the phase-3 ongoing forms answering 1.9; per offer code the number
    receiving it and its share, most frequent first (ties in the codebook's order)."""
    result = multiple_choice(list(cohort.ongoing.get(d.ongoing_phase_codes["phase3"], {}).values()), OFFERS)
    order = sorted(result["counts"], key=lambda c: -result["counts"][c])  # stable: codebook order on ties
    return {"n": result["n"], "offers": {c: {"n": result["counts"][c], "share": result["shares"][c]} for c in order}}


def hours(cohort, d) -> dict:
    """Mean hours of the last month per kind (items 1.6), per phase point and at the end;
    ``support`` is practical + social support on the forms answering both. Answers
    repeat a lot (whole and half hours), so each distinct answer (and pair of answers)
    is parsed once and the moments are taken over (value, count)."""
    sources = {phase: ("cti_ongoing", list(cohort.ongoing.get(d.ongoing_phase_codes[phase], {}).values()))
               for phase in PHASES}
    sources["end"] = ("cti_end", list(cohort.end_forms.values()))
    readers = {instrument: {key: _Reader((instrument, name)) for key, name in HOURS.items()}
               for instrument in HOURS_INSTRUMENTS}
    out = {}
    for point, (instrument, forms) in sources.items():
        row = {}
        for key, reader in readers[instrument].items():
            name = reader.item.name
            answers = Counter(map(methodcaller("get", name), forms))
            row[key] = stats.mean_of_counts((reader.value(raw), k) for raw, k in answers.items()).to_dict()
        first, second = (readers[instrument][k] for k in SUPPORT_KINDS)
        pairs = Counter(zip(map(methodcaller("get", first.item.name), forms),
                            map(methodcaller("get", second.item.name), forms)))
        sums = []
        for (a, b), k in pairs.items():
            x, y = first.value(a), second.value(b)
            sums.append((None if x is None or y is None else x + y, k))
        row["support"] = stats.mean_of_counts(sums).to_dict()
        out[point] = row
    return out


def chapter5(cohort, d) -> dict:
    """The ``chapter5`` object of the JSON report."""
    return {
        "focus_areas": by_phase(cohort, d, FOCUS_AREAS),
        "activity_types": by_phase(cohort, d, ACTIVITY_TYPES),
        "contact_phase": contact_phase(cohort),
        "offers_phase3": offers_phase3(cohort, d),
        "hours": hours(cohort, d),
    }
