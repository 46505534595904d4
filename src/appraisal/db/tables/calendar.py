"""The working calendar: years with holiday data, and the dates that differ from Mon–Fri."""

from piccolo.columns import Date, Integer, Varchar
from piccolo.table import Table


class CalendarYear(Table, tablename="calendar_year"):
    """A year the calendar has holiday data for (seeded or declared by an admin)."""

    year = Integer(unique=True)
    source = Varchar(length=32, default="chinese-calendar")  # or "admin"


class CalendarDay(Table, tablename="calendar_day"):
    """A public holiday (kind "holiday") or an official make-up working day (kind "workday")."""

    day = Date(unique=True)
    kind = Varchar(length=16)
    name = Varchar(length=50, default="")
    source = Varchar(length=32, default="chinese-calendar")
