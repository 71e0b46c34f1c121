"""Skip logic, completeness and checks: inline instruments, then the six real ones."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from overgang.instruments import engine, registry
from overgang.instruments.types import Context

CASCADE = registry.compile_text("""
name: demo
title: {da: Demo, en: Demo}
pages:
- name: p1
  label: {da: Side, en: Page}
  items:
  - {name: debt, type: select_one yn, label: {da: Gæld, en: Debt}, required: true}
  - {name: debt_intro, type: note, label: {da: Typer, en: Types}, relevant: '${debt} = 1'}
  - {name: debt_others, type: select_one yn, label: {da: Andre, en: Others}, required: true, relevant: '${debt} = 1'}
  - {name: debt_others_who, type: text, label: {da: Hvem, en: Who}, relevant: '${debt_others} = 1'}
  - {name: not_five, type: text, label: {da: Ikke 5, en: Not 5}, relevant: '${debt} != 5'}
  - {name: unless_one, type: text, label: {da: U, en: U}, relevant: 'not (${debt} = 1)'}
choices:
  yn:
  - {code: 1, label: {da: Ja, en: 'Yes'}}
  - {code: 5, label: {da: Nej, en: 'No'}}
""")


def visible(instrument, answers):
    return [i.name for i in engine.visible_items(instrument, answers)]


def test_it_shows_follow_ups_only_after_their_answer():
    assert visible(CASCADE, {}) == ["debt", "unless_one"]
    assert visible(CASCADE, {"debt": 1}) == ["debt", "debt_intro", "debt_others", "not_five"]
    assert visible(CASCADE, {"debt": 1, "debt_others": 1})[-2:] == ["debt_others_who", "not_five"]
    assert visible(CASCADE, {"debt": 5}) == ["debt", "unless_one"]


def test_it_clears_hidden_answers_and_reports_them_with_the_cascade():
    answers = {"debt": 5, "debt_others": 1, "debt_others_who": "en ven", "not_five": "x"}
    kept, cleared = engine.apply_skip_logic(CASCADE, answers)
    assert kept == {"debt": 5}
    assert cleared == ["debt_others", "debt_others_who", "not_five"]
    assert answers["debt_others"] == 1  # the input is not changed


def test_it_clears_nothing_when_everything_is_relevant():
    answers = {"debt": 1, "debt_others": 1, "debt_others_who": "en ven"}
    assert engine.apply_skip_logic(CASCADE, answers) == (answers, [])


def test_it_clears_answers_to_notes_and_keeps_unknown_names_for_the_checker():
    kept, cleared = engine.apply_skip_logic(CASCADE, {"debt": 1, "debt_intro": "x", "nonsense": 3})
    assert cleared == ["debt_intro"] and kept == {"debt": 1, "nonsense": 3}
    assert [i.code for i in engine.check_answers(CASCADE, kept)] == ["unknown_item"]


def test_it_lists_missing_required_items_and_progress():
    assert [i.name for i in engine.missing_required(CASCADE, {})] == ["debt"]
    assert [i.name for i in engine.missing_required(CASCADE, {"debt": 1})] == ["debt_others"]
    assert engine.missing_required(CASCADE, {"debt": 5}) == []
    progress = engine.progress(CASCADE, {"debt": 1})
    assert (progress.answered, progress.relevant) == (1, 3) and progress.percent == 33


def test_it_reports_answers_to_hidden_items_as_errors():
    issues = engine.check_answers(CASCADE, {"debt": 5, "debt_others": 1})
    assert [(i.code, i.item) for i in issues] == [("not_relevant", "debt_others")]


@settings(max_examples=200, deadline=None)
@given(st.fixed_dictionaries({}, optional={
    "debt": st.sampled_from([1, 5, 2, None, "1", (1,)]),
    "debt_intro": st.text(max_size=2),
    "debt_others": st.sampled_from([1, 5, None]),
    "debt_others_who": st.text(max_size=3),
    "not_five": st.text(max_size=2),
    "unless_one": st.text(max_size=2),
}))
def test_it_leaves_no_hidden_item_with_an_answer(answers):
    kept, cleared = engine.apply_skip_logic(CASCADE, answers)
    shown = set(visible(CASCADE, kept))
    assert all(name in shown and not CASCADE.item(name).is_note for name in kept)
    assert engine.apply_skip_logic(CASCADE, kept) == (kept, [])
    assert set(cleared) <= set(answers)


# --- the real instruments ----------------------------------------------------------

INSTRUMENTS = registry.all_instruments()
START, STAR, REG = INSTRUMENTS["cti_start"], INSTRUMENTS["star"], INSTRUMENTS["registration"]
ONGOING, END, NOT_STARTED = INSTRUMENTS["cti_ongoing"], INSTRUMENTS["cti_end"], INSTRUMENTS["not_started"]
DEBT_TYPES = ["debt_types_intro", "debt_bank", "debt_consumer", "debt_partner", "debt_friends_family",
              "debt_public", "debt_prostitution_milieu", "debt_substance_milieu", "debt_others"]


def answerable_visible(instrument, answers):
    return [i.name for i in engine.visible_items(instrument, answers) if not i.is_note]


def test_it_hides_debt_types_when_there_is_no_debt():
    assert not set(DEBT_TYPES) & set(visible(START, {"debt": 5}))
    assert set(DEBT_TYPES) <= set(visible(START, {"debt": 1}))
    kept, cleared = engine.apply_skip_logic(START, {"debt": 5, "debt_bank": 1, "debt_others": 1, "debt_others_who": "x"})
    assert kept == {"debt": 5} and cleared == ["debt_bank", "debt_others", "debt_others_who"]


def test_it_saves_only_the_time_point_when_the_star_is_not_possible():
    answers = {"time_point": 3, "possible": 4, "goal": 1, "dim_money": 5, "paid_last_month": 2, "who5_1": 3}
    assert answerable_visible(STAR, answers) == ["time_point", "possible"]
    kept, cleared = engine.apply_skip_logic(STAR, answers)
    assert engine.serialise_answers(STAR, kept) == {"time_point": "3", "possible": "4"}
    assert cleared == ["goal", "dim_money", "paid_last_month", "who5_1"]
    assert engine.missing_required(STAR, kept) == []
    assert STAR.score("who5_index").of(engine.values(STAR, kept)) is None


def test_it_asks_for_a_reason_when_the_star_is_paused_or_declined():
    assert answerable_visible(STAR, {"time_point": 1, "possible": 2}) == ["time_point", "possible", "paused_reason"]
    assert answerable_visible(STAR, {"time_point": 1, "possible": 3}) == ["time_point", "possible", "declined_reason"]


def full_star(**overrides):
    answers = {"time_point": 1, "possible": 1, "goal": 1, "paid_last_month": 1, "paid_count": 4, "paid_trend": 88,
               "paid_motives": (2, 11), "paid_motives_other": "husleje", "who5_1": 3, "who5_2": 2, "who5_3": 5,
               "who5_4": 0, "who5_5": 1}
    answers.update({name: 6 for name in STAR.score("star_mean").items})
    answers.update(overrides)
    return answers


def test_it_asks_considered_only_when_not_paid_last_month():
    answers = full_star(paid_last_month=2, considered=1, considered_motives=(3,))
    shown = answerable_visible(STAR, answers)
    assert "considered" in shown and "considered_motives" in shown
    assert not {"paid_count", "paid_trend", "paid_motives"} & set(shown)
    kept, cleared = engine.apply_skip_logic(STAR, answers)
    assert cleared == ["paid_count", "paid_trend", "paid_motives", "paid_motives_other"]
    assert "considered" not in answerable_visible(STAR, full_star())


def test_it_completes_a_full_star_and_scores_it():
    answers = full_star()
    assert engine.apply_skip_logic(STAR, answers) == (answers, [])
    assert engine.missing_required(STAR, answers) == []
    assert engine.check_answers(STAR, answers) == []
    assert engine.progress(STAR, answers).percent == 100
    assert STAR.score("who5_index").of(answers) == 4 * (3 + 2 + 5 + 0 + 1)
    assert STAR.score("star_mean").of(answers).value == 6 and STAR.score("star_mean").of(answers).complete
    assert engine.serialise_answers(STAR, answers)["paid_motives"] == "2 11"


def test_it_ends_the_registration_when_never_paid():
    shown = answerable_visible(REG, {"first_paid": 88})
    assert not {"last_paid", "arenas", "payment"} & set(shown)
    assert {"last_paid", "arenas", "payment"} <= set(answerable_visible(REG, {"first_paid": 3}))
    assert "arenas_other" in answerable_visible(REG, {"first_paid": 3, "arenas": (1, 8)})


def test_it_routes_the_activity_plan_of_the_ongoing_form():
    no_plan = answerable_visible(ONGOING, {"plan_exists": 5})
    assert "plan_exists_reason" in no_plan
    assert not {"plan_needs_met", "plan_citizen_took_part", "plan_agreements", "plan_adjusted", "plan_evaluated"} & set(no_plan)
    not_adjusted = answerable_visible(ONGOING, {"plan_exists": 1, "plan_adjusted": 5})
    assert "plan_evaluated" in not_adjusted and "plan_adjusted_citizen" not in not_adjusted  # §12 O6
    assert "missed_reasons" in answerable_visible(ONGOING, {"appointments_kept": 2})
    assert "missed_reasons" not in answerable_visible(ONGOING, {"appointments_kept": 1})


def test_it_skips_the_long_term_plan_questions_of_the_end_form():
    shown = answerable_visible(END, {"longterm_plan": 5})
    assert not {"longterm_plan_took_part", "longterm_plan_needs_met"} & set(shown)
    assert "offers_established" in shown


def test_it_shows_one_row_per_child_up_to_eight():
    shown = visible(START, {"children": 1, "children_n": 3})
    assert [n for n in shown if n.startswith("child") and n.endswith("_lives_with")] == [
        "child1_lives_with", "child2_lives_with", "child3_lives_with"]
    assert "children_away_contact" in shown
    kept, cleared = engine.apply_skip_logic(START, {"children": 5, "children_n": 2, "child1_lives_with": 1})
    assert kept == {"children": 5} and cleared == ["children_n", "child1_lives_with"]


def test_it_asks_the_substance_need_of_everyone():
    shown = answerable_visible(START, {"substance": 5})
    assert "need_substance" in shown and "substance_notes" in shown
    assert not {"substance_alcohol", "substance_hard_drugs", "substance_cannabis"} & set(shown)


def test_it_asks_why_there_is_no_home_only_for_the_printed_codes():
    for code, expected in ((4, True), (5, False), (6, True), (7, False), (8, True), (9, True), (10, False)):
        assert ("no_home_reasons" in answerable_visible(START, {"lives_where": code})) is expected


def test_it_records_dual_citizenship_for_contacts_that_did_not_start():
    assert "citizenship_dual" in answerable_visible(NOT_STARTED, {"citizenship": 1})
    assert "citizenship_other" not in answerable_visible(NOT_STARTED, {"citizenship": 1, "citizenship_dual": 5})
    assert "citizenship_other" in answerable_visible(NOT_STARTED, {"citizenship": 1, "citizenship_dual": 1})
    assert "citizenship_other" in answerable_visible(NOT_STARTED, {"citizenship": 2})
    assert "resumed_on" in answerable_visible(NOT_STARTED, {"contact_resumed": 1})


def test_it_checks_date_order_of_a_contact():
    answers = {"first_contact": datetime.date(2016, 5, 1), "last_contact": datetime.date(2016, 4, 1)}
    issues = engine.check_answers(NOT_STARTED, answers, Context(filled_on=datetime.date(2016, 6, 1)))
    assert [(i.code, i.item) for i in issues] == [("below_min", "last_contact")]


def test_it_parses_an_imported_record_and_finds_its_gaps():
    raw = {"contact_route": "7", "contact_route_other": "Via veninde", "first_contact": "2016-02-01",
           "contact_forms": "1 2", "physical_meetings": "3", "third_party": "5", "contact_activities": "5",
           "offers": "0", "income": "1 5", "debt": "5", "hours_practical": "2"}
    answers, issues = engine.parse_answers(START, raw)
    assert [(i.code, i.item) for i in issues] == [("unknown_item", "hours_practical")]
    assert answers["offers"] == (0,) and answers["first_contact"] == datetime.date(2016, 2, 1)
    assert engine.check_answers(START, answers, Context(filled_on=datetime.date(2016, 3, 1))) == []
    missing = [i.name for i in engine.missing_required(START, answers)]
    assert missing[:2] == ["rent_known", "housing_cost_difficulty"]
    assert "debt_bank" not in missing and "third_party_reason" not in missing
    del raw["hours_practical"]
    assert engine.serialise_answers(START, answers) == raw


def _real_answers():
    """Answers drawn from each item's own domain, plus noise, for any real instrument."""
    def for_item(item):
        if item.choices:
            codes = list(item.choices.codes)
            if item.type == "select_multiple":
                return st.lists(st.sampled_from(codes), min_size=1, max_size=3).map(lambda c: tuple(sorted(set(c))))
            return st.sampled_from(codes)
        if item.type in ("integer", "decimal"):
            return st.integers(0, 12)
        if item.type == "date":
            return st.dates()
        return st.text(max_size=3)

    def answers(instrument):
        return st.fixed_dictionaries({}, optional={
            i.name: st.one_of(for_item(i), st.none()) for i in instrument.items})

    return st.sampled_from(sorted(INSTRUMENTS)).flatmap(lambda name: st.tuples(st.just(name), answers(INSTRUMENTS[name])))


@settings(max_examples=150, deadline=None)
@given(_real_answers())
def test_it_leaves_no_hidden_answer_in_any_real_instrument(case):
    name, answers = case
    instrument = INSTRUMENTS[name]
    kept, cleared = engine.apply_skip_logic(instrument, answers)
    shown = {i.name for i in engine.visible_items(instrument, kept)}
    for key in kept:
        assert key in shown and not instrument.item(key).is_note
    assert engine.apply_skip_logic(instrument, kept)[1] == []
    assert not [i for i in engine.check_answers(instrument, kept) if i.code in ("not_relevant", "note_has_answer")]
    # every answered item is either kept or reported, never silently lost
    answered = {k for k, v in answers.items() if engine.is_answered(v)}
    assert answered == ({k for k in kept if engine.is_answered(kept[k])} | set(cleared))


def test_it_computes_who5_only_from_five_valid_answers():
    who5_index, star_mean = STAR.score("who5_index"), STAR.score("star_mean")
    five = {f"who5_{k}": 5 for k in range(1, 6)}
    assert who5_index.of(five) == 100
    assert who5_index.of({**five, "who5_5": 0}) == 80
    assert who5_index.of({**five, "who5_3": None}) is None
    assert who5_index.of({**five, "who5_3": 6}) is None
    assert who5_index.of({**five, "who5_3": True}) is None
    assert star_mean.of({"dim_money": 3, "dim_time": 4}).value == Decimal("3.5")
    assert star_mean.of({"dim_money": 3, "dim_time": 11}).count == 1  # 11 is no step of the ladder
    assert not star_mean.of({"dim_money": 3}).complete
    assert star_mean.of({}).value is None
