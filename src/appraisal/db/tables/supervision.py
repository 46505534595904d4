"""督查督办: supervised items, their sections and their progress trail."""

from piccolo.columns import Date, ForeignKey, Integer, Text, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from appraisal.db.tables.org import Person, Section


class SupervisionItem(Table, tablename="supervision_item"):
    """A supervised item, numbered 督〔YYYY〕N号 (unique per year)."""

    number = Varchar(length=32, unique=True)
    year = Integer(index=True)
    seq = Integer()
    source = Varchar(length=16)  # instruction | meeting | key_task
    title = Varchar(length=200)
    requirement = Text(default="")
    lead_section = ForeignKey(references=Section, on_delete=OnDelete.restrict, index=True)
    responsible_leader = ForeignKey(references=Person, null=True, on_delete=OnDelete.restrict)
    responsible_person = ForeignKey(references=Person, on_delete=OnDelete.restrict, index=True)
    started_on = Date()
    deadline = Date(index=True)
    yellow_on = Date(index=True)
    status = Varchar(length=16, index=True)  # open | review | completed
    completed_on = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class SupervisionAssist(Table, tablename="supervision_assist"):
    """An assisting section (协办科室) of an item."""

    item = ForeignKey(references=SupervisionItem, on_delete=OnDelete.cascade, index=True)
    section = ForeignKey(references=Section, on_delete=OnDelete.restrict, index=True)


class SupervisionReport(Table, tablename="supervision_report"):
    """One entry of an item's trail: progress, a 督办 notice, review decisions, completion."""

    item = ForeignKey(references=SupervisionItem, on_delete=OnDelete.restrict, index=True)
    at = Timestamptz(default=TimestamptzNow())
    author = ForeignKey(references=Person, null=True, on_delete=OnDelete.restrict)
    kind = Varchar(length=16)
    note = Text(default="")
    deadline = Date(null=True, default=None)
