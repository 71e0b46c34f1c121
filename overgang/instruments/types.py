"""The one registry of question types (instruments.md §2.2).

Every place that needs to know what a type means — parsing a submitted or imported
string, serialising an answer for `answers.csv`, checking a constraint, the form field
and how a submitted value reads, showing an answer in words, the export columns with
their value labels and cells, describing the type in the codebook, drawing a valid
answer for generated data — asks the object in ``TYPES`` (``item.handler``). Adding a
type is adding one class here, not editing a chain of ``if``s across the code base
(pyxform's QUESTION_CLASSES, formpack's fields).

Python values of answers:

=================  ===========================================
select_one         int (a code of the item's list)
select_multiple    tuple of int codes, ascending
integer            int
decimal            decimal.Decimal (at most 2 decimals)
date               datetime.date
text               str (verbatim)
note               never an answer
=================  ===========================================
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext_noop

TEXT_MAX = 2000
DECIMAL_PLACES = 2
_INT = re.compile(r"-?(0|[1-9][0-9]*)")
_DEC = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: A reference to another item's answer in a constraint bound: ``${last_contact}``.
REFERENCE = re.compile(r"\$\{([a-z][a-z0-9_]*)\}")


@dataclass(frozen=True)
class AnswerIssue:
    """A problem with one answer; `code` is stable, `message` is for developers and logs."""

    code: str
    item: str
    message: str


class AnswerError(ValueError):
    def __init__(self, code: str, item: str, message: str):
        self.issue = AnswerIssue(code, item, message)
        super().__init__(f"{item}: {message}")


EXPORT_KINDS = ("int", "float", "str", "date")


@dataclass(frozen=True)
class ExportColumn:
    """One column of an evaluator table: its name, variable label, kind (``int``,
    ``float``, ``str`` or ``date``), value labels and the codes that are missing values."""

    name: str
    label: str
    kind: str
    value_labels: dict = field(default_factory=dict)
    missing_codes: tuple = ()

    def __post_init__(self):
        if self.kind not in EXPORT_KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


def _translated(text: str, lang: str) -> str:
    """A user-facing word of the registry (Danish in the code) in ``lang``."""
    with translation.override(lang):
        return translation.gettext(text)


@dataclass(frozen=True)
class Context:
    """What a constraint may refer to besides the value: the record's date and its answers."""

    filled_on: datetime.date | None = None
    answers: Mapping = field(default_factory=dict)


class QuestionType:
    name = ""
    answerable = True  # False for a note: shown, never answered
    has_choices = False
    multiple = False  # the answer is a set of codes
    constraint_kind = None  # "number", "date" or None: what `constraint` bounds may hold
    # Free text: may name anyone and anything, so it is always stored sealed (encrypted
    # with the citizen's key, instruments.md §2.2) and never enters a statistic.
    free_text = False
    sealed = False
    # ``parse`` accepts only the canonical text, so an accepted string is stored as it
    # came; a type whose answers can be written several ways ("2.50") stores
    # ``serialise(parse(text))``.
    canonical_text = True
    export_kind = "str"  # the evaluator column kind (``ExportColumn.kind``)

    def parse(self, item, raw: str):
        """An interchange/form string → the Python answer. Raises AnswerError."""
        raise NotImplementedError

    def serialise(self, item, value) -> str:
        """The Python answer → the interchange string (`answers.csv` `value`)."""
        raise NotImplementedError

    def check(self, item, value, context: Context | None = None) -> list[AnswerIssue]:
        """Hard constraints (§2.5): ranges, date order, codes, exclusivity, length."""
        return []

    # ------------------------------------------------------------------ export

    def export_columns(self, item) -> list[str]:
        return [column.name for column in self.export_specs(item)]

    def export_specs(self, item, lang: str = "da") -> list[ExportColumn]:
        """The evaluator table's columns for this item (instruments.md §2.6)."""
        return [ExportColumn(item.name, item.label.get(lang), self.export_kind)]

    def export_values(self, item, value) -> list:
        """One cell per export column, as a Python value (a date stays a date, a decimal
        a Decimal); None for no answer."""
        return [value]

    def value_labels(self, item, lang: str = "da") -> dict[int, str]:
        return {}

    def finite_values(self, item) -> dict | None:
        """Every valid interchange string → its answer, where the type can list them
        (codes, a bounded integer), else None."""
        return None

    def label_text(self, item, value, lang: str = "da") -> str:
        """The answer's choice labels in words ("" for a type without choices)."""
        return ""

    # ------------------------------------------------------------------ showing

    def display(self, item, value, lang: str = "da") -> str:
        """The answer as a reader sees it on a record's page."""
        if value is None:
            return ""
        return self.serialise(item, value)

    # ------------------------------------------------------------------ the form

    form_layout = "field"  # how the page template lays the field out: field, choices or ladder

    def layout(self, item) -> str:
        return self.form_layout

    def form_field(self, item, lang: str = "da"):
        """The Django form field for one item; every field is optional in the form (a
        draft may be half done; required items are enforced at completion)."""
        from django import forms

        return forms.CharField(label=item.label.get(lang), help_text=_hint(item, lang), required=False,
                               max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3}))

    def submitted(self, data, item):
        """The item's raw value in a submitted form (a QueryDict)."""
        return data.get(item.name)

    def form_text(self, item, raw) -> str:
        """A submitted or cleaned form value → the interchange text ``parse`` reads; ""
        for no answer."""
        if raw is None:
            return ""
        return str(raw).strip()

    def form_initial(self, item, value):
        """A stored answer → the form field's initial value."""
        if value is None:
            return None
        return self.serialise(item, value)

    # ------------------------------------------------------------------ generated data

    def draw_any(self, item, rng, context: Context):
        """Any valid answer (missing codes, exclusive codes and wide ranges included),
        for generated packages; None where the type has none."""
        return None

    def draw_plausible(self, item, rng, context: Context):
        """A plausible answer for the demo (no missing codes, small numbers, recent
        dates); None where the type has none."""
        return None

    def describe_constraint(self, item) -> str:
        c = item.constraint
        if not c or (c.min is None and c.max is None):
            return ""
        lo = "" if c.min is None else str(c.min)
        hi = "" if c.max is None else str(c.max)
        if c.min is not None and c.max is not None:
            return f"{lo} … {hi}"
        return f"≥ {lo}" if c.min is not None else f"≤ {hi}"

    def _fail(self, item, code, message):
        raise AnswerError(code, item.name, message)


class _Choice(QuestionType):
    has_choices = True
    export_kind = "int"
    form_layout = "choices"

    def value_labels(self, item, lang="da"):
        return {c.code: c.label.get(lang) for c in item.choices.choices}

    def _codes(self, value):
        return value if isinstance(value, tuple) else (value,)

    def finite_values(self, item):
        return None if self.multiple else {str(code): code for code in item.choices.codes}

    def label_text(self, item, value, lang="da"):
        return "; ".join(item.choices.get(code).label.get(lang) for code in self._codes(value))

    def display(self, item, value, lang="da"):
        if value is None:
            return ""
        # Workers read the answers as they gave them: labels, not the codebook's codes.
        return "; ".join(
            choice.label.get(lang) if (choice := item.choices.get(code)) else str(code)
            for code in self._codes(value)
        )

    def _form_choices(self, item, lang):
        return [(str(c.code), c.label.get(lang)) for c in item.choices.choices]

    def describe_constraint(self, item):
        return ""

    def _code(self, item, token: str) -> int:
        if not _INT.fullmatch(token) or token.startswith("-"):
            self._fail(item, "not_a_code", f"{token!r} is not a code")
        if len(token) > 9:  # no code is that long (and int() of thousands of digits refuses)
            self._fail(item, "unknown_code", f"{token[:20]}… is not a code of the list {item.choices.name}")
        code = int(token)
        if code not in item.choices.codes:
            self._fail(item, "unknown_code", f"{code} is not a code of the list {item.choices.name}")
        return code


class SelectOne(_Choice):
    name = "select_one"

    def parse(self, item, raw):
        return self._code(item, _stripped(self, item, raw))

    def serialise(self, item, value):
        return str(int(value))

    def check(self, item, value, context=None):
        if isinstance(value, bool) or not isinstance(value, int) or value not in item.choices.codes:
            return [AnswerIssue("unknown_code", item.name, f"{value!r} is not a code of {item.choices.name}")]
        return []

    def export_specs(self, item, lang="da"):
        return [ExportColumn(item.name, item.label.get(lang), "int", self.value_labels(item, lang),
                             tuple(sorted(item.choices.missing_codes)))]

    def form_field(self, item, lang="da"):
        from django import forms

        return forms.ChoiceField(label=item.label.get(lang), help_text=_hint(item, lang),
                                 choices=self._form_choices(item, lang), required=False, widget=forms.RadioSelect)

    def draw_any(self, item, rng, context):
        return rng.choice(item.choices.codes)

    def draw_plausible(self, item, rng, context):
        return rng.choice([c.code for c in item.choices.choices if not c.missing])


class SelectMultiple(_Choice):
    name = "select_multiple"
    multiple = True

    def parse(self, item, raw):
        raw = _stripped(self, item, raw)
        if not re.fullmatch(r"[0-9]+( [0-9]+)*", raw):
            self._fail(item, "bad_format", f"{raw!r}: codes must be separated by single spaces")
        codes = [self._code(item, t) for t in raw.split(" ")]
        if codes != sorted(set(codes)):
            self._fail(item, "not_ascending", f"{raw!r}: codes must be ascending and not repeated")
        value = tuple(codes)
        issues = self.check(item, value)
        if issues:
            raise AnswerError(issues[0].code, item.name, issues[0].message)
        return value

    def serialise(self, item, value):
        return " ".join(str(c) for c in sorted(set(value)))

    def check(self, item, value, context=None):
        if not isinstance(value, tuple) or not value:
            return [AnswerIssue("bad_format", item.name, "a multiple-choice answer is a non-empty tuple of codes")]
        unknown = [c for c in value if isinstance(c, bool) or not isinstance(c, int) or c not in item.choices.codes]
        if unknown:
            return [AnswerIssue("unknown_code", item.name, f"{unknown} not in {item.choices.name}")]
        exclusive = set(value) & item.choices.exclusive_codes
        if exclusive and len(set(value)) > 1:
            code = min(exclusive)
            return [AnswerIssue("exclusive_code", item.name, f"code {code} must be the only code")]
        return []

    def export_specs(self, item, lang="da"):
        """The codes as text, then one 0/1 column per code in code order (§2.6)."""
        label = item.label.get(lang)
        selected = {0: _translated(gettext_noop("Ikke valgt"), lang), 1: _translated(gettext_noop("Valgt"), lang)}
        codes = _translated(gettext_noop("koder"), lang)
        return [ExportColumn(item.name, f"{label} ({codes})", "str")] + [
            ExportColumn(f"{item.name}_{c.code}", f"{label}: {c.label.get(lang)}", "int", selected)
            for c in sorted(item.choices.choices, key=lambda c: c.code)
        ]

    def export_values(self, item, value):
        if value is None:
            return [None] * (1 + len(item.choices.codes))
        chosen = set(value)
        return [self.serialise(item, value)] + [1 if c in chosen else 0 for c in sorted(item.choices.codes)]

    def form_field(self, item, lang="da"):
        from django import forms

        return forms.MultipleChoiceField(label=item.label.get(lang), help_text=_hint(item, lang),
                                         choices=self._form_choices(item, lang), required=False,
                                         widget=forms.CheckboxSelectMultiple)

    def submitted(self, data, item):
        return data.getlist(item.name)

    def form_text(self, item, raw):
        if raw is None:
            return ""
        # Checkbox values are codes; anything else (a tampered request) stays as it came,
        # so that ``parse`` refuses it with its message instead of a crash here.
        values = [str(c).strip() for c in raw]
        if all(re.fullmatch(r"[0-9]{1,9}", v) for v in values):
            return " ".join(str(code) for code in sorted({int(v) for v in values}))
        return " ".join(values)

    def form_initial(self, item, value):
        return None if value is None else [str(code) for code in value]

    def draw_any(self, item, rng, context):
        exclusive = sorted(item.choices.exclusive_codes)
        if exclusive and rng.random() < 0.15:
            return (rng.choice(exclusive),)
        plain = [code for code in item.choices.codes if code not in item.choices.exclusive_codes]
        return tuple(sorted(rng.sample(plain, rng.randint(1, min(3, len(plain))))))

    def draw_plausible(self, item, rng, context):
        codes = [c.code for c in item.choices.choices if not c.missing and not c.exclusive]
        return tuple(sorted(rng.sample(codes, k=min(len(codes), rng.randint(1, 2)))))


#: Every number answer lies strictly between -LIMIT and LIMIT: no count, amount of hours
#: or age comes near it, and beyond it values stop fitting the export formats (Parquet's
#: 64-bit integers, Stata's doubles) and the decimal arithmetic.
NUMBER_LIMIT = 10**9


def _out_of_range(item, value):
    return [AnswerIssue("out_of_range", item.name, f"{value} is outside ±{NUMBER_LIMIT}")]


class _Number(QuestionType):
    constraint_kind = "number"
    input_mode = "numeric"

    def _digits(self, item, raw):
        if len(raw.lstrip("-").split(".")[0]) > 12:
            self._fail(item, "out_of_range", f"{raw[:20]}… is outside ±{NUMBER_LIMIT}")

    def check(self, item, value, context=None):
        if not -NUMBER_LIMIT < value < NUMBER_LIMIT:
            return _out_of_range(item, value)
        c = item.constraint
        if c and c.min is not None and value < Decimal(str(c.min)):
            return [AnswerIssue("below_min", item.name, f"{value} is below {c.min}")]
        if c and c.max is not None and value > Decimal(str(c.max)):
            return [AnswerIssue("above_max", item.name, f"{value} is above {c.max}")]
        return []

    def form_field(self, item, lang="da"):
        from django import forms

        return forms.CharField(label=item.label.get(lang), help_text=_hint(item, lang), required=False, max_length=20,
                               widget=forms.TextInput(attrs={"inputmode": self.input_mode, "autocomplete": "off"}))

    def form_text(self, item, raw):
        if raw is None:
            return ""
        # Danish users write 2,5 and 1 000; the interchange form is 2.5 and 1000.
        return str(raw).replace(" ", "").replace("\u00a0", "").replace(",", ".").strip()

    def _bounds(self, item):
        c = item.constraint
        low = c.min if c and isinstance(c.min, (int, float)) else None
        high = c.max if c and isinstance(c.max, (int, float)) else None
        return low, high

    def draw_plausible(self, item, rng, context):
        low, high = self._bounds(item)
        low = 0 if low is None else low
        high = low + 10 if high is None else high
        return rng.randint(int(low), int(min(high, low + 10)))

    def _draw_range(self, item):
        c = item.constraint
        lo = int(c.min) if c and c.min is not None else 0
        hi = int(c.max) if c and c.max is not None else lo + 60
        return lo, min(hi, lo + 200)


class Integer(_Number):
    name = "integer"
    export_kind = "int"

    def parse(self, item, raw):
        raw = _stripped(self, item, raw)
        if not _INT.fullmatch(raw) or raw == "-0":
            self._fail(item, "not_an_integer", f"{raw!r} is not a whole number")
        self._digits(item, raw)
        return int(raw)

    def serialise(self, item, value):
        return str(int(value))

    def check(self, item, value, context=None):
        if isinstance(value, bool) or not isinstance(value, int):
            return [AnswerIssue("not_an_integer", item.name, f"{value!r} is not a whole number")]
        return super().check(item, value, context)

    def layout(self, item):
        return "ladder" if item.appearance == "ladder" else self.form_layout

    def finite_values(self, item):
        c = item.constraint
        if c and isinstance(c.min, int) and isinstance(c.max, int) and c.max - c.min <= 1000:
            return {str(v): v for v in range(c.min, c.max + 1)}
        return None

    def form_field(self, item, lang="da"):
        if item.appearance != "ladder":
            return super().form_field(item, lang)
        from django import forms

        # The star's 1–10 ladder: one radio per step, grouped by stage in the template.
        steps = [(str(n), str(n)) for n in range(int(item.constraint.min), int(item.constraint.max) + 1)]
        return forms.ChoiceField(label=item.label.get(lang), help_text=_hint(item, lang), choices=steps,
                                 required=False, widget=forms.RadioSelect)

    def draw_any(self, item, rng, context):
        lo, hi = self._draw_range(item)
        return rng.randint(lo, hi)


class DecimalType(_Number):
    name = "decimal"
    canonical_text = False
    export_kind = "float"
    input_mode = "decimal"

    def parse(self, item, raw):
        raw = _stripped(self, item, raw)
        if not _DEC.fullmatch(raw):
            self._fail(item, "not_a_number", f"{raw!r} is not a number with '.' as decimal point")
        self._digits(item, raw)
        value = Decimal(raw)
        if -value.as_tuple().exponent > DECIMAL_PLACES and value != value.quantize(Decimal(1).scaleb(-DECIMAL_PLACES)):
            self._fail(item, "too_many_decimals", f"{raw!r} has more than {DECIMAL_PLACES} decimals")
        return value

    def serialise(self, item, value):
        text = format(Decimal(value).normalize(), "f")
        return "0" if text in ("-0", "0") else text

    def check(self, item, value, context=None):
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            return [AnswerIssue("not_a_number", item.name, f"{value!r} is not a number")]
        value = Decimal(value)
        if not value.is_finite():
            return [AnswerIssue("not_a_number", item.name, f"{value!r} is not a number")]
        if not -NUMBER_LIMIT < value < NUMBER_LIMIT:
            return _out_of_range(item, value)
        if value != value.quantize(Decimal(1).scaleb(-DECIMAL_PLACES)):
            return [AnswerIssue("too_many_decimals", item.name, f"{value} has more than {DECIMAL_PLACES} decimals")]
        return super().check(item, value, context)

    def display(self, item, value, lang="da"):
        if value is None:
            return ""
        text = self.serialise(item, value)
        return text.replace(".", ",") if lang == "da" else text

    def form_initial(self, item, value):
        # The form is written the Danish way (2,5); form_text reads both.
        return None if value is None else self.serialise(item, value).replace(".", ",")

    def draw_any(self, item, rng, context):
        lo, hi = self._draw_range(item)
        return Decimal(rng.randint(lo * 100, hi * 100)) / 100


class Date(QuestionType):
    name = "date"
    constraint_kind = "date"
    export_kind = "date"

    def parse(self, item, raw):
        raw = _stripped(self, item, raw)
        try:
            if not _DATE.fullmatch(raw):
                raise ValueError
            return datetime.date.fromisoformat(raw)
        except ValueError:
            self._fail(item, "not_a_date", f"{raw!r} is not a date YYYY-MM-DD")

    def serialise(self, item, value):
        return value.isoformat()

    def check(self, item, value, context=None):
        if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
            return [AnswerIssue("not_a_date", item.name, f"{value!r} is not a date")]
        c, context = item.constraint, context or Context()
        lo = date_bound(c.min, context) if c else None
        hi = date_bound(c.max, context) if c else None
        if lo is not None and value < lo:
            return [AnswerIssue("below_min", item.name, f"{value} is before {c.min} ({lo})")]
        if hi is not None and value > hi:
            return [AnswerIssue("above_max", item.name, f"{value} is after {c.max} ({hi})")]
        return []

    def display(self, item, value, lang="da"):
        from django.utils.formats import date_format

        return "" if value is None else date_format(value, "SHORT_DATE_FORMAT")

    def form_field(self, item, lang="da"):
        from django import forms

        from overgang.lib.datefields import DayInput

        # Day first in the form (dd.mm.åååå, whatever the browser's locale); form_text
        # turns it into the ISO text ``parse`` reads, so the answer is stored as before.
        return forms.CharField(label=item.label.get(lang), help_text=_hint(item, lang), required=False, max_length=10,
                               widget=DayInput())

    def form_text(self, item, raw):
        from overgang.lib.datefields import iso_text

        return "" if raw is None else iso_text(raw)

    def limits(self, item, context):
        """The item's bounds as dates (None where there is none or it is unknown)."""
        c = item.constraint
        return (date_bound(c.min, context) if c else None), (date_bound(c.max, context) if c else None)

    def draw_any(self, item, rng, context, limits=None):
        """Within the item's bounds (``limits`` = (lo, hi) narrows them); None when they
        leave no day."""
        lo, hi = limits or self.limits(item, context)
        lo = lo or context.filled_on - datetime.timedelta(days=700)
        hi = hi or lo + datetime.timedelta(days=60)
        if hi < lo:
            return None
        return lo + datetime.timedelta(days=rng.randrange(0, (hi - lo).days + 1))

    def draw_plausible(self, item, rng, context):
        day = context.filled_on - datetime.timedelta(days=rng.randint(0, 30))
        # Within the item's bounds (e.g. "not before the last contact").
        low, high = self.limits(item, context)
        if low is not None and day < low:
            day = low + datetime.timedelta(days=rng.randint(0, max(0, ((high or low) - low).days)))
        if high is not None and day > high:
            day = high
        return day


class TextType(QuestionType):
    name = "text"
    free_text = True
    sealed = True

    def parse(self, item, raw):
        if not isinstance(raw, str) or raw == "":
            self._fail(item, "empty", "an empty text is no answer")
        return raw

    def serialise(self, item, value):
        return value

    def check(self, item, value, context=None):
        if not isinstance(value, str) or value == "":
            return [AnswerIssue("empty", item.name, "a text answer must be non-empty text")]
        if len(value) > TEXT_MAX:
            return [AnswerIssue("too_long", item.name, f"{len(value)} characters; at most {TEXT_MAX}")]
        return []

    def describe_constraint(self, item):
        return f"≤ {TEXT_MAX} characters"

    def draw_plausible(self, item, rng, context):
        return "Eksempeltekst" if item.required else None


class Note(QuestionType):
    name = "note"
    answerable = False

    def parse(self, item, raw):
        self._fail(item, "note_has_answer", "a note never has an answer")

    def serialise(self, item, value):
        raise AnswerError("note_has_answer", item.name, "a note never has an answer")

    def check(self, item, value, context=None):
        return [AnswerIssue("note_has_answer", item.name, "a note never has an answer")]

    def export_specs(self, item, lang="da"):
        return []

    def export_values(self, item, value):
        return []

    def display(self, item, value, lang="da"):
        return ""

    def form_field(self, item, lang="da"):
        return None


def _hint(item, lang) -> str:
    return item.hint.get(lang) if item.hint else ""


def _stripped(qtype, item, raw) -> str:
    if not isinstance(raw, str) or not raw.strip():
        qtype._fail(item, "empty", "no value given")
    if raw != raw.strip():
        qtype._fail(item, "bad_format", f"{raw!r} has surrounding spaces")
    return raw


def date_bound(bound, context: Context) -> datetime.date | None:
    """Resolve a date bound; an unknown bound (no filled_on, unanswered item) is no bound."""
    if bound is None:
        return None
    if bound == "filled_on":
        return context.filled_on
    m = REFERENCE.fullmatch(str(bound))
    if m:
        other = context.answers.get(m.group(1))
        return other if isinstance(other, datetime.date) else None
    return datetime.date.fromisoformat(str(bound))


def check_constraint_definition(type_name: str, constraint) -> list[str]:
    """Messages for a malformed `constraint` of an item of this type (used by validate)."""
    qtype = TYPES.get(type_name)
    if constraint is None:
        return []
    if not isinstance(constraint, dict):
        return ["constraint must be a mapping with min and/or max"]
    if qtype is None or qtype.constraint_kind is None:
        return [f"a {type_name} item takes no constraint"]
    extra = set(constraint) - {"min", "max"}
    if extra:
        return [f"unknown constraint keys {sorted(extra)}"]
    out = []
    for key in ("min", "max"):
        value = constraint.get(key)
        if value is None:
            continue
        if qtype.constraint_kind == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                out.append(f"{key} must be a number, not {value!r}")
        else:
            if isinstance(value, datetime.date):
                continue
            if not isinstance(value, str) or not (
                value == "filled_on" or REFERENCE.fullmatch(value) or _valid_iso(value)
            ):
                out.append(f"{key} must be YYYY-MM-DD, 'filled_on' or '${{item}}', not {value!r}")
    lo, hi = constraint.get("min"), constraint.get("max")
    if not out and qtype.constraint_kind == "number" and lo is not None and hi is not None and lo > hi:
        out.append(f"min {lo} is above max {hi}")
    return out


def constraint_references(constraint) -> list[str]:
    """Item names a date constraint refers to (`${first_contact}`)."""
    if not isinstance(constraint, dict):
        return []
    return [m.group(1) for v in constraint.values() if isinstance(v, str) for m in [REFERENCE.fullmatch(v)] if m]


def _valid_iso(value: str) -> bool:
    try:
        return bool(_DATE.fullmatch(value)) and bool(datetime.date.fromisoformat(value))
    except ValueError:
        return False


TYPES: dict[str, QuestionType] = {
    t.name: t for t in (SelectOne(), SelectMultiple(), Integer(), DecimalType(), Date(), TextType(), Note())
}
