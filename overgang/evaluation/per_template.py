"""The report per course template (issue 13): what a template's report holds, and the
common measures of several templates side by side.

A report names its template (``--template NAME``, the page's "Forløbsskabelon") in the
JSON's ``template`` key, or ``null`` for a report across every template of the chosen
municipalities, which then lists the templates present in ``templates`` and compares
the measures every CTI course has in ``by_template``.

The prostitution parts (SFI's Figures 6.4–6.5, Tables 6.1, 4.6, 4.7, 4.15, Figure 7.4 and
the rows about selling sex, who knows about it, debt to the milieu and the route through
Kompetencecenter Prostitution) exist only in a report whose courses are all or partly of
a template with the ``prostitution`` item group. Without it ``narrow`` removes them from
the JSON — the measures become ``null``, the rows and tables are left out — so no page,
PDF, workbook or JSON of a homelessness report mentions selling sex. Pure functions.
"""

from __future__ import annotations

from overgang.evaluation.descriptives import KNOWS

PROSTITUTION = "prostitution"
#: Contract keys that only a template with the prostitution group has.
PROSTITUTION_MEASURES = ("paid_last_month", "paid_or_considered", "motives")
#: Chapter 4 tables about selling sex.
PROSTITUTION_TABLES = ("table_4_6", "table_4_7", "table_4_15")
#: Rows of shared tables that are about selling sex (or the prostitution project's goals).
PROSTITUTION_ROWS = {
    "table_4_4": ("goal_exit", "goal_life", "sex_income"),
    "table_4_10": ("income_1",),
    "table_4_11": ("debt_milieu",),
    "table_4_14": KNOWS,
    "table_5_1": ("kc",),
}


def describe(template) -> dict:
    """The JSON of one template (a built ``programmes.build.Template``)."""
    groups = sorted({group for _name, groups in template.instruments for group in groups})
    return {
        "name": template.name,
        "title": template.title.to_dict(),
        "groups": groups,
        "measures": list(template.measures),
        "subgroups": list(template.subgroups),
    }


def lookup(name) -> dict:
    """``describe`` of the repository's template ``name`` (its current definition)."""
    from overgang.programmes import registry

    return describe(registry.get_template(name))


def has_prostitution(report) -> bool:
    """Whether the report's courses include a template with the prostitution questions.
    A report from before templates (no ``templates`` key) or over no courses at all keeps
    SFI's full layout."""
    template = report.get("template")
    if template:
        return PROSTITUTION in template["groups"]
    present = report.get("templates")
    if not present:
        return True
    return any(PROSTITUTION in t["groups"] for t in present)


def narrow(report) -> dict:
    """``report`` without what its templates do not have (in place; returns it)."""
    template = report.get("template")
    if template:
        wanted = set(template["subgroups"])
        report["subgroups"] = {k: v for k, v in report["subgroups"].items() if k in wanted}
    if has_prostitution(report):
        return report
    for key in PROSTITUTION_MEASURES:
        report[key] = None
    report["subgroups"].pop("active_6m", None)
    report["staff_ratings"].pop("sex_income", None)
    dropout = report["dropout"]
    for key in ("sex_income_start_p", "sex_income_end_p"):
        dropout.pop(key, None)
    for group in dropout.values():
        if isinstance(group, dict):
            group.pop("sex_income_start", None)
            group.pop("sex_income_end", None)
    descriptives = report["descriptives"]
    for key in PROSTITUTION_TABLES:
        descriptives.pop(key, None)
    for key, rows in PROSTITUTION_ROWS.items():
        table = descriptives.get(key)
        if table is not None:
            for row in rows:
                table.pop(row, None)
    return report


def side_by_side(report) -> dict:
    """The measures every CTI course has, from one template's report: the columns of
    the report across templates."""
    counts, who5, star = report["counts"], report["who5"], report["star"]

    def point(by_point, name, *extra):
        p = by_point[name]
        return {"n": p["n"], "mean": p["mean"], **{k: p[k] for k in extra}}

    return {
        "template": report["template"],
        "counts": {k: counts[k] for k in ("citizens", "courses_started", "courses_active", "courses_ended",
                                          "end_forms")},
        "who5": {
            "start": point(who5["by_point"], "start", "at_risk", "at_risk_count"),
            "end": point(who5["by_point"], "end", "at_risk", "at_risk_count"),
            "mean_p": who5["start_vs_end"]["mean_p"],
        },
        "star": {
            "start": point(star["by_point"], "start"),
            "end": point(star["by_point"], "end"),
            "mean_p": star["start_vs_end"]["mean_p"],
        },
    }
