"""Chapter 5 (Figures 5.1–5.2, Tables 5.2–5.3) and the hours by activity kind.

Two cohorts: a small one whose every number is worked out by hand in the comments, and
one built so that SFI's published Tables 5.2 and 5.3 and the Ns of Figures 5.1–5.2 come
out (sfi-analyses.md "Chapter 5, the quantitative rest").
"""

from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import translation

from overgang.evaluation import chapter5, document, render
from overgang.evaluation.definitions import Definitions
from overgang.evaluation.report_json import compute
from overgang.evaluation.reports import Filters
from overgang.instruments import registry

from . import cohorts

D = cohorts.D


def report_of(world):
    return compute(Filters(), Definitions(), [world.a])


def blocks_of(report, *, suppress=False):
    doc = document.build(report, suppress=suppress)
    return {name: (doc, b) for s in doc.sections for b in s.blocks for name in (b.number, b.key)}


def shown(report, number, *, suppress=False):
    doc, block = blocks_of(report, suppress=suppress)[number]
    return doc.rows(block)


def hand_cohort(world):
    """Four courses; k4 has no start form, so its phase-1 ongoing form stands in."""
    p = [cohorts.citizen(world.a, name, world.worker) for name in ("Ask", "Birk", "Eg", "Hyld")]
    k1, k2, k3, k4 = (cohorts.course(person, D(2026, 1, 1)) for person in p)
    ongoing = "cti_ongoing"
    # Phase 1 (code 1). k3's older form (dimension 2) loses to its later one.
    cohorts.form(k1, ongoing, D(2026, 3, 1), phase=1, dimensions_worked="1 4", activity_types="1 6",
                 hours_practical="4", hours_social_support="6", hours_coordination="2")
    cohorts.form(k2, ongoing, D(2026, 3, 1), phase=1, dimensions_worked="4", activity_types="1",
                 hours_practical="2", hours_social_support="2")
    cohorts.form(k3, ongoing, D(2026, 2, 1), phase=1, dimensions_worked="2", activity_types="2")
    cohorts.form(k3, ongoing, D(2026, 3, 1), phase=1, dimensions_worked="0", activity_types="0")
    cohorts.form(k4, ongoing, D(2026, 3, 1), phase=1)  # answers neither 1.7 nor 1.8
    # A transition form (code 2) is in no phase.
    cohorts.form(k1, ongoing, D(2026, 5, 1), phase=2, dimensions_worked="5")
    # Phase 2 (code 3).
    cohorts.form(k1, ongoing, D(2026, 7, 1), phase=3, dimensions_worked="3 4 8", activity_types="9")
    cohorts.form(k2, ongoing, D(2026, 7, 1), phase=3, dimensions_worked="3")
    # Phase 3 (code 5).
    cohorts.form(k1, ongoing, D(2026, 11, 1), phase=5, offers="4 10", dimensions_worked="3",
                 hours_practical="1", hours_social_support="1", hours_coordination="3")
    cohorts.form(k2, ongoing, D(2026, 11, 1), phase=5, offers="0")
    cohorts.form(k3, ongoing, D(2026, 11, 1), phase=5, offers="10 12")
    # Start forms: 1.5 and 1.5.1.
    cohorts.form(k1, "cti_start", D(2026, 1, 1), contact_activities=1, contact_activity_types="4 5 6")
    cohorts.form(k2, "cti_start", D(2026, 1, 1), contact_activities=1, contact_activity_types="1 7")
    cohorts.form(k3, "cti_start", D(2026, 1, 1), contact_activities=5)
    # The end form: 99 hours of transport is an answer (hours have no missing codes).
    cohorts.form(k1, "cti_end", D(2026, 12, 31), months=12, hours_practical="0.5", hours_social_support="1.5",
                 hours_coordination="4", hours_transport="99")
    return k1, k2, k3, k4


def test_it_computes_focus_areas_and_activities_by_phase(world):
    hand_cohort(world)
    c5 = report_of(world)["chapter5"]
    focus = c5["focus_areas"]
    # Phase 1: k1 {1, 4}, k2 {4}, k3 {0} (its later form); k4 does not answer -> N = 3.
    assert focus["phase1"]["n"] == 3
    assert focus["phase1"]["shares"] == {"1": 1 / 3, "2": 0.0, "3": 0.0, "4": 2 / 3, "5": 0.0, "6": 0.0, "7": 0.0,
                                         "8": 0.0, "9": 0.0, "0": 1 / 3}
    # Phase 2: k1 {3, 4, 8}, k2 {3} -> 3: 2/2, 4: 1/2, 8: 1/2; the transition form's 5 is nowhere.
    assert focus["phase2"]["n"] == 2
    assert focus["phase2"]["counts"] == {"1": 0, "2": 0, "3": 2, "4": 1, "5": 0, "6": 0, "7": 0, "8": 1, "9": 0,
                                         "0": 0}
    assert focus["phase2"]["shares"]["3"] == 1.0 and focus["phase2"]["shares"]["8"] == 0.5
    # Phase 3: only k1 answers 1.7 -> N = 1, network 1/1.
    assert focus["phase3"]["n"] == 1 and focus["phase3"]["shares"]["3"] == 1.0
    activities = c5["activity_types"]
    # Phase 1: k1 {1, 6}, k2 {1}, k3 {0} -> 1: 2/3, 6: 1/3, "none" (0): 1/3; codes 1–12 and 0.
    assert list(activities["phase1"]["shares"]) == [str(c) for c in range(1, 13)] + ["0"]
    assert activities["phase1"]["n"] == 3
    assert activities["phase1"]["shares"]["1"] == 2 / 3 and activities["phase1"]["shares"]["6"] == 1 / 3
    assert activities["phase1"]["shares"]["0"] == 1 / 3
    # Phase 3: nobody answers 1.8 -> N = 0 and every share null, every key present.
    assert activities["phase3"]["n"] == 0
    assert set(activities["phase3"]["shares"].values()) == {None}
    assert len(activities["phase3"]["shares"]) == 13


def test_it_computes_the_contact_phase_and_the_offers(world):
    hand_cohort(world)
    c5 = report_of(world)["chapter5"]
    contact = c5["contact_phase"]
    # 1.5 answered by k1, k2 (yes) and k3 (no); k4's stand-in phase-1 form has no 1.5.
    assert contact["n"] == 3
    assert contact["with_activities"] == {"n": 2, "share": 2 / 3}
    # Of the 2 with activities: 6 (k1) 1/2; 4 or 5 (k1 ticks both, counted once) 1/2;
    # housing 1 (k2) 1/2; acute 7 (k2) 1/2; codes 2, 3 and 8 nobody.
    assert contact["types"] == {
        "supportive_talks": {"n": 1, "share": 0.5}, "benefits": {"n": 1, "share": 0.5},
        "housing": {"n": 1, "share": 0.5}, "acute": {"n": 1, "share": 0.5},
        "2": {"n": 0, "share": 0.0}, "3": {"n": 0, "share": 0.0}, "8": {"n": 0, "share": 0.0},
    }
    offers = c5["offers_phase3"]
    # Phase-3 forms: k1 {4, 10}, k2 {0}, k3 {10, 12} -> N = 3; 10: 2/3; 4, 12, 0: 1/3 each.
    assert offers["n"] == 3
    assert offers["offers"]["10"] == {"n": 2, "share": 2 / 3}
    assert offers["offers"]["0"] == {"n": 1, "share": 1 / 3}
    # Most frequent first; ties in the codebook's order (…, 4, …, 12, …, 0 listed last).
    assert list(offers["offers"])[:4] == ["10", "4", "12", "0"]
    assert len(offers["offers"]) == 21 and offers["offers"]["20"] == {"n": 0, "share": 0.0}


def test_it_computes_mean_hours_by_kind_and_phase(world):
    hand_cohort(world)
    hours = report_of(world)["chapter5"]["hours"]
    assert list(hours) == ["phase1", "phase2", "phase3", "end"]
    # Phase 1: practical (4 + 2) / 2 = 3; social support (6 + 2) / 2 = 4; coordination 2
    # (k1 only); support = practical + social on one form: (10 + 4) / 2 = 7.
    assert hours["phase1"]["practical"]["n"] == 2 and hours["phase1"]["practical"]["mean"] == 3.0
    assert hours["phase1"]["social_support"]["mean"] == 4.0
    assert hours["phase1"]["coordination"] == {"n": 1, "mean": 2.0, "sd": None}
    assert hours["phase1"]["support"]["n"] == 2 and hours["phase1"]["support"]["mean"] == 7.0
    # sd of (10, 4): sqrt(((10-7)^2 + (4-7)^2) / 1) = sqrt(18)
    assert hours["phase1"]["support"]["sd"] == pytest.approx(18 ** 0.5)
    assert hours["phase1"]["transport"] == {"n": 0, "mean": None, "sd": None}
    assert hours["phase2"]["coordination"]["n"] == 0
    # Phase 3: k1 practical 1, social 1, coordination 3 -> support 2.
    assert hours["phase3"]["support"]["mean"] == 2.0 and hours["phase3"]["coordination"]["mean"] == 3.0
    # End form: 0.5 + 1.5 = 2 support, 4 coordination, and 99 hours of transport counted.
    assert hours["end"]["support"]["mean"] == 2.0 and hours["end"]["coordination"]["mean"] == 4.0
    assert hours["end"]["transport"] == {"n": 1, "mean": 99.0, "sd": None}
    assert set(hours["end"]) == {*chapter5.HOURS, "support"}


def test_it_shows_chapter5_exactly_to_evaluators_and_suppressed_to_leaders(world):
    hand_cohort(world)
    report = report_of(world)
    rows = {r[0]: r for r in shown(report, "Figur 5.1")}
    # Labels are the codebook's; columns 1./2./3. fase in percent.
    assert rows["Psykisk helbred"][1:] == ["67", "50", "0"]
    assert rows["N"][1:] == ["3", "2", "1"]
    leader = {r[0]: r for r in shown(report, "Figur 5.1", suppress=True)}
    assert leader["Psykisk helbred"][1:] == ["(<5)", "(<5)", "(<5)"]
    assert leader["N"][1:] == ["<5", "<5", "<5"]
    _doc, block = blocks_of(report, suppress=True)["Figur 5.1"]
    assert block.chart == "" and block.empty  # every bar rests on fewer than 5
    _doc, block = blocks_of(report)["Figur 5.1"]
    assert "<svg" in block.chart and ">67%<" in block.chart
    # "Andet" and "Ingen af disse" are in the table, not in the chart (as SFI drew it).
    assert "Ingen af disse" in rows and "Ingen af disse" not in block.chart
    t52 = {r[0]: r for r in shown(report, "Tabel 5.2")}
    assert t52["Aktiviteter med borgeren i den kontaktskabende fase"][1:] == ["2", "67", "3"]
    assert t52["Rådgivning om ydelser / Hjælp til at søge ydelser"][1:] == ["1", "50", "2"]
    assert t52["Støttende samtaler"][1:] == ["1", "50", "2"]
    t52_leader = {r[0]: r for r in shown(report, "Tabel 5.2", suppress=True)}
    assert t52_leader["Støttende samtaler"][1:] == ["<5", "(<5)", "<5"]
    t53 = shown(report, "Tabel 5.3")
    assert t53[0] == ["Individuel psykologbehandling", "2", "67"]
    assert t53[3] == ["Ingen af disse tilbud", "1", "33"]
    hours = {r[0]: r for r in shown(report, "Figur 7.1b")}
    assert hours["Støtte i alt (praktiske gøremål og social støtte)"][1:] == ["7,0", "–", "2,0", "2,0"]
    assert hours["Transport"][1:] == ["–", "–", "–", "99,0"]
    assert {r[0]: r for r in shown(report, "Figur 7.1b", suppress=True)}["Transport"][4] == "(<5)"


def test_the_chapter_comes_in_the_readers_language_from_the_codebook(world):
    hand_cohort(world)
    report = report_of(world)
    with translation.override("en"):
        rows = [r[0] for r in shown(report, "f5-1")]
        offers = [r[0] for r in shown(report, "t5-3")]
        hours = [r[0] for r in shown(report, "f7-1b")]
        section = next(s for s in document.build(report).sections if s.blocks[0].number == "Table 5.1")
    ongoing = registry.get_instrument("cti_ongoing")
    assert ongoing.item("dimensions_worked").choices.get(4).label.en in rows
    assert "Psykisk helbred" not in rows
    assert offers[0] == ongoing.item("offers").choices.get(10).label.en
    assert ongoing.item("hours_coordination").label.en in hours
    assert section.title.startswith("Chapter 5")


def test_the_workbook_and_the_page_carry_chapter5(world):
    from openpyxl import load_workbook

    hand_cohort(world)
    report = report_of(world)
    book = load_workbook(BytesIO(render.xlsx(report)))
    for name in ("Tabel 5.1", "Figur 5.1", "Figur 5.2", "Tabel 5.2", "Tabel 5.3", "Figur 7.1b"):
        assert name in book.sheetnames
    rows = [[c.value for c in row] for row in book["Tabel 5.3"].iter_rows()]
    assert ["Individuel psykologbehandling", 2, 66.7] in rows
    leader = load_workbook(BytesIO(render.xlsx(report, suppress=True)))
    rows = [[c.value for c in row] for row in leader["Tabel 5.3"].iter_rows()]
    assert ["Individuel psykologbehandling", "<5", "(<5)"] in rows
    html = render.html(report)
    assert 'id="f5-1"' in html and 'id="t5-3"' in html and 'id="f7-1b"' in html
    # Figure 7.1b sits right after Figure 7.1.
    assert html.index('id="f7-1"') < html.index('id="f7-1b"') < html.index('id="t7-2"')


def test_every_item_and_code_chapter5_names_is_in_the_codebook():
    instruments = registry.all_instruments()
    specs = [chapter5.FOCUS_AREAS, chapter5.ACTIVITY_TYPES, chapter5.OFFERS, chapter5.CONTACT_ACTIVITIES,
             chapter5.CONTACT_ACTIVITY_TYPES]
    for instrument, name in specs:
        assert instruments[instrument].has_item(name), (instrument, name)
    assert chapter5.CONTACT_ACTIVITIES_YES in chapter5.answer_codes(chapter5.CONTACT_ACTIVITIES)
    for codes in chapter5.CONTACT_TYPE_ROWS.values():
        assert set(codes) <= set(chapter5.answer_codes(chapter5.CONTACT_ACTIVITY_TYPES))
    for spec, codes in chapter5.CHART_LEAVES_OUT.items():
        assert set(codes) <= set(chapter5.answer_codes(spec))
    for instrument in chapter5.HOURS_INSTRUMENTS:
        for name in chapter5.HOURS.values():
            found = instruments[instrument].item(name)
            assert found.handler.parse(found, "1.5") == Decimal("1.5"), (instrument, name)


# ---------------------------------------------------------------------------- SFI's numbers


def _spread(courses, rows):
    """Tick each (code, count) on ``count`` consecutive courses, wrapping around, so that
    rows overlap as in real data; returns course -> set of codes."""
    ticked = {c: set() for c in courses}
    at = 0
    for code, times in rows:
        for _i in range(times):
            ticked[courses[at % len(courses)]].add(code)
            at += 1
    return ticked


def sfi_cohort(world):
    """135 courses with start forms (as many as SFI's 52 % implies), 122 of which answer
    1.5 — 70 yes, 52 no — and phase forms for 108 / 98 / 66 courses (Table 3.1), of
    which 103 / 97 / 66 answer 1.7 and 1.8 (the Ns of Figures 5.1–5.2)."""
    people = [cohorts.citizen(world.a, f"B{i:03}", world.worker) for i in range(135)]
    courses = [cohorts.course(p, D(2026, 1, 1)) for p in people]
    yes, no = courses[:70], courses[70:122]
    # Table 5.2: 26 supportive talks (6); 15 benefits (9 × code 4, 4 × code 5, 2 × both);
    # 11 housing (1); 8 acute (7); the last 10 do other things (2, 3, 8).
    plan = [((6,), 26), ((4,), 9), ((5,), 4), ((4, 5), 2), ((1,), 11), ((7,), 8)]
    plan += [(((2, 3, 8)[i % 3],), 1) for i in range(10)]
    types = {}
    for codes, times in plan:
        for _i in range(times):
            types[yes[len(types)]] = set(codes)
    assert len(types) == 70
    for course in yes:
        cohorts.form(course, "cti_start", D(2026, 1, 1), contact_activities=1,
                     contact_activity_types=" ".join(str(c) for c in sorted(types[course])))
    for course in no:
        cohorts.form(course, "cti_start", D(2026, 1, 1), contact_activities=5)
    for course in courses[122:]:
        cohorts.form(course, "cti_start", D(2026, 1, 1))  # 1.5 not answered
    # Table 5.3: the seven offers SFI printed and one "none"; the other 65 forms also
    # receive social drug treatment (5), which SFI left out of the table.
    offers = _spread(courses[:65], [(10, 20), (4, 16), (7, 16), (11, 15), (8, 14), (14, 12), (12, 11)])
    for phase, code, forms, answering in (("phase1", 1, 108, 103), ("phase2", 3, 98, 97), ("phase3", 5, 66, 66)):
        for i, course in enumerate(courses[:forms]):
            answers = {"phase": code}
            if i < answering:
                answers.update(dimensions_worked="4" if i % 2 else "2 4", activity_types="1 6")
            if phase == "phase3":
                answers["offers"] = "0" if i == 65 else " ".join(str(c) for c in sorted(offers[course] | {5}))
            cohorts.form(course, "cti_ongoing", D(2026, 3 + 4 * (code // 2), 1), **answers)


def test_it_reproduces_sfis_tables_5_2_and_5_3_and_the_ns_of_figures_5_1_and_5_2(world):
    sfi_cohort(world)
    report = report_of(world)
    c5 = report["chapter5"]
    assert report["counts"]["start_cti_records"] == 135
    assert report["counts"]["ongoing_forms"] == {"phase1": 108, "phase2": 98, "phase3": 66}  # Table 3.1
    # Figures 5.1–5.2: "N = 103, N = 97. N = 66." (SFI printed the bars without values.)
    assert [c5["focus_areas"][p]["n"] for p in ("phase1", "phase2", "phase3")] == [103, 97, 66]
    assert [c5["activity_types"][p]["n"] for p in ("phase1", "phase2", "phase3")] == [103, 97, 66]
    # Table 5.2 as published: 70; 26 / 15 / 11 / 8 of the 70 = 37 / 21 / 16 / 11 %.
    t52 = {r[0]: r[1:] for r in shown(report, "Tabel 5.2")}
    assert t52["Aktiviteter med borgeren i den kontaktskabende fase"] == ["70", "57", "122"]
    assert t52["Støttende samtaler"] == ["26", "37", "70"]
    assert t52["Rådgivning om ydelser / Hjælp til at søge ydelser"] == ["15", "21", "70"]
    assert t52["Opskrivning til bolig"] == ["11", "16", "70"]
    assert t52["Akutte problemer ift. borgerens helbred"] == ["8", "11", "70"]
    # SFI printed 52 % for the 70, against its own note's N = 122 (70/122 = 57 %); 52 %
    # is 70 of all 135 start forms. The product keeps the note's definition.
    assert c5["contact_phase"]["n"] == 122 and c5["contact_phase"]["with_activities"]["share"] == 70 / 122
    assert round(100 * 70 / 135) == 52
    # Table 5.3 as published (N = 66): 20 30, 16 24, 16 24, 15 23, 14 21, 12 18, 11 17, none 1 2.
    t53 = {r[0]: r[1:] for r in shown(report, "Tabel 5.3")}
    offers = registry.get_instrument("cti_ongoing").item("offers").choices
    published = [(10, 20, 30), (4, 16, 24), (7, 16, 24), (11, 15, 23), (8, 14, 21), (14, 12, 18), (12, 11, 17),
                 (0, 1, 2)]
    for code, count, percent in published:
        assert t53[offers.get(code).label.da] == [str(count), str(percent)], code
    assert c5["offers_phase3"]["n"] == 66
    order = [code for code in c5["offers_phase3"]["offers"] if code != "5"][:7]
    assert order == ["10", "4", "7", "11", "8", "14", "12"]


def test_a_mean_is_rounded_half_up_not_cut_off():
    fmt = document.Format()
    # Django's number_format alone would print 6,6 for both of the first two.
    assert [fmt.show(document.mean(v, 10)) for v in (6.65, 6.66, 6.649, 39.45, 0.05)] == [
        "6,7", "6,7", "6,6", "39,5", "0,1"]
    with translation.override("en"):
        assert fmt.show(document.mean(6.65, 10)) == "6.7"


def test_the_mean_of_counted_hours_is_stats_mean_of_the_expanded_values():
    from overgang.evaluation import stats

    pairs = [(2.5, 3), (0.0, 1), (99.0, 2), (None, 4), (7.25, 1)]
    expanded = [v for v, k in pairs for _i in range(k)]
    reference = stats.mean_of(expanded, missing=())
    result = stats.mean_of_counts(pairs)
    assert result.n == reference.n == 7
    assert result.mean == pytest.approx(reference.mean) and result.sd == pytest.approx(reference.sd)
    assert stats.mean_of_counts([(4.0, 3)]).to_dict() == {"n": 3, "mean": 4.0, "sd": 0.0}
    assert stats.mean_of_counts([(None, 2)]).to_dict() == {"n": 0, "mean": None, "sd": None}
