from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-12-01T19:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "on PostgreSQL, the late matters of a quarter read from the index alone"

# Closing a quarter lists each person's late matters with their ids. A SQLite index holds
# the row id; a PostgreSQL one does not, so PostgreSQL visited a table page for each of a
# unit's 5,000 matters (12 ms of the 40 ms a unit took). The index now carries the id.
POSTGRES = [
    "CREATE INDEX IF NOT EXISTS matter_owner_due_on_completed_id ON matter (owner, due_on, completed_at) INCLUDE (id)",
    "DROP INDEX IF EXISTS matter_owner_due_on_completed",
]


async def include_id():
    db = engine_finder()
    if isinstance(db, SQLiteEngine):
        return
    for statement in POSTGRES:
        await db.run_ddl(statement)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="appraisal", description=DESCRIPTION)
    manager.add_raw(include_id)
    return manager
