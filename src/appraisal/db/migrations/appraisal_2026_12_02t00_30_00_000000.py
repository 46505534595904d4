from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-02T00:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "drop the appraisee and notification indexes that no query reads"

# Every row written pays for every index of its table. No query reads these: appraisees are
# found by (period, unit), which also serves a lookup by period alone, and notifications by
# recipient and key. Closing a quarter writes a frozen result and a notification for each of
# 10,000 people; without these indexes it took 5-12 % less time on PostgreSQL
# (benchmarks/scale.py).
STATEMENTS = [
    "DROP INDEX IF EXISTS appraisee_period",
    "DROP INDEX IF EXISTS appraisee_unit",
    "DROP INDEX IF EXISTS notification_kind",
    "DROP INDEX IF EXISTS notification_created_at",
    "DROP INDEX IF EXISTS notification_read_at",
]


async def drop_indexes():
    db = engine_finder()
    for statement in STATEMENTS:
        await db.run_ddl(statement)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="appraisal", description=DESCRIPTION)
    manager.add_raw(drop_indexes)
    return manager
