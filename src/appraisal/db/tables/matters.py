"""办件: matters under first-inquiry responsibility, their immutable timeline and extensions."""

from piccolo.columns import Date, ForeignKey, Integer, Text, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from appraisal.db.tables.commitments import CommitmentVersion
from appraisal.db.tables.org import Person, Section


class Matter(Table, tablename="matter"):
    """A matter registered by its first receiver (首问责任人), who owns it until a named handler
    accepts a transfer."""

    channel = Varchar(length=16)
    requester = Varchar(length=100)
    requester_contact = Varchar(length=100, default="")
    subject = Varchar(length=200)
    content = Text(default="")
    commitment_version = ForeignKey(references=CommitmentVersion, null=True, on_delete=OnDelete.restrict)
    limit_days = Integer(default=0)
    first_receiver = ForeignKey(references=Person, on_delete=OnDelete.restrict, index=True)
    owner = ForeignKey(references=Person, on_delete=OnDelete.restrict, index=True)
    section = ForeignKey(references=Section, null=True, on_delete=OnDelete.restrict, index=True)
    pending_to = ForeignKey(references=Person, null=True, on_delete=OnDelete.restrict, index=True)
    pending_since = Date(null=True, default=None)
    pending_due_on = Date(null=True, default=None)
    status = Varchar(length=16, index=True)  # open | paused | completed
    accepted_on = Date()
    due_on = Date(index=True)
    yellow_on = Date(index=True)  # the first date the light turns yellow (lights filter in SQL)
    paused_since = Timestamptz(null=True, default=None)
    paused_days = Integer(default=0)
    extensions = Integer(default=0)
    completed_at = Timestamptz(null=True, default=None)
    result = Text(default="")
    satisfaction = Varchar(length=16, default="")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class MatterEvent(Table, tablename="matter_event"):
    """One step of a matter's timeline; database triggers refuse to change or delete it."""

    matter = ForeignKey(references=Matter, on_delete=OnDelete.restrict, index=True)
    at = Timestamptz(default=TimestamptzNow())
    actor = ForeignKey(references=Person, null=True, on_delete=OnDelete.restrict)
    kind = Varchar(length=24, index=True)
    to_person = ForeignKey(references=Person, null=True, on_delete=OnDelete.restrict)
    due_on = Date(null=True, default=None)
    note = Text(default="")


class ExtensionRequest(Table, tablename="extension_request"):
    """延期申请: asked by the handler before the due date, decided by a leader."""

    matter = ForeignKey(references=Matter, on_delete=OnDelete.restrict, index=True)
    requested_by = ForeignKey(references=Person, on_delete=OnDelete.restrict)
    requested_at = Timestamptz(default=TimestamptzNow())
    reason = Text()
    new_due_on = Date()
    status = Varchar(length=16, default="pending", index=True)  # pending | approved | refused
    decided_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.restrict)
    decided_at = Timestamptz(null=True, default=None)
    decision_note = Text(default="")
