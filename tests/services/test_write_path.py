"""The write path: a cell write and its audit entry land together or not at all, on either
engine; writers at the same moment queue and each is kept; connections are reused (SQLite's, and
each event loop's PostgreSQL pool); a finished command leaves a whole database file."""

import asyncio
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from appraisal.db.tables import AuditEntry, ScoreCell, UserAccount
from appraisal.db.transaction import engine, is_sqlite, sqlite_writer
from appraisal.services import audit
from appraisal.services.appraisal import StaleWrite, save_cell
from test_appraisal_flow import appraisee_of, as_user, clock, open_quarter  # noqa: F401 (clock: a fixture)

APPRAISAL = str(Path(sys.executable).parent / "appraisal")


async def _a_cell():
    period = await open_quarter()
    row = await appraisee_of(period["id"], "赵雪")
    return await ScoreCell.select().where(ScoreCell.appraisee == row["id"], ScoreCell.indicator == "de").first().run()


async def test_a_cell_write_and_its_audit_entry_land_together(office, clock):
    cell = await _a_cell()
    chief = await as_user("chief")
    saved = await save_cell(chief, cell["id"], 12, cell["version"])
    assert saved["value"] == 12 and saved["version"] == cell["version"] + 1
    stored = await ScoreCell.select().where(ScoreCell.id == cell["id"]).first().run()
    assert stored["value"] == 12 and stored["version"] == saved["version"] and stored["updated_by"] == chief.person_id
    entries = await AuditEntry.select().where(AuditEntry.table_name == "score_cell",
                                              AuditEntry.record_id == str(cell["id"])).run()
    assert [e["actor_name"] for e in entries] == ["chief"] and json.loads(entries[0]["new_values"]) == {"value": 12}
    # Its time is the column's default, filled in for the columns the entry leaves out.
    assert abs((entries[0]["at"] - saved["updated_at"]).total_seconds()) < 5

    # The tab still holding the old version is refused and nothing more is written.
    with pytest.raises(StaleWrite) as refused:
        await save_cell(chief, cell["id"], 9, cell["version"])
    assert refused.value.detail == {"value": 12, "version": saved["version"]}
    assert await AuditEntry.count().where(AuditEntry.table_name == "score_cell").run() == 1


async def test_a_cell_write_whose_audit_entry_fails_writes_nothing(office, clock, monkeypatch):
    cell = await _a_cell()
    chief = await as_user("chief")

    async def refused(*args, **kwargs):
        raise RuntimeError("the audit entry could not be written")

    monkeypatch.setattr(audit, "record", refused)
    with pytest.raises(RuntimeError):
        await save_cell(chief, cell["id"], 12, cell["version"])
    stored = await ScoreCell.select().where(ScoreCell.id == cell["id"]).first().run()
    assert (stored["value"], stored["version"]) == (None, cell["version"])
    assert await AuditEntry.count().where(AuditEntry.table_name == "score_cell").run() == 0


async def _unit_cells():
    """The de cells of everyone in 赵雪's unit, which the chief scores."""
    period = await open_quarter()
    row = await appraisee_of(period["id"], "赵雪")
    return await ScoreCell.select().where(ScoreCell.appraisee.unit == row["unit"],
                                          ScoreCell.appraisee.period == period["id"],
                                          ScoreCell.indicator == "de").order_by(ScoreCell.id).run()


def _queued(*writes):
    """Start the writes while this process's write lock is held, so that they are all waiting
    when it is let go, as writes of many people at the same moment."""

    async def run():
        async with sqlite_writer():
            tasks = [asyncio.create_task(write) for write in writes]
            await asyncio.sleep(0.01)
        return await asyncio.gather(*tasks, return_exceptions=True)

    return run()


async def test_writes_waiting_together_each_land_with_their_audit_entry(office, clock):
    cells = await _unit_cells()
    assert len(cells) >= 4
    chief = await as_user("chief")
    saved = await _queued(*(save_cell(chief, c["id"], 10 + n % 5, c["version"]) for n, c in enumerate(cells)))
    assert [s["version"] for s in saved] == [c["version"] + 1 for c in cells]
    stored = {r["id"]: r for r in await ScoreCell.select().where(ScoreCell.id.is_in([c["id"] for c in cells])).run()}
    assert [stored[c["id"]]["value"] for c in cells] == [10 + n % 5 for n in range(len(cells))]
    entries = await AuditEntry.select(AuditEntry.record_id).where(AuditEntry.table_name == "score_cell").run()
    assert sorted(e["record_id"] for e in entries) == sorted(str(c["id"]) for c in cells)


async def test_two_tabs_writing_one_cell_in_the_same_instant_keep_one_write(office, clock):
    (cell, *_others) = await _unit_cells()
    chief = await as_user("chief")
    first, second = await _queued(save_cell(chief, cell["id"], 11, cell["version"]),
                                  save_cell(chief, cell["id"], 7, cell["version"]))
    # The first in the queue wins; the second finds the version gone, as if it came later.
    assert first["value"] == 11 and isinstance(second, StaleWrite)
    assert second.detail == {"value": 11, "version": cell["version"] + 1}
    stored = await ScoreCell.select().where(ScoreCell.id == cell["id"]).first().run()
    assert (stored["value"], stored["version"]) == (11, cell["version"] + 1)
    assert await AuditEntry.count().where(AuditEntry.table_name == "score_cell").run() == 1


async def test_statements_reuse_their_connections(db):
    if is_sqlite():
        await engine().close_connection_pool()
        for _ in range(20):
            await UserAccount.count().run()
        assert len(engine()._idle) == 1  # one connection served all twenty statements
    else:
        for _ in range(20):
            await UserAccount.count().run()
        assert engine().pool.get_size() == 1  # the test's loop has its pool, and one connection did it all


async def test_fifty_concurrent_statements_share_a_few_sqlite_connections(db, monkeypatch):
    if not is_sqlite():
        pytest.skip("PostgreSQL's pool is asyncpg's")
    from appraisal.db import sqlite_pool

    db_engine = engine()
    await db_engine.close_connection_pool()
    opened = []
    real_connect = sqlite_pool.aiosqlite.connect

    def counting_connect(*args, **kwargs):
        opened.append(1)
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(sqlite_pool.aiosqlite, "connect", counting_connect)
    expected = await UserAccount.count().run()
    counts = await asyncio.gather(*(UserAccount.count().run() for _ in range(50)))
    assert counts == [expected] * 50
    # No thread was started or stopped beyond the few kept open.
    assert len(opened) <= sqlite_pool.MAX_OPEN and len(db_engine._idle) == len(opened)

    # Every permit came back, also the one of a caller cancelled while it waited for a connection.
    held = [await asyncio.wait_for(db_engine.acquire(), 5) for _ in range(sqlite_pool.MAX_OPEN)]
    waiting = asyncio.create_task(db_engine.acquire())
    await asyncio.sleep(0.05)
    assert not waiting.done()  # all connections are in use: the next caller waits
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    for connection in held:
        await db_engine.release(connection)
    again = [await asyncio.wait_for(db_engine.acquire(), 5) for _ in range(sqlite_pool.MAX_OPEN)]
    for connection in again:
        await db_engine.release(connection)


async def test_each_event_loop_has_a_postgresql_pool_of_its_own(db):
    if is_sqlite():
        pytest.skip("SQLite's connections are not bound to an event loop")
    from appraisal.db.transaction import close_connections, open_connections

    ours = engine().pool

    async def on_another_loop():
        await open_connections()
        try:
            return engine().pool, await UserAccount.count().run()
        finally:
            await close_connections()

    theirs, count = await asyncio.to_thread(asyncio.run, on_another_loop())
    assert ours is not None and theirs is not None and theirs is not ours
    assert count == await UserAccount.count().run()
    assert engine().pool is ours  # closing the other loop's pool left this one open


async def test_a_postgresql_connection_comes_back_from_the_pool_outside_any_transaction(db):
    if is_sqlite():
        pytest.skip("the pool is PostgreSQL's")
    pool = engine().pool
    accounts = await UserAccount.count().run()
    async with pool.acquire() as connection:
        await connection.execute("BEGIN")
        await connection.execute("CREATE TEMPORARY TABLE left_open (x int)")
        held = connection._con  # the connection behind the pool's proxy
    # The pool skips the session reset (see postgres_pool._keep_session) but still rolls back
    # what a caller left open: the next caller gets the same connection, clean.
    async with pool.acquire() as connection:
        assert connection._con is held and not connection.is_in_transaction()
        assert await connection.fetchval("SELECT to_regclass('pg_temp.left_open')") is None
        assert await UserAccount.count().run() == accounts, "the pool goes on answering through the ORM"


def test_a_finished_command_leaves_a_whole_database_file(tmp_path):
    if not is_sqlite():
        pytest.skip("the write-ahead log is SQLite's")
    path = tmp_path / "office.sqlite3"
    env = {"APPRAISAL_DATABASE_URL": f"sqlite:///{path}"}
    for command in ("migrate", "demo"):
        subprocess.run([APPRAISAL, command], env={**os.environ, **env}, check=True, capture_output=True, timeout=300)
    # Copied without its -wal file, as people copy a database, it still holds everything.
    copy = tmp_path / "copy.sqlite3"
    shutil.copyfile(path, copy)
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT COUNT(*) FROM person").fetchone()[0] > 0
