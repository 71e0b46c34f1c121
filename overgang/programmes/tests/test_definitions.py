"""The course templates as data: the four shipped templates, and every problem code of
the validator on small inline definitions."""

import shutil

import pytest

from overgang.programmes import registry
from overgang.programmes.build import build
from overgang.programmes.validate import validate

GOOD = """
name: inline
title: {da: Prøve, en: Trial}
target_group: {da: Nogle borgere, en: Some citizens}
transition: {da: Fra A til B, en: From A to B}
calendar: {phase_months: [3, 3, 3], course_months: 9, interval_months: 2, window_days: 14}
instruments:
  registration: []
  star: []
  cti_start: []
  cti_ongoing: []
  cti_end: []
  not_started: []
goals: [3, 4]
report: {measures: [who5, star, subgroups], subgroups: [who5_at_risk]}
"""


def codes(text):
    return sorted({(p.code, p.where) for p in validate(registry.load_text(text))})


def test_it_ships_the_four_templates_of_the_sources():
    templates = registry.all_templates()
    assert sorted(templates) == ["care_home", "exit_prostitution", "homelessness", "psychiatric_discharge"]
    assert registry.DEFAULT == "exit_prostitution"
    exit_ = templates["exit_prostitution"]
    # Exit Prostitution: 12 months in three phases of 4, a star every 2 months ± 14 days,
    # the SFI goals and every report chapter (cti-method.md 1.3, 1.5; evaluation.md).
    assert (exit_.calendar.phase_months, exit_.calendar.course_months) == ((4, 4, 4), 12)
    assert (exit_.calendar.interval_months, exit_.calendar.window_days) == (2, 14)
    assert exit_.goals == (1, 2)
    assert all(exit_.groups(name) == {"prostitution"} for name, _groups in exit_.instruments)
    assert {"paid_last_month", "paid_or_considered", "motives"} <= set(exit_.measures)
    assert set(exit_.subgroups) == {"substance_at_start", "active_6m", "who5_at_risk"}
    for name in ("homelessness", "psychiatric_discharge", "care_home"):
        template = templates[name]
        # Standard CTI: 9 months in three equal phases; only the common core of the
        # instruments; no prostitution measure or subgroup in the report.
        assert template.calendar.phase_months == (3, 3, 3), name
        assert all(not groups for _instrument, groups in template.instruments), name
        assert not {"paid_last_month", "paid_or_considered", "motives"} & set(template.measures), name
        assert "active_6m" not in template.subgroups
        assert set(template.goals).isdisjoint(exit_.goals), name
        assert "prostitution" not in template.title.da.lower() + template.target_group.da.lower()


def test_a_template_rebuilds_from_its_canonical_json_to_the_same_hash():
    import json

    template = registry.get_template("homelessness")
    rebuilt = build(json.loads(template.canonical_json()))
    assert rebuilt == template and rebuilt.content_hash() == template.content_hash()


def test_a_good_inline_template_has_no_problems():
    assert codes(GOOD) == []


@pytest.mark.parametrize("change,expected", [
    (("name: inline", "name: Inline"), ("bad_name", "Inline")),
    (("goals: [3, 4]", "goals: [3, 4]\ncolour: blue"), ("unknown_key", "inline")),
    (("title: {da: Prøve, en: Trial}", "title: {da: Prøve}"), ("missing_label", "inline:title")),
    (("course_months: 9", "course_months: 12"), ("course_length_mismatch", "inline:calendar.course_months")),
    (("phase_months: [3, 3, 3]", "phase_months: [3, 3]"), ("bad_number", "inline:calendar.phase_months")),
    (("phase_months: [3, 3, 3]", "phase_months: [0, 3, 6]"), ("bad_number", "inline:calendar.phase_months")),
    (("window_days: 14", "window_days: 90"), ("bad_number", "inline:calendar.window_days")),
    (("interval_months: 2, ", ""), ("missing_field", "inline:calendar.interval_months")),
    (("  not_started: []", "  not_started: []\n  diary: []"), ("unknown_instrument", "inline:instruments.diary")),
    (("  not_started: []\n", ""), ("missing_instrument", "inline:instruments.not_started")),
    (("  star: []", "  star: [Prostitution]"), ("bad_name", "inline:instruments.star")),
    (("  star: []", "  star: [extra, extra]"), ("duplicate", "inline:instruments.star")),
    (("goals: [3, 4]", "goals: [3, three]"), ("bad_code", "inline:goals")),
    (("goals: [3, 4]", "goals: [3, 3]"), ("duplicate", "inline:goals")),
    (("goals: [3, 4]", "goals: []"), ("missing_field", "inline:goals")),
    (("measures: [who5, star, subgroups]", "measures: [who5, stars, subgroups]"),
     ("unknown_measure", "inline:report.measures")),
    (("subgroups: [who5_at_risk]", "subgroups: [left_handed]"), ("unknown_measure", "inline:report.subgroups")),
    (("measures: [who5, star, subgroups]", "measures: [who5, star]"), ("unknown_measure", "inline:report.subgroups")),
    (("goals: [3, 4]", "goals: [3, 4]\nchoice_labels: {end_reasons: {2: {da: Slut}}}"),
     ("missing_label", "inline:choice_labels.end_reasons.2")),
    (("goals: [3, 4]", "goals: [3, 4]\nchoice_labels: {end_reasons: {two: {da: Slut, en: End}}}"),
     ("bad_code", "inline:choice_labels.end_reasons.two")),
    (("goals: [3, 4]", "goals: [3, 4]\nchoice_labels: [end_reasons]"), ("missing_field", "inline:choice_labels")),
])
def test_it_reports_each_problem_with_its_code_and_place(change, expected):
    old, new = change
    assert old in GOOD
    assert expected in codes(GOOD.replace(old, new, 1))


def test_it_reports_every_problem_of_a_definition_at_once():
    text = GOOD.replace("name: inline", "name: 9").replace("course_months: 9", "course_months: 10").replace(
        "goals: [3, 4]", "goals: [-1]")
    assert {code for code, _where in codes(text)} == {"bad_name", "course_length_mismatch", "bad_code"}


@pytest.fixture
def definitions(tmp_path):
    target = tmp_path / "definitions"
    shutil.copytree(registry.DEFINITIONS_DIR, target)
    return target


def test_a_broken_file_stops_the_whole_set_with_every_problem(definitions):
    (definitions / "homelessness.yaml").write_text(
        (definitions / "homelessness.yaml").read_text().replace("course_months: 9", "course_months: 8"))
    (definitions / "care_home.yaml").write_text("name: [")
    (definitions / "renamed.yaml").write_text((definitions / "psychiatric_discharge.yaml").read_text())
    with pytest.raises(registry.DefinitionError) as caught:
        registry.compile_definitions(definitions)
    found = {(p.code, p.where) for p in caught.value.problems}
    assert ("course_length_mismatch", "homelessness:calendar.course_months") in found
    assert ("bad_yaml", "care_home") in {(c, w.split(" ")[0]) for c, w in found}
    assert ("name_mismatch", "renamed") in found


def test_the_default_template_must_exist(definitions):
    (definitions / "exit_prostitution.yaml").unlink()
    with pytest.raises(registry.DefinitionError) as caught:
        registry.compile_definitions(definitions)
    assert [p.code for p in caught.value.problems] == ["missing_default"]


def test_groups_and_goals_must_be_the_instruments_own(definitions):
    path = definitions / "homelessness.yaml"
    path.write_text(path.read_text().replace("  star: []", "  star: [astrology]").replace("goals: [3, 4]", "goals: [3, 9]"))
    with pytest.raises(registry.DefinitionError) as caught:
        registry.compile_definitions(definitions)
    assert {(p.code, p.where) for p in caught.value.problems} == {
        ("unknown_group", "homelessness:instruments.star"), ("unknown_goal", "homelessness:goals")}


def test_choice_labels_must_be_the_instruments_own_choices(definitions):
    path = definitions / "homelessness.yaml"
    path.write_text(path.read_text().replace("    2: {da: Det", "    12: {da: Det"))
    with pytest.raises(registry.DefinitionError) as caught:
        registry.compile_definitions(definitions)
    assert {(p.code, p.where) for p in caught.value.problems} == {
        ("unknown_choice", "homelessness:choice_labels.end_reasons.12")}


def test_a_nine_month_template_words_the_planned_end_its_own_way():
    """The end form's reason 2 is SFI's "12 måneders CTI-forløb afsluttes"; a 9-month
    template's courses read "Det planlagte CTI-forløb afsluttes" (the same code), and
    Exit prostitution keeps SFI's wording and its content hash."""
    from overgang.instruments import registry as instruments

    end = instruments.get_instrument("cti_end")
    assert end.item("end_reasons").choices.get(2).label.da == "12 måneders CTI-forløb afsluttes"
    for name in ("homelessness", "psychiatric_discharge", "care_home"):
        own = registry.get_template(name).restrict(end).item("end_reasons").choices
        assert own.get(2).label.da == "Det planlagte CTI-forløb afsluttes"
        assert own.get(2).label.en == "The planned CTI course is completed"
        assert own.codes == end.item("end_reasons").choices.codes
    exit_prostitution = registry.get_template("exit_prostitution")
    assert exit_prostitution.restrict(end).item("end_reasons").choices.get(2).label.da == (
        "12 måneders CTI-forløb afsluttes")
    assert "choice_labels" not in exit_prostitution.to_dict()
    home = registry.get_template("homelessness")
    assert build(home.to_dict()) == home


def test_a_template_restricts_each_instrument_to_its_groups_and_goals():
    from overgang.instruments import registry as instruments

    star = instruments.get_instrument("star")
    exit_star = registry.get_template("exit_prostitution").restrict(star)
    home_star = registry.get_template("homelessness").restrict(star)
    assert exit_star.has_item("paid_last_month") and not home_star.has_item("paid_last_month")
    assert exit_star.item("goal").choices.codes == (1, 2)
    assert home_star.item("goal").choices.codes == (3, 4)
    assert [i.name for i in home_star.items if i.name.startswith("dim_")] == [
        i.name for i in star.items if i.name.startswith("dim_")]
