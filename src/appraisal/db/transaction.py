"""One helper for write transactions on either engine."""

from __future__ import annotations

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
        async with db.transaction(transaction_type=TransactionType.immediate):
            yield
    else:
        async with db.transaction():
            yield
