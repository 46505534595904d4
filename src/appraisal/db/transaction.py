"""One helper for write transactions on either engine."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.sqlite import SQLiteEngine, TransactionType


def engine() -> Engine:
    db = engine_finder()
    if db is None:  # pragma: no cover - conf always defines DB
        raise RuntimeError("no Piccolo engine configured")
    return db


def is_sqlite() -> bool:
    return isinstance(engine(), SQLiteEngine)


_writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()


def sqlite_writer() -> asyncio.Lock:
    """The lock that queues this process's SQLite writers. SQLite takes one writer at a time;
    without the lock, concurrent requests of one server process would each wait in SQLite's busy
    handler, which sleeps in steps and turned 50 concurrent score writes into a second each.
    Other processes still queue on the busy timeout."""
    loop = asyncio.get_running_loop()
    lock = _writers.get(loop)
    if lock is None:
        lock = _writers[loop] = asyncio.Lock()
    return lock


@asynccontextmanager
async def atomic() -> AsyncIterator[None]:
    """A write transaction: everything inside commits together or not at all.

    On SQLite it is opened IMMEDIATE, so concurrent writers queue on the busy timeout instead of
    failing with "database is locked" when they upgrade a read lock. Nested use joins the outer
    transaction.
    """
    db = engine()
    if db.transaction_exists():
        yield
        return
    if isinstance(db, SQLiteEngine):
        async with sqlite_writer(), db.transaction(transaction_type=TransactionType.immediate):
            yield
    else:
        async with db.transaction():
            yield


async def insert_in_batches(table: type, rows: list, size: int = 500) -> None:
    """Insert many rows a few hundred per statement: one statement for all of them would pass
    SQLite's and PostgreSQL's limits on bound parameters (32,766 and 32,767) in a large office."""
    for start in range(0, len(rows), size):
        await table.insert(*rows[start:start + size]).run()
