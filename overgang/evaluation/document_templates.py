"""The report's title and, across templates, the common measures side by side.

A report of one course template says so in its title ("Evaluering af CTI-forløb:
Hjemløshed → egen bolig"). A report over several templates opens with one table, a
column per template, of the measures every CTI course has (courses, WHO-5 and the star
at start and end, with the start-to-end tests): the JSON's ``by_template``
(``per_template.side_by_side``). Small cells are suppressed as everywhere else.
"""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from overgang.evaluation.document import Block, Cell, Section, count, mean, pval, text


def template_title(template) -> str:
    language = (get_language() or "da")[:2]
    return template["title"].get(language) or template["title"]["da"]


def title(report) -> str:
    template = report.get("template")
    if template:
        return _("Evaluering af CTI-forløb: %(template)s") % {"template": template_title(template)}
    return _("Evaluering af CTI-forløb")


def sections(report, fmt) -> list:
    columns = report.get("by_template") or []
    if len(columns) < 2:
        return []

    def row(label, cell):
        return [text(label), *[cell(c) for c in columns]]

    def at_risk(point):
        return Cell("pct", point["at_risk"], point["at_risk_count"], point["n"])

    rows = [
        row(_("Startede forløb"), lambda c: count(c["counts"]["courses_started"])),
        row(_("Aktive forløb"), lambda c: count(c["counts"]["courses_active"])),
        row(_("Afsluttede forløb"), lambda c: count(c["counts"]["courses_ended"])),
        row(_("Afslutningsskemaer"), lambda c: count(c["counts"]["end_forms"])),
        row(_("WHO-5 ved opstart, gennemsnit"), lambda c: mean(c["who5"]["start"]["mean"], c["who5"]["start"]["n"])),
        row(_("WHO-5 ved opstart, N"), lambda c: count(c["who5"]["start"]["n"])),
        row(_("WHO-5 ved afslutning, gennemsnit"), lambda c: mean(c["who5"]["end"]["mean"], c["who5"]["end"]["n"])),
        row(_("WHO-5 ved afslutning, N"), lambda c: count(c["who5"]["end"]["n"])),
        row(_("WHO-5, opstart mod afslutning (p)"), lambda c: pval(c["who5"]["mean_p"], c["who5"]["start"]["n"], c["who5"]["end"]["n"])),
        row(_("I risiko for stress eller depression ved opstart, pct."), lambda c: at_risk(c["who5"]["start"])),
        row(_("I risiko for stress eller depression ved afslutning, pct."), lambda c: at_risk(c["who5"]["end"])),
        row(_("Stjernen ved opstart, gennemsnit"), lambda c: mean(c["star"]["start"]["mean"], c["star"]["start"]["n"])),
        row(_("Stjernen ved opstart, N"), lambda c: count(c["star"]["start"]["n"])),
        row(_("Stjernen ved afslutning, gennemsnit"), lambda c: mean(c["star"]["end"]["mean"], c["star"]["end"]["n"])),
        row(_("Stjernen ved afslutning, N"), lambda c: count(c["star"]["end"]["n"])),
        row(_("Stjernen, opstart mod afslutning (p)"), lambda c: pval(c["star"]["mean_p"], c["star"]["start"]["n"], c["star"]["end"]["n"])),
    ]
    block = Block(
        _("Tabel 0.1"),
        _("De fælles mål for hver forløbsskabelon. Antal, gennemsnit og procent."),
        _("Alle startede forløb af hver skabelon."),
        _("WHO-5-indeks (0–100) og stjernens gennemsnit (1–10) som i kapitel 6; p fra t-test, opstart mod "
          "afslutning. Kapitlerne herefter gælder alle skabelonerne under ét."),
        ["", *[template_title(c["template"]) for c in columns]], rows, key="t0-1",
    )
    return [Section(_("Forløbsskabeloner side om side"), "", [block])]
