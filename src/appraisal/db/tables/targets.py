"""目标管理: the target tree (office → section → person) and its progress reports."""

from piccolo.columns import Date, Float, ForeignKey, Integer, Text, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from appraisal.db.tables.org import Person, Section


class Target(Table, tablename="target"):
    """A target of one year at one level; `weight` is its share of the parent (siblings sum to 100)."""

    year = Integer(index=True)
    parent = ForeignKey(references="self", null=True, on_delete=OnDelete.restrict, index=True)
    level = Varchar(length=16)  # office | section | person
    section = ForeignKey(references=Section, null=True, on_delete=OnDelete.restrict, index=True)
    owner = ForeignKey(references=Person, null=True, on_delete=OnDelete.restrict, index=True)
    title = Varchar(length=200)
    weight = Float()
    indicator_kind = Varchar(length=16)  # quantity | deadline | quality
    target_value = Float(null=True, default=None)
    unit = Varchar(length=20, default="")
    due_on = Date(null=True, default=None)
    quality = Text(default="")
    status = Varchar(length=16, default="active", index=True)  # active | archived
    completion = Float(null=True, default=None)  # latest reported (leaves); None = not started
    sort_order = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())


class TargetProgress(Table, tablename="target_progress"):
    """A progress report with its evidence note."""

    target = ForeignKey(references=Target, on_delete=OnDelete.restrict, index=True)
    at = Timestamptz(default=TimestamptzNow())
    author = ForeignKey(references=Person, null=True, on_delete=OnDelete.restrict)
    completion = Float()
    actual = Float(null=True, default=None)
    evidence = Text(default="")
