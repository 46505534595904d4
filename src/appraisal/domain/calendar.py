"""工作日历: which dates are working days, and arithmetic in working days.

A working day is a Monday to Friday that is not a public holiday, or an official make-up working
day (调休上班, often a Saturday or Sunday). The calendar is data: the years it covers, their
holidays and their make-up days. A date in a year without data raises `CalendarGap` rather
than guessing, because a wrong guess moves somebody's deadline.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from appraisal.errors import InvalidInput
from appraisal.i18n import _

# The office's time zone: times are stored in UTC and shown here; calendar dates are local.
LOCAL_TZ = ZoneInfo("Asia/Shanghai")
# The days the calendar records (calendar_day.kind), and how the month grid marks every day.
HOLIDAY, WORKDAY = "holiday", "workday"
DAY_KIND_LABELS = {HOLIDAY: _("节假日"), WORKDAY: _("调休上班")}
DAY_MARKS = {HOLIDAY: _("休"), WORKDAY: _("班"), "weekend": _("周末"), "working": ""}
ONE_DAY = dt.timedelta(days=1)
# Far enough for any real limit (20 working days plus extensions and pauses); guards against
# loops over absurd input.
MAX_WORKING_DAYS = 2000


_PINNED_NOW: ContextVar[dt.datetime | None] = ContextVar("pinned_now", default=None)


def now_utc() -> dt.datetime:
    """The moment a step happens (UTC): now, or the moment `pinned_now` set."""
    pinned = _PINNED_NOW.get()
    return pinned if pinned is not None else dt.datetime.now(dt.timezone.utc)


@contextmanager
def pinned_now(moment: dt.datetime) -> Iterator[None]:
    """Steps taken inside (in this task and those it starts) happen at `moment`, an aware
    datetime: the demo office tells the story of its matters over the past working days
    through the same use cases as its users. The audit log keeps the real time of each write."""
    if moment.tzinfo is None:
        raise ValueError("pinned_now needs an aware datetime")
    token = _PINNED_NOW.set(moment.astimezone(dt.timezone.utc))
    try:
        yield
    finally:
        _PINNED_NOW.reset(token)


def today_local() -> dt.date:
    """Today's date in the office's time zone: calendar dates are local."""
    return now_utc().astimezone(LOCAL_TZ).date()


class CalendarGap(InvalidInput):
    """A date falls in a year the calendar has no holiday data for."""

    code = "calendar_gap"

    def __init__(self, year: int) -> None:
        super().__init__(
            _("缺少 {year} 年的节假日数据，请在“工作日历”中添加").format(year=year), detail={"year": year}
        )
        self.year = year


@dataclass(frozen=True)
class WorkingCalendar:
    years: frozenset[int]
    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    makeup_days: frozenset[dt.date] = field(default_factory=frozenset)
    # Each covered year's working days, filled in as they are first asked for (`_working_in`).
    _working_by_year: dict[int, tuple[int, ...]] = field(default_factory=dict, init=False, repr=False,
                                                          compare=False)

    @classmethod
    def build(cls, years: Iterable[int], holidays: Iterable[dt.date] = (), makeup_days: Iterable[dt.date] = ()) -> WorkingCalendar:
        return cls(frozenset(years), frozenset(holidays), frozenset(makeup_days))

    def covers(self, day: dt.date) -> bool:
        return day.year in self.years

    def is_working_day(self, day: dt.date) -> bool:
        if day.year not in self.years:
            raise CalendarGap(day.year)
        if day in self.makeup_days:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def next_working_day(self, day: dt.date) -> dt.date:
        """`day` itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += ONE_DAY
        return day

    def _working_in(self, year: int) -> tuple[int, ...]:
        """The working days of a covered year as ordinals in order, worked out the first time
        they are asked for: counting and stepping in working days are searches in them instead
        of walks day by day (a sweep asking how late each of 30,000 long-overdue matters is
        walked 7 million days, 3 s). CalendarGap for a year without data."""
        if year not in self.years:
            raise CalendarGap(year)
        days = self._working_by_year.get(year)
        if days is None:
            first = dt.date(year, 1, 1)
            days = tuple(o for o in range(first.toordinal(), dt.date(year, 12, 31).toordinal() + 1)
                         if self.is_working_day(dt.date.fromordinal(o)))
            self._working_by_year[year] = days
        return days

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The `days`-th working day after `start` (0: `start` itself, or the next working day
        when `start` is a day off). A matter accepted on a Friday with a 1-day limit is due on
        Monday; one accepted on 30 September is due after the National Day holiday."""
        if days < 0:
            raise InvalidInput(_("工作日数不能为负数"), code="negative_days")
        if days > MAX_WORKING_DAYS:
            raise InvalidInput(_("工作日数过大"), code="too_many_days")
        day = start if days == 0 else start + ONE_DAY  # the first day the count looks at
        wanted = max(days, 1)  # the wanted-th working day from `day` on
        while True:
            working = self._working_in(day.year)
            index = bisect_left(working, day.toordinal())
            if index + wanted <= len(working):
                return dt.date.fromordinal(working[index + wanted - 1])
            wanted -= len(working) - index
            day = dt.date(day.year + 1, 1, 1)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """How many working days lie after `start` up to and including `end` (negative when
        `end` is before `start`): how late a matter due on `start` is on `end`."""
        if end < start:
            return -self.working_days_between(end, start)
        count, day = 0, start + ONE_DAY
        while day <= end:
            working = self._working_in(day.year)
            last = min(end, dt.date(day.year, 12, 31))
            count += bisect_right(working, last.toordinal()) - bisect_left(working, day.toordinal())
            day = last + ONE_DAY
        return count

    def working_time_between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """The part of [start, end) that falls on working days, local dates of Asia/Shanghai.

        Used for pauses (中止): time waiting for materials over a weekend or a holiday costs the
        handler nothing, time on working days is given back.
        """
        if end <= start:
            return dt.timedelta(0)
        start_local, end_local = start.astimezone(LOCAL_TZ), end.astimezone(LOCAL_TZ)
        total = dt.timedelta(0)
        day = start_local.date()
        while day <= end_local.date():
            if self.is_working_day(day):
                day_start = dt.datetime.combine(day, dt.time(), tzinfo=LOCAL_TZ)
                lo = max(start_local, day_start)
                hi = min(end_local, day_start + ONE_DAY)
                if hi > lo:
                    total += hi - lo
            day += ONE_DAY
        return total


def whole_working_days(span: dt.timedelta) -> int:
    """Working time rounded up to whole working days, the unit deadlines move by: a pause of
    any part of a working day gives that day back."""
    days, remainder = divmod(span, ONE_DAY)
    return days + (1 if remainder else 0)
