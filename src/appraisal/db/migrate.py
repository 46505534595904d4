"""Applying and checking migrations, and engine set-up that belongs to the database file."""

from __future__ import annotations

import contextlib
import io

from piccolo.apps.migrations.commands.check import CheckMigrationManager
from piccolo.apps.migrations.commands.forwards import run_forwards

from appraisal.db.transaction import engine, is_sqlite


class MigrationError(RuntimeError):
    pass


async def prepare_sqlite() -> None:
    """WAL lets readers go on while one writer writes; it is a property of the file."""
    if is_sqlite():
        await engine().run_ddl("PRAGMA journal_mode=WAL")


async def migrate(verbose: bool = True) -> None:
    await prepare_sqlite()
    out = io.StringIO()
    with contextlib.redirect_stdout(out) if not verbose else contextlib.nullcontext():
        result = await run_forwards(app_name="appraisal")
    if not result.success:
        raise MigrationError(result.message or "migration failed")
    # Holiday data is reference data that ships with the code: each migrate adds the years a
    # newer chinese-calendar package knows, and never overwrites an admin's edits.
    from appraisal.services.accountability import seed_forms
    from appraisal.services.calendar import seed_from_package

    await seed_from_package()
    await seed_forms()


async def pending_migrations() -> int:
    return await CheckMigrationManager(app_name="appraisal").havent_ran_count()
