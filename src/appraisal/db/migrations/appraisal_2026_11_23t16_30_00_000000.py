from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-23T16:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "two-column indexes for closing a quarter: a unit's appraisees, a person's matters due in a range"

# Piccolo declares one-column indexes only; these two serve the queries that closing a quarter
# makes per unit (measured with 10,000 staff and 1,000,000 matters, see benchmarks/scale.py).
STATEMENTS = [
    "CREATE INDEX IF NOT EXISTS appraisee_period_unit ON appraisee (period, unit)",
    "CREATE INDEX IF NOT EXISTS matter_owner_due_on ON matter (owner, due_on)",
]


async def create_indexes():
    db = engine_finder()
    for statement in STATEMENTS:
        await db.run_ddl(statement)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="appraisal", description=DESCRIPTION)
    manager.add_raw(create_indexes)
    return manager
