"""责任追究: the office's list of forms and the accountability records."""

from piccolo.columns import Boolean, Date, Float, ForeignKey, Integer, Text, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from appraisal.db.tables.matters import Matter
from appraisal.db.tables.org import Person, Section


class AccountabilityForm(Table, tablename="accountability_form"):
    """A form of accountability with its default score deduction; the office edits the list."""

    code = Varchar(length=32, unique=True)
    name = Varchar(length=50)
    deduction = Float(default=0)
    disqualifies = Boolean(default=False)
    blocks_excellent = Boolean(default=False)
    sort_order = Integer(default=0)
    is_active = Boolean(default=True)


class AccountabilityRecord(Table, tablename="accountability_record"):
    """问责记录: proposed → decided (and notified) → appealed → final, or dismissed."""

    person = ForeignKey(references=Person, on_delete=OnDelete.restrict, index=True)
    section = ForeignKey(references=Section, null=True, on_delete=OnDelete.restrict, index=True)
    trigger = Varchar(length=16)
    matter = ForeignKey(references=Matter, null=True, on_delete=OnDelete.restrict, index=True)
    source_key = Varchar(length=100, null=True, default=None, unique=True)  # auto proposals are made once
    description = Text(default="")
    status = Varchar(length=16, index=True)
    proposed_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.restrict)
    proposed_at = Timestamptz(default=TimestamptzNow())
    form = ForeignKey(references=AccountabilityForm, null=True, on_delete=OnDelete.restrict)
    points = Float(default=0)
    decision_reason = Text(default="")
    decided_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.restrict)
    decided_on = Date(null=True, default=None, index=True)
    appeal_deadline = Date(null=True, default=None)
    appeal_reason = Text(default="")
    appealed_at = Timestamptz(null=True, default=None)
    appeal_result = Varchar(length=16, default="")
    appeal_note = Text(default="")
    appeal_decided_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.restrict)
