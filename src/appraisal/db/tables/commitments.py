"""The service-commitment catalogue (服务承诺事项), versioned by effective date."""

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Text, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from appraisal.db.tables.org import Section


class Commitment(Table, tablename="commitment"):
    """A public service item of a section."""

    section = ForeignKey(references=Section, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=100)
    is_active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class CommitmentVersion(Table, tablename="commitment_version"):
    """The promise of an item from a date on. A matter keeps the version it was registered
    under, so a later change of limit never moves an existing deadline."""

    commitment = ForeignKey(references=Commitment, on_delete=OnDelete.cascade, index=True)
    effective_from = Date()
    limit_kind = Varchar(length=16)
    limit_days = Integer(default=0)
    standard = Text(default="")  # 办理标准
    materials = Text(default="")  # 所需材料
    complaint_channel = Varchar(length=200, default="")  # 投诉渠道
    created_at = Timestamptz(default=TimestamptzNow())
