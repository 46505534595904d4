from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-11-23T07:39:54:000000"
VERSION = "1.38.0"
DESCRIPTION = "a matter's timeline is immutable (database triggers)"

SQLITE = [
    """CREATE TRIGGER matter_event_no_update BEFORE UPDATE ON matter_event
       BEGIN SELECT RAISE(ABORT, 'matter_event is append-only'); END""",
    """CREATE TRIGGER matter_event_no_delete BEFORE DELETE ON matter_event
       BEGIN SELECT RAISE(ABORT, 'matter_event is append-only'); END""",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION matter_event_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'matter_event is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER matter_event_no_change BEFORE UPDATE OR DELETE ON matter_event
       FOR EACH ROW EXECUTE FUNCTION matter_event_append_only()""",
]


async def make_timeline_append_only():
    db = engine_finder()
    for statement in SQLITE if isinstance(db, SQLiteEngine) else POSTGRES:
        await db.run_ddl(statement)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="appraisal", description=DESCRIPTION)
    manager.add_raw(make_timeline_append_only)
    return manager
