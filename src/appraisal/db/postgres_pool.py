"""Piccolo's PostgreSQL engine with a connection pool for each event loop.

Piccolo's `PostgresEngine` holds one asyncpg pool, and an asyncpg pool serves only the event
loop it was made on. A server process or a command has one loop and so one pool, exactly as
with Piccolo's engine. The test suite has two at once (the test client runs the application on
a loop of its own while a test calls services on its loop), and each gets its own pool, where
one shared pool would hand a connection of one loop to the other.

A loop's pool is Piccolo's (`asyncpg.create_pool`), started and closed by whoever runs the loop
(`open_connections()` and `close_connections()` in `db/transaction.py`: the application's
start-up and shut-down, the command line, the test fixtures). A loop without one still works,
a connection per statement.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

from asyncpg import Connection
from asyncpg.pool import Pool
from piccolo.engine.postgres import PostgresEngine

# Connections are opened as they are needed and kept for reuse, up to this many per pool.
POOL_MIN_SIZE = 1
POOL_MAX_SIZE = 10


async def _keep_session(_connection: Connection) -> None:
    """What the pool does to a connection handed back, after asyncpg has rolled back a
    transaction left open: nothing more. asyncpg's default also resets the session (RESET ALL,
    UNLISTEN *, advisory locks, cursors): one more round trip after every statement (see
    `start_connection_pool`). This application keeps no
    session state: it never LISTENs, takes no advisory lock outside a transaction, holds no
    cursor, and its one SET is SET TRANSACTION, which ends with its transaction."""


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class LoopPooledPostgresEngine(PostgresEngine):
    def __init__(self, config: dict[str, Any], **kwargs: Any) -> None:
        self._pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Pool] = weakref.WeakKeyDictionary()
        super().__init__(config=config, **kwargs)

    # Piccolo reads and writes `self.pool` for every query and transaction: the running loop's.
    @property  # type: ignore[override]
    def pool(self) -> Pool | None:
        loop = _running_loop()
        return None if loop is None else self._pools.get(loop)

    @pool.setter
    def pool(self, value: Pool | None) -> None:
        loop = _running_loop()
        if loop is None:  # Piccolo's __init__ clears the pool before any loop runs
            return
        if value is None:
            self._pools.pop(loop, None)
        else:
            self._pools[loop] = value

    async def start_connection_pool(self, **kwargs: Any) -> None:
        """Piccolo's pool for the running loop (a warning, and nothing else, if it has one),
        handing connections back without asyncpg's session reset (`_keep_session`, a
        documented `create_pool` argument). It holds the time of every page's own handling
        on PostgreSQL (docs/benchmarks.md): together with the caller read in one statement
        (`accounts.PRINCIPAL_SQL`), GET /api/v1/me took 3.3 ms instead of 4.5 ms."""
        await super().start_connection_pool(**{"min_size": POOL_MIN_SIZE, "max_size": POOL_MAX_SIZE,
                                               "reset": _keep_session, **kwargs})
