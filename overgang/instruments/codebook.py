"""The data dictionary, generated from the definitions (never written by hand).

Evaluators read exports through it; developers compare it with spec/instruments.md. One
row per item in form order with name, labels, type, choices and codes, relevance,
paper reference and whether it is required; then the choice lists with their flags.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from .build import ChoiceList, Instrument, Item

CSV_COLUMNS = [
    "instrument", "position", "page", "item", "fixed", "paper", "type", "choice_list", "label_da", "label_en",
    "hint_da", "hint_en", "required", "relevant", "constraint", "choices", "missing_codes", "export_columns",
]


@dataclass(frozen=True)
class Row:
    instrument: str
    position: int
    page: str
    item: str
    fixed: bool
    paper: str
    type: str
    choice_list: str
    label_da: str
    label_en: str
    hint_da: str
    hint_en: str
    required: bool
    relevant: str
    constraint: str
    codes: tuple[int, ...]
    choices: str
    missing_codes: tuple[int, ...]
    export_columns: tuple[str, ...]


def rows(instrument: Instrument) -> list[Row]:
    return [_row(instrument, item) for item in instrument.items]


def _row(instrument: Instrument, item: Item) -> Row:
    cl = item.choices
    return Row(
        instrument=instrument.name, position=item.position, page=item.page, item=item.name, fixed=item.fixed,
        paper=item.paper, type=item.type, choice_list=cl.name if cl else "",
        label_da=item.label.da, label_en=item.label.en,
        hint_da=item.hint.da if item.hint else "", hint_en=item.hint.en if item.hint else "",
        required=item.required, relevant=item.relevant, constraint=item.handler.describe_constraint(item),
        codes=cl.codes if cl else (), choices=_choices_text(cl) if cl else "",
        missing_codes=tuple(sorted(cl.missing_codes)) if cl else (),
        export_columns=tuple(item.handler.export_columns(item)),
    )


def _flags(choice) -> str:
    return "".join(f for f, on in (("(m)", choice.missing), ("(x)", choice.exclusive), ("(+)", choice.added)) if on)


def _choices_text(cl: ChoiceList) -> str:
    return " · ".join(f"{c.code} {c.label.da} / {c.label.en}{' ' + _flags(c) if _flags(c) else ''}"
                      for c in cl.choices)


def render_csv(instruments: list[Instrument]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for instrument in instruments:
        for r in rows(instrument):
            writer.writerow([
                r.instrument, r.position, r.page, r.item, "yes" if r.fixed else "no", r.paper, r.type, r.choice_list,
                r.label_da, r.label_en, r.hint_da, r.hint_en, "yes" if r.required else "no", r.relevant,
                r.constraint, r.choices, " ".join(map(str, r.missing_codes)), " ".join(r.export_columns),
            ])
    return out.getvalue()


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(instruments: list[Instrument]) -> str:
    lines = ["# Codebook", "", "Generated from overgang/instruments/definitions. ◆ = name and codes fixed by "
             "interchange.md; (m) missing code, (x) exclusive, (+) added by the codebook.", ""]
    for instrument in instruments:
        lines += [f"## `{instrument.name}` — {instrument.title.da} / {instrument.title.en}", ""]
        if instrument.source:
            lines += [f"Source: {instrument.source}", ""]
        lines += ["| # | item | paper | type | label (da) | label (en) | choices / constraint | relevant | req |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for r in rows(instrument):
            what = f"`{r.choice_list}` ({', '.join(map(str, r.codes))})" if r.choice_list else r.constraint
            lines.append("| " + " | ".join(_cell(c) for c in (
                r.position, f"`{r.item}`" + (" ◆" if r.fixed else ""), r.paper, r.type, r.label_da, r.label_en,
                what, f"`{r.relevant}`" if r.relevant else "", "yes" if r.required else "no")) + " |")
        lines += ["", f"### Choice lists of `{instrument.name}`", ""]
        for cl in instrument.choice_lists:
            lines += [f"**`{cl.name}`** — {_cell(_choices_text(cl))}", ""]
    return "\n".join(lines).rstrip() + "\n"
