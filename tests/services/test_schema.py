"""The migrated database is the schema that src/appraisal/db/tables/ declares, on SQLite and on
PostgreSQL: every table and column with its type, nullability and default, every index, unique
constraint and foreign key, nothing more; the audit log and matter timelines refuse changes; and
a database made by the squashed development migrations is refused with a clear message."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from piccolo.apps.migrations.tables import Migration
from piccolo.columns import Boolean, Bytea, Column, Date, Float, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow

from appraisal.db.migrate import SQUASHED_MIGRATION_IDS, UnknownMigrations, migrate
from appraisal.db.tables import ALL_TABLES, AuditEntry, MatterEvent
from appraisal.db.transaction import engine, is_sqlite

pytestmark = pytest.mark.db

APPRAISAL = str(Path(sys.executable).parent / "appraisal")
MIGRATION_TABLE = "migration"  # Piccolo's own record of the migrations that ran

# How each column type reads in the catalog.
SQLITE_TYPES = {Serial: "INTEGER", Integer: "INTEGER", ForeignKey: "INTEGER", Varchar: "VARCHAR({length})",
                Text: "TEXT", Float: "FLOAT", Boolean: "BOOLEAN", Date: "DATE", Timestamptz: "TIMESTAMPTZ",
                Bytea: "BLOB"}
POSTGRES_TYPES = {Serial: "integer", Integer: "integer", ForeignKey: "integer",
                  Varchar: "character varying({length})", Text: "text", Float: "double precision",
                  Boolean: "boolean", Date: "date", Timestamptz: "timestamp with time zone", Bytea: "bytea"}

# The indexes that the initial migration makes in SQL (several columns, which a table class
# cannot declare): (table, name, key columns, included columns).
EXTRA_INDEXES = [
    ("appraisee", "appraisee_period_unit", ("period", "unit"), ()),
    ("matter", "matter_status_section_due_yellow", ("status", "section", "due_on", "yellow_on"), ()),
]
SQLITE_EXTRA_INDEXES = [("matter", "matter_owner_due_on_completed", ("owner", "due_on", "completed_at"), ())]
POSTGRES_EXTRA_INDEXES = [("matter", "matter_owner_due_on_completed_id", ("owner", "due_on", "completed_at"), ("id",))]

PG_ON_DELETE = {"r": "RESTRICT", "c": "CASCADE", "a": "NO ACTION", "n": "SET NULL", "d": "SET DEFAULT"}


async def query(sql: str, *args: Any) -> list[dict]:
    """A catalog query, with {} for each argument."""
    return await Migration.raw(sql, *args).run()


# --- What the database has ---------------------------------------------------------------------

async def database_tables() -> set[str]:
    if is_sqlite():
        found = await query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    else:
        found = await query("SELECT table_name AS name FROM information_schema.tables "
                            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")
    return {r["name"] for r in found}


async def database_columns(table: str) -> dict[str, dict]:
    """name -> {type, null, default} as the catalog says them, the default normalised."""
    if is_sqlite():
        found = await query(f"SELECT name, type, \"notnull\" AS not_null, dflt_value, pk FROM pragma_table_info('{table}')")
        return {r["name"]: {"type": r["type"], "null": not r["not_null"] and not r["pk"],
                            "default": None if r["pk"] else normalised_default(r["dflt_value"])} for r in found}
    found = await query(
        "SELECT column_name, data_type, character_maximum_length, is_nullable, column_default "
        "FROM information_schema.columns WHERE table_schema = 'public' AND table_name = {}", table)
    return {r["column_name"]: {
        "type": r["data_type"] + (f"({r['character_maximum_length']})" if r["character_maximum_length"] else ""),
        "null": r["is_nullable"] == "YES",
        "default": None if (r["column_default"] or "").startswith("nextval(") else normalised_default(r["column_default"]),
    } for r in found}


def normalised_default(text: str | None) -> str | None:
    """A default as the catalog writes it, without PostgreSQL's casts and in lower case."""
    if text is None:
        return None
    text = re.sub(r"::[a-z ]+$", "", text)
    return None if text.lower() == "null" else text if text.startswith("'") else text.lower()


async def database_indexes(table: str) -> set[tuple]:
    """(name, key columns, included columns, unique) of every index but the primary key's; a
    unique constraint's index has no name here, as each engine names it its own way."""
    found = set()
    if is_sqlite():
        for index in await query(f"SELECT name, \"unique\" AS is_unique, origin FROM pragma_index_list('{table}')"):
            if index["origin"] == "pk":
                continue
            columns = await query(f"SELECT name FROM pragma_index_info('{index['name']}') ORDER BY seqno")
            name = None if index["origin"] == "u" else index["name"]
            found.add((name, tuple(c["name"] for c in columns), (), bool(index["is_unique"])))
        return found
    for index in await query(
            "SELECT i.relname AS name, x.indisunique AS is_unique, x.indnkeyatts AS keys, "
            "EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.contype = 'u') AS is_constraint, "
            "(SELECT array_agg(a.attname ORDER BY k.n) FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, n) "
            "  JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum) AS columns "
            "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "WHERE t.relname = {} AND NOT x.indisprimary", table):
        columns = tuple(index["columns"])
        name = None if index["is_constraint"] else index["name"]
        found.add((name, columns[:index["keys"]], columns[index["keys"]:], index["is_unique"]))
    return found


async def database_foreign_keys(table: str) -> set[tuple]:
    """(column, referenced table, referenced column, ON DELETE)."""
    if is_sqlite():
        found = await query(f"SELECT \"from\" AS col, \"table\" AS ref, \"to\" AS ref_col, on_delete "
                            f"FROM pragma_foreign_key_list('{table}')")
        return {(r["col"], r["ref"], r["ref_col"], r["on_delete"]) for r in found}
    found = await query(
        "SELECT a.attname AS col, r.relname AS ref, ra.attname AS ref_col, c.confdeltype::text AS on_delete "
        "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "JOIN pg_attribute ra ON ra.attrelid = c.confrelid AND ra.attnum = c.confkey[1] "
        "WHERE c.contype = 'f' AND t.relname = {}", table)
    return {(r["col"], r["ref"], r["ref_col"], PG_ON_DELETE[r["on_delete"]]) for r in found}


# --- What the tables declare -------------------------------------------------------------------

def declared_type(column: Column) -> str:
    types = SQLITE_TYPES if is_sqlite() else POSTGRES_TYPES
    return types[type(column)].format(length=getattr(column, "length", None))


def declared_default(column: Column) -> str | None:
    """The default a column's declaration gives, as normalised_default writes the catalog's."""
    if isinstance(column, Serial):
        return None
    value = column.default
    if value is None:
        return None
    if isinstance(value, TimestamptzNow):
        return "current_timestamp"
    if isinstance(value, DateNow):
        return "current_date"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, bytes):
        return "''" if is_sqlite() else "'\\x" + value.hex() + "'"
    return "'" + str(value).replace("'", "''") + "'"


def declared_indexes(table) -> set[tuple]:
    name = table._meta.tablename
    found = {(f"{name}_{c._meta.db_column_name}", (c._meta.db_column_name,), (), False)
             for c in table._meta.columns if c._meta.index}
    found |= {(None, (c._meta.db_column_name,), (), True) for c in table._meta.columns if c._meta.unique}
    extras = EXTRA_INDEXES + (SQLITE_EXTRA_INDEXES if is_sqlite() else POSTGRES_EXTRA_INDEXES)
    found |= {(index, keys, included, False) for t, index, keys, included in extras if t == name}
    return found


def declared_foreign_keys(table) -> set[tuple]:
    return {(c._meta.db_column_name, c._foreign_key_meta.resolved_references._meta.tablename,
             c._foreign_key_meta.resolved_target_column._meta.db_column_name,
             c._foreign_key_meta.on_delete.value)
            for c in table._meta.foreign_key_columns}


# --- The tests ---------------------------------------------------------------------------------

async def test_the_database_has_exactly_the_declared_tables(db):
    declared = {t._meta.tablename for t in ALL_TABLES}
    assert await database_tables() == declared | {MIGRATION_TABLE}


async def test_each_column_has_its_declared_type_nullability_and_default(db):
    # Table by table, so that a difference names its table (one test: each resets the database).
    for table in ALL_TABLES:
        declared = {c._meta.db_column_name: {"type": declared_type(c), "null": c._meta.null,
                                             "default": declared_default(c)}
                    for c in table._meta.columns}
        assert {table._meta.tablename: await database_columns(table._meta.tablename)} == \
            {table._meta.tablename: declared}


async def test_each_table_has_its_declared_indexes_unique_constraints_and_foreign_keys(db):
    for table in ALL_TABLES:
        name = table._meta.tablename
        assert {name: await database_indexes(name)} == {name: declared_indexes(table)}
        assert {name: await database_foreign_keys(name)} == {name: declared_foreign_keys(table)}


async def test_the_audit_log_and_a_matters_timeline_cannot_be_changed_or_deleted(db):
    entry = AuditEntry(action="create", table_name="person", record_id="1", new_values="{}")
    event = MatterEvent(kind="registered", note="登记")
    await entry.save().run()
    await event.save().run()
    for table, row, column in ((AuditEntry, entry, AuditEntry.note), (MatterEvent, event, MatterEvent.note)):
        with pytest.raises(Exception, match=f"{table._meta.tablename} is append-only"):
            await table.update({column: "改过"}).where(table.id == row.id).run()
        with pytest.raises(Exception, match=f"{table._meta.tablename} is append-only"):
            await table.delete().where(table.id == row.id).run()
        assert await table.count().where(table.id == row.id, column == row.note).run() == 1


async def test_a_database_made_by_the_squashed_migrations_is_refused_untouched_with_how_to_rebuild_it(db):
    ran_before = await Migration.select(Migration.name).order_by(Migration.id).output(as_list=True).run()
    old = [Migration(name=i, app_name="appraisal", ran_on=dt.datetime(2026, 12, 1)) for i in sorted(SQUASHED_MIGRATION_IDS)]
    await Migration.insert(*old).run()
    try:
        with pytest.raises(UnknownMigrations) as refused:
            await migrate(verbose=False)
        message = str(refused.value)
        assert message.startswith("the database was not changed: it was made by the development migrations, "
                                  "which were squashed into one initial migration before the first release")
        # What `make run` prints on an old var/appraisal.sqlite3: the command itself, as the user runs it.
        cli = subprocess.run([APPRAISAL, "migrate"], capture_output=True, text=True, timeout=120)
        assert cli.returncode == 1
        assert cli.stderr.strip() == f"error: {message}"
        if is_sqlite():
            path = engine().path
            assert f"delete {path} (with its -wal and -shm files, if any) and run `make run` again" in message
        else:
            assert "drop and create the PostgreSQL database" in message
        names = await Migration.select(Migration.name).order_by(Migration.id).output(as_list=True).run()
        assert names == ran_before + sorted(SQUASHED_MIGRATION_IDS)
    finally:
        await Migration.delete().where(Migration.name.is_in(list(SQUASHED_MIGRATION_IDS))).run()


async def test_a_database_migrated_by_a_version_with_other_migrations_is_refused(db):
    await Migration.insert(Migration(name="2099-01-01T00:00:00:000000", app_name="appraisal")).run()
    try:
        with pytest.raises(UnknownMigrations, match=r"it was migrated by 1 migration\(s\) that this version of "
                                                    r"appraisal does not have \(2099-01-01T00:00:00:000000\)"):
            await migrate(verbose=False)
    finally:
        await Migration.delete().where(Migration.name == "2099-01-01T00:00:00:000000").run()


def test_make_run_moves_a_pre_release_demo_database_aside_and_makes_a_new_one(tmp_path):
    """`make run` runs `appraisal migrate --rebuild-pre-release`: an old SQLite demo file is kept
    beside as .pre-release (nothing is deleted) and a migrated one takes its place."""
    import sqlite3

    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as old:
        old.execute("CREATE TABLE migration (id INTEGER PRIMARY KEY, name TEXT, app_name TEXT, ran_on TIMESTAMP)")
        old.executemany("INSERT INTO migration (name, app_name, ran_on) VALUES (?, 'appraisal', '2026-12-01')",
                        [(i,) for i in sorted(SQUASHED_MIGRATION_IDS)])
        old.execute("CREATE TABLE person (id INTEGER PRIMARY KEY, name TEXT)")
        old.execute("INSERT INTO person (name) VALUES ('旧数据')")
    env = {**os.environ, "APPRAISAL_DATABASE_URL": f"sqlite:///{path}"}
    cli = subprocess.run([APPRAISAL, "migrate", "--rebuild-pre-release"], capture_output=True, text=True, timeout=120,
                         env=env)
    assert cli.returncode == 0, cli.stderr
    kept = tmp_path / "old.sqlite3.pre-release"
    assert f"moved aside to {kept}" in cli.stdout
    with sqlite3.connect(kept) as old:
        assert old.execute("SELECT name FROM person").fetchall() == [("旧数据",)]
    with sqlite3.connect(path) as new:
        ran = {name for (name,) in new.execute("SELECT name FROM migration")}
        assert not ran & SQUASHED_MIGRATION_IDS and ran
        assert new.execute("SELECT count(*) FROM person").fetchone() == (0,)
