"""Stage 2: check a loaded course template and report every problem at once.

``validate(definition)`` never raises and never stops at the first problem: it returns
``[Problem(code, where, message)]`` (the instruments' ``Problem``), ``where`` naming the
template and the key (``homelessness:calendar.phase_months``). Codes are stable; messages
are for developers and in English.

Problem codes:

========================  ========================================================
unknown_key               a key the format does not know (catches typos)
missing_field             a required key is absent or empty
bad_name                  a template or group name not matching ``^[a-z][a-z0-9_]*$``
                          (at most 32 characters)
missing_label             a text without non-empty ``da`` and ``en``
bad_number                a calendar number that is not a whole number in its range
course_length_mismatch    ``course_months`` is not the sum of ``phase_months``
unknown_instrument        an instrument the engine does not have
missing_instrument        one of the course instruments is not listed
bad_code                  a goal or choice_labels code that is not a whole number ≥ 0
duplicate                 the same goal, group, measure or subgroup twice
unknown_measure           a report measure or subgroup the report does not know
========================  ========================================================

Checks against the instruments' own definitions run in ``registry.compile_definitions``,
which knows both: ``unknown_group`` (an instrument does not declare the group) and
``unknown_goal`` (the `goal` list has no such code), ``unknown_choice`` (a
``choice_labels`` list or code the instruments do not have).
"""

from __future__ import annotations

import re

from overgang.instruments.registry import INSTRUMENTS
from overgang.instruments.validate import Problem

NAME = re.compile(r"^[a-z][a-z0-9_]*$")
NAME_MAX = 32
# Every course has the instruments of ``registry.INSTRUMENTS`` (the course calendar asks for them).
#: The parts of the evaluation report a template can include (keys of overgang-report/1;
#: ``counts`` is always there).
REPORT_MEASURES = (
    "who5", "star", "paid_last_month", "paid_or_considered", "motives", "course_length", "dropout",
    "staff_ratings", "attrition", "fidelity", "subgroups", "descriptives", "chapter5",
)
#: The subgroups of chapter 7 (evaluation.md ``subgroups``).
SUBGROUPS = ("substance_at_start", "active_6m", "who5_at_risk")
#: (key, lowest, highest) of the calendar: the same bounds the municipality's override has.
CALENDAR = (("interval_months", 1, 12), ("window_days", 0, 60))
PHASE_MONTHS = (1, 12)

_TOP_KEYS = {"name", "title", "target_group", "transition", "source", "calendar", "instruments", "goals", "report",
             "choice_labels"}
_CALENDAR_KEYS = {"phase_months", "course_months", "interval_months", "window_days"}
_REPORT_KEYS = {"measures", "subgroups"}


def validate(definition: dict) -> list[Problem]:
    problems: list[Problem] = []

    def add(code, where, message):
        problems.append(Problem(code, where, message))

    name = definition.get("name")
    at = name if isinstance(name, str) and name else "?"
    for key in sorted(set(definition) - _TOP_KEYS, key=str):
        add("unknown_key", at, f"unknown key {key!r}")
    if not _is_name(name):
        add("bad_name", at, f"template name {name!r} must match {NAME.pattern} (at most {NAME_MAX} characters)")
    for key in ("title", "target_group", "transition"):
        _label(definition.get(key), f"{at}:{key}", add)
    if not isinstance(definition.get("source", ""), str):
        add("missing_field", f"{at}:source", "source must be text")
    _calendar(definition.get("calendar"), f"{at}:calendar", add)
    _instruments(definition.get("instruments"), f"{at}:instruments", add)
    _codes(definition.get("goals"), f"{at}:goals", add)
    _report(definition.get("report"), f"{at}:report", add)
    _choice_labels(definition.get("choice_labels", {}), f"{at}:choice_labels", add)
    return problems


def _choice_labels(labels, where, add):
    """Optional ``choice_labels: {list name: {code: {da, en}}}``: the template's own
    wording of a choice (the same code, the same meaning)."""
    if not isinstance(labels, dict):
        add("missing_field", where, "choice_labels: {choice list: {code: {da: …, en: …}}}")
        return
    for name, codes in labels.items():
        if not isinstance(name, str) or not isinstance(codes, dict) or not codes:
            add("missing_field", f"{where}.{name}", "a choice list's codes with their labels")
            continue
        for code, label in codes.items():
            if isinstance(code, str) and code.isascii() and code.isdigit():
                code = int(code)  # the canonical JSON's keys are text
            if not _whole(code) or code < 0:
                add("bad_code", f"{where}.{name}.{code}", "a choice code is a whole number ≥ 0")
            _label(label, f"{where}.{name}.{code}", add)


def _is_name(value) -> bool:
    return isinstance(value, str) and bool(NAME.match(value)) and len(value) <= NAME_MAX


def _label(value, where, add):
    if not isinstance(value, dict) or not all(isinstance(value.get(k), str) and value[k].strip() for k in ("da", "en")):
        add("missing_label", where, "needs non-empty da and en text")
    elif set(value) - {"da", "en"}:
        add("unknown_key", where, f"unknown key(s) {sorted(set(value) - {'da', 'en'})}")


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _calendar(calendar, where, add):
    if not isinstance(calendar, dict):
        add("missing_field", where, "a template needs a calendar")
        return
    for key in sorted(set(calendar) - _CALENDAR_KEYS, key=str):
        add("unknown_key", where, f"unknown key {key!r}")
    for key in sorted(_CALENDAR_KEYS - set(calendar)):
        add("missing_field", f"{where}.{key}", f"the calendar needs {key}")
    phases = calendar.get("phase_months")
    low, high = PHASE_MONTHS
    if "phase_months" in calendar:
        if not isinstance(phases, list) or len(phases) != 3:
            add("bad_number", f"{where}.phase_months", "three phases: [months of phase 1, 2, 3]")
            phases = None
        elif not all(_whole(p) and low <= p <= high for p in phases):
            add("bad_number", f"{where}.phase_months", f"each phase lasts {low} to {high} whole months")
            phases = None
    course = calendar.get("course_months")
    if "course_months" in calendar:
        if not _whole(course) or course < 1:
            add("bad_number", f"{where}.course_months", "a whole number of months")
        elif phases and sum(phases) != course:
            add("course_length_mismatch", f"{where}.course_months",
                f"{course} months, but the phases add up to {sum(phases)}")
    for key, lowest, highest in CALENDAR:
        if key in calendar and not (_whole(calendar[key]) and lowest <= calendar[key] <= highest):
            add("bad_number", f"{where}.{key}", f"a whole number from {lowest} to {highest}")


def _instruments(instruments, where, add):
    if not isinstance(instruments, dict) or not instruments:
        add("missing_field", where, "a template lists its instruments and their item groups")
        return
    for instrument, groups in instruments.items():
        at = f"{where}.{instrument}"
        if instrument not in INSTRUMENTS:
            add("unknown_instrument", at, f"unknown instrument {instrument!r}; known: {', '.join(INSTRUMENTS)}")
            continue
        if groups is None:
            groups = []
        if not isinstance(groups, list):
            add("missing_field", at, "a list of item groups ([] for the common core only)")
            continue
        for group in groups:
            if not _is_name(group):
                add("bad_name", at, f"group name {group!r} must match {NAME.pattern}")
        for group in sorted({g for g in groups if groups.count(g) > 1}, key=str):
            add("duplicate", at, f"group {group!r} is listed twice")
    for instrument in INSTRUMENTS:
        if instrument not in instruments:
            add("missing_instrument", f"{where}.{instrument}", "every course uses this instrument")


def _codes(goals, where, add):
    if not isinstance(goals, list) or not goals:
        add("missing_field", where, "a template offers at least one goal (codes of the `goal` list)")
        return
    for code in goals:
        if not _whole(code) or code < 0:
            add("bad_code", where, f"goal code {code!r} must be a whole number ≥ 0")
    for code in sorted({c for c in goals if goals.count(c) > 1 and _whole(c)}):
        add("duplicate", where, f"goal {code} is listed twice")


def _report(report, where, add):
    if not isinstance(report, dict):
        add("missing_field", where, "a template names the report measures and subgroups that apply")
        return
    for key in sorted(set(report) - _REPORT_KEYS, key=str):
        add("unknown_key", where, f"unknown key {key!r}")
    for key, known in (("measures", REPORT_MEASURES), ("subgroups", SUBGROUPS)):
        values = report.get(key)
        if values is None:
            add("missing_field", f"{where}.{key}", f"a list of {key} ([] for none)")
            continue
        if not isinstance(values, list):
            add("missing_field", f"{where}.{key}", f"a list of {key}")
            continue
        for value in values:
            if value not in known:
                add("unknown_measure", f"{where}.{key}", f"unknown {key[:-1]} {value!r}; known: {', '.join(known)}")
        for value in sorted({v for v in values if values.count(v) > 1}, key=str):
            add("duplicate", f"{where}.{key}", f"{value!r} is listed twice")
    measures = report.get("measures") or []
    if isinstance(measures, list) and report.get("subgroups") and "subgroups" not in measures:
        add("unknown_measure", f"{where}.subgroups", "subgroups are listed but the measure `subgroups` is not")
