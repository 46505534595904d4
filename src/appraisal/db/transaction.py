"""One helper for write transactions on either engine."""

from __future__ import annotations

import asyncio
import functools
import itertools
import re
import sqlite3
import weakref
import zlib
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from enum import Enum
from typing import Any, NamedTuple

import asyncpg
import msgspec
from piccolo.columns.defaults.base import Default
from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.query import WhereRaw
from piccolo.query.base import Query
from piccolo.table import Table

from appraisal.db.postgres_pool import LoopPooledPostgresEngine
from appraisal.db.sqlite_pool import PooledSQLiteEngine


_engine: Engine | None = None


def engine() -> Engine:
    """The configured engine, found once. Piccolo binds the tables to it when they are imported,
    so it does not change; finding it again (Piccolo imports the conf module and reads the
    environment each time) was 3 % of a score write's time."""
    global _engine
    if _engine is None:
        db = engine_finder()
        if db is None:  # pragma: no cover - conf always defines DB
            raise RuntimeError("no Piccolo engine configured")
        _engine = db
    return _engine


def is_sqlite() -> bool:
    return isinstance(engine(), SQLiteEngine)


_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = weakref.WeakKeyDictionary()


def one_at_a_time(name: str) -> asyncio.Lock:
    """The running event loop's lock of this name (an asyncio lock serves one loop; the tests
    run their client's requests on a loop of their own)."""
    loop = asyncio.get_running_loop()
    locks = _locks.get(loop)
    if locks is None:
        locks = _locks[loop] = {}
    lock = locks.get(name)
    if lock is None:
        lock = locks[name] = asyncio.Lock()
    return lock


def sqlite_writer() -> asyncio.Lock:
    """The lock that queues this process's SQLite writers. SQLite takes one writer at a time;
    without the lock, concurrent requests of one server process would each wait in SQLite's busy
    handler, which sleeps in steps and turned 50 concurrent score writes into a second each.
    Other processes still queue on the busy timeout."""
    return one_at_a_time("sqlite writer")


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


def for_update(query: Any, when: bool = True) -> Any:
    """`query` (unchanged unless `when`), a select of the rows a write is about to change, read
    inside `atomic()` so that the checks made on them still hold when the write commits. On
    PostgreSQL it takes their row locks (FOR NO KEY UPDATE, the lock an UPDATE of them takes): a
    concurrent step on the same rows waits until this transaction ends, then reads what it
    committed. NO KEY UPDATE does not wait for the key-share locks that inserting a row
    referring to them (a timeline event) holds, where FOR UPDATE deadlocked with those. On
    SQLite the IMMEDIATE transaction already keeps every other writer out until it commits."""
    return query if not when or is_sqlite() else query.lock_rows("NO KEY UPDATE")


_ADVISORY_SPACE = 0x61707072  # "appr": the first key of this application's advisory locks


async def one_writer_for(name: str) -> None:
    """Inside `atomic()`: wait until no other transaction holds the lock called `name`, and hold
    it until this one ends. For writes whose checks read rows that a concurrent write could add
    (the next number of the year, the shares of a parent's children), which row locks cannot
    cover. On PostgreSQL a transaction-level advisory lock; on SQLite nothing more is needed, as
    its write transactions take turns."""
    if is_sqlite():
        return
    key = zlib.crc32(name.encode()) - 2**31  # a signed 32-bit key, the same in every process
    await _run_postgres("SELECT pg_advisory_xact_lock($1, $2)", [_ADVISORY_SPACE, key])


def is_unique_violation(exc: BaseException) -> bool:
    """A write refused by a unique constraint, on either engine."""
    if isinstance(exc, asyncpg.UniqueViolationError):
        return True
    return isinstance(exc, sqlite3.IntegrityError) and str(exc).startswith("UNIQUE constraint failed")


def is_foreign_key_violation(exc: BaseException) -> bool:
    """A write refused because a row it refers to is gone (or a deleted row is still referred to)."""
    if isinstance(exc, asyncpg.ForeignKeyViolationError):
        return True
    return isinstance(exc, sqlite3.IntegrityError) and str(exc).startswith("FOREIGN KEY constraint failed")


@asynccontextmanager
async def duplicate_raises(error: Exception) -> AsyncIterator[None]:
    """Raise `error` (the caller's own "already exists") when a unique constraint refuses a write
    inside. A check that the value is free, made inside `atomic()`, holds until the commit on
    SQLite, whose write transactions take turns; on PostgreSQL two transactions can both find the
    name free, and the constraint stops the second. Used as `async with atomic(),
    duplicate_raises(error):`, so the transaction rolls back."""
    try:
        yield
    except (sqlite3.IntegrityError, asyncpg.UniqueViolationError) as exc:
        if is_unique_violation(exc):
            raise error from exc
        raise


async def open_connections() -> None:
    """Start the running event loop's PostgreSQL pool, for whoever runs the loop (the
    application's start-up, a command, a test). SQLite opens its connections as it needs them."""
    db = engine()
    if isinstance(db, LoopPooledPostgresEngine) and db.pool is None:
        await db.start_connection_pool()


async def close_connections() -> None:
    """Close the connections this process keeps open: SQLite's, or the running event loop's
    PostgreSQL pool. On SQLite the last connection to close checkpoints the write-ahead log."""
    db = engine()
    if isinstance(db, PooledSQLiteEngine) or (isinstance(db, LoopPooledPostgresEngine) and db.pool is not None):
        await db.close_connection_pool()


@functools.lru_cache(maxsize=256)  # the statements are the code's own: a few dozen texts
def _numbered(sql: str) -> str:
    """`?` placeholders as PostgreSQL's `$1`, `$2`, …"""
    numbers = itertools.count(1)
    return re.sub(r"\?", lambda _match: f"${next(numbers)}", sql)


def _insert_columns(table: type[Table]) -> list:
    """The columns an insert names: all but the primary key, which the database assigns."""
    return [c for c in table._meta.columns if c is not table._meta.primary_key]


def _quoted(columns: list) -> str:
    return ", ".join(f'"{c._meta.db_column_name}"' for c in columns)


async def run_native(sql: str, args: list[Any]) -> list[dict]:
    """Run one statement written with `?` placeholders (numbered `$n` on PostgreSQL), inside the
    current transaction if there is one, handing the values to the driver as they are.

    For the statements of set-based writes, which carry thousands of values: Piccolo's query
    strings examine every value in Python, which took longer than the database did. The caller
    writes the SQL and passes only plain values (numbers, text, dates, None)."""
    return await _run_compiled(sql if is_sqlite() else _numbered(sql), args)


async def _run_compiled(sql: str, args: list[Any]) -> list[dict]:
    """One statement in the engine's own placeholders, in the current transaction if any."""
    db = engine()
    if isinstance(db, SQLiteEngine):
        transaction = db.current_transaction.get()
        if transaction is not None:
            return await db._run_in_existing_connection(transaction.connection, sql, args)
        return await db._run_in_new_connection(sql, args)
    return await _run_postgres(sql, args)


async def _run_postgres(sql: str, args: list[Any]) -> list[dict]:
    """One statement with `$n` placeholders: in the current transaction, on the loop's pool, or
    on a connection of its own."""
    db = engine()
    transaction = db.current_transaction.get()
    if transaction is not None:
        rows = await transaction.connection.fetch(sql, *args)
    elif db.pool is not None:
        rows = await db._run_in_pool(sql, args)
    else:
        rows = await db._run_in_new_connection(sql, args)
    return [dict(row) for row in rows]


# The statement layer below is kept for two appraisal selects built once (periods._PERIOD and
# scoring._UNIT_ROWS in services/appraisal): with Piccolo building them on every run, closing a
# quarter took about 20 % more CPU (docs/benchmarks.md).
class Param:
    """A value that a `Prepared` query takes each time it runs, by name; `many`: a list, for
    `one_of`."""

    __slots__ = ("name", "many")

    def __init__(self, name: str, many: bool = False) -> None:
        self.name, self.many = name, many

    def bind(self, values: dict[str, Any]) -> Any:
        value = values[self.name]
        if self.many:
            return list_value(value)
        return value.value if isinstance(value, Enum) else value

    def __repr__(self) -> str:
        return f"Param({self.name!r})"


class Params:
    """`p.period` is `Param("period")`: the placeholders of a `Prepared` query's builder."""

    def __getattr__(self, name: str) -> Param:
        return Param(name)

    def many(self, name: str) -> Param:
        return Param(name, many=True)


class Prepared:
    """A Piccolo select built and compiled once per engine, then run with new values.

    Piccolo builds a select's SQL anew on every run, walking its columns, joins and conditions
    in Python: 0.8–1.6 ms for a select with joins here, more than SQLite takes to answer it for
    a unit of 200 people. Closing a quarter runs a dozen such selects per unit, and so does a
    unit's grid. `build(p)` returns the query with `p.<name>` (or `p.many(<name>)` in
    `one_of`) where each value goes; `run(name=value, …)` binds the values into the SQL
    compiled the first time, runs it in the current transaction if there is one, and hands the
    rows to the query's own result handling. The builder must not branch on the values, and
    the values are plain ones the driver takes (numbers, text, dates, None; an Enum gives its
    value): Piccolo's own conversions, of a row object to its key for instance, are not made."""

    def __init__(self, build: Callable[[Params], Query]) -> None:
        self._build = build
        self._compiled: dict[str, tuple[Query, str, list[Any]]] = {}

    def _for(self, engine_type: str) -> tuple[Query, str, list[Any]]:
        compiled = self._compiled.get(engine_type)
        if compiled is None:
            query = self._build(Params())
            (querystring,) = query.querystrings
            sql, args = querystring.compile_string(engine_type=engine_type)
            compiled = self._compiled[engine_type] = (query, sql, args)
        return compiled

    async def run(self, **values: Any) -> list[dict]:
        query, sql, args = self._for(engine().engine_type)
        rows = await _run_compiled(sql, [a.bind(values) if isinstance(a, Param) else a for a in args])
        return await query._process_results(rows)

    async def first(self, **values: Any) -> dict | None:
        """The first row, or None (build the query with `.limit(1)` when more could match)."""
        rows = await self.run(**values)
        return rows[0] if rows else None


def in_list(name: str, placeholder: str = "?") -> str:
    """SQL for "`name` is one of the list bound at `placeholder`" (bind `list_value(values)`)."""
    return f"{name} IN (SELECT value FROM json_each({placeholder}))" if is_sqlite() else f"{name} = ANY({placeholder})"


_JSON = msgspec.json.Encoder()  # the 200 ids of a unit: 3 µs, against 32 µs with the standard library


def list_value(values: Iterable[Any]) -> Any:
    """A list as one bound parameter: a JSON array on SQLite, an array on PostgreSQL."""
    return _JSON.encode(list(values)).decode() if is_sqlite() else list(values)


def one_of(column: Any, values: list[Any] | Param) -> WhereRaw:  # also services/accountability.py
    """`column IN values` with the whole list as one bound parameter, where Piccolo's `is_in`
    binds and examines each value: for the hundreds of people of a unit or an office. `values`
    may be a `Params.many` placeholder."""
    name = f'"{column._meta.table._meta.tablename}"."{column._meta.db_column_name}"'
    return WhereRaw(in_list(name, "{}"), values if isinstance(values, Param) else list_value(values))


class _InsertPlan(NamedTuple):
    names: list[str]  # the columns an insert names, in order
    types: list[str]  # their types without a length: a cast to VARCHAR(n) would cut a longer
    # value short, where storing it into the column refuses it
    defaults: dict[str, Any]  # name → the column's default (see `_default_value`)
    head: str  # INSERT INTO "table" ("a", "b", …)
    one: str  # one row's placeholders: (?, ?, …)


@functools.cache
def _insert_plan(table: type[Table]) -> _InsertPlan:
    """What an insert needs of a table, worked out once: Piccolo's column objects answer
    attribute reads slowly."""
    columns = _insert_columns(table)
    return _InsertPlan(
        names=[c._meta.db_column_name for c in columns],
        types=[c.column_type.split("(")[0] for c in columns],
        defaults={c._meta.db_column_name: getattr(c, "default", None) for c in columns},
        head=f'INSERT INTO "{table._meta.tablename}" ({_quoted(columns)}) ',
        one="(" + ", ".join("?" for _ in columns) + ")",
    )


def _default_value(default: Any) -> Any:
    """A column's default as a value, made anew for each statement (such as "now"), as
    Piccolo's `get_default_value` and `Default.python` make it."""
    if isinstance(default, Enum):
        return default.value
    if isinstance(default, Default):
        return default.python()
    return default() if callable(default) else default


async def insert_values(table: type[Table], rows: list[dict[str, Any]], unique: str | None = None) -> int:
    """Insert plain rows (column name → value; the columns left out take their defaults) in
    multi-row statements. For the set-based writes of a whole unit or office (an audit entry
    and a notification per person), where building a Piccolo object per row took longer than
    the database did. With `unique` (a column with a unique constraint), a row whose value is
    there already is left out. Answers how many rows were inserted."""
    if unique:
        return len(await insert_new(table, rows, unique, answer=("id",)))
    await _insert(table, rows, "")
    return len(rows)


async def insert_new(table: type[Table], rows: list[dict[str, Any]], unique: str,
                     answer: tuple[str, ...] = ("id",)) -> list[dict[str, Any]]:
    """`insert_values` with `unique`, answering the `answer` columns of each row it inserted
    (the rows left out are not in the answer): for a set-based write whose audit entries
    name the new rows' ids."""
    columns = ", ".join(f'"{name}"' for name in answer)
    return await _insert(table, rows, f' ON CONFLICT ("{unique}") DO NOTHING RETURNING {columns}')


async def _insert(table: type[Table], rows: list[dict[str, Any]], tail: str) -> list[dict[str, Any]]:
    if not rows:
        return []
    names, types, defaults, head, one = _insert_plan(table)
    defaults = {name: _default_value(default) for name, default in defaults.items()}
    if not is_sqlite():
        # One array per column, unnested into rows: a constant statement of a few parameters,
        # where a VALUES list of 200 rows bound 1,800 (10.5 → 7.7 ms to write 200 rows).
        # Arrays of the columns' types without a length (see `_InsertPlan`).
        arrays = [[row.get(name, defaults[name]) for row in rows] for name in names]
        casts = ", ".join(f"${number}::{kind}[]" for number, kind in enumerate(types, 1))
        return await _run_postgres(f"{head}SELECT * FROM unnest({casts}){tail}", arrays)
    head += "VALUES "
    answers: list[dict[str, Any]] = []
    size = max(1, min(500, 30_000 // len(names)))  # within both engines' bound-parameter limits
    for start in range(0, len(rows), size):
        chunk = rows[start:start + size]
        args = [row.get(name, defaults[name]) for row in chunk for name in names]
        answers += await run_native(head + ", ".join(one for _ in chunk) + tail, args)
    return answers


async def insert_in_batches(table: type, rows: list, size: int = 500) -> None:
    """Insert many rows a few hundred per statement: one statement for all of them would pass
    SQLite's and PostgreSQL's limits on bound parameters (32,766 and 32,767) in a large office."""
    for start in range(0, len(rows), size):
        await table.insert(*rows[start:start + size]).run()
