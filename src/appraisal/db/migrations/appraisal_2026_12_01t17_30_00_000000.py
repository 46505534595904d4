from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-01T17:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "the leader's dashboard counts open matters by light from one index"

# Open and paused matters with every column the dashboard's grouped count reads: it scans this
# range of the index and never the table (benchmarks/scale.py, 1,000,000 matters).
STATEMENTS = [
    "CREATE INDEX IF NOT EXISTS matter_status_section_due_yellow ON matter (status, section, due_on, yellow_on)",
]


async def create_index():
    db = engine_finder()
    for statement in STATEMENTS:
        await db.run_ddl(statement)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="appraisal", description=DESCRIPTION)
    manager.add_raw(create_index)
    return manager
