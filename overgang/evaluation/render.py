"""Writers of the report: JSON, HTML (a file or the page's body), PDF and XLSX.

All human formats are written from one ``document.Document`` (style.md rule 12: one
table model, several writers), so the page, the PDF and the workbook show the same
numbers, the same "<5" cells and the same SVG charts.
"""

from __future__ import annotations

import datetime
import io

from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from overgang.evaluation import document as document_module
from overgang.evaluation import report_json

# The settings echoed on the page and in the workbook (the JSON has them all).
ECHOED = ("who5_risk_max", "who5_depression_max", "who5_improvement", "time_point_rule", "end_measure",
          "large_inclusive", "alpha", "small_cells")


def context(report, *, suppress=False, small=5, hidden=None) -> dict:
    """The template context shared by the page and the file (``hidden``: document.build)."""
    doc = document_module.build(report, suppress=suppress, small=small, hidden=hidden)
    for section in doc.sections:
        section.rendered = [_block_context(doc, block) for block in section.blocks]
    # Those who see exact numbers (evaluators) write definitions as key=value lines: they
    # see each setting's key beside its name; the others see the names only.
    return {"document": doc, "definitions": definition_rows(report), "warnings": warning_rows(doc),
            "show_keys": not suppress, "meta_line": meta_line(report),
            "suppression_note": report_suppression_note(small) if suppress else ""}


def _warning_labels():
    return {
        "stars_total": _("Stjerner i alt"),
        "stars_without_time_point": _("Stjerner uden tidspunkt (beregnet fra startdatoen)"),
        "stars_not_possible": _("Stjerner, der ikke kunne udfyldes (talt fra)"),
        "stars_without_possible": _("Stjerner uden svar på, om de kunne udfyldes (talt fra)"),
        "stars_incomplete": _("Stjerner, hvor ikke alle områder er besvaret"),
        "stars_duplicates": _("Stjerner, der var dubletter på samme tidspunkt"),
        "start_form_duplicates": _("Forløb med mere end ét opstartsskema (det seneste tæller)"),
        "end_form_duplicates": _("Forløb med mere end ét afslutningsskema (det seneste tæller)"),
        "registration_duplicates": _("Borgere med mere end én baggrundsregistrering (den seneste tæller)"),
        "start_from_ongoing": _("Forløb, der bruger skemaet for 1. fase som opstartsskema"),
        "records_without_course": _("Skemaer uden forløb (talt fra)"),
    }


def warning_rows(doc) -> list:
    """(name, key, count) of each data warning, named in the reader's language; for
    those who see suppressed numbers a count reads as in the tables ("<5", "x"), since
    chapter 3's note shows the same counts."""
    labels = _warning_labels()
    return [(labels.get(key, key), key, doc.fmt.number(document_module.count(value)))
            for key, value in doc.report["warnings"].items()]


def _day(iso) -> str:
    try:
        return formats.date_format(datetime.date.fromisoformat(iso), "SHORT_DATE_FORMAT")
    except (TypeError, ValueError):
        return str(iso)


def definition_rows(report) -> list:
    """(name, key, value) of each definition and filter the report was made with, named
    and valued as the leaders' controls name them (not ``who5_risk_max``/``coded_end``)."""
    from overgang.evaluation.forms import _definition_fields, goal_label
    from overgang.programmes import registry

    fields = _definition_fields()
    rows = []
    for key in ECHOED:
        value = report["definitions"][key]
        if key == "time_point_rule":
            rows.append((_("Tidspunkt for en stjerne uden tidspunkt"), key,
                         _("nærmeste lige måned efter startdatoen (pauser fraregnet)")
                         if value == "nearest_even_month" else _plain(value)))
            continue
        field = fields.get(key)
        if field is None:
            rows.append((key, key, _plain(value)))
            continue
        choices = {str(k): str(v) for k, v in getattr(field, "choices", ())}
        if isinstance(value, bool):
            shown = _("ja") if value else _("nej")
        else:
            shown = choices.get(str(value), _plain(value))
        rows.append((str(field.label), key, shown))
    templates = registry.all_templates()
    language = translation.get_language() or "da"
    for key, value in report["filters"].items():
        if key == "municipality":
            rows.append((_("Kommuner"), f"filter.{key}", _plain(value)))
        elif key == "template":
            template = templates.get(value)
            rows.append((_("Forløbsskabelon"), f"filter.{key}", template.title.get(language) if template else value))
        elif key == "started_from":
            rows.append((_("Forløb startet fra"), f"filter.{key}", _day(value)))
        elif key == "started_to":
            rows.append((_("Forløb startet til"), f"filter.{key}", _day(value)))
        elif key == "goal":
            rows.append((_("Målsætning"), f"filter.{key}", goal_label(value)))
        else:
            rows.append((f"filter.{key}", f"filter.{key}", _plain(value)))
    return rows


def suppression_note(small) -> str:
    return _("Antal under %(small)s vises som <%(small)s, og andele og gennemsnit, der bygger på færre end "
             "%(small)s borgere, vises som (<%(small)s), så ingen enkelt borger kan genkendes. Der vises ingen test "
             "(p-værdi) af en sammenligning, hvor en af grupperne er under %(small)s.") % {"small": small}


def report_suppression_note(small) -> str:
    """The report's note: the fidelity page's, and the counts hidden as "x"
    (``disclosure.py``)."""
    return suppression_note(small) + " " + _(
        "Et antal, der vises som x, er skjult, fordi et skjult antal ellers kunne regnes ud af rapportens andre tal "
        "(fx et N minus en undergruppe); andele, gennemsnit og test, der bygger på det, vises heller ikke.")


def _block_context(doc, block):
    return {
        "anchor": block.anchor, "number": block.number, "title": block.title, "definition": block.definition,
        "population": block.population, "columns": block.columns, "shown": doc.rows(block), "chart": block.chart,
        "empty": block.empty, "note": block.note,
    }


def _plain(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _when(iso) -> str:
    """An ISO time from the JSON as the reader's local date and time ("2. december 2026
    14:05"); the text itself when it is not one."""
    try:
        moment = datetime.datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "DATETIME_FORMAT")


def meta_line(report) -> str:
    meta = report.get("meta", {})
    parts = [_("Dannet %(at)s") % {"at": _when(report["generated_at"])}]
    if meta.get("last_changed"):
        parts.append(_("data senest ændret %(at)s") % {"at": _when(meta["last_changed"])})
    if meta.get("computation_seconds") is not None:
        parts.append(_("beregnet på %(s)s sekunder") % {"s": formats.number_format(meta["computation_seconds"], 2)})
    if report.get("municipalities"):
        parts.append(", ".join(report["municipalities"]))
    return " · ".join(parts)


def html(report, *, suppress=False, small=5, hidden=None) -> str:
    ctx = context(report, suppress=suppress, small=small, hidden=hidden)
    ctx["language"] = translation.get_language() or "da"
    return render_to_string("evaluation/report_file.html", ctx)


def pdf(report, *, suppress=False, small=5, hidden=None) -> bytes:
    from weasyprint import HTML

    return HTML(string=html(report, suppress=suppress, small=small, hidden=hidden)).write_pdf()


def xlsx(report, *, suppress=False, small=5, hidden=None) -> bytes:
    """A workbook: an overview sheet (summary, definitions, warnings) and one sheet per
    table or figure, numbers as numbers (percent 0–100) and suppressed cells as "<5"."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    doc = document_module.build(report, suppress=suppress, small=small, hidden=hidden)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Oversigt")
    bold = Font(bold=True)
    sheet.append([doc.title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([meta_line(report)])
    if doc.fmt.suppress:
        sheet.append([report_suppression_note(doc.fmt.small)])
    sheet.append([])
    for heading, paragraph in doc.summary:
        sheet.append([heading])
        sheet.cell(sheet.max_row, 1).font = bold
        sheet.append([paragraph])
    sheet.append([])
    sheet.append([_("Definitioner")])
    sheet.cell(sheet.max_row, 1).font = bold
    for name, key, value in definition_rows(report):
        sheet.append([name, value, *([] if doc.fmt.suppress else [key])])
    sheet.append([])
    sheet.append([_("Advarsler om data")])
    sheet.cell(sheet.max_row, 1).font = bold
    for name, key, value in warning_rows(doc):
        sheet.append([name, value, *([] if doc.fmt.suppress else [key])])
    sheet.column_dimensions["A"].width = 40
    used = set()
    for section in doc.sections:
        for block in section.blocks:
            name = block.number[:31]
            while name in used:
                name = (name[:28] + "_") + str(len(used))
            used.add(name)
            ws = book.create_sheet(name)
            ws.append([f"{block.number} {block.title}"])
            ws["A1"].font = bold
            ws.append([block.definition])
            ws.append([block.population])
            ws.append([])
            ws.append(list(block.columns))
            for cell in ws[ws.max_row]:
                cell.font = bold
            for row in block.rows:
                ws.append([doc.fmt.number(c) for c in row])
            if block.note:
                ws.append([])
                ws.append([block.note])
            ws.column_dimensions["A"].width = 50
    # openpyxl takes text starting with "=" for a formula: a municipality or template
    # named "=HYPERLINK(…)" would run in the reader's spreadsheet. The report holds no
    # formulas, so every such cell is text, as typed (exports/formats.py does the same).
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render(report, fmt, *, suppress=False, small=5, hidden=None):
    """The report in ``fmt`` (json, html, pdf, xlsx): text or bytes."""
    if fmt == "json":
        return report_json.dumps(report)
    if fmt == "html":
        return html(report, suppress=suppress, small=small, hidden=hidden)
    if fmt == "pdf":
        return pdf(report, suppress=suppress, small=small, hidden=hidden)
    if fmt == "xlsx":
        return xlsx(report, suppress=suppress, small=small, hidden=hidden)
    raise ValueError(fmt)
