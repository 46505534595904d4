"""Organisation: sections, people and which sections each leader oversees."""

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.column_types import Timestamptz
from piccolo.table import Table


class Section(Table, tablename="section"):
    """科室: a section of the office."""

    name = Varchar(length=50, unique=True)
    sort_order = Integer(default=0)
    is_active = Boolean(default=True)


class Person(Table, tablename="person"):
    """A member of staff (人员), whether or not they have an account."""

    name = Varchar(length=50, index=True)
    # Sort key for Chinese name ordering (pypinyin), kept next to the name it derives from.
    name_pinyin = Varchar(length=200, index=True)
    gender = Varchar(length=8)  # "male" | "female"
    birth_date = Date(null=True, default=None)
    political_status = Varchar(length=32, default="")  # 政治面貌
    post_rank = Varchar(length=64, default="")  # 职务职级
    duties = Varchar(length=500, default="")  # 从事或分管的工作 (the annual registration form)
    section = ForeignKey(references=Section, null=True, on_delete=OnDelete.restrict, index=True)
    is_active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class LeaderSection(Table, tablename="leader_section"):
    """A section that a leader (分管领导) oversees."""

    leader = ForeignKey(references=Person, on_delete=OnDelete.cascade, index=True)
    section = ForeignKey(references=Section, on_delete=OnDelete.cascade, index=True)
