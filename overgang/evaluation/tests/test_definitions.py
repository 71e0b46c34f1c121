"""The report definitions of evaluation.md: defaults, every override, bad input."""

from fractions import Fraction

import pytest
from django.utils import translation

from overgang.evaluation.definitions import DefinitionError, Definitions, parse_overrides

# evaluation.md, JSON contract, the "definitions" object as printed there.
CONTRACT_DEFINITIONS = {
    "who5_risk_max": 50,
    "who5_improvement": "10 points",
    "time_point_rule": "nearest_even_month",
    "end_measure": "coded_end",
    "large_inclusive": False,
}


def test_it_has_the_spec_defaults():
    d = Definitions()
    assert d.time_point_rule == "nearest_even_month"
    assert d.end_measure == "coded_end"
    assert (d.who5_risk_max, d.who5_depression_max) == (50, 28)
    assert d.who5_improvement == "10 points"
    assert d.large_inclusive is False
    assert (d.alpha, d.small_cells) == (0.05, 5)
    assert d.points == ("start", "phase1", "phase2", "phase3", "end")
    assert dict(d.point_codes) == {"start": 1, "phase1": 2, "phase2": 4, "phase3": 6, "end": 7}
    assert dict(d.ongoing_phase_codes) == {"phase1": 1, "phase2": 3, "phase3": 5}
    assert (d.progression_no_change, d.progression_large, d.star_min_dimensions) == (0.25, 1.0, 10)
    assert (d.missing_codes, d.paid_trend_missing_codes) == ((88, 99), (8, 88, 99))
    assert d.significance_levels == (0.05, 0.01, 0.001)


def test_to_json_echoes_the_contract_first_and_exactly():
    echoed = Definitions().to_json()
    assert dict(list(echoed.items())[:5]) == CONTRACT_DEFINITIONS
    assert list(echoed)[:5] == list(CONTRACT_DEFINITIONS)
    assert echoed["who5_depression_max"] == 28 and echoed["small_cells"] == 5
    assert echoed["course_length_groups"]["m13_14"] == [13, None]


def test_to_json_echoes_overrides():
    echoed = Definitions.from_overrides(['who5_improvement="10 percent"', "large_inclusive=true"]).to_json()
    assert echoed["who5_improvement"] == "10 percent" and echoed["large_inclusive"] is True


@pytest.mark.parametrize(
    "item, key, value",
    [
        ("time_point_rule=nearest_even_month", "time_point_rule", "nearest_even_month"),
        ("end_measure=last_observation", "end_measure", "last_observation"),
        ("end_measure=coded_end", "end_measure", "coded_end"),
        ("who5_risk_max=48", "who5_risk_max", 48),
        ("who5_depression_max=32", "who5_depression_max", 32),
        ('who5_improvement="10 percent"', "who5_improvement", "10 percent"),
        ("who5_improvement=10 points", "who5_improvement", "10 points"),
        ("who5_improvement='10 percent'", "who5_improvement", "10 percent"),
        ("large_inclusive=true", "large_inclusive", True),
        ("large_inclusive=Ja", "large_inclusive", True),
        ("large_inclusive=false", "large_inclusive", False),
        ("large_inclusive=0", "large_inclusive", False),
        ("alpha=0.01", "alpha", 0.01),
        ("alpha=0.001", "alpha", 0.001),
        ("small_cells=10", "small_cells", 10),
        ("  who5_risk_max =  40 ", "who5_risk_max", 40),
    ],
)
def test_it_takes_every_override(item, key, value):
    assert parse_overrides([item]) == {key: value}
    assert getattr(Definitions.from_overrides([item]), key) == value


def test_overrides_combine_and_leave_the_rest_at_the_default():
    d = Definitions.from_overrides(["who5_risk_max=40", "end_measure=last_observation"])
    assert (d.who5_risk_max, d.end_measure, d.who5_improvement) == (40, "last_observation", "10 points")
    assert Definitions.from_overrides([]) == Definitions()


@pytest.mark.parametrize(
    "items, code, key, allowed",
    [
        (["who5_risk=50"], "unknown_definition", "who5_risk", "who5_risk_max"),
        (["points=start"], "fixed_definition", "points", "who5_improvement"),
        (["missing_codes=99"], "fixed_definition", "missing_codes", "small_cells"),
        (["who5_risk_max=fifty"], "bad_value", "who5_risk_max", "0"),
        (["who5_risk_max=101"], "bad_value", "who5_risk_max", "100"),
        (["who5_depression_max=-1"], "bad_value", "who5_depression_max", "100"),
        (["who5_improvement=10%"], "bad_value", "who5_improvement", "10 points, 10 percent"),
        (["who5_improvement=12 points"], "bad_value", "who5_improvement", "10 percent"),
        (["end_measure=locf"], "bad_value", "end_measure", "coded_end, last_observation"),
        (["time_point_rule=exact"], "bad_value", "time_point_rule", "nearest_even_month"),
        (["large_inclusive=maybe"], "bad_value", "large_inclusive", "true, false"),
        (["alpha=0.1"], "bad_value", "alpha", "0.05, 0.01, 0.001"),
        (["small_cells=3"], "bad_value", "small_cells", "5"),
        (["small_cells=2.5"], "bad_value", "small_cells", "5"),
        (["who5_risk_max=40", "who5_risk_max=45"], "duplicate", "who5_risk_max", None),
        (["who5_risk_max"], "bad_format", "who5_risk_max", None),
        (["=40"], "bad_format", None, None),
    ],
)
def test_it_refuses_bad_keys_and_values(items, code, key, allowed):
    with pytest.raises(DefinitionError) as caught:
        parse_overrides(items)
    error = caught.value
    assert (error.code, error.key) == (code, key)
    if key:
        assert key in error.message
    if allowed:
        assert allowed in error.allowed and allowed in error.message


@pytest.mark.parametrize("language", ["da", "en"])
def test_the_message_names_key_and_allowed_values_in_either_language(language):
    # The English text comes from the catalogue; in both languages the key and the
    # allowed values are in the message.
    with translation.override(language), pytest.raises(DefinitionError) as caught:
        parse_overrides(["who5_improvement=10"])
    assert "who5_improvement" in str(caught.value) and "10 percent" in str(caught.value)


def test_the_danish_message_is_danish():
    with translation.override("da"), pytest.raises(DefinitionError) as caught:
        parse_overrides(["nonsense=1"])
    assert str(caught.value).startswith("Ukendt definition nonsense.")


def test_building_it_directly_is_checked_too():
    with pytest.raises(DefinitionError):
        Definitions(who5_risk_max=500)
    with pytest.raises(DefinitionError):
        Definitions(large_inclusive="maybe")
    with pytest.raises(TypeError):
        Definitions(points=("start",))  # fixed: not a constructor argument
    assert Definitions(who5_risk_max="40").who5_risk_max == 40


# ---------------------------------------------------------------------------- applying them


def test_who5_thresholds():
    d = Definitions()
    assert d.at_risk(48) and d.at_risk(50) and not d.at_risk(52)
    assert d.likely_depression(28) and not d.likely_depression(32)
    assert Definitions(who5_risk_max=40).at_risk(44) is False


def test_who5_improvement_points_and_percent():
    points, percent = Definitions(), Definitions(who5_improvement="10 percent")
    assert points.improved(40, 50) and not points.improved(40, 48)  # Δ = 10 counts, 8 does not
    assert percent.improved(40, 44) and not percent.improved(40, 43)  # 1.1 × 40 = 44
    assert percent.improved(50, 55) and not percent.improved(60, 64)  # 1.1 × 60 = 66
    assert percent.improved(0, 0)  # as written: 0 ≥ 1.1 × 0


@pytest.mark.parametrize(
    "delta, default, inclusive",
    [
        (-0.26, "regression", "regression"),
        (-0.25, "no_change", "no_change"),
        (0.25, "no_change", "no_change"),  # evaluation.md Fine print
        (0.26, "moderate", "moderate"),
        (1.0, "moderate", "large"),  # Δ = 1.0 is moderate unless large_inclusive
        (1.0000000001, "moderate", "large"),  # float noise is rounded to 9 decimals
        (sum([0.1] * 10), "moderate", "large"),  # 0.9999999999999999
        (Fraction(11, 10), "large", "large"),
    ],
)
def test_progression_classes(delta, default, inclusive):
    assert Definitions().progression_class(delta) == default
    assert Definitions(large_inclusive=True).progression_class(delta) == inclusive


@pytest.mark.parametrize(
    "days, code",
    [
        (-10, 1), (0, 1), (30, 1),  # m < 1 → even month 0 → start
        (31, 2), (91, 2),  # 30.4375 ≤ days < 3 × 30.4375 → month 2
        (92, 3), (152, 3),  # month 4: transition 1–2
        (153, 4), (213, 4), (214, 5), (273, 5), (274, 6), (334, 6), (335, 7), (1000, 7),
    ],
)
def test_nearest_even_month(days, code):
    # by hand: 3 × 30.4375 = 91.3125, 5 × = 152.1875, 7 × = 213.06, 9 × = 273.94, 11 × = 334.81
    assert Definitions().time_point_code(days) == code


@pytest.mark.parametrize(
    "months, length, dropout",
    [(None, None, None), (0, "le6", "before10"), (6, "le6", "before10"), (7, "m7_9", "before10"),
     (9, "m7_9", "before10"), (10, "m10_11", "from10"), (12, "m12", "from10"), (13, "m13_14", "from10"),
     (15, "m13_14", "from10")],
)
def test_course_length_and_dropout_groups(months, length, dropout):
    d = Definitions()
    assert (d.course_length_group(months), d.dropout_group(months)) == (length, dropout)


def test_significance_and_small_cells():
    d = Definitions()
    assert d.significant(0.049) and not d.significant(0.05) and not d.significant(None)
    assert d.suppressed(4) and not d.suppressed(5)
    assert Definitions(small_cells=10).suppressed(9)
