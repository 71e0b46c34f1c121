"""The human report: the JSON report laid out as SFI's numbered tables and figures.

``build(report, suppress=…, small=…)`` turns the JSON dict into a ``Document`` — a first
page in plain Danish, then sections of numbered ``Block``s (a table, a figure with its
SVG chart, or both), each with its title as SFI wrote it, its N and a one-sentence
definition. The same document feeds the page, the PDF and the workbook, so the three
always agree. With ``suppress`` (project leaders, security.md) every count below
``small`` and every share or mean resting on one is shown as "<5", and charts leave such
points out. Chapters 6 and 7 are in ``document_outcomes.py``.

Words come from two places only: the report's own (titles, definitions, rows that group
codes — gettext, Danish in the code) and the codebook's (``Labels``: an item's label, a
code's label, the star's dimensions), in the language the report is rendered in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from overgang.evaluation import stats
from overgang.evaluation.definitions import SFI_COURSE_MONTHS, dropout_cutoff
from overgang.instruments import codebook
from overgang.instruments.names import instrument_name
from overgang.lib import numbers

POINTS = ("start", "phase1", "phase2", "phase3", "end")

# How a count hidden by complementary suppression reads (disclosure.py).
SECONDARY = "x"


class Labels:
    """The codebook's words for the items and codes a table shows, in the language of
    the report being rendered (the repository's definitions: the newest wording)."""

    def __init__(self, codebooks=None):
        self.codebooks = codebooks if codebooks is not None else codebook.repository()
        self.lang = "en" if (get_language() or "da").startswith("en") else "da"

    def _item(self, name, instrument):
        return self.codebooks[instrument].item(name) if instrument else self.codebooks.item(name)

    def item(self, name, instrument=None) -> str:
        """An item's label (a grid row such as ``debt_bank``, a star dimension), as the
        given instrument words it (a name means the same everywhere; the wording of a
        question may differ between forms)."""
        return self._item(name, instrument).label.get(self.lang)

    def code(self, item, code, instrument=None) -> str:
        """The label of one code of an item's choice list."""
        return self._item(item, instrument).choices.get(int(code)).label.get(self.lang)

    def answer(self, item, code, instrument=None) -> str:
        """"Item: code", for a row that is one answer to a short-labelled item."""
        return _("%(item)s: %(code)s") % {"item": self.item(item, instrument), "code": self.code(item, code, instrument)}

    def dimensions(self) -> list[tuple[str, str]]:
        """(name, label) of the star's dimensions, in the star's order."""
        return [(name, self.item(name)) for name in self.codebooks["star"].score("star_mean").items]


def no_data() -> str:
    """Shown instead of a chart the data cannot support."""
    return _("Der er endnu ikke data nok til at vise figuren.")


def point_labels():
    return {"start": _("Opstart"), "phase1": _("1. fase"), "phase2": _("2. fase"), "phase3": _("3. fase"),
            "end": _("Afslutning")}


# ---------------------------------------------------------------------------- cells


@dataclass(frozen=True)
class Cell:
    """One table cell: ``kind`` text, count, pct (share with its count and n), mean
    (with its n) or p (with the sizes of the groups it compares, ``groups``)."""

    kind: str
    value: object = None
    count: int | None = None
    n: int | None = None
    groups: tuple = ()


def text(value):
    return Cell("text", value)


def count(value):
    return Cell("count", value)


def pct(share_dict):
    """A pct cell from a ``{"n", "count", "share"}`` dict."""
    if not share_dict:
        return Cell("pct", None, 0, 0)
    return Cell("pct", share_dict.get("share"), share_dict.get("count"), share_dict.get("n"))


def pct_of(part, whole):
    return Cell("pct", (part / whole) if whole else None, part, whole)


def mean(value, n):
    return Cell("mean", value, None, n)


def pval(p, *groups):
    """A p-value and the sizes (N, and for a test of shares the counts) of the groups it
    compares: for those who see suppressed numbers no statistic is shown when any group
    is hidden, or when a test names no groups."""
    return Cell("p", p, groups=tuple(groups))


def percent(count_, n):
    """Half-up rounded integer percent, decided in integers (evaluation.md)."""
    return numbers.percent(count_, n)


@dataclass
class Format:
    """How cells read for one audience. For those who see suppressed numbers, a count
    under ``small`` reads "<5" and a count hidden so that no "<5" can be recovered from
    the other numbers of the report (``secondary``: JSON paths, ``disclosure.py``) reads
    "x"; a share, mean or test resting on either is not shown. ``recorder`` notes every
    count of the report the document shows."""

    suppress: bool = False
    small: int = 5
    secondary: frozenset = frozenset()
    recorder: object = None

    def _secondary(self, value) -> bool:
        if self.recorder is not None:
            self.recorder.see(value)
        return bool(self.secondary) and getattr(value, "path", None) in self.secondary

    def hidden_count(self, value) -> bool:
        """evaluation.md: "any count below 5" — 0 included, since "none of the few" tells
        as much about each of them as "one of them" does."""
        hidden = self._secondary(value)
        return self.suppress and value is not None and (value < self.small or hidden)

    def hidden_n(self, n) -> bool:
        return self.hidden_count(n)

    @property
    def hidden_derived(self) -> str:
        """A share or mean resting on fewer than ``small`` citizens: not "<5", which
        would read as a value below 5."""
        return f"(<{self.small})"

    def hidden_text(self, value) -> str:
        """How a hidden count reads: "<5" under the limit, "x" when hidden so that
        another cannot be recovered."""
        return f"<{self.small}" if value < self.small else SECONDARY

    def hides(self, *cells) -> bool:
        return any(self.show(cell) in (f"<{self.small}", self.hidden_derived, SECONDARY) for cell in cells)

    def hides_any(self, *ns) -> bool:
        """Whether a statistic over groups of these sizes must be left out: for those who
        see suppressed numbers, when any group is hidden or the groups are not named (a
        p-value of a comparison with 3 citizens says something about each of them)."""
        if not self.suppress:
            return False
        hidden = [n is None or self.hidden_n(n) for n in ns]  # every group noted, not only up to the first
        return not ns or any(hidden)

    def derived_mark(self, *ns) -> str:
        return self.hidden_derived

    def show(self, cell: Cell) -> str:
        kind, value = cell.kind, cell.value
        if kind == "text":
            return "" if value is None else str(value)
        if kind == "count":
            if value is None:
                return "–"
            return self.hidden_text(value) if self.hidden_count(value) else str(value)
        if kind == "pct":
            if value is None or not cell.n:
                return "–"
            hidden = [self.hidden_count(cell.count), self.hidden_n(cell.n)]
            if any(hidden):
                return self.hidden_derived
            return str(percent(cell.count, cell.n))
        if kind == "mean":
            if value is None:
                return "–"
            return self.hidden_derived if self.hidden_n(cell.n) else one_decimal(value)
        if kind == "p":
            return self.hidden_derived if self.hides_any(*cell.groups) else p_text(value)
        return str(value)

    def number(self, cell: Cell):
        """A plain number for the workbook (percent as 0–100, one decimal kept), or
        the text the page shows when there is none or it is suppressed."""
        shown = self.show(cell)
        if (cell.kind == "text" or cell.value is None or shown.startswith(("<", "(<")) or shown in ("–", SECONDARY)):
            return shown
        if cell.kind == "pct":
            return round(cell.value * 100, 1)
        if cell.kind == "p":
            return cell.value
        return int(cell.value) if cell.kind == "count" else cell.value

    def visible(self, value, n):
        """A chart value, or None when there is none or it is suppressed."""
        if value is None or not n or self.hidden_n(n):
            return None
        return value

    def n_label(self, n) -> str:
        if n is None:
            return ""
        if self.hidden_n(n) and n > 0:
            return f"N = {self.hidden_text(n)}"
        if self.recorder is not None:
            self.recorder.reveal(n)  # "N = 0" is shown as it is
        return f"N = {n}"


def one_decimal(value) -> str:
    """A mean as people read it: one decimal, rounded half-up from the shortest decimal
    form of the float (6.65 → "6,7"). Django's ``number_format`` alone cuts the other
    decimals off (6.66 → "6,6")."""
    return numbers.decimal_text(value, 1)


def p_text(p) -> str:
    if p is None:
        return "–"
    marks = stats.stars(p)
    if p < 0.001:
        return f"< {number_format(0.001, 3)} {marks}".strip()
    return f"{number_format(p, 3)} {marks}".strip()


# ---------------------------------------------------------------------------- blocks


@dataclass
class Block:
    number: str
    title: str
    population: str
    definition: str
    columns: list = field(default_factory=list)
    rows: list = field(default_factory=list)  # list of lists of Cell
    chart: str = ""
    note: str = ""
    empty: str = ""  # shown instead of the chart when the data cannot support it
    key: str = ""

    @property
    def anchor(self):
        return self.key or self.number.lower().replace(" ", "-").replace(".", "-")


@dataclass
class Section:
    title: str
    intro: str
    blocks: list


@dataclass
class Document:
    title: str
    summary: list  # paragraphs (heading, text)
    sections: list
    fmt: Format
    report: dict

    def rows(self, block):
        return [[self.fmt.show(cell) for cell in row] for row in block.rows]


def share_row(label, share_dict):
    return [text(label), count(share_dict.get("count") if share_dict else None), pct(share_dict),
            count(share_dict.get("n") if share_dict else None)]


def share_columns():
    return [_("Antal"), _("Pct."), _("N")]


# ---------------------------------------------------------------------------- the first page


def planned_lengths(report) -> list:
    """The planned lengths (months) of the report's courses, longest first (SFI's 12 for a
    report without them): the report words its course length and dropout groups by them."""
    lengths = (report.get("course_length") or {}).get("course_months") or [SFI_COURSE_MONTHS]
    return sorted(set(lengths), reverse=True)


def by_length(report, value) -> str:
    """``value(months)`` for each planned length of the report's courses: "10", or
    "10 / 8" for courses of 12 and 9 months; a length for which it is None is left out."""
    seen = []
    for length in planned_lengths(report):
        v = value(length)
        if v is not None and v not in seen:
            seen.append(v)
    return " / ".join(str(v) for v in seen)


def cutoff(report) -> str:
    """The month from which a course counts as run to its end (``definitions.dropout_cutoff``)."""
    return by_length(report, dropout_cutoff)


def lengths_note(report) -> str:
    """A sentence naming the planned lengths when the report's courses differ in length."""
    lengths = planned_lengths(report)
    if len(lengths) < 2:
        return ""
    return _("Grænserne følger hvert forløbs planlagte længde (forløb på %(months)s mdr.).") % {
        "months": " / ".join(str(m) for m in lengths)}


def _change(fmt, a, b, *, unit=""):
    return _("fra %(a)s%(unit)s til %(b)s%(unit)s") % {"a": fmt.show(a), "b": fmt.show(b), "unit": unit}


def _too_few(fmt):
    return _("Der er målinger fra færre end %(small)s borgere ved opstart eller afslutning, så udviklingen vises "
             "ikke.") % {"small": fmt.small}


def _significance(p, alpha=0.05, fmt=None, groups=()):
    """In words, against the report's significance level (``--set alpha``): the
    smallest of SFI's levels the p-value is below, when that is within alpha. For those
    who see suppressed numbers nothing is said about a test of a hidden group."""
    if fmt is not None and fmt.hides_any(*groups):
        return _("testen vises ikke, fordi en af grupperne er for lille")
    if p is None:
        return _("der er for få målinger til en test")
    level = stats.significance_level(p)
    if level is None or level > alpha:
        return _("forskellen er ikke statistisk signifikant")
    return _("forskellen er statistisk signifikant på %(level)s-niveau") % {"level": number_format(level, 3)}


def summary(report, fmt) -> list:
    alpha = float(report["definitions"].get("alpha", 0.05))
    who5, star, paid = report["who5"], report["star"], report["paid_last_month"]
    ws, we = who5["by_point"]["start"], who5["by_point"]["end"]
    out = []
    if ws["n"] and we["n"] and fmt.hides(mean(ws["mean"], ws["n"]), mean(we["mean"], we["n"])):
        out.append((_("Mental trivsel (WHO-5)"), _too_few(fmt)))
    elif ws["n"] and we["n"]:
        out.append((_("Mental trivsel (WHO-5)"), _(
            "Den gennemsnitlige trivsel gik %(change)s point (på en skala fra 0 til 100) fra opstart til afslutning; "
            "%(test)s. Andelen i risiko for stress eller depression gik %(risk)s."
        ) % {
            "change": _change(fmt, mean(ws["mean"], ws["n"]), mean(we["mean"], we["n"])),
            "test": _significance(who5["start_vs_end"]["mean_p"], alpha, fmt, (ws["n"], we["n"])),
            "risk": _change(fmt, Cell("pct", ws["at_risk"], ws["at_risk_count"], ws["n"]),
                            Cell("pct", we["at_risk"], we["at_risk_count"], we["n"]), unit=" %"),
        }))
    else:
        out.append((_("Mental trivsel (WHO-5)"), _("Der er endnu ikke trivselsmålinger ved både opstart og afslutning.")))
    ss, se = star["by_point"]["start"], star["by_point"]["end"]
    prog = star["progression"]["end"]
    if ss["n"] and se["n"] and fmt.hides(mean(ss["mean"], ss["n"]), mean(se["mean"], se["n"])):
        out.append((_("Livssituation (Outcomes Star)"), _too_few(fmt)))
    elif ss["n"] and se["n"]:
        moved = prog["counts"]["moderate"] + prog["counts"]["large"]
        out.append((_("Livssituation (Outcomes Star)"), _(
            "Borgernes egen vurdering af livssituationen gik i gennemsnit %(change)s (skala 1–10); %(test)s. "
            "Blandt borgere med stjerne ved både opstart og afslutning havde %(share)s %% moderat eller betydelig "
            "progression."
        ) % {
            "change": _change(fmt, mean(ss["mean"], ss["n"]), mean(se["mean"], se["n"])),
            "test": _significance(star["start_vs_end"]["mean_p"], alpha, fmt, (ss["n"], se["n"])),
            "share": fmt.show(pct_of(moved, prog["n"])),
        }))
    else:
        out.append((_("Livssituation (Outcomes Star)"), _("Der er endnu ikke stjerner ved både opstart og afslutning.")))
    ps, pe = (paid["by_point"]["start"], paid["by_point"]["end"]) if paid else (None, None)
    if paid is None:
        pass  # a template without the prostitution questions (per_template.narrow)
    elif ps["n"] and pe["n"] and fmt.hides(pct(ps), pct(pe)):
        out.append((_("Prostitutionsfrekvens"), _too_few(fmt)))
    elif ps["n"] and pe["n"]:
        out.append((_("Prostitutionsfrekvens"), _(
            "Andelen, der har modtaget betaling for seksuelle ydelser inden for den seneste måned, gik %(change)s; "
            "%(test)s."
        ) % {"change": _change(fmt, pct(ps), pct(pe), unit=" %"), "test": _significance(
            paid["start_vs_end"]["p"], alpha, fmt, (ps["n"], pe["n"], ps["count"], pe["count"]))}))
    else:
        out.append((_("Prostitutionsfrekvens"), _("Der er endnu ikke svar ved både opstart og afslutning.")))
    counts, length, dropout = report["counts"], report["course_length"], report["dropout"]
    out.append((_("Frafald"), _(
        "%(started)s forløb er startet, og %(ended)s er afsluttet; %(forms)s har et afslutningsskema. "
        "%(from10)s forløb varede %(cut)s måneder eller mere, og %(before10)s sluttede før %(cut)s. måned. "
        "Ved opstart havde de, der stoppede før %(cut)s. måned, en gennemsnitlig trivsel på %(b)s mod %(f)s blandt "
        "dem, der fortsatte (%(test)s)."
    ) % {"cut": cutoff(report),
        "started": fmt.show(count(counts["courses_started"])), "ended": fmt.show(count(counts["courses_ended"])),
        "forms": fmt.show(count(length["end_forms"])), "from10": fmt.show(count(dropout["from10"]["courses"])),
        "before10": fmt.show(count(dropout["before10"]["courses"])),
        "b": fmt.show(mean(dropout["before10"]["who5_start_mean"], dropout["before10"]["who5_start_n"])),
        "f": fmt.show(mean(dropout["from10"]["who5_start_mean"], dropout["from10"]["who5_start_n"])),
        "test": _significance(dropout["who5_start_p"], alpha, fmt,
                              (dropout["before10"]["who5_start_n"], dropout["from10"]["who5_start_n"])),
    }))
    return out


# ---------------------------------------------------------------------------- chapter 3


def chapter3(report, fmt) -> Section:
    c = report["counts"]
    labels = point_labels()
    columns = [_("Skema"), *labels.values()]
    rows = [
        [text(instrument_name("registration")), count(c["registrations"]), text(""), text(""), text(""), text("")],
        [text(instrument_name("cti_start")), count(c["start_cti_records"]), text(""), text(""), text(""), text("")],
        [text(instrument_name("cti_ongoing")), text(""), count(c["ongoing_forms"]["phase1"]),
         count(c["ongoing_forms"]["phase2"]), count(c["ongoing_forms"]["phase3"]), text("")],
        [text(instrument_name("cti_end")), text(""), text(""), text(""), text(""), count(c["end_forms"])],
        [text(instrument_name("star")), *[count(c["stars"][p]) for p in POINTS]],
    ]
    w = report["warnings"]
    note = _(
        "%(started)s forløb er startet, %(ended)s afsluttet og %(active)s aktive. %(missing)s stjerner manglede "
        "tidspunkt og fik det beregnet fra startdatoen (pauser fraregnet). %(dupes)s stjerner var dubletter på "
        "samme tidspunkt (borgerens og derefter den seneste tæller). %(fallback)s forløb bruger skemaet for 1. fase "
        "som opstartsskema."
    ) % {
        "started": fmt.show(count(c["courses_started"])), "ended": fmt.show(count(c["courses_ended"])),
        "active": fmt.show(count(c["courses_active"])), "missing": fmt.show(count(w["stars_without_time_point"])),
        "dupes": fmt.show(count(w["stars_duplicates"])), "fallback": fmt.show(count(w["start_from_ongoing"])),
    }
    block = Block(
        _("Tabel 3.1"), _("Registrerede borgere i projektet, fordelt efter CTI-forløbets faser. Antal."),
        _("Alle startede forløb: N = %(n)s.") % {"n": fmt.show(count(c["courses_started"]))},
        _("Antal forløb med mindst ét udfyldt skema af hver slags ved hvert nedslag, efter dubletfjernelse."),
        columns, rows, note=note, key="t3-1",
    )
    return Section(_("Kapitel 3. Analysemetode og data"), "", [block])


# ---------------------------------------------------------------------------- chapter 4

def _rows(table, labels):
    """The rows of ``labels`` the table has (a template's report leaves some out)."""
    return [share_row(label, table.get(key)) for key, label in labels if key in table]


def _n_of(table, keys, fmt):
    ns = sorted({table[k]["n"] for k in keys if k in table})
    return ", ".join(dict.fromkeys(fmt.show(count(n)) for n in ns)) if ns else "0"


def _simple(number, title, table, labels, definition, key, fmt, note=""):
    return Block(number, title, "N = " + _n_of(table, [k for k, _l in labels], fmt), definition, ["", *share_columns()],
                 _rows(table, labels), note=note, key=key)


def chapter4(report, fmt, words=None) -> Section:
    from overgang.evaluation import document_chapter4

    return document_chapter4.chapter4(report, fmt, words)


def build(report, *, suppress=False, small=5, hidden=None) -> Document:
    """The document; for those who see suppressed numbers it is laid out with the counts
    ``hidden_counts`` hides besides those under ``small``, so that no "<5" can be recovered
    from the others (``hidden``: those counts when the caller has them already — the
    kept report keeps them, ``kept.py`` — since finding them is most of the work)."""
    if not suppress:
        return _build(report, Format(suppress=False, small=small))
    from overgang.evaluation import disclosure

    tracked = disclosure.track(report)
    if hidden is None:
        hidden = _hidden(tracked, small)
    return _build(tracked, Format(suppress=True, small=small, secondary=frozenset(hidden)))


def hidden_counts(report, small=5) -> frozenset:
    """The paths of the counts ``disclosure.secondary`` hides in ``report`` besides those
    under ``small``: the document is laid out once to note every count it shows."""
    from overgang.evaluation import disclosure

    return _hidden(disclosure.track(report), small)


def _hidden(tracked, small) -> frozenset:
    from overgang.evaluation import disclosure

    recorder = disclosure.Recorder()
    first = _build(tracked, Format(suppress=True, small=small, recorder=recorder))
    for section in first.sections:  # the table cells are formatted when written
        for block in section.blocks:
            first.rows(block)
    return disclosure.secondary(recorder, tracked, small)


def _build(report, fmt) -> Document:
    from overgang.evaluation import document_chapter5, document_outcomes, document_templates

    words = Labels()
    sections = [*document_templates.sections(report, fmt), chapter3(report, fmt), chapter4(report, fmt, words),
                document_chapter5.chapter5(report, fmt, words), *document_outcomes.sections(report, fmt, words)]
    return Document(document_templates.title(report), summary(report, fmt), sections, fmt, report)
