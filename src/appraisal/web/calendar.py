"""The working calendar page: a month grid and the year's holidays and make-up working days;
everyone may look, admins edit."""

from __future__ import annotations

import calendar as weeks
import datetime as dt
from dataclasses import dataclass

from litestar import Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from appraisal.domain.calendar import DAY_KIND_LABELS, CalendarGap, today_local
from appraisal.domain.people import parse_date
from appraisal.errors import AppError, InvalidInput
from appraisal.i18n import _
from appraisal.security import admin_only
from appraisal.services import calendar
from appraisal.web.common import notify, page

WEEKDAYS = (_("一"), _("二"), _("三"), _("四"), _("五"), _("六"), _("日"))


@dataclass(frozen=True)
class GridDay:
    day: dt.date
    kind: str  # holiday, workday (调休上班), weekend, working
    name: str  # the holiday's or make-up day's name
    in_month: bool
    today: bool


def month_grid(year: int, month: int, view: calendar.YearView | None, today: dt.date) -> list[list[GridDay]]:
    """The month's weeks, Monday to Sunday, each day with what it is in the office's calendar."""
    marked = {d["day"]: d for d in (view.holidays + view.makeup_days)} if view else {}
    grid = []
    for week in weeks.Calendar(firstweekday=0).monthdatescalendar(year, month):
        row = []
        for day in week:
            mark = marked.get(day)
            kind = mark["kind"] if mark else ("weekend" if day.weekday() >= 5 else "working")
            row.append(GridDay(day, kind, (mark["name"] or "") if mark else "", day.month == month, day == today))
        grid.append(row)
    return grid


def _month_after(year: int, month: int, step: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + step
    return index // 12, index % 12 + 1


async def _calendar_page(request: Request, year: int, month: int | None = None, error: str | None = None,
                         status: int = 200, *, form: dict | None = None, error_field: str | None = None) -> Template:
    try:
        calendar.check_year(year)
    except AppError as exc:  # a year no calendar can hold: this year's page, with why
        year, error, status = today_local().year, error or exc.message, exc.status_code if status == 200 else status
    today = today_local()
    if month is None or not 1 <= month <= 12:
        month = today.month if year == today.year else 1
    try:
        view = await calendar.year_view(year)
        gap = None
    except CalendarGap as exc:
        view, gap = None, exc.message
    return page(request, "calendar/year.html", status_code=status, year=year, month=month, view=view, gap=gap,
                error=error, error_field=error_field, form=form or {},
                sources=calendar.SOURCES, grid=month_grid(year, month, view, today), weekdays=WEEKDAYS,
                previous=_month_after(year, month, -1), following=_month_after(year, month, 1))


@get("/calendar", include_in_schema=False)
async def calendar_page(request: Request, year: FromQuery[int | None] = None,
                        month: FromQuery[int | None] = None) -> Template:
    return await _calendar_page(request, year or today_local().year, month)


@post("/calendar", guards=[admin_only], include_in_schema=False)
async def calendar_submit(request: Request) -> Template | Redirect:
    form = await request.form()
    typed = {k: str(form.get(k, "")) for k in ("day", "kind", "name")}
    try:
        year = int(str(form.get("year", "")))
    except ValueError:
        year = today_local().year
    month = None
    action = form.get("action")
    try:
        if action == "add_year":
            await calendar.add_year(request.user, year)
            notify(request, _("已添加 {year} 年日历，请录入节假日和调休上班日").format(year=year))
        else:
            day = parse_date(typed["day"])
            if day is None:
                raise InvalidInput(_("请填写有效日期"), code="bad_date", field="day")
            if action == "clear_day":
                await calendar.clear_day(request.user, day)
                notify(request, _("{day} 已恢复为普通日期（{what}）").format(
                    day=day, what=_("周末休息") if day.weekday() >= 5 else _("工作日")))
            else:
                await calendar.set_day(request.user, day, typed["kind"], typed["name"])
                what = DAY_KIND_LABELS.get(typed["kind"], "")
                notify(request, _("{day} 已设为{what}{name}").format(
                    day=day, what=what, name=f"（{typed['name'].strip()}）" if typed["name"].strip() else ""))
            year, month = day.year, day.month
    except AppError as exc:
        parsed = parse_date(typed["day"])
        month = parsed.month if parsed is not None and parsed.year == year else None
        field = exc.field or ("kind" if exc.code == "bad_kind" else "day" if action == "set_day" else None)
        return await _calendar_page(request, year, month, exc.message, exc.status_code,
                                    form=typed if action == "set_day" else None, error_field=field)
    return Redirect(f"/calendar?year={year}" + (f"&month={month}" if month else ""))
