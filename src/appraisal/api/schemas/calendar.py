"""What the API of the working calendar reads and answers: the request and response bodies
as msgspec Structs, which the OpenAPI document describes field by field."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec


class CalendarDayOut(msgspec.Struct, kw_only=True):
    day: dt.date
    kind: str
    name: str
    source: str


class CalendarYearOut(msgspec.Struct, kw_only=True):
    year: int
    source: str
    working_days: int
    holidays: list[CalendarDayOut]
    makeup_days: list[CalendarDayOut]


class DueOut(msgspec.Struct, kw_only=True):
    due: dt.date


class YearIn(msgspec.Struct, kw_only=True):
    year: int


class DayIn(msgspec.Struct, kw_only=True):
    kind: Annotated[str, msgspec.Meta(description='"holiday" (节假日) or "workday" (调休上班)')]
    name: Annotated[str, msgspec.Meta(max_length=50)] = ""
