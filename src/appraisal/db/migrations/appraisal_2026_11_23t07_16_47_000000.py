from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder
from piccolo.engine.sqlite import SQLiteEngine

ID = "2026-11-23T07:16:47:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit log is append-only (database triggers)"

# The audit log is append-only for everyone, including a person with database access through
# the application: the database itself refuses UPDATE and DELETE on it.
SQLITE_AUDIT_TRIGGERS = [
    """CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END""",
    """CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry
       BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END""",
]
POSTGRES_AUDIT_TRIGGERS = [
    """CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit_entry is append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_entry_no_change BEFORE UPDATE OR DELETE ON audit_entry
       FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()""",
]


async def make_audit_log_append_only():
    db = engine_finder()
    statements = SQLITE_AUDIT_TRIGGERS if isinstance(db, SQLiteEngine) else POSTGRES_AUDIT_TRIGGERS
    for statement in statements:
        await db.run_ddl(statement)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="appraisal", description=DESCRIPTION)
    manager.add_raw(make_audit_log_append_only)
    return manager
