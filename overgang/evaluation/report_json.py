"""The JSON report (``overgang-report/1``): evaluation.md's contract, plus extra keys.

``build(raw, definitions, filters)`` is pure: rows in, one dict out, with every key of
the contract present (``n: 0`` and ``None`` where there is no data). Extra keys the
human report needs (chapter 4's tables, Table 6.1, Figure 6.8, the data warnings) sit
beside the contract's, as the contract allows. ``dumps`` writes it: floats as they are,
never NaN (the statistics never produce one; ``allow_nan=False`` makes sure).
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import time
from contextlib import contextmanager
from dataclasses import replace

from django.utils import timezone

from overgang.evaluation import cohort as cohort_module
from overgang.evaluation import per_template
from overgang.evaluation.chapter5 import chapter5
from overgang.evaluation.descriptives import descriptives
from overgang.evaluation.measures import dropout_groups, measures

FORMAT = "overgang-report/1"


@contextmanager
def paused_gc():
    """No cyclic garbage collection while the report builds half a million small dicts
    and tuples that hold no cycles: the collector's passes over the growing heap made
    the 50,000-course report a third slower (bench/report.py). Reference counting
    still frees everything; collection resumes afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def compute(filters, definitions, municipalities=None) -> dict:
    """Load and build the report for ``municipalities`` (None = all), with ``meta``:
    how long it took and when the data last changed."""
    from overgang.evaluation import reports

    began = time.perf_counter()
    present = [] if filters.template else reports.templates_present(municipalities)
    with paused_gc():
        raw = reports.load(filters, municipalities)
        report = build(raw, definitions, filters, consume=True, templates=present)
        del raw
        if len(present) > 1:
            # The report across templates: each template's common measures side by side.
            report["by_template"] = []
            for name in present:
                narrowed = replace(filters, template=name)
                one = build(reports.load(narrowed, municipalities), definitions, narrowed, consume=True)
                report["by_template"].append(per_template.side_by_side(one))
    report["meta"] = {
        "computation_seconds": round(time.perf_counter() - began, 3),
        "last_changed": _iso(reports.last_changed(municipalities)),
    }
    return report


def _iso(value):
    return value.isoformat(timespec="seconds") if value else None


def build(raw, definitions, filters, *, generated_at=None, meta=None, consume=False, templates=()) -> dict:
    """The report of ``raw``. ``templates``: the names of the course templates present
    when the report spans every template (``filters.template`` unset)."""
    cohort = cohort_module.build(raw, definitions, consume=consume)
    result = measures(cohort, definitions)
    report = {
        "format": FORMAT,
        "generated_at": (generated_at or timezone.localtime()).isoformat(timespec="seconds"),
        "filters": filters.to_json(),
        "template": per_template.lookup(filters.template) if filters.template else None,
        "templates": [per_template.lookup(name) for name in templates],
        "definitions": definitions.to_json(),
        "counts": result["counts"],
        "who5": result["who5"],
        "star": result["star"],
        "paid_last_month": result["paid_last_month"],
        "paid_or_considered": result["paid_or_considered"],
        "course_length": result["course_length"],
        "dropout": result["dropout"],
        "staff_ratings": result["staff_ratings"],
        "fidelity": result["fidelity"],
        "subgroups": result["subgroups"],
        "chapter5": chapter5(cohort, definitions),
        # Extra keys (the contract welcomes them).
        "motives": result["motives"],
        "attrition": result["attrition"],
        "descriptives": descriptives(cohort, dropout_groups(cohort, definitions)),
        "municipalities": sorted(cohort.municipalities.values()),
        "warnings": cohort.flags,
    }
    per_template.narrow(report)
    if meta:
        report["meta"] = meta
    return report


def _default(value):
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def dumps(report: dict, *, indent=2) -> str:
    return json.dumps(report, ensure_ascii=False, indent=indent, allow_nan=False, default=_default)
