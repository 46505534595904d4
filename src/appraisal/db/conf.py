"""Piccolo configuration: the engine chosen by APPRAISAL_DATABASE_URL.

`sqlite:///var/appraisal.sqlite3` (the default, relative to the working directory),
`sqlite:////abs/path.sqlite3`, or `postgresql://USER@HOST:PORT/DB`.
"""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppRegistry
from piccolo.engine.base import Engine

from appraisal.db.postgres_pool import LoopPooledPostgresEngine
from appraisal.db.sqlite_pool import PooledSQLiteEngine
from appraisal.settings import database_url

SQLITE_BUSY_TIMEOUT_SECONDS = 10


class UnsupportedDatabaseURL(ValueError):
    pass


def sqlite_path(url: str) -> Path | None:
    if url.startswith("sqlite:///"):
        return Path(url[len("sqlite:///") :])
    return None


def engine_from_url(url: str) -> Engine:
    if (path := sqlite_path(url)) is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        # timeout is sqlite3's busy timeout: a writer waits for the lock instead of failing.
        return PooledSQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT_SECONDS)
    if url.startswith(("postgresql://", "postgres://")):
        return LoopPooledPostgresEngine(config={"dsn": url})
    raise UnsupportedDatabaseURL(
        f"APPRAISAL_DATABASE_URL must start with sqlite:/// or postgresql://, got {url!r}"
    )


DB = engine_from_url(database_url())

APP_REGISTRY = AppRegistry(apps=["appraisal.db.piccolo_app"])
