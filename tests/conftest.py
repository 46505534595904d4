"""Test harness: one backend per pytest run.

`APPRAISAL_TEST_BACKEND=sqlite` (default) uses a temporary SQLite file; `=postgres` creates the
database `appraisal_test` on the server of APPRAISAL_TEST_POSTGRES_URL. `make test` runs the
whole suite on SQLite and then every test marked `db` (any test using the `db` fixture) on
PostgreSQL. With CI=true an unreachable PostgreSQL ends the run with an error; elsewhere the
PostgreSQL pass is skipped with the reason.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any
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


async def _postgres_admin(*statements: str) -> None:
    """Run `statements` on the server's maintenance connection (database commands cannot run
    in a transaction or on the database they change)."""
    import asyncpg

    conn = await asyncpg.connect(POSTGRES_SERVER_URL, timeout=5)
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


async def _recreate_postgres_database(name: str, template: str | None = None) -> None:
    """`name` afresh: empty, or a copy of the database `template` (which nothing may be
    connected to; anyone still connected, a server a test left behind, is disconnected)."""
    statements = [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)']
    if template:
        statements.append(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{template}' "
                          "AND pid <> pg_backend_pid()")
    statements.append(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    await _postgres_admin(*statements)


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
# The PostgreSQL pass copies its databases from templates on the server, named after its own.
POSTGRES_EMPTY = f"{TEST_DATABASE}_template"
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def pytest_configure(config: pytest.Config) -> None:
    if POSTGRES_PROBLEM and IN_CI:
        pytest.exit(f"CI=true and {POSTGRES_PROBLEM}", returncode=3)
    if POSTGRES_PROBLEM:
        return
    asyncio.run(_migrate_once())


async def _migrate_once() -> None:
    from appraisal.db.migrate import migrate
    from appraisal.db.transaction import close_connections, open_connections

    await open_connections()
    try:
        await migrate(verbose=False)
    finally:
        await close_connections()
    await _keep_as_template(SQLITE_TEMPLATE if BACKEND == "sqlite" else POSTGRES_EMPTY)


async def _keep_as_template(template: Path | str) -> None:
    """Copy the test database, its connections closed, to `template` (a file on SQLite, a
    database on PostgreSQL)."""
    from appraisal.db.transaction import close_connections, engine

    if BACKEND == "sqlite":
        await engine().run_ddl("PRAGMA wal_checkpoint(TRUNCATE)")
        await engine().close_connection_pool()
        shutil.copyfile(DATABASE_URL.removeprefix("sqlite:///"), template)
    else:
        await close_connections()
        await _recreate_postgres_database(str(template), template=TEST_DATABASE)


async def _copy_of(template: Path | str) -> None:
    """Replace the test database by a copy of `template`. The running loop's connections are
    closed first (idle ones would keep the replaced file, or hold the database) and opened
    again after."""
    from appraisal.db.transaction import close_connections, engine, open_connections

    if BACKEND == "sqlite":
        await engine().close_connection_pool()
        path = Path(DATABASE_URL.removeprefix("sqlite:///"))
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(template, path)
    else:
        await close_connections()
        await _recreate_postgres_database(TEST_DATABASE, template=str(template))
        await open_connections()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "db" in getattr(item, "fixturenames", ()) or item.get_closest_marker("db"):
            item.add_marker(pytest.mark.db)
            if POSTGRES_PROBLEM:
                item.add_marker(pytest.mark.skip(reason=POSTGRES_PROBLEM))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(TMP, ignore_errors=True)
    if BACKEND == "postgres" and not POSTGRES_PROBLEM:
        drops = [f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in (POSTGRES_EMPTY, *_office_templates.values())]
        try:
            asyncio.run(_postgres_admin(*drops))
        except Exception:  # tidying only: the next run drops them before it makes them again
            pass


async def reset_database() -> None:
    """The test database as `appraisal migrate` leaves it, empty (a copy of the migrated one)."""
    await _copy_of(SQLITE_TEMPLATE if BACKEND == "sqlite" else POSTGRES_EMPTY)


# The demo office, built once per run for each day it is built on, by its key (see _office_key).
_office_templates: dict[str, Path | str] = {}


def _office_key() -> tuple[str, dt.datetime | None]:
    """Which demo office a test gets, and the moment to build it at. On the real clock: the one
    of today (a run that passes midnight builds another). A test whose clock is pinned
    (time_machine) before the office is set up gets the office of its minute, built at the
    start of that minute, so that the demo's rows are written before anything the test does, as
    when the test loaded it itself."""
    import time_machine

    if time_machine.escape_hatch.is_travelling():
        moment = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
        return moment.strftime("%Y%m%dT%H%MZ"), moment
    return dt.datetime.now(SHANGHAI).strftime("%Y%m%d"), None


async def _load_demo_office() -> None:
    from appraisal.demo import load_demo

    await load_demo(DEMO_PASSWORD)


async def reset_to_office() -> str:
    """The test database as the demo office leaves it: a copy of its template, which the first
    test of the run to ask for it (on its day) builds. Answers the office's key."""
    key, moment = _office_key()
    template = _office_templates.get(key)
    if template is not None:
        await _copy_of(template)
        return key
    await reset_database()
    if moment is None:
        await _load_demo_office()
    else:
        import time_machine

        with time_machine.travel(moment, tick=False):
            await _load_demo_office()
    template = TMP / f"office-{key}.sqlite3" if BACKEND == "sqlite" else f"{TEST_DATABASE}_template_office_{key.lower()}"
    await _keep_as_template(template)
    _office_templates[key] = template
    return key


@pytest.fixture
async def db(request: pytest.FixtureRequest):
    """A migrated database of the run's backend, empty, or the demo office when the test also
    asks for `office` (copied here, before any application the test starts opens it). The
    connections of the test's event loop (the test client's application has its own) are
    closed afterwards."""
    from appraisal.db.transaction import close_connections, open_connections

    try:
        if "office" in request.fixturenames:
            request.node.stash[_OFFICE_KEY] = await reset_to_office()
        else:
            await reset_database()
        await open_connections()
        yield
    finally:
        await close_connections()


_OFFICE_KEY = pytest.StashKey[str]()


@pytest.fixture
def settings() -> Settings:
    s = Settings.from_env()
    accounts.configure_hasher(s.argon2_time_cost, s.argon2_memory_cost)
    return s


@pytest.fixture
async def office(db, settings, request: pytest.FixtureRequest):
    """The demo 区委办公室: 7 sections, 40 people, accounts admin/leader/chief/staff + pinyin.
    The `db` fixture copied it in; a test that pins the clock must do so before either is set
    up (list its clock fixture first), or its office would be of another moment."""
    key, now = request.node.stash[_OFFICE_KEY], _office_key()[0]
    # The day, and whether the clock is pinned (a ticking pinned clock may pass into the next minute).
    assert (key[:8], len(key)) == (now[:8], len(now)), (
        f"the clock moved between the database's set-up and the office's ({key} → {now}): "
        "list the fixture that pins the clock before `office` and `db`")


# The application of each distinct Settings, made once: registering its routes took Litestar
# 0.3-0.9 s, for every test with a client. It keeps no state of its own between two clients
# (sessions and login failures are in the database, its scheduler is off in the tests).
_apps: dict[str, Any] = {}


def app_for(settings: Settings) -> Any:
    from appraisal.app import create_app
    from appraisal.web import picker

    key = repr(settings)  # (a dict among its fields: not hashable)
    app = _apps.get(key)
    if app is None:
        app = _apps[key] = create_app(settings)
    else:  # what create_app configures besides the application, as another test may have changed it
        accounts.configure_hasher(settings.argon2_time_cost, settings.argon2_memory_cost)
        accounts.configure_login_limits(accounts.LoginLimits(
            settings.login_failure_limit, settings.login_address_failure_limit, settings.login_failure_window))
        picker.configure(settings.picker_list_all)
    return app


@pytest.fixture
async def client(db, settings):
    from litestar.testing import AsyncTestClient

    async with AsyncTestClient(app=app_for(settings)) as c:
        yield c


@pytest.fixture
def database_url() -> str:
    return DATABASE_URL
