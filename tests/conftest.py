"""Test harness: one backend per pytest run.

`APPRAISAL_TEST_BACKEND=sqlite` (default) uses a temporary SQLite file; `=postgres` creates the
database `appraisal_test` on the server of APPRAISAL_TEST_POSTGRES_URL. `make test` runs the
whole suite on SQLite and then every test marked `db` (any test using the `db` fixture) on
PostgreSQL. With CI=true an unreachable PostgreSQL ends the run with an error; elsewhere the
PostgreSQL pass is skipped with the reason.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

BACKEND = os.environ.get("APPRAISAL_TEST_BACKEND", "sqlite")
POSTGRES_SERVER_URL = os.environ.get("APPRAISAL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
# Several checkouts on one server each name their own (APPRAISAL_TEST_DATABASE).
TEST_DATABASE = os.environ.get("APPRAISAL_TEST_DATABASE", "appraisal_test")
IN_CI = os.environ.get("CI", "").lower() == "true"
TMP = Path(tempfile.mkdtemp(prefix="appraisal-tests-"))
DEMO_PASSWORD = "demo123456"


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def _recreate_postgres_database(name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(POSTGRES_SERVER_URL, timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


def recreate_postgres_database(name: str) -> str:
    asyncio.run(_recreate_postgres_database(name))
    return with_database(POSTGRES_SERVER_URL, name)


POSTGRES_PROBLEM: str | None = None
if BACKEND == "postgres":
    try:
        DATABASE_URL = recreate_postgres_database(TEST_DATABASE)
    except Exception as exc:  # any failure to reach or prepare the server
        POSTGRES_PROBLEM = f"PostgreSQL at {POSTGRES_SERVER_URL} is not usable: {exc!r}"
        DATABASE_URL = with_database(POSTGRES_SERVER_URL, TEST_DATABASE)
elif BACKEND == "sqlite":
    DATABASE_URL = f"sqlite:///{TMP / 'appraisal.sqlite3'}"
else:
    raise RuntimeError(f"APPRAISAL_TEST_BACKEND must be sqlite or postgres, not {BACKEND!r}")

# Before anything imports the engine (appraisal.db.conf reads these at import).
os.environ.update(
    {
        "APPRAISAL_DATABASE_URL": DATABASE_URL,
        "PICCOLO_CONF": "appraisal.db.conf",
        "APPRAISAL_VAR_DIR": str(TMP / "var"),
        "APPRAISAL_DEMO_PASSWORD": DEMO_PASSWORD,
        # Cheap hashing keeps the suite fast; production keeps argon2's defaults.
        "APPRAISAL_ARGON2_TIME_COST": "1",
        "APPRAISAL_ARGON2_MEMORY_COST": "1024",
        "APPRAISAL_SCHEDULER": "0",
    }
)

from appraisal.db.tables import ALL_TABLES  # noqa: E402
from appraisal.settings import Settings  # noqa: E402
from appraisal.services import accounts  # noqa: E402

SQLITE_TEMPLATE = TMP / "migrated.sqlite3"


def pytest_configure(config: pytest.Config) -> None:
    if POSTGRES_PROBLEM and IN_CI:
        pytest.exit(f"CI=true and {POSTGRES_PROBLEM}", returncode=3)
    if POSTGRES_PROBLEM:
        return
    asyncio.run(_migrate_once())


async def _migrate_once() -> None:
    from appraisal.db.migrate import migrate
    from appraisal.db.transaction import engine, is_sqlite

    await migrate(verbose=False)
    if is_sqlite():
        await engine().run_ddl("PRAGMA wal_checkpoint(TRUNCATE)")
        shutil.copyfile(DATABASE_URL.removeprefix("sqlite:///"), SQLITE_TEMPLATE)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "db" in getattr(item, "fixturenames", ()) or item.get_closest_marker("db"):
            item.add_marker(pytest.mark.db)
            if POSTGRES_PROBLEM:
                item.add_marker(pytest.mark.skip(reason=POSTGRES_PROBLEM))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(TMP, ignore_errors=True)


async def reset_database() -> None:
    from appraisal.db.transaction import engine, is_sqlite

    if is_sqlite():
        await engine().close_connection_pool()  # idle connections would keep the replaced file
        path = Path(DATABASE_URL.removeprefix("sqlite:///"))
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(SQLITE_TEMPLATE, path)
    else:
        # TRUNCATE, not DELETE: the audit log's append-only triggers fire on row deletes only.
        from appraisal.db.seed import seed_reference_data

        names = ", ".join(t._meta.tablename for t in ALL_TABLES)
        await engine().run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        await seed_reference_data()  # as `appraisal migrate` leaves it


@pytest.fixture
async def db():
    """A migrated, empty database of the run's backend, with the connections of the test's event
    loop (the test client's application has its own) closed afterwards."""
    from appraisal.db.transaction import close_connections, open_connections

    await open_connections()
    try:
        await reset_database()
        yield
    finally:
        await close_connections()


@pytest.fixture
def settings() -> Settings:
    s = Settings.from_env()
    accounts.configure_hasher(s.argon2_time_cost, s.argon2_memory_cost)
    return s


@pytest.fixture
async def office(db, settings):
    """The demo 区委办公室: 7 sections, 40 people, accounts admin/leader/chief/staff + pinyin."""
    from appraisal.demo import load_demo

    await load_demo(DEMO_PASSWORD)


@pytest.fixture
async def client(db, settings):
    from litestar.testing import AsyncTestClient

    from appraisal.app import create_app

    async with AsyncTestClient(app=create_app(settings)) as c:
        yield c


@pytest.fixture
def database_url() -> str:
    return DATABASE_URL
