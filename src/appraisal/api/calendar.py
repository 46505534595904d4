"""The working calendar: read by everyone logged in, edited by admins."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Controller, delete, get, post, put
from litestar.params import FromQuery, Parameter

from appraisal.api.common import errors, from_row
from appraisal.api.schemas.calendar import CalendarDayOut, CalendarYearOut, DayIn, DueOut, YearIn
from appraisal.scopes import Principal
from appraisal.security import admin_only
from appraisal.services import calendar


async def _year_out(year: int) -> CalendarYearOut:
    view = await calendar.year_view(year)
    return CalendarYearOut(
        year=view.year, source=view.source, working_days=view.working_days,
        holidays=[from_row(CalendarDayOut, d) for d in view.holidays],
        makeup_days=[from_row(CalendarDayOut, d) for d in view.makeup_days],
    )


class CalendarController(Controller):
    path = "/api/v1/calendar"
    tags = ["calendar"]

    @get("/{year:int}", responses=errors(401, 422), summary="A year's holidays and make-up working days")
    async def get_year(self, year: int) -> CalendarYearOut:
        return await _year_out(year)

    @get("/working-days", responses=errors(400, 401, 422),
         summary="The Nth working day after a date",
         description="days=0 answers the date itself, or the next working day when it is a day off.")
    async def working_days(
        self, start: FromQuery[dt.date], days: Annotated[int, Parameter(ge=0, le=2000)]
    ) -> DueOut:
        first, last = start.year, start.year + 1 + days // 200
        cal = await calendar.load_calendar(first, last)
        return DueOut(due=cal.add_working_days(start, days))

    @post("/years", guards=[admin_only], responses=errors(400, 401, 403, 409, 422),
          summary="Declare a year the package has no data for (admin)")
    async def add_year(self, principal: Principal, data: YearIn) -> CalendarYearOut:
        await calendar.add_year(principal, data.year)
        return await _year_out(data.year)

    @put("/days/{day:date}", guards=[admin_only], status_code=204, responses=errors(400, 401, 403, 422),
         summary="Mark a date as a holiday or a make-up working day (admin)")
    async def set_day(self, principal: Principal, day: dt.date, data: DayIn) -> None:
        await calendar.set_day(principal, day, data.kind, data.name)

    @delete("/days/{day:date}", guards=[admin_only], responses=errors(401, 403, 404),
            summary="Make a date an ordinary day again (admin)")
    async def clear_day(self, principal: Principal, day: dt.date) -> None:
        await calendar.clear_day(principal, day)
