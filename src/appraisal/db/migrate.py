"""Applying and checking migrations, and engine set-up that belongs to the database file."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from urllib.parse import urlsplit

from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.commands.check import CheckMigrationManager
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.apps.migrations.tables import Migration

from appraisal.db.seed import seed_reference_data
from appraisal.db.transaction import engine, is_sqlite

APP_NAME = "appraisal"

# The development migrations, squashed into the one initial migration before the first release.
# A database they made cannot be upgraded to it (the tables exist, the initial migration has not
# run): `appraisal migrate` names them and says to rebuild the database.
SQUASHED_MIGRATION_IDS = frozenset({
    "2026-11-23T07:16:46:076802", "2026-11-23T07:16:47:000000", "2026-11-23T07:32:58:696516",
    "2026-11-23T07:36:19:433178", "2026-11-23T07:39:53:636637", "2026-11-23T07:39:54:000000",
    "2026-11-23T07:48:23:225924", "2026-11-23T07:53:03:009975", "2026-11-23T08:04:36:589775",
    "2026-11-23T08:25:34:969027", "2026-11-23T11:20:45:452403", "2026-11-23T16:30:00:000000",
    "2026-12-01T17:00:00:000000", "2026-12-01T17:30:00:000000", "2026-12-01T19:00:00:000000",
    "2026-12-02T00:30:00:000000",
})


class MigrationError(RuntimeError):
    pass


class UnknownMigrations(MigrationError):
    """The database was migrated by migrations this code does not have; nothing was changed."""


class PreReleaseDatabase(UnknownMigrations):
    """The database was made by the squashed development migrations only."""


async def prepare_sqlite() -> None:
    """WAL lets readers go on while one writer writes; it is a property of the file."""
    if is_sqlite():
        await engine().run_ddl("PRAGMA journal_mode=WAL")


async def migrate(verbose: bool = True) -> None:
    """Bring the schema up to date, then add the reference data that ships with the code."""
    await refuse_unknown_migrations()
    await prepare_sqlite()
    out = io.StringIO()
    with contextlib.redirect_stdout(out) if not verbose else contextlib.nullcontext():
        result = await run_forwards(app_name=APP_NAME)
    if not result.success:
        raise MigrationError(result.message or "migration failed")
    await seed_reference_data()


async def pending_migrations() -> int:
    return await CheckMigrationManager(app_name=APP_NAME).havent_ran_count()


async def unknown_migrations() -> list[str]:
    """The ids of migrations that ran on this database but that the code does not have."""
    if not await Migration.table_exists().run():
        return []
    ran = await Migration.get_migrations_which_ran(app_name=APP_NAME)
    finder = BaseMigrationManager()
    folder = finder.get_app_config(APP_NAME).resolved_migrations_folder_path
    known = finder.get_migration_ids(finder.get_migration_modules(folder))
    return sorted(set(ran) - set(known))


async def refuse_unknown_migrations() -> None:
    unknown = await unknown_migrations()
    if not unknown:
        return
    if set(unknown) <= SQUASHED_MIGRATION_IDS:
        why = ("it was made by the development migrations, which were squashed into one initial "
               "migration before the first release; such a database cannot be upgraded")
        raise PreReleaseDatabase(f"the database was not changed: {why}. {rebuild_advice()}")
    why = (f"it was migrated by {len(unknown)} migration(s) that this version of appraisal does not "
           f"have ({', '.join(unknown[:3])}{', …' if len(unknown) > 3 else ''}): a different version made it")
    raise UnknownMigrations(f"the database was not changed: {why}. {rebuild_advice()}")


async def set_aside_pre_release_sqlite() -> Path | None:
    """`make run`'s way past a pre-release demo database: on SQLite, move the file (with its
    -wal and -shm) aside as `<name>.pre-release` so that a new one can be made; nothing is
    deleted. Returns where it went, or None for PostgreSQL, which is never touched."""
    from appraisal.db.conf import sqlite_path
    from appraisal.db.transaction import close_connections
    from appraisal.settings import database_url

    path = sqlite_path(database_url())
    if path is None:
        return None
    await close_connections()
    kept = path.with_name(path.name + ".pre-release")
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{path}{suffix}")
        if source.exists():
            source.replace(Path(f"{kept}{suffix}"))
    return kept


def rebuild_advice() -> str:
    from appraisal.db.conf import sqlite_path
    from appraisal.settings import database_url

    url = database_url()
    if (path := sqlite_path(url)) is not None:
        return (f"To rebuild it, delete {path} (with its -wal and -shm files, if any) and run "
                "`make run` again, or `appraisal migrate` then `appraisal demo --if-empty`.")
    name = urlsplit(url).path.lstrip("/")
    return (f"To rebuild it, drop and create the PostgreSQL database {name!r}, then run "
            "`appraisal migrate` (and `appraisal demo --if-empty` for the demo office).")
