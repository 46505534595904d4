"""The working calendar page: everyone may look, admins edit."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from appraisal.domain.calendar import CalendarGap, today_local
from appraisal.domain.people import parse_date
from appraisal.errors import AppError, InvalidInput
from appraisal.i18n import _
from appraisal.security import admin_only
from appraisal.services import calendar
from appraisal.web.common import notify, page


async def _calendar_page(request: Request, year: int, error: str | None = None, status: int = 200) -> Template:
    try:
        calendar.check_year(year)
    except AppError as exc:  # a year no calendar can hold: this year's page, with why
        year, error, status = today_local().year, error or exc.message, exc.status_code if status == 200 else status
    try:
        view = await calendar.year_view(year)
        gap = None
    except CalendarGap as exc:
        view, gap = None, exc.message
    return page(request, "calendar/year.html", status_code=status, year=year, view=view, gap=gap, error=error,
                kinds=calendar.KINDS, sources=calendar.SOURCES)


@get("/calendar", include_in_schema=False)
async def calendar_page(request: Request, year: FromQuery[int | None] = None) -> Template:
    return await _calendar_page(request, year or today_local().year)


@post("/calendar", guards=[admin_only], include_in_schema=False)
async def calendar_submit(request: Request) -> Template | Redirect:
    form = await request.form()
    try:
        year = int(str(form.get("year", "")))
    except ValueError:
        year = today_local().year
    action = form.get("action")
    try:
        if action == "add_year":
            await calendar.add_year(request.user, year)
            notify(request, _("已添加 {year} 年日历，请录入节假日和调休上班日").format(year=year))
        else:
            day = parse_date(str(form.get("day", "")))
            if day is None:
                raise InvalidInput(_("请填写有效日期"), code="bad_date")
            if action == "clear_day":
                await calendar.clear_day(request.user, day)
                notify(request, _("{day} 已恢复为普通日期").format(day=day))
            else:
                await calendar.set_day(request.user, day, str(form.get("kind", "")), str(form.get("name", "")))
                notify(request, _("{day} 已保存").format(day=day))
            year = day.year
    except AppError as exc:
        return await _calendar_page(request, year, exc.message, exc.status_code)
    return Redirect(f"/calendar?year={year}")
