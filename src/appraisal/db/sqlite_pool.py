"""Piccolo's SQLite engine with its connections kept open.

Piccolo's `SQLiteEngine` opens a new aiosqlite connection, and with it a new thread, for every
statement run outside a transaction and for every transaction, and closes it afterwards; it also
repeats `PRAGMA foreign_keys = 1` before every statement of a transaction. Opening is most of
the cost of a small query (2.7 ms of a trivial select here), and a score write makes a dozen.
This engine keeps closed-over connections idle for the next statement instead, and sets the
pragmas once per connection.

At most `MAX_OPEN` connections are in use at once on an event loop; further callers wait for
one to be handed back. Opening a connection per caller beyond a fixed number, and closing the
surplus afterwards, cost a thread start and stop per statement under load: a fifth of a score
write's time with 50 clients. SQLite answers the statements of a few threads as fast as those
of many (they share the GIL and the process's two cores), so the wait is shorter than the
thread start was.

A connection is an aiosqlite thread with its own sqlite3 connection in autocommit mode
(`isolation_level=None`), so a statement outside a transaction commits by itself, exactly as
with a fresh connection. Its thread is a daemon thread: an idle connection never keeps a
finished command-line process alive. Call `close_connection_pool()` before replacing the
database file underneath (the tests do) and when the application stops.

Two paths skip those threads on the request path of a score write. A point read (the session,
the caller, the cell) runs on the calling thread with a read-only connection of its own
(`read_here`). A guarded write (`run_guarded`) runs on one writer thread, and the writes
waiting at one time are committed together.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import aiosqlite
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

# Connections in use at once per event loop, and kept idle for reuse. A caller holds one for a
# statement, or for a whole transaction (in which every statement uses it), never two: so the
# waiting cannot deadlock.
MAX_OPEN = 4


# Writes committed together at most (see `run_guarded`).
MAX_GROUP = 100


# Piccolo registers a converter for columns declared INTEGER (every key, foreign key and
# count column) that turns each value to text and parses it back through `Decimal`, in case a
# column holds something other than an integer. SQLite's INTEGER affinity already stores
# integers, and reals without a fraction, as integers, which sqlite3 answers as `int` with no
# converter at all; the application writes nothing else there. The conversion was half the time
# of reading a unit's score cells (1.8 of 3.6 ms for 1,000 cells), so it is left out.
sqlite3.converters.pop("INTEGER", None)


def _guarded(connection: sqlite3.Connection, statements: list[tuple[str, list[Any]]]) -> list[dict]:
    """The first statement and, if it answered rows, the others; answers the first's rows."""
    (first_sql, first_args), rest = statements[0], statements[1:]
    rows = connection.execute(first_sql, first_args).fetchall()
    for sql, args in rest if rows else ():
        connection.execute(sql, args).fetchall()
    return rows


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
        # The thread and connection of `run_guarded`; the connection is only touched there.
        self._writer: ThreadPoolExecutor | None = None
        self._writer_connection: sqlite3.Connection | None = None
        # Per event loop, the guarded writes waiting for the next group, and the flushes running.
        self._pending: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, list] = weakref.WeakKeyDictionary()
        self._flushes: set[asyncio.Task] = set()
        # The connections of `read_here`, one per thread that ran one, and all of them, to close.
        self._here = threading.local()
        self._here_connections: list[sqlite3.Connection] = []
        self._here_lock = threading.Lock()

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
            self._idle, self._writer, self._writer_connection, self._pid = [], None, None, os.getpid()
            self._pending, self._flushes = weakref.WeakKeyDictionary(), set()
            self._slots = weakref.WeakKeyDictionary()
            self._here, self._here_connections = threading.local(), []

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
        with self._here_lock:
            here, self._here_connections = self._here_connections, []
            self._here = threading.local()
        for connection in here:
            connection.close()
        writer, self._writer = self._writer, None
        if writer is not None:
            await asyncio.get_running_loop().run_in_executor(writer, self._close_writer_connection)
            writer.shutdown(wait=False)

    def _close_writer_connection(self) -> None:
        if self._writer_connection is not None:
            self._writer_connection.close()
            self._writer_connection = None

    async def run_guarded(self, statements: list[tuple[str, list[Any]]], writer: asyncio.Lock) -> list[dict]:
        """Run the first statement and, if it answers rows, the others, as one write. Answers
        the first statement's rows; when there are none, nothing is written. `writer` is the
        process's write lock (`sqlite_writer()`).

        The writes waiting at one time are committed together (group commit): one IMMEDIATE
        transaction, in one call on this process's writer thread, with one COMMIT and so one
        sync of the write-ahead log for all of them. Each caller is answered after that COMMIT,
        never before. The writes in a group are independent (each is guarded by its own
        WHERE) and run in the order they came, so each sees the ones before it exactly as if
        they had been committed one by one.

        With one transaction a write, the writes queued behind the lock one event-loop turn
        apart, and under load the turns, not the statements, were most of a write's time: at
        most about 300 score writes a second with 50 clients, each taking 1 ms on the writer
        thread.
        """
        self._after_fork()
        loop = asyncio.get_running_loop()
        pending = self._pending.get(loop)
        if pending is None:
            pending = self._pending[loop] = []
        future: asyncio.Future[list[dict]] = loop.create_future()
        pending.append((statements, future))
        if len(pending) == 1:  # the first since the last group was taken: a flush for it
            self._flush_soon(loop, pending, writer)
        return await future

    def _flush_soon(self, loop: asyncio.AbstractEventLoop, pending: list, writer: asyncio.Lock) -> None:
        task = loop.create_task(self._flush(pending, writer))
        self._flushes.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(self._flushes.discard)

    async def _flush(self, pending: list, writer: asyncio.Lock) -> None:
        async with writer:
            group = pending[:MAX_GROUP]
            del pending[:MAX_GROUP]
            if pending:  # more than one group's worth came meanwhile
                self._flush_soon(asyncio.get_running_loop(), pending, writer)
            if self._writer is None:
                self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writer")
            try:
                outcomes = await asyncio.get_running_loop().run_in_executor(
                    self._writer, self._run_group, [statements for statements, _future in group])
            except BaseException as error:  # BEGIN or COMMIT failed: none of them was written
                outcomes = [error] * len(group)
        for (_statements, future), outcome in zip(group, outcomes):
            if future.done():  # its caller was cancelled; the write stands or falls with the group
                continue
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)

    def _plain_connection(self, pragma: str) -> sqlite3.Connection:
        """A sqlite3 connection without a thread of its own (the writer's, or one of
        `read_here`), answering rows as dicts like the pooled ones."""
        connection = sqlite3.connect(**self.connection_kwargs, check_same_thread=False)
        connection.row_factory = dict_factory
        connection.execute(pragma)
        return connection

    def _writer_conn(self) -> sqlite3.Connection:
        if self._writer_connection is None:
            self._writer_connection = self._plain_connection("PRAGMA foreign_keys = 1")
        return self._writer_connection

    def _run_group(self, group: list[list[tuple[str, list[Any]]]]) -> list[list[dict] | BaseException]:
        """On the writer thread: the group in one transaction. If a statement fails, the
        transaction is rolled back and each write runs again in one of its own, so that only the
        failing one fails."""
        connection = self._writer_conn()
        connection.execute("BEGIN IMMEDIATE")
        try:
            outcomes: list[list[dict] | BaseException] = [_guarded(connection, s) for s in group]
        except Exception as error:
            connection.execute("ROLLBACK")
            if len(group) == 1:
                return [error]
            return [self._run_alone(statements) for statements in group]
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        try:
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        return outcomes

    def _run_alone(self, statements: list[tuple[str, list[Any]]]) -> list[dict] | BaseException:
        """One write in a transaction of its own; a failure, of BEGIN and COMMIT too, is its
        outcome."""
        try:
            return self._run_group([statements])[0]
        except Exception as error:
            return error

    def read_here(self, sql: str, args: list[Any]) -> list[dict]:
        """Answer a read of a few rows found through an index on the calling thread, with a
        read-only connection of that thread's own, without the hop to a connection's thread.

        The hop (queue the call, wake the thread, wake the loop with the answer) costs several
        times such a statement: 60 µs against 10 µs uncontended here, and more under load, when
        the threads take turns with the GIL. In WAL mode a reader does not wait for the writer,
        so the statement does not hold up the event loop. Only for statements outside a
        transaction (a transaction's statements must see its own writes)."""
        connection = getattr(self._here, "connection", None)
        if connection is None or self._pid != os.getpid():
            self._after_fork()
            connection = self._here.connection = self._plain_connection("PRAGMA query_only = 1")
            with self._here_lock:
                self._here_connections.append(connection)
        cursor = connection.execute(sql, args)
        try:
            return cursor.fetchall()
        finally:
            cursor.close()  # ends the statement's read transaction: the next read sees new commits

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
