"""Working-day arithmetic on the real 2026 calendar and on arbitrary ones."""

import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from appraisal.domain.calendar import CalendarGap, WorkingCalendar, whole_working_days
from appraisal.errors import InvalidInput
from appraisal.services.calendar import package_calendar

D = dt.date
years, holidays, workdays = package_calendar()
REAL = WorkingCalendar.build(years, holidays, workdays)
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def test_the_national_day_week_is_not_worked_and_the_makeup_saturday_is():
    for day in range(1, 8):
        assert not REAL.is_working_day(D(2026, 10, day)), f"10-{day} is a holiday"
    assert REAL.is_working_day(D(2026, 10, 10)), "Saturday 10 October 2026 is a make-up working day"
    assert REAL.is_working_day(D(2026, 9, 20)), "Sunday 20 September 2026 is a make-up working day"
    assert not REAL.is_working_day(D(2026, 10, 11)), "an ordinary Sunday"


def test_a_matter_accepted_before_national_day_is_due_after_it():
    assert REAL.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    # 5 working days from 30 Sep: 8, 9, 10 (make-up Saturday), 12, 13 October.
    assert REAL.add_working_days(D(2026, 9, 30), 5) == D(2026, 10, 13)


def test_immediate_and_same_day_limits_stay_on_the_day_or_move_to_the_next_working_day():
    assert REAL.add_working_days(D(2026, 11, 23), 0) == D(2026, 11, 23)
    assert REAL.add_working_days(D(2026, 10, 3), 0) == D(2026, 10, 8)


def test_a_friday_plus_one_is_monday():
    assert REAL.add_working_days(D(2026, 11, 20), 1) == D(2026, 11, 23)


def test_lateness_counts_working_days_only():
    assert REAL.working_days_between(D(2026, 9, 30), D(2026, 10, 9)) == 2
    assert REAL.working_days_between(D(2026, 10, 9), D(2026, 9, 30)) == -2


def test_a_pause_across_the_holiday_costs_only_its_working_hours():
    # Paused on Wed 30 Sep at 16:00, resumed on Thu 8 Oct at 10:00 (local time).
    start = dt.datetime(2026, 9, 30, 16, tzinfo=SHANGHAI)
    end = dt.datetime(2026, 10, 8, 10, tzinfo=SHANGHAI)
    assert REAL.working_time_between(start, end) == dt.timedelta(hours=8 + 10)
    assert whole_working_days(REAL.working_time_between(start, end)) == 1


def test_a_year_without_data_is_an_error_naming_the_year():
    with pytest.raises(CalendarGap) as err:
        REAL.add_working_days(D(max(years), 12, 30), 5)
    assert err.value.year == max(years) + 1
    assert f"{max(years) + 1} 年" in err.value.message


def test_negative_day_counts_are_refused():
    with pytest.raises(InvalidInput, match="负数"):
        REAL.add_working_days(D(2026, 1, 5), -1)


calendars = st.builds(
    lambda off, extra: WorkingCalendar.build({2030, 2031}, off, extra),
    st.sets(st.dates(D(2030, 1, 1), D(2031, 12, 31)), max_size=40),
    st.sets(st.dates(D(2030, 1, 1), D(2031, 12, 31)).filter(lambda d: d.weekday() >= 5), max_size=10),
)
starts = st.dates(D(2030, 1, 1), D(2030, 12, 31))


@given(calendars, starts, st.integers(0, 60))
def test_the_due_date_is_a_working_day_exactly_n_working_days_later(cal, start, n):
    due = cal.add_working_days(start, n)
    assert cal.is_working_day(due)
    assert due >= start
    if n > 0:
        assert cal.working_days_between(start, due) == n


@given(calendars, starts, st.integers(0, 60))
def test_a_longer_limit_is_never_due_earlier(cal, start, n):
    later, earlier = cal.add_working_days(start, n + 1), cal.add_working_days(start, n)
    if n >= 1:
        assert later > earlier
    else:
        # Accepted on a day off, 即办 and a 1-day limit both fall on the next working day.
        assert later >= earlier and (later > earlier or not cal.is_working_day(start))


@given(calendars, starts, st.integers(1, 30), st.integers(1, 30))
def test_working_days_compose(cal, start, a, b):
    assert cal.add_working_days(cal.add_working_days(start, a), b) == cal.add_working_days(start, a + b)


@given(calendars, st.datetimes(dt.datetime(2030, 1, 1), dt.datetime(2030, 12, 1)), st.integers(0, 20 * 24))
def test_working_time_never_exceeds_elapsed_time(cal, start, hours):
    start = start.replace(tzinfo=SHANGHAI)
    end = start + dt.timedelta(hours=hours)
    assume(end.year <= 2031)
    worked = cal.working_time_between(start, end)
    assert dt.timedelta(0) <= worked <= end - start


def _walk_between(cal, start, end):
    """Working days after `start` up to `end`, counted day by day (what the index replaces)."""
    count, day = 0, start + dt.timedelta(days=1)
    while day <= end:
        count += cal.is_working_day(day)
        day += dt.timedelta(days=1)
    return count


def _walk_add(cal, start, n):
    """The n-th working day after `start` (n = 0: `start` or the next working day), day by day."""
    day = start
    if n == 0:
        while not cal.is_working_day(day):
            day += dt.timedelta(days=1)
        return day
    for _ in range(n):
        day += dt.timedelta(days=1)
        while not cal.is_working_day(day):
            day += dt.timedelta(days=1)
    return day


def _outcome(work):
    try:
        return work()
    except CalendarGap as gap:
        return ("gap", gap.year)


# Calendars with a year missing in the middle (2031) and none after 2032.
gapped = st.builds(
    lambda off, extra: WorkingCalendar.build({2030, 2032}, off, extra),
    st.sets(st.dates(D(2030, 1, 1), D(2032, 12, 31)), max_size=40),
    st.sets(st.dates(D(2030, 1, 1), D(2032, 12, 31)).filter(lambda d: d.weekday() >= 5), max_size=10),
)
anywhere = st.dates(D(2029, 12, 20), D(2033, 1, 10))


@given(st.one_of(calendars, gapped), anywhere, anywhere)
def test_counting_working_days_agrees_with_walking_the_days(cal, start, end):
    if end < start:
        start, end = end, start
    assert _outcome(lambda: cal.working_days_between(start, end)) == _outcome(lambda: _walk_between(cal, start, end))
    assert _outcome(lambda: cal.working_days_between(end, start)) == _outcome(lambda: -_walk_between(cal, start, end))


@given(st.one_of(calendars, gapped), anywhere, st.integers(0, 300))
def test_stepping_working_days_agrees_with_walking_the_days(cal, start, n):
    assert _outcome(lambda: cal.add_working_days(start, n)) == _outcome(lambda: _walk_add(cal, start, n))


def test_a_year_missing_between_two_is_named_when_a_count_crosses_it():
    cal = WorkingCalendar.build({2030, 2032})
    with pytest.raises(CalendarGap) as err:
        cal.working_days_between(D(2030, 12, 1), D(2032, 1, 10))
    assert err.value.year == 2031
    with pytest.raises(CalendarGap) as err:
        cal.add_working_days(D(2030, 12, 30), 5)
    assert err.value.year == 2031
    assert cal.working_days_between(D(2030, 12, 31), D(2030, 12, 31)) == 0


def test_a_pinned_moment_is_now_and_today_inside_and_only_there():
    import asyncio

    from appraisal.domain.calendar import now_utc, pinned_now, today_local

    moment = dt.datetime(2026, 11, 20, 17, 30, tzinfo=SHANGHAI)
    with pinned_now(moment):
        assert now_utc() == moment and now_utc().tzinfo == dt.timezone.utc
        assert today_local() == dt.date(2026, 11, 20)

        async def in_a_task() -> dt.date:
            return today_local()
        assert asyncio.run(in_a_task()) == dt.date(2026, 11, 20), "tasks started inside see it too"
        with pinned_now(moment + dt.timedelta(hours=7)):
            assert today_local() == dt.date(2026, 11, 21), "00:30 the next day in Shanghai"
        assert now_utc() == moment
    assert abs(now_utc() - dt.datetime.now(dt.timezone.utc)) < dt.timedelta(seconds=5)
    with pytest.raises(ValueError):
        with pinned_now(dt.datetime(2026, 11, 20, 9)):
            pass

