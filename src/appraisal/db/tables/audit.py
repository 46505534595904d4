"""The append-only audit log."""

from piccolo.columns import ForeignKey, Text, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from appraisal.db.tables.auth import UserAccount


class AuditEntry(Table, tablename="audit_entry"):
    """审计日志: who changed which record when, with the old and new values (JSON text).

    Database triggers (see the migration) refuse UPDATE and DELETE on this table.
    """

    at = Timestamptz(default=TimestamptzNow(), index=True)
    actor = ForeignKey(references=UserAccount, null=True, on_delete=OnDelete.restrict, index=True)
    actor_name = Varchar(length=64, default="")
    action = Varchar(length=32, index=True)
    table_name = Varchar(length=64, index=True)
    record_id = Varchar(length=64, index=True)
    old_values = Text(default="")
    new_values = Text(default="")
    note = Text(default="")
