"""Notifications: warnings, transfers awaiting acceptance, chases and decisions for a person."""

from piccolo.columns import ForeignKey, Text, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from appraisal.db.tables.matters import Matter
from appraisal.db.tables.org import Person


class Notification(Table, tablename="notification"):
    """One message in a person's inbox. `key` makes the sweep idempotent: the same reminder for
    the same matter and due date is written once however often the sweep runs."""

    recipient = ForeignKey(references=Person, on_delete=OnDelete.cascade, index=True)
    key = Varchar(length=120, unique=True)
    kind = Varchar(length=24)
    matter = ForeignKey(references=Matter, null=True, on_delete=OnDelete.cascade)
    title = Varchar(length=200)
    body = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    read_at = Timestamptz(null=True, default=None)
