"""Answers a CTI worker and a citizen would give, valid by construction.

``draw`` walks an instrument's items in form order and answers only what the form shows
at that point (the instruments engine's relevance language, ``expressions.evaluate``, on
the values given so far), within each item's codes, bounds and date bounds — so every
record it makes passes ``engine.check_answers`` and, unless a ``Profile`` asks for
legacy gaps, ``engine.missing_required`` finds nothing. What a real person would answer
(the star improving over a course, WHO-5 following it, selling sex less often, the same
debts and children from form to form) is passed in as ``fixed`` answers by the caller
(``lives.py``); every other item is drawn: a missing code (88 "irrelevant", 99 "ved
ikke", 8) now and then, a plausible number, a date inside its bounds, a short text.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from overgang.instruments import expressions
from overgang.instruments.types import AnswerError, Context, date_bound

PLAIN_TEXTS = (
    "Aftalt at følge op i næste uge.",
    "Borgeren vil gerne selv ringe til sagsbehandleren.",
    "Har haft en svær periode, men møder stabilt op.",
    "Ønsker hjælp til at åbne post og betale regninger.",
    "Vil gerne i gang med et kursus efter sommerferien.",
    "Bor midlertidigt hos en veninde.",
    "Går til lægen hver 14. dag.",
    "Ikke afklaret endnu.",
)

# Free text as awkward as a package can carry it: commas, quotes, line breaks (\n and
# \r\n), æøå, surrounding spaces, a would-be spreadsheet formula.
NASTY_TEXTS = (
    "Hun sagde: \"Jeg vil ud\", og så græd hun.",
    "Linje et\nlinje to, med komma",
    "Windows-linjer\r\nogså; æ ø å Æ Ø Å",
    "  mellemrum før og efter  ",
    '"',
    "=SUM(A1:A2) ikke en formel",
    "Ålborg, Ærø, Øresund — «citat» ’apostrof’",
    "tabulator\tog, komma,,,",
)

# Numbers people actually give where the codebook's bounds are wide (inclusive ranges).
NUMBER_RANGES = {
    "meeting_minutes": (20, 240),
    "rent": (2500, 9500),
    "children_n": (1, 3),
    "paid_count": (1, 20),
    "age": (18, 60),
    "physical_meetings": (1, 12),
    "months": (0, 13),
}
HOURS_RANGE = (0, 40)


@dataclass(frozen=True)
class Profile:
    """How answers are drawn beyond the fixed ones."""

    missing_rate: float = 0.05  # a missing code (88/99/8) where the item offers one
    optional_rate: float = 0.35  # an optional item (not free text) that is answered
    text_rate: float = 0.12  # a free-text item that is answered
    gap_rate: float = 0.0  # a relevant required item left unanswered (legacy data: the record is incomplete)
    texts: tuple = PLAIN_TEXTS


APPLICATION = Profile()
# Paper and legacy platforms: gaps, many "ved ikke", awkward text (interchange tests).
LEGACY = Profile(missing_rate=0.12, optional_rate=0.6, text_rate=0.3, gap_rate=0.03, texts=NASTY_TEXTS)
# Every code and branch, often (tests of the engine and the importer).
WIDE = Profile(missing_rate=0.3, optional_rate=0.6, text_rate=0.5, texts=NASTY_TEXTS)


def draw(instrument, filled_on: dt.date, rng, fixed=None, profile: Profile = APPLICATION) -> dict:
    """Answers (item name → Python answer) to ``instrument`` filled in on ``filled_on``.

    ``fixed`` answers are used where the form shows their item (a fixed None leaves the
    item unanswered); the rest is drawn. Items the skip logic hides get no answer.
    """
    fixed = fixed or {}
    values: dict = {}
    random = rng.random
    for name, relevance, kind, required, item, options in _compiled(instrument):
        if relevance is not None and not relevance(values):
            continue
        if name in fixed:
            value = fixed[name]
        elif kind == "text":
            value = rng.choice(profile.texts) if random() < profile.text_rate else None
        elif not required and random() >= profile.optional_rate:
            value = None
        elif required and profile.gap_rate and random() < profile.gap_rate:
            value = None
        elif kind == "one":
            missing, plain = options
            pool = missing if missing and random() < profile.missing_rate else plain
            value = pool[int(random() * len(pool))]
        elif kind == "many":
            exclusive, plain = options
            if exclusive and random() < profile.missing_rate * 2:
                value = (rng.choice(exclusive),)
            else:
                value = tuple(sorted(rng.sample(plain, rng.randint(1, min(3, len(plain))))))
        elif kind == "whole":
            value = rng.randint(*options)
        elif kind == "quarters":
            low, high = options
            value = Decimal(rng.randint(low * 4, high * 4)) / 4  # quarter hours: at most two decimals
        elif kind == "date":
            value = _date(item, filled_on, values, rng)
        else:  # a type this generator has no realism for: the type's own plausible answer
            value = item.handler.draw_plausible(item, rng, Context(filled_on=filled_on, answers=values))
        if value is not None:
            values[name] = value
    return values


_COMPILED: dict = {}


def _compiled(instrument):
    """Per answerable item, in form order: what ``draw`` needs, computed once per
    instrument (relevance None when always shown; codes and ranges ready to draw from)."""
    key = id(instrument)
    found = _COMPILED.get(key)
    if found is not None and found[0] is instrument:
        return found[1]
    rows = []
    for item in instrument.items:
        if item.is_note:
            continue
        relevance = None if isinstance(item.relevance, expressions.Always) else expressions.predicate(item.relevance)
        # What the item's type handler says it is (the instrument door), never its type's
        # name: a type added to the registry gets its own plausible answer (draw_plausible).
        handler, options = item.handler, None
        if handler.free_text:
            kind = "text"
        elif handler.has_choices and handler.multiple:
            kind = "many"
            exclusive = sorted(item.choices.exclusive_codes)
            options = (exclusive, [code for code in item.choices.codes if code not in item.choices.exclusive_codes])
        elif handler.has_choices:
            kind = "one"
            missing = sorted(item.choices.missing_codes)
            plain = [code for code in item.choices.codes if code not in item.choices.missing_codes]
            options = (missing, plain or list(item.choices.codes))
        elif handler.constraint_kind == "number":
            kind, options = ("quarters" if _takes_fractions(item) else "whole"), _number_range(item)
        elif handler.constraint_kind == "date":
            kind = "date"
        else:
            kind = "other"
        rows.append((item.name, relevance, kind, item.required, item, options))
    _COMPILED[key] = (instrument, tuple(rows))
    return _COMPILED[key][1]


def _takes_fractions(item) -> bool:
    """Whether the item's type accepts a quarter (hours do, counts do not)."""
    try:
        item.handler.parse(item, "0.25")
    except AnswerError:
        return False
    return True


def _number_range(item):
    c = item.constraint
    low = c.min if c and isinstance(c.min, (int, float)) else 0
    high = c.max if c and isinstance(c.max, (int, float)) else None
    a, b = HOURS_RANGE if item.name.startswith("hours_") else NUMBER_RANGES.get(item.name, (low, low + 60))
    a, b = max(a, low), b if high is None else min(b, high)
    return int(math.ceil(a)), int(math.floor(b))


def _date(item, filled_on, values, rng):
    c = item.constraint
    context = Context(filled_on=filled_on, answers=values)
    low = date_bound(c.min, context) if c else None
    high = date_bound(c.max, context) if c else None
    if item.name == "birth_date":
        low = max(low or dt.date.min, filled_on - dt.timedelta(days=365 * 58))
        high = min(high or dt.date.max, filled_on - dt.timedelta(days=365 * 18 + 5))
    elif low is None:
        low = (high or filled_on) - dt.timedelta(days=90)
    if high is None:
        high = max(low, filled_on) + dt.timedelta(days=30)
    if high < low:
        return None
    return low + dt.timedelta(days=rng.randint(0, (high - low).days))


def who5_items(index: float, rng, score) -> dict:
    """Answers (0–5 each) to the WHO-5 ``score``'s items whose index (factor × sum) is near ``index``."""
    items = [0] * len(score.items)
    total = max(0, min(5 * len(items), round(index / score.factor)))
    for _ in range(total):
        open_ = [i for i in range(len(items)) if items[i] < 5]
        items[rng.choice(open_)] += 1
    return dict(zip(score.items, items))
