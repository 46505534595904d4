"""Report jobs: long renders (the commendation bundle) run in the background; their state lives
in the database so that any server process can report the progress of any job."""

from piccolo.columns import ForeignKey, Integer, Text, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from appraisal.db.tables.org import Person


class ReportJob(Table, tablename="report_job"):
    """A background report: queued → running → done | failed, with `done` of `total` steps."""

    kind = Varchar(length=16)  # bundle
    params = Text()  # JSON, e.g. {"year": 2026}
    status = Varchar(length=16, default="queued", index=True)
    total = Integer(default=0)
    done = Integer(default=0)
    message = Varchar(length=200, default="")
    file_name = Varchar(length=200, default="")  # the download name
    file_key = Varchar(length=80, default="")  # the bundle's key: its PDF in the report cache, once done
    error = Text(default="")
    requested_by = ForeignKey(references=Person, null=True, on_delete=OnDelete.restrict)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)
