"""Schedule arithmetic with fixed dates: month ends, leap years, pauses, late stars."""

import datetime as dt

import pytest

from overgang.courses import schedule as s

D = dt.date
PLAN = s.Plan()


@pytest.mark.parametrize(
    "day,months,expected",
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),  # leap year
        (D(2026, 3, 31), 2, D(2026, 5, 31)),
        (D(2026, 8, 31), 1, D(2026, 9, 30)),
        (D(2026, 11, 15), 2, D(2027, 1, 15)),
        (D(2026, 12, 31), 12, D(2027, 12, 31)),
        (D(2028, 2, 29), 12, D(2029, 2, 28)),
    ],
)
def test_it_adds_calendar_months_clamping_to_the_month_end(day, months, expected):
    assert s.add_months(day, months) == expected


def test_stars_are_due_every_two_months_from_the_start_in_a_four_week_window():
    occasions = s.occasions(D(2026, 1, 15), PLAN, [])
    assert [(o.kind, o.due) for o in occasions] == [
        ("start", D(2026, 1, 15)),
        ("ongoing", D(2026, 3, 15)),
        ("ongoing", D(2026, 5, 15)),
        ("ongoing", D(2026, 7, 15)),
        ("ongoing", D(2026, 9, 15)),
        ("ongoing", D(2026, 11, 15)),
        ("end", D(2027, 1, 15)),
    ]
    assert occasions[1].window_start == D(2026, 3, 1) and occasions[1].window_end == D(2026, 3, 29)
    assert occasions[0].instruments == ("registration", "cti_start", "star")
    assert occasions[-1].instruments == ("star", "cti_end")


def test_a_start_on_the_31st_keeps_month_ends():
    dues = [o.due for o in s.occasions(D(2025, 12, 31), PLAN, [])]
    assert dues[:4] == [D(2025, 12, 31), D(2026, 2, 28), D(2026, 4, 30), D(2026, 6, 30)]


def test_a_pause_moves_the_later_due_dates_and_the_end_but_not_the_earlier():
    pause = s.Pause(D(2026, 4, 1), D(2026, 4, 21))  # 20 days
    occasions = s.occasions(D(2026, 1, 15), PLAN, [pause])
    dues = [o.due for o in occasions]
    assert dues[1] == D(2026, 3, 15)  # before the pause
    assert dues[2] == D(2026, 6, 4)  # 15 May + 20 days
    assert dues[-1] == D(2027, 2, 4)
    assert s.planned_end(D(2026, 1, 15), PLAN, [pause]) == D(2027, 2, 4)


def test_an_open_pause_leaves_later_dates_unknown():
    pause = s.Pause(D(2026, 4, 1), None)
    occasions = s.occasions(D(2026, 1, 15), PLAN, [pause])
    assert [o.kind for o in occasions] == ["start", "ongoing"]
    assert s.planned_end(D(2026, 1, 15), PLAN, [pause]) is None


def test_a_late_star_does_not_move_the_next_due_date():
    occasions = s.occasions(D(2026, 1, 15), PLAN, [])
    s.match(occasions, [("a", "star", D(2026, 1, 15)), ("b", "star", D(2026, 4, 10))])  # 26 days late
    assert occasions[1].done == {"star": "b"}
    assert occasions[2].due == D(2026, 5, 15)
    assert occasions[2].state(D(2026, 5, 2), "star") == ("window", 13)


def test_states_of_an_open_measurement():
    occasion = s.occasions(D(2026, 1, 15), PLAN, [])[1]  # due 15 March
    assert occasion.state(D(2026, 2, 20), "star") == ("upcoming", 23)
    assert occasion.state(D(2026, 3, 1), "star") == ("window", 14)
    assert occasion.state(D(2026, 3, 29), "star") == ("window", -14)
    assert occasion.state(D(2026, 3, 30), "star") == ("overdue", 15)


def test_each_record_fills_the_nearest_occasion_once():
    occasions = s.occasions(D(2026, 1, 15), PLAN, [])
    s.match(occasions, [("x", "star", D(2026, 3, 10)), ("y", "star", D(2026, 3, 20)), ("z", "cti_ongoing", D(2026, 3, 14))])
    assert occasions[1].done == {"star": "x", "cti_ongoing": "z"}
    assert occasions[2].done == {"star": "y"}  # the second March star counts for May, early


def test_next_due_is_the_earliest_open_measurement():
    occasions = s.occasions(D(2026, 1, 15), PLAN, [])
    s.match(occasions, [("r", "registration", D(2026, 1, 15)), ("c", "cti_start", D(2026, 1, 16)), ("s", "star", D(2026, 1, 15))])
    occasion, instrument, state, days = s.next_due(occasions, D(2026, 4, 5))
    assert (occasion.due, instrument, state, days) == (D(2026, 3, 15), "cti_ongoing", "overdue", 21)


def test_active_months_leave_out_pauses():
    pause = s.Pause(D(2026, 3, 1), D(2026, 4, 1))
    assert s.whole_active_months(D(2026, 1, 15), D(2026, 5, 14), []) == 3
    assert s.whole_active_months(D(2026, 1, 15), D(2026, 5, 15), []) == 4
    assert s.whole_active_months(D(2026, 1, 15), D(2026, 5, 15), [pause]) == 2
    assert s.whole_active_months(D(2026, 1, 15), D(2026, 1, 1), []) == 0


@pytest.mark.parametrize("months,time_point", [(0, 1), (1, 2), (2, 2), (4, 3), (5, 4), (6, 4), (8, 5), (10, 6), (12, 7), (14, 7)])
def test_the_expected_star_time_point(months, time_point):
    assert s.expected_time_point(months, PLAN) == time_point


def test_the_expected_time_points_follow_the_codebook_at_the_even_months():
    # instruments.md §2.8: months 0, 2, …, 12 give 1, 2, 3, 4, 5, 6, 7 -- with 4+4+4 phases
    # months 2 and 6 and 10 are inside phases; 4 and 8 are the transitions.
    assert [s.expected_time_point(m, PLAN) for m in (0, 4, 8, 12)] == [1, 3, 5, 7]
    assert [s.expected_phase_code(m, PLAN) for m in (2, 4, 6, 8, 10)] == [1, 2, 3, 4, 5]


def test_standard_cti_with_three_month_phases():
    plan = s.Plan(phase_months=(3, 3, 3))
    occasions = s.occasions(D(2026, 1, 1), plan, [])
    assert [o.due for o in occasions][-1] == D(2026, 10, 1)
    assert s.expected_time_point(3, plan) == 3 and s.expected_time_point(6, plan) == 5


def test_an_early_ending_puts_the_end_measurement_on_the_real_end():
    occasions = s.occasions(D(2026, 1, 15), PLAN, [], end=D(2026, 6, 2))
    assert [(o.kind, o.due) for o in occasions][-1] == ("end", D(2026, 6, 2))
    assert [o.kind for o in occasions].count("ongoing") == 2
