"""Piccolo's SQLite engine with its connections kept open.

Piccolo's `SQLiteEngine` opens a new aiosqlite connection, and with it a new thread, for every
statement run outside a transaction and for every transaction, and closes it afterwards; it also
repeats `PRAGMA foreign_keys = 1` before every statement of a transaction. Opening is most of
the cost of a small query. This engine keeps connections idle for the next statement instead,
and sets the pragma once per connection. It holds figures people wait for (docs/benchmarks.md;
an office of 2,000 staff, medians against Piccolo's own engine, 7 December 2026): closing a
quarter 0.58 s instead of 1.5 s, the leader's dashboard 5 ms instead of 17 ms, the start page
20 ms instead of 67 ms.

At most `MAX_OPEN` connections are in use at once on an event loop; further callers wait for
one to be handed back (SQLite answers the statements of a few threads as fast as those of many:
they share the GIL and the process's cores).

A connection is an aiosqlite thread with its own sqlite3 connection in autocommit mode
(`isolation_level=None`), so a statement outside a transaction commits by itself, exactly as
with a fresh connection. Its thread is a daemon thread: an idle connection never keeps a
finished command-line process alive. Call `close_connection_pool()` before replacing the
database file underneath (the tests do) and when the application stops.

Every statement goes through Piccolo's own query and transaction code; only where the
connection comes from differs. Write transactions are IMMEDIATE (`transaction.atomic`), so two
writers queue on the busy timeout instead of failing.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import weakref
from typing import Any

import aiosqlite
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

# Connections in use at once per event loop, and kept idle for reuse. A caller holds one for a
# statement, or for a whole transaction (in which every statement uses it), never two: so the
# waiting cannot deadlock.
MAX_OPEN = 4


class PooledSQLiteTransaction(SQLiteTransaction):
    """A transaction on a pooled connection, handed back instead of closed."""

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        self.connection = await self.engine.acquire()
        try:
            await self.begin()
        except BaseException:  # e.g. the lock not granted within the busy timeout
            await self.engine.release(self.connection, reusable=False)
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            # A connection whose COMMIT or ROLLBACK failed may still be inside the transaction:
            # it is closed rather than handed to the next caller.
            await self.engine.release(self.connection, reusable=self._committed or self._rolled_back)
            self.engine.current_transaction.reset(self.context)
        return exception is None


class PooledSQLiteEngine(SQLiteEngine):
    def __init__(self, path: str, **connection_kwargs: Any) -> None:
        super().__init__(path=path, **connection_kwargs)
        if self.get_version_sync() < 3.35:
            raise RuntimeError(f"SQLite 3.35 or newer is needed, this Python has {sqlite3.sqlite_version}")
        self._idle: list[aiosqlite.Connection] = []
        self._slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = \
            weakref.WeakKeyDictionary()
        self._pid = os.getpid()

    def _slot(self) -> asyncio.Semaphore:
        """The running loop's permits to hold a connection (an asyncio primitive serves one loop;
        the tests run their client's requests on a loop of its own)."""
        loop = asyncio.get_running_loop()
        slots = self._slots.get(loop)
        if slots is None:
            slots = self._slots[loop] = asyncio.Semaphore(MAX_OPEN)
        return slots

    async def acquire(self) -> aiosqlite.Connection:
        """A connection for one statement or one transaction, waiting while `MAX_OPEN` are in
        use on this loop. Hand it back with `release`."""
        self._after_fork()
        slot = self._slot()
        await slot.acquire()
        try:
            if self._idle:
                return self._idle.pop()
            connection = aiosqlite.connect(**self.connection_kwargs)
            connection._thread.daemon = True  # see the module docstring
            await connection
            connection.row_factory = dict_factory  # type: ignore[assignment]
            await connection.execute("PRAGMA foreign_keys = 1")
            return connection
        except BaseException:
            slot.release()
            raise

    def _after_fork(self) -> None:
        if self._pid != os.getpid():  # a forked child: the parent's threads are not here
            self._idle, self._pid = [], os.getpid()
            self._slots = weakref.WeakKeyDictionary()

    async def release(self, connection: aiosqlite.Connection, reusable: bool = True) -> None:
        try:
            if reusable and len(self._idle) < MAX_OPEN and self._pid == os.getpid():
                self._idle.append(connection)
            else:
                await connection.close()
        finally:
            self._slot().release()

    async def start_connection_pool(self, **_kwargs: Any) -> None:
        """Connections are opened on demand; nothing to start."""

    async def close_connection_pool(self) -> None:
        self._after_fork()
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.close()

    def transaction(self, transaction_type: TransactionType = TransactionType.deferred,
                    allow_nested: bool = True) -> SQLiteTransaction:
        return PooledSQLiteTransaction(engine=self, transaction_type=transaction_type, allow_nested=allow_nested)

    async def _run_in_new_connection(self, query: str, args: list[Any] | None = None, query_type: str = "generic",
                                     table: Any = None) -> list[dict]:
        connection = await self.acquire()
        try:
            rows = await self._execute(connection, query, args)
        except BaseException:
            # Cancelled or failed mid-statement: the connection's state is not known.
            await self.release(connection, reusable=False)
            raise
        await self.release(connection)
        return rows

    async def _run_in_existing_connection(self, connection: aiosqlite.Connection, query: str,
                                          args: list[Any] | None = None, query_type: str = "generic",
                                          table: Any = None) -> list[dict]:
        return await self._execute(connection, query, args)

    @staticmethod
    async def _execute(connection: aiosqlite.Connection, query: str, args: list[Any] | None) -> list[dict]:
        # One hop to the connection's thread. Inserts return their keys with RETURNING, which
        # Piccolo uses from SQLite 3.35 on (checked at start-up).
        return list(await connection.execute_fetchall(query, args or []))
