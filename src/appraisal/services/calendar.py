"""The working calendar: seeded from the chinese-calendar package, edited by admins."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from appraisal.db.seed import HOLIDAY, WORKDAY, package_calendar  # noqa: F401 (seeded by `appraisal migrate`)
from appraisal.db.tables import CalendarDay, CalendarYear
from appraisal.db.transaction import atomic, duplicate_raises, for_update
from appraisal.domain.calendar import DAY_KIND_LABELS, WorkingCalendar
from appraisal.errors import Conflict, InvalidInput, NotFound
from appraisal.i18n import _
from appraisal.scopes import Principal, Role, require_role
from appraisal.services import audit

KINDS = DAY_KIND_LABELS
# Where a year's data came from (calendar_year.source).
SOURCES = {"chinese-calendar": _("国务院办公厅公布的节假日安排（随系统更新）"), "admin": _("管理员录入"),
           "demo": _("演示数据：仅按周末计算，未含节假日")}
MIN_YEAR, MAX_YEAR = 2000, 2100


async def load_calendar(first_year: int | None = None, last_year: int | None = None) -> WorkingCalendar:
    """The calendar as data for the domain functions, optionally limited to some years."""
    day_query = CalendarDay.select(CalendarDay.day, CalendarDay.kind)
    if first_year is not None and last_year is not None:
        day_query = day_query.where(
            CalendarDay.day >= dt.date(first_year, 1, 1), CalendarDay.day <= dt.date(last_year, 12, 31)
        )
    years = await CalendarYear.select(CalendarYear.year).output(as_list=True).run()
    days = await day_query.run()
    return WorkingCalendar.build(
        years,
        holidays=(r["day"] for r in days if r["kind"] == HOLIDAY),
        makeup_days=(r["day"] for r in days if r["kind"] == WORKDAY),
    )


@dataclass(frozen=True)
class YearView:
    year: int
    source: str
    holidays: list[dict]
    makeup_days: list[dict]
    working_days: int


async def year_view(year: int) -> YearView:
    row = await CalendarYear.select().where(CalendarYear.year == year).first().run()
    calendar = await load_calendar(year, year)
    if row is None:
        calendar.is_working_day(dt.date(year, 1, 1))  # raises CalendarGap naming the year
    days = await CalendarDay.select(CalendarDay.day, CalendarDay.kind, CalendarDay.name, CalendarDay.source).where(
        CalendarDay.day >= dt.date(year, 1, 1), CalendarDay.day <= dt.date(year, 12, 31)
    ).order_by(CalendarDay.day).run()
    first = dt.date(year, 1, 1)
    working = sum(calendar.is_working_day(first + dt.timedelta(days=i)) for i in range((dt.date(year, 12, 31) - first).days + 1))
    return YearView(
        year=year, source=row["source"],
        holidays=[d for d in days if d["kind"] == HOLIDAY],
        makeup_days=[d for d in days if d["kind"] == WORKDAY],
        working_days=working,
    )


def check_year(year: int) -> None:
    """A year the office's calendar can hold (422 otherwise)."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput(_("年份应在 {a} 至 {b} 之间").format(a=MIN_YEAR, b=MAX_YEAR), code="bad_year")


async def add_year(actor: Principal, year: int) -> None:
    """Declare that `year` has calendar data: from then on its weekdays count as working days,
    except the holidays the admin adds."""
    require_role(actor, Role.ADMIN)
    check_year(year)
    exists = Conflict(_("{year} 年的日历已存在").format(year=year), code="duplicate_year")
    async with atomic(), duplicate_raises(exists):
        if await CalendarYear.exists().where(CalendarYear.year == year).run():
            raise exists
        await audit.insert(actor, CalendarYear(year=year, source="admin"))


def _day_changed(day: dt.date) -> Conflict:
    return Conflict(_("{day} 刚被他人设置，请刷新后重试").format(day=day), code="day_changed")


async def set_day(actor: Principal, day: dt.date, kind: str, name: str = "") -> None:
    """Mark `day` as a holiday or a make-up working day (replacing what it was)."""
    require_role(actor, Role.ADMIN)
    if kind not in KINDS:
        raise InvalidInput(_("类型只能是节假日或调休上班"), code="bad_kind")
    name = name.strip()[:50]
    async with atomic(), duplicate_raises(_day_changed(day)):
        if not await CalendarYear.exists().where(CalendarYear.year == day.year).run():
            raise InvalidInput(
                _("请先添加 {year} 年的日历").format(year=day.year), code="calendar_gap", detail={"year": day.year}
            )
        if kind == WORKDAY and day.weekday() < 5:
            raise InvalidInput(_("{day} 本来就是工作日，只有周末才能设为调休上班").format(day=day), code="bad_kind")
        existing = await for_update(CalendarDay.objects().where(CalendarDay.day == day)).first().run()
        if existing is None:  # another admin may insert it meanwhile: the unique day refuses this one
            await audit.insert(actor, CalendarDay(day=day, kind=kind, name=name, source="admin"))
        else:
            await audit.update(actor, existing, {"kind": kind, "name": name, "source": "admin"})


async def clear_day(actor: Principal, day: dt.date) -> None:
    """Make `day` an ordinary day again (weekday: working; weekend: day off)."""
    require_role(actor, Role.ADMIN)
    async with atomic():
        existing = await for_update(CalendarDay.objects().where(CalendarDay.day == day)).first().run()
        if existing is None:
            raise NotFound(_("{day} 不是节假日或调休日").format(day=day))
        await audit.delete(actor, existing)
