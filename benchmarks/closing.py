"""Closing a quarter, timed again and again on the same data: for comparing two versions of the
code on this machine, whose speed varies from hour to hour (alternate them, the other one with
PYTHONPATH=<its checkout>/src), without building the large office anew for every run.

    .venv/bin/python benchmarks/closing.py [--database sqlite:////tmp/appraisal-closing.sqlite3 | postgresql://…]
                                           [--runs 3] [--at-once | --sweep] [--rebuild] [--staff 10000] [--matters 1000000]

The first use builds the office as scale.py does (10,000 staff, 1,000,000 matters, four quarters
scored) and keeps a copy of it: the SQLite file `<file>.base`, or the PostgreSQL database
`<name>_base`. `--rebuild` builds it anew (after a schema change, or with other sizes). Each run
starts from a fresh copy of that base (the file, or CREATE DATABASE … TEMPLATE), writes out
the pages the system holds dirty (`sync`, see scale.py), and closes the first quarter: one unit
after another, or with every scorer at once (`--at-once`). It prints the seconds of each run.
`--sweep` times the sweep instead: its first run over the office's open matters (the backlog's
notices and proposals) and the next, which finds nothing new.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

def _on_server(url: str, work):
    """`work(connection)` on the PostgreSQL server of `url`, connected to its `postgres` database."""
    import asyncpg

    async def run():
        conn = await asyncpg.connect(urlunsplit(urlsplit(url)._replace(path="/postgres")))
        try:
            return await work(conn)
        finally:
            await conn.close()

    return asyncio.run(run())


def _sqlite_path(url: str) -> Path | None:
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None


def _exists(url: str, base: str) -> bool:
    if _sqlite_path(url) is not None:
        return Path(base).exists()
    return bool(_on_server(url, lambda conn: conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", base)))


def _copy(url: str, source: str, target: str) -> None:
    """The database `source` as `target`: a SQLite file (its log folded in already), or a
    PostgreSQL database made from it as a template."""
    if _sqlite_path(url) is not None:
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(source, target)
    else:
        async def recreate(conn) -> None:
            await conn.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
            await conn.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')

        _on_server(url, recreate)


def office_env(url: str) -> dict[str, str]:
    """The environment of the benchmarks on the office at `url`, set in this process too."""
    env = {"APPRAISAL_DATABASE_URL": url, "APPRAISAL_SCHEDULER": "0", "APPRAISAL_ARGON2_TIME_COST": "1",
           "APPRAISAL_ARGON2_MEMORY_COST": "1024", "PICCOLO_CONF": "appraisal.db.conf"}
    os.environ.update(env)
    return env


def build_base(url: str, env: dict[str, str], rebuild: bool = False, staff: int = 10000, matters: int = 1_000_000,
               sections: int = 50) -> tuple[str, str]:
    """The names of the office's database at `url` and of its base copy, the base built as
    scale.py builds its office when it is not there yet (or `rebuild`). Run within the
    benchmark's time travel (scale.py's date)."""
    import scale

    path = _sqlite_path(url)
    name = str(path) if path is not None else urlsplit(url).path.lstrip("/")
    base = f"{name}.base" if path is not None else f"{name}_base"
    if rebuild or not _exists(url, base):
        print(f"building the office into {base} …")
        scale.fresh_database(url)
        scale.cli("migrate", env=env)
        scale.pooled(scale.generate(staff, matters, sections))
        scale.pooled(scale.settle())
        _copy(url, name, base)
    return name, base


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=f"sqlite:///{tempfile.gettempdir()}/appraisal-closing.sqlite3")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--at-once", action="store_true", help="every scorer submits at the same moment")
    parser.add_argument("--sweep", action="store_true", help="time the first sweep and the next instead")
    parser.add_argument("--rebuild", action="store_true", help="build the base office anew")
    parser.add_argument("--staff", type=int, default=10000)
    parser.add_argument("--matters", type=int, default=1_000_000)
    parser.add_argument("--sections", type=int, default=50)
    args = parser.parse_args()
    url = args.database
    env = office_env(url)
    import scale
    import time_machine

    with time_machine.travel(dt.datetime(2026, 11, 23, 9, tzinfo=scale.SHANGHAI), tick=True):
        name, base = build_base(url, env, args.rebuild, args.staff, args.matters, args.sections)
        print(f"the Python loop takes {scale.python_speed():.2f} s")
        for run in range(args.runs):
            _copy(url, base, name)
            os.sync()
            if args.sweep:
                first, again, swept, held = scale.pooled(scale.sweep_times())
                print(f"run {run + 1}: the first sweep {first:.2f} s ({swept.proposals} proposals), the next {again:.2f} s; "
                      f"the event loop held at most {held * 1000:.0f} ms")
                continue
            seconds = scale.pooled(_close_first_quarter(args.at_once))
            how = "with every scorer at once" if args.at_once else "one unit after another"
            print(f"run {run + 1}: closing the first quarter {how}: {seconds:.2f} s")


async def _close_first_quarter(at_once: bool) -> float:
    import scale

    from appraisal.db.tables import Period

    period = await Period.select(Period.id).where(Period.year == 2026, Period.quarter == 1).first().run()
    return await scale.close_quarter(period["id"], at_once=at_once)


if __name__ == "__main__":
    main()
