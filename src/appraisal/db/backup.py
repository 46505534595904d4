"""Backup and restore of the whole database.

- SQLite: SQLite's online backup API copies the live file page by page into a consistent
  snapshot, while the server keeps serving (readers and writers go on; the copy restarts its
  pass if a page changes under it). Restoring copies the snapshot back the same way.
- PostgreSQL: a logical export — every table, rows in id order, as gzip-compressed JSON lines
  with a header naming the schema's last migration. Restoring needs an empty, migrated
  database of the same migration (`appraisal migrate`), inserts the rows in dependency order
  and moves each id sequence past the highest id. (`pg_dump` works as well; this format needs
  no client tools of the right version on the machine.)

Either way a restore is refused on a database that already has people, so it never mixes two
offices' data.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from piccolo.columns import Date, Timestamptz

from appraisal.db.tables import ALL_TABLES, Person
from appraisal.db.transaction import atomic, engine, insert_in_batches, is_sqlite

FORMAT = "appraisal-logical-backup-1"


class BackupError(RuntimeError):
    pass


def _sqlite_file() -> Path:
    return Path(engine().path)  # type: ignore[attr-defined]


def _sqlite_copy(source: Path, target: Path) -> None:
    # closing(): a sqlite3 connection's own `with` commits but does not close it.
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst, pages=1024)


async def _last_migration() -> str:
    rows = await engine().run_ddl("SELECT name FROM migration ORDER BY id DESC LIMIT 1")
    return rows[0]["name"] if rows else ""


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _typed(columns: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, value in row.items():
        column = columns.get(name)
        if value is not None and isinstance(column, Timestamptz):
            value = dt.datetime.fromisoformat(value)
        elif value is not None and isinstance(column, Date):
            value = dt.date.fromisoformat(value)
        out[name] = value
    return out


async def backup(target: Path) -> dict[str, int]:
    """Write a backup of the configured database to `target`; answers rows per table."""
    target.parent.mkdir(parents=True, exist_ok=True)
    counts = {t._meta.tablename: await t.count().run() for t in ALL_TABLES}
    if is_sqlite():
        partial = target.with_suffix(target.suffix + ".partial")
        partial.unlink(missing_ok=True)
        _sqlite_copy(_sqlite_file(), partial)
        partial.replace(target)
        return counts
    with gzip.open(target, "wt", encoding="utf-8") as out:
        out.write(json.dumps({"format": FORMAT, "migration": await _last_migration(), "counts": counts,
                              "taken_at": dt.datetime.now(dt.timezone.utc).isoformat()}, ensure_ascii=False) + "\n")
        # One snapshot for every table: a repeatable-read transaction sees one moment.
        async with engine().transaction():
            await engine().run_ddl("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            for table in ALL_TABLES:
                rows = await table.select().order_by(table._meta.primary_key).run()
                for row in rows:
                    out.write(json.dumps({"t": table._meta.tablename, "r": {k: _plain(v) for k, v in row.items()}},
                                         ensure_ascii=False) + "\n")
    return counts


async def _require_empty() -> None:
    if await Person.exists().run():
        raise BackupError("the database already has data: restore into a new, migrated database")


async def restore(source: Path) -> dict[str, int]:
    """Load a backup made by `backup` into the configured (empty) database."""
    if not source.is_file():
        raise BackupError(f"no such file: {source}")
    if is_sqlite():
        with source.open("rb") as f:
            if f.read(16) != b"SQLite format 3\x00":
                raise BackupError(f"{source} is not a SQLite backup")
        await _require_empty()
        _sqlite_copy(source, _sqlite_file())
        return {t._meta.tablename: await t.count().run() for t in ALL_TABLES}
    try:
        handle = gzip.open(source, "rt", encoding="utf-8")
        header = json.loads(handle.readline())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source} is not a logical backup: {exc}") from None
    if header.get("format") != FORMAT:
        raise BackupError(f"{source} is not a logical backup of this application")
    if header["migration"] != await _last_migration():
        raise BackupError(f"the backup was taken at migration {header['migration']!r}; migrate the target to it first")
    await _require_empty()
    tables = {t._meta.tablename: t for t in ALL_TABLES}
    columns = {name: {c._meta.db_column_name: c for c in t._meta.columns} for name, t in tables.items()}
    batches: dict[str, list[dict]] = {name: [] for name in tables}
    with handle:
        for line in handle:
            item = json.loads(line)
            batches[item["t"]].append(_typed(columns[item["t"]], item["r"]))
    async with atomic():
        # The seeded reference rows (calendar, accountability forms) are replaced by the backup's.
        names = ", ".join(t._meta.tablename for t in ALL_TABLES)
        await engine().run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        for table in ALL_TABLES:  # ALL_TABLES lists every table after the ones it references
            rows = batches[table._meta.tablename]
            await insert_in_batches(table, [table(**r) for r in rows])
            if rows:
                name = table._meta.tablename
                await engine().run_ddl(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT MAX(id) FROM {name}))")
    return {name: len(rows) for name, rows in batches.items()}
