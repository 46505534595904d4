"""Lights, the chase ladder and extension bounds on the real 2026 calendar."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appraisal.domain.calendar import WorkingCalendar
from appraisal.domain.deadlines import (
    ChaseStage, DeadlineRules, Light, chase_stage, check_extension, due_date, light, working_days_late,
)
from appraisal.errors import InvalidInput
from appraisal.services.calendar import package_calendar

D = dt.date
CAL = WorkingCalendar.build(*package_calendar())


def test_a_pause_moves_the_due_date_by_its_working_days():
    assert due_date(CAL, D(2026, 11, 2), 5) == D(2026, 11, 9)
    assert due_date(CAL, D(2026, 11, 2), 5, paused_days=2) == D(2026, 11, 11)


def test_a_20_day_matter_is_green_then_yellow_then_red():
    start = D(2026, 11, 2)
    due = due_date(CAL, start, 20)  # 30 November
    assert due == D(2026, 11, 30)
    assert light(CAL, D(2026, 11, 5), start, due) == Light.GREEN
    assert light(CAL, D(2026, 11, 16), start, due) == Light.GREEN  # 10 of 20 used
    assert light(CAL, D(2026, 11, 20), start, due) == Light.YELLOW  # 14 of 20 used: over 2/3
    assert light(CAL, due, start, due) == Light.YELLOW
    assert light(CAL, D(2026, 12, 1), start, due) == Light.RED


def test_one_working_day_left_is_yellow_even_for_a_long_limit():
    rules = DeadlineRules(yellow_share_used=0.99)
    assert light(CAL, D(2026, 11, 27), D(2026, 11, 2), D(2026, 11, 30), rules) == Light.YELLOW


def test_the_chase_ladder_reminds_chases_then_circulates():
    due = D(2026, 11, 13)  # a Friday
    assert chase_stage(CAL, D(2026, 11, 10), due) is None
    assert chase_stage(CAL, D(2026, 11, 12), due) == ChaseStage.REMINDER
    assert chase_stage(CAL, D(2026, 11, 14), due) is None, "the weekend after due: no working day late yet"
    assert chase_stage(CAL, D(2026, 11, 16), due) == ChaseStage.CHASE  # the working day after due
    assert working_days_late(CAL, D(2026, 11, 20), due) == 5
    assert chase_stage(CAL, D(2026, 11, 20), due) == ChaseStage.CHASE
    assert chase_stage(CAL, D(2026, 11, 23), due) == ChaseStage.BULLETIN  # more than 5 late


def test_an_extension_asked_after_the_due_date_is_refused():
    with pytest.raises(InvalidInput, match="已超过办结期限"):
        check_extension(CAL, D(2026, 11, 16), D(2026, 11, 13), D(2026, 11, 20), 5, 0)


def test_an_extension_is_bounded_by_the_original_limit_and_allowed_once():
    due = D(2026, 11, 13)
    check_extension(CAL, D(2026, 11, 12), due, D(2026, 11, 20), 5, 0)  # 5 more working days: allowed
    with pytest.raises(InvalidInput, match="最多 5 个工作日"):
        check_extension(CAL, D(2026, 11, 12), due, D(2026, 11, 23), 5, 0)
    with pytest.raises(InvalidInput, match="不能再延期"):
        check_extension(CAL, D(2026, 11, 12), due, D(2026, 11, 16), 5, 1)
    with pytest.raises(InvalidInput, match="必须晚于"):
        check_extension(CAL, D(2026, 11, 12), due, due, 5, 0)


@given(st.dates(D(2026, 1, 1), D(2026, 10, 1)), st.integers(1, 20), st.integers(0, 40))
def test_overdue_is_always_red_and_never_before(start, limit, offset):
    due = due_date(CAL, start, limit)
    today = start + dt.timedelta(days=offset)
    assert (light(CAL, today, start, due) == Light.RED) == (today > due)
