"""Writers for the evaluator export: CSV, XLSX, Stata .dta, SPSS .sav and Parquet.

Each writer takes one ``tables.Table`` and a path; labels and missing codes come from
the table's columns, which come from the codebook. How each format marks the states
of instruments.md §2.6:

=========  ==========================  ====================  ===========================
format     88 / 99 / 8 (missing code)  skipped               unanswered
=========  ==========================  ====================  ===========================
SPSS       user-missing values         system-missing        system-missing
Stata      labelled values             ``.s``                ``.``
CSV/XLSX   the code                    empty                 empty
Parquet    the code                    null                  null
=========  ==========================  ====================  ===========================
"""

from __future__ import annotations

import csv
import datetime
import json
import math
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from overgang.instruments import codebook

from .tables import SKIPPED, Table

STATA_LABEL_MAX = 80
SPSS_MISSING_MAX = 3  # SPSS holds at most three discrete user-missing values


def _plain(value):
    """A cell for text formats: '' for no value."""
    if value is None or value is SKIPPED:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


# A spreadsheet opening a CSV reads a cell starting with one of these as a formula
# (=HYPERLINK(…) runs when clicked; OWASP "CSV injection"). Text cells starting so get a
# leading apostrophe, which spreadsheets hide and show the text as typed.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def write_csv(table: Table, path, *, escape_formulas=True):
    """Text columns are escaped against formula injection unless ``escape_formulas`` is
    off (``--csv-raw``); numbers (-5) and dates are never touched. Stata, SPSS, Parquet
    and XLSX (written as text cells) keep every value verbatim."""
    texts = [escape_formulas and c.kind == "str" for c in table.columns]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([c.name for c in table.columns])
        for row in table.rows:
            writer.writerow([escape_formula(_plain(v)) if text else _plain(v) for v, text in zip(row, texts)])


def write_xlsx(table: Table, path):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook(write_only=True)
    sheet = book.create_sheet(table.name[:31])
    sheet.append([c.name for c in table.columns])
    for row in table.rows:
        cells = []
        for column, value in zip(table.columns, row):
            if value is None or value is SKIPPED:
                cells.append(None)
            elif column.kind == "str":
                cell = WriteOnlyCell(sheet, ILLEGAL_CHARACTERS_RE.sub("", str(value)))
                cell.data_type = "s"  # never a formula, whatever the text starts with
                cells.append(cell)
            elif column.kind == "float":
                cells.append(float(value))
            else:
                cells.append(value)
        sheet.append(cells)
    variables = book.create_sheet("variables")
    variables.append(["variable", "label", "value_labels", "missing_codes"])
    for c in table.columns:
        labels = "; ".join(f"{code} = {text}" for code, text in c.value_labels.items())
        variables.append([c.name, c.label, labels, " ".join(map(str, c.missing_codes))])
    book.save(path)


def _frame(table: Table, *, skipped, number_na):
    import pandas as pd

    data = {}
    for i, column in enumerate(table.columns):
        values = table.values(i)
        if column.kind in ("int", "float"):
            values = [skipped if v is SKIPPED else number_na if v is None else float(v) for v in values]
            has_marks = any(isinstance(v, str) for v in values)
            data[column.name] = pd.Series(values, dtype=object if has_marks else "float64")
        elif column.kind == "date":
            data[column.name] = pd.Series([None if v is None or v is SKIPPED else v for v in values], dtype=object)
        else:
            data[column.name] = pd.Series(["" if v is None or v is SKIPPED else str(v) for v in values], dtype=object)
    return pd.DataFrame(data, columns=[c.name for c in table.columns])


def write_dta(table: Table, path):
    import pyreadstat

    frame = _frame(table, skipped="s", number_na=math.nan)
    marked = {c.name: ["s"] for c in table.columns if frame[c.name].dtype == object and c.kind in ("int", "float")}
    pyreadstat.write_dta(
        frame, str(path), file_label=table.label[:STATA_LABEL_MAX],
        column_labels={c.name: c.label[:STATA_LABEL_MAX] for c in table.columns},
        variable_value_labels={c.name: c.value_labels for c in table.columns if c.value_labels},
        missing_user_values=marked or None, version=15,
    )


def write_sav(table: Table, path):
    import pyreadstat

    frame = _frame(table, skipped=math.nan, number_na=math.nan)
    pyreadstat.write_sav(
        frame, str(path), file_label=table.label,
        column_labels={c.name: c.label for c in table.columns},
        variable_value_labels={c.name: c.value_labels for c in table.columns if c.value_labels},
        missing_ranges={
            c.name: list(c.missing_codes[:SPSS_MISSING_MAX]) for c in table.columns if c.missing_codes
        } or None,
    )


def write_parquet(table: Table, path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    kinds = {"int": pa.int64(), "float": pa.float64(), "str": pa.string(), "date": pa.date32()}
    arrays = []
    for i, column in enumerate(table.columns):
        values = [None if v is SKIPPED else v for v in table.values(i)]
        if column.kind == "float":
            values = [None if v is None else float(v) for v in values]
        elif column.kind == "str":
            values = [None if v is None else str(v) for v in values]
        arrays.append(pa.array(values, type=kinds[column.kind]))
    schema = pa.schema(
        [pa.field(c.name, kinds[c.kind], metadata={"label": c.label}) for c in table.columns],
        metadata={"label": table.label},
    )
    pq.write_table(pa.Table.from_arrays(arrays, schema=schema), str(path))


WRITERS = {"csv": write_csv, "xlsx": write_xlsx, "dta": write_dta, "sav": write_sav, "parquet": write_parquet}


def write_all(tables, directory, fmt, *, escape_formulas=True) -> list[Path]:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for table in tables:
        path = directory / f"{table.name}.{fmt}"
        if fmt == "csv":
            write_csv(table, path, escape_formulas=escape_formulas)
        else:
            WRITERS[fmt](table, path)
        paths.append(path)
    return paths


def write_codebook(directory, codebooks):
    """The data dictionary of the exported columns: each instrument's codebook across the
    versions its records were filled in against."""
    Path(directory, "codebook.csv").write_text(codebook.render_csv(codebooks), encoding="utf-8")
    Path(directory, "codebook.md").write_text(codebook.render_markdown(codebooks), encoding="utf-8")


def write_about(directory, options, counts, codebooks=()):
    """What the export is, for whoever finds the files later (no personal data). Which
    codes are missing codes is the exported versions' codebooks' (``missing_codes_note``)."""
    about = {
        "created_at": timezone.now().isoformat(timespec="seconds"),
        "purpose": options.purpose.strip(),
        "format": options.format,
        "instruments": list(options.instruments),
        "municipalities": sorted(m.name for m in options.municipalities),
        "include_text": options.include_text,
        "shift_dates": options.shift_dates,
        "csv_formulas_escaped": options.format == "csv" and options.csv_escape,
        "counts": counts,
        "notes": [
            "citizen_id, course_id and record_id are random and hold only within this export.",
            "Birth dates are replaced by age_at_course_start.",
            *(["CSV text cells starting with = + - @ or a tab or carriage return begin with an added ' so that a "
               "spreadsheet shows them as text instead of running them as formulas; remove it to get the value."]
              if options.format == "csv" and options.csv_escape else []),
            missing_codes_note(codebooks),
        ],
    }
    text = json.dumps(about, ensure_ascii=False, indent=2, default=_json)
    Path(directory, "export.json").write_text(text, encoding="utf-8")


def missing_codes_note(codebooks) -> str:
    """The export's missing codes in words, from the codebooks: the codes missing in every
    list that has them, then any item's own ("Codes 88, 99 (and 8 in paid_trend) …")."""
    general = codebook.general_missing_codes(codebooks)
    own: dict[int, list[str]] = {}
    for book in codebooks:
        for item in book.items:
            for code in sorted(item.missing_codes - general):
                own.setdefault(code, [])
                if item.name not in own[code]:
                    own[code].append(item.name)
    if not general and not own:
        return "No missing codes. Stata marks skipped items .s and unanswered ones ."
    codes = ", ".join(str(code) for code in sorted(general))
    if own:
        listed = "; ".join(f"{code} in {', '.join(names)}" for code, names in sorted(own.items()))
        codes = f"{codes} (and {listed})" if codes else listed
    several = len(general) + len(own) > 1
    return (f"{'Codes' if several else 'Code'} {codes} {'are answers' if several else 'is an answer'}, never a mean "
            f"or denominator: SPSS declares {'them' if several else 'it'} user-missing; Stata keeps "
            f"{'them' if several else 'it'} as labelled values and marks skipped items .s and unanswered ones .")


def _json(value):
    if isinstance(value, (datetime.date, Decimal)):
        return str(value)
    raise TypeError(type(value))
