"""Chapter 5 of the human report (Table 5.1, Figures 5.1–5.2, Tables 5.2–5.3) and the
hours per activity kind that sits beside Figure 7.1.

Reads ``report["chapter5"]`` (``chapter5.py``). Titles are SFI's where SFI printed one
(Figure 5.2's caption is missing from the source text; its title here follows Figure
5.1's); row labels are the codebook's (the instrument definitions, in the reader's
language), SFI's merged rows of Table 5.2 joined from the labels of their codes. Every
cell goes through the report's ``Format``, so leaders see counts under the small-cell
limit as "<5", as everywhere in the report, and charts leave such values out.
"""

from __future__ import annotations

import math

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from overgang.evaluation import chapter5 as definitions
from overgang.evaluation.document import (
    Block, Cell, Labels, Section, _n_of, _rows, count, mean, no_data, percent, share_columns, text,
)
from overgang.lib import charts

def _lang():
    return get_language() or "da"


def choice_label(spec, code) -> str:
    choice = definitions.item(spec).choices.get(int(code))
    return choice.label.get(_lang()) if choice else str(code)


def _phase_labels():
    return {"phase1": _("1. fase"), "phase2": _("2. fase"), "phase3": _("3. fase"), "end": _("Afslutning")}


def _phases_n(fmt, table, points):
    labels = _phase_labels()
    return "N = " + ", ".join(f"{fmt.show(count(table[p]['n']))} ({labels[p].lower()})" for p in points)


def _chart_value(fmt, hits, n):
    """A share in percent for a chart, or None when there is none or it is suppressed."""
    if not n or fmt.hidden_n(n) or fmt.hidden_count(hits):
        return None
    return percent(hits, n)  # the table's rounding: half up


def _by_phase_block(number, title, definition, table, spec, key, fmt):
    """Figures 5.1 and 5.2: per code of the item a row of shares by phase; the chart
    shows the codes SFI drew (not "other" and "none", which the table still has)."""
    labels = _phase_labels()
    codes = list(table["phase1"]["counts"])
    rows = []
    for code in codes:
        rows.append([text(choice_label(spec, code))] + [
            Cell("pct", table[p]["shares"][code], table[p]["counts"][code], table[p]["n"]) for p in definitions.PHASES])
    rows.append([text(_("N"))] + [count(table[p]["n"]) for p in definitions.PHASES])
    drawn = [c for c in codes if int(c) not in definitions.CHART_LEAVES_OUT[spec]]
    series = [(labels[p], [_chart_value(fmt, table[p]["counts"][c], table[p]["n"]) for c in drawn])
              for p in definitions.PHASES]
    chart = "" if all(v is None for _l, vs in series for v in vs) else charts.grouped_hbars(
        [choice_label(spec, c) for c in drawn], series, title=title)
    return Block(number, title, _phases_n(fmt, table, definitions.PHASES), definition,
                 ["", *(f"{labels[p]}, " + _("pct.") for p in definitions.PHASES)], rows, chart=chart,
                 empty="" if chart else no_data(), key=key,
                 note=_("Flere svar muligt; andelene summerer derfor ikke til 100."))


def chapter5(report, fmt, words: Labels | None = None) -> Section:
    c5 = report["chapter5"]
    d = report["descriptives"]
    words = words or Labels()
    blocks = []
    # One code per row is the codebook's label; SFI's merged rows are the report's own.
    routes = [("ngo", words.code("contact_route", 1)), ("municipal", _("Kommunal aktør el. kommunal opsøgende indsats")),
              ("kc", words.code("contact_route", 2)), ("self", words.code("contact_route", 5)),
              ("unknown", words.code("contact_route", 99)), ("other", _("Politi, læge, Center mod Menneskehandel mv."))]
    blocks.append(Block(
        _("Tabel 5.1"),
        _("Etablering af kontakt til borgere i projektet, fordelt efter hvordan de har fået kendskab til projektet. "
          "Antal og pct."),
        "N = " + _n_of(d["table_5_1"], [k for k, _l in routes], fmt),
        _("Opstartsskemaets spørgsmål 1.1; her tæller 'ved ikke' med som en kategori, som hos SFI."),
        ["", *share_columns()], _rows(d["table_5_1"], routes), key="t5-1",
    ))
    blocks.append(_by_phase_block(
        _("Figur 5.1"),
        _("Andelen af borgere i projektet, hvor der i indsatsen er blevet arbejdet med hhv. bolig, økonomi, netværk, "
          "psykisk helbred, fysisk helbred, uddannelse og arbejdsmarked, misbrug og daglige aktiviteter. Særskilt for "
          "faserne i CTI-forløbet. Procent."),
        _("Skemaer for igangværende forløb i fasen (det seneste pr. forløb), der besvarer spørgsmål 1.7 om de "
          "dimensioner, der er arbejdet med de seneste to måneder."),
        c5["focus_areas"], definitions.FOCUS_AREAS, "f5-1", fmt))
    blocks.append(_by_phase_block(
        _("Figur 5.2"),
        _("Andelen af borgere i projektet, hvor der i indsatsen har været specifikke typer af aktiviteter. Særskilt "
          "for faserne i CTI-forløbet. Procent."),
        _("Skemaer for igangværende forløb i fasen (det seneste pr. forløb), der besvarer spørgsmål 1.8 om typen af "
          "aktiviteter de seneste to måneder."),
        c5["activity_types"], definitions.ACTIVITY_TYPES, "f5-2", fmt))
    blocks.append(_contact_phase(c5["contact_phase"], fmt))
    blocks.append(_offers(c5["offers_phase3"], fmt))
    return Section(_("Kapitel 5. Borgernes oplevelse af CTI-forløbet samt indholdet af forløbet"), "", blocks)


def _contact_phase(table, fmt) -> Block:
    spec = definitions.CONTACT_ACTIVITY_TYPES
    n, yes = table["n"], table["with_activities"]["n"]
    rows = [[text(_("Aktiviteter med borgeren i den kontaktskabende fase")), count(yes), Cell("pct", table[
        "with_activities"]["share"], yes, n), count(n)]]
    merged = definitions.CONTACT_TYPE_ROWS
    for key, row in table["types"].items():
        codes = merged[key] if key in merged else (int(key),)
        label = " / ".join(choice_label(spec, c) for c in codes)
        rows.append([text(label), count(row["n"]), Cell("pct", row["share"], row["n"], yes), count(yes)])
    return Block(
        _("Tabel 5.2"),
        _("Andelen af borgere med aktiviteter i den kontaktskabende fase, og andelen af borgere med specifikke "
          "aktiviteter i denne fase. Antal og procent."),
        _("N = %(n)s opstartsskemaer med svar på spørgsmål 1.5, heraf %(yes)s med aktiviteter.") % {
            "n": fmt.show(count(n)), "yes": fmt.show(count(yes))},
        _("Opstartsskemaets spørgsmål 1.5 (aktiviteter som led i det kontaktskabende arbejde) og 1.5.1 (hvilke); "
          "de konkrete aktiviteter er andele af borgerne med aktiviteter. Flere svar muligt."),
        ["", *share_columns()], rows, key="t5-2",
    )


def _offers(table, fmt) -> Block:
    n = table["n"]
    rows = [[text(choice_label(definitions.OFFERS, code)), count(row["n"]), Cell("pct", row["share"], row["n"], n)]
            for code, row in table["offers"].items()]
    return Block(
        _("Tabel 5.3"),
        _("Andelen af borgere i projektet, der modtager specifikke tilbud i forløbets tredje fase. Antal og procent."),
        "N = %s" % fmt.show(count(n)),
        _("Skemaer for igangværende forløb i 3. fase (det seneste pr. forløb), der besvarer spørgsmål 1.9; de "
          "hyppigste tilbud først. Det er muligt at modtage flere tilbud."),
        ["", _("Antal"), _("Pct.")], rows, key="t5-3",
    )


#: Scale tops whose quarters (the chart's grid lines) are whole hours.
NICE_TOPS = (4, 8, 12, 16, 20, 40, 60, 80, 120, 160, 200, 400, 800)


def _y_max(values):
    top = max((v for v in values if v is not None), default=0)
    return next((nice for nice in NICE_TOPS if top <= nice), 4 * math.ceil(top / 4))


def hours_block(report, fmt) -> Block:
    """Beside Figure 7.1: mean hours of the last month per activity kind, by phase and at
    the end (items 1.6); the chart is the guide's: support tapers, coordination holds."""
    table = report["chapter5"]["hours"]
    labels = _phase_labels()
    points = definitions.HOURS_POINTS
    rows = []
    for key, name in definitions.HOURS.items():
        label = definitions.item(("cti_ongoing", name)).label.get(_lang())
        rows.append([text(label)] + [mean(table[p][key]["mean"], table[p][key]["n"]) for p in points])
    support_label = _("Støtte i alt (praktiske gøremål og social støtte)")
    rows.append([text(support_label)] + [mean(table[p]["support"]["mean"], table[p]["support"]["n"]) for p in points])
    coordination_label = definitions.item(("cti_ongoing", definitions.HOURS["coordination"])).label.get(_lang())
    series = [
        (support_label, [fmt.visible(table[p]["support"]["mean"], table[p]["support"]["n"]) for p in points]),
        (coordination_label, [fmt.visible(table[p]["coordination"]["mean"], table[p]["coordination"]["n"])
                              for p in points]),
    ]
    title = _("CTI-medarbejdernes timeforbrug den seneste måned pr. forløb, fordelt på typer af aktiviteter. "
              "Særskilt for faserne i CTI-forløbet og afslutning. Gennemsnit.")
    values = [v for _l, vs in series for v in vs]
    chart = "" if all(v is None for v in values) else charts.line_chart(
        [labels[p] for p in points], series, title=title, y_max=_y_max(values))
    n_per_point = {p: {"n": max(row["n"] for row in table[p].values())} for p in points}
    return Block(
        _("Figur 7.1b"), title, _phases_n(fmt, n_per_point, points),
        _("Timer den seneste måned (spørgsmål 1.6) i skemaerne for igangværende forløb i fasen og i "
          "afslutningsskemaet; gennemsnit over de skemaer, der har svaret. Guiden: støtten trappes ned, mens "
          "koordineringen fortsætter."),
        ["", *(labels[p] for p in points)], rows, chart=chart, empty="" if chart else no_data(), key="f7-1b",
    )
