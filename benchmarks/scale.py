"""Scale data and the goals of issue 7, measured on a database of a large office:

    10,000 staff in 50 sections, 1,000,000 matters, four quarters of scores.

Measured (each a goal, not a test):
- the leader's dashboard over the 1,000,000 matters (goal ≤ 200 ms);
- closing a quarter for the 10,000 staff: every unit submitted with totals, grades and the
  quota checked (goal ≤ 2 s), one unit after another, and the next quarter with every scorer
  submitting at once, as at the deadline;
- score-cell writes with 50 concurrent clients against a server process, with Litestar's
  hello-world floor measured in the same run (goals: ≥ 50 % of the floor, p99 ≤ 100 ms), and
  a second floor: the application's own request handling (session, authentication, CSRF,
  headers, the body and the answer) around a write whose handler does nothing (hello.py); the
  clients of both loads run in a load-generating process of their own, on a lean HTTP client
  (lean_client.py) that leaves the machine's cores to the servers measured;
- the server's peak memory (VmHWM) after the load.

    .venv/bin/python benchmarks/scale.py [--database sqlite:////tmp/scale.sqlite3 | postgresql://…]
                                         [--staff 10000] [--matters 1000000] [--seconds 10] [--warmup 3]

The database is created anew (SQLite file removed, PostgreSQL database dropped and created).
Data is generated with bulk inserts, not through the services: it is set-up, not the thing
measured.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from load_clients import PASSWORD, hello_client, load, load_from_own_process, middleware_writer, score_writer

HERE = Path(__file__).resolve().parent
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def fresh_database(url: str) -> str:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return url
    import asyncpg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")

    async def recreate() -> None:
        conn = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()

    asyncio.run(recreate())
    return url


def pooled(work):
    """Run the work on a new event loop with that loop's connections, as a command does."""
    from appraisal.cli import run_with_connections

    return run_with_connections(work)


def cli(*args: str, env: dict[str, str]) -> None:
    subprocess.run([str(Path(sys.executable).parent / "appraisal"), *args], env={**os.environ, **env}, check=True,
                   stdout=subprocess.DEVNULL)


async def generate(staff: int, matters: int, sections: int) -> dict:
    from appraisal.db.tables import (
        Appraisee, LeaderSection, Person, RoleGrant, ScoreCell, Section, UserAccount,
    )
    from appraisal.db.transaction import atomic, insert_in_batches
    from appraisal.domain.people import pinyin_key
    from appraisal.scopes import Principal, Role
    from appraisal.services import accounts, appraisal

    rng = random.Random(7)
    accounts.configure_hasher(1, 1024)
    start = time.perf_counter()
    async with atomic():
        await insert_in_batches(Section, [Section(name=f"第{i + 1}科", sort_order=i) for i in range(sections)])
        section_ids = await Section.select(Section.id).order_by(Section.id).output(as_list=True).run()
        people = [Person(name=f"员工{i}", name_pinyin=pinyin_key(f"员工{i}"), gender="male" if i % 2 else "female",
                         section=section_ids[i % sections]) for i in range(staff)]
        people.append(Person(name="分管领导", name_pinyin="fen guan ling dao", gender="male"))
        await insert_in_batches(Person, people)
        person_ids = await Person.select(Person.id).order_by(Person.id).output(as_list=True).run()
        leader = person_ids[-1]
        await insert_in_batches(LeaderSection, [LeaderSection(leader=leader, section=s) for s in section_ids])
        hashed = accounts.hash_password(PASSWORD)
        # A chief account per section (the first person of each), the leader, and the admin.
        logins = [(f"chief{i}", person_ids[i], ("chief", "staff")) for i in range(sections)]
        logins += [("leader", leader, ("leader", "staff")), ("admin", None, ("admin",))]
        await insert_in_batches(UserAccount, [UserAccount(username=u, password_hash=hashed, person=p) for u, p, _r in logins])
        account_ids = {r["username"]: r["id"] for r in await UserAccount.select(UserAccount.username, UserAccount.id).run()}
        await insert_in_batches(RoleGrant, [RoleGrant(account=account_ids[u], role=r) for u, _p, roles in logins for r in roles])
    print(f"  {staff} people, {sections} sections, {len(logins)} accounts: {time.perf_counter() - start:.1f} s")

    start = time.perf_counter()
    await bulk_matters(matters, person_ids[:staff], section_ids, rng)
    print(f"  {matters} matters: {time.perf_counter() - start:.1f} s")

    admin = Principal(user_id=None, username="bench", roles=frozenset({Role.ADMIN}))
    start = time.perf_counter()
    periods = {}
    for quarter in (1, 2, 3, 4):
        period = await appraisal.create_period(admin, 2026, quarter)
        await appraisal.advance(admin, period["id"], "self_summary")
        await appraisal.advance(admin, period["id"], "scoring")
        periods[quarter] = period["id"]
        ids = await Appraisee.select(Appraisee.id).where(Appraisee.period == period["id"]).output(as_list=True).run()
        async with atomic():
            for code, weight in (("de", 15), ("neng", 15), ("qin", 15), ("ji", 40), ("lian", 15)):
                # Every person gets 82% of each indicator: within the quota everywhere.
                await ScoreCell.update({ScoreCell.value: round(weight * 0.82, 1), ScoreCell.version: 1}).where(
                    ScoreCell.indicator == code, ScoreCell.appraisee.is_in(ids)).run()
    print(f"  four quarters opened and scored ({len(ids)} appraised each): {time.perf_counter() - start:.1f} s")
    return {"periods": periods, "leader_account": account_ids["leader"], "sections": section_ids}


MATTER_COLUMNS = ("channel", "requester", "requester_contact", "subject", "content", "limit_days", "first_receiver",
                  "owner", "section", "status", "accepted_on", "due_on", "yellow_on", "paused_days", "extensions",
                  "completed_at", "result", "satisfaction", "created_at")


async def settle() -> None:
    """What a live database's background work has done long before the next measurement.
    The operating system writes out the pages it holds dirty (within 30 s on Linux): fresh from
    the bulk load, hundreds of megabytes are, and the first commit's fsync waited for them
    (ext4 commits its journal in order), 0.4–0.5 s of closing a quarter on SQLite. On PostgreSQL
    also what autovacuum and the checkpointer do: the statistics, the visibility map that lets a
    query answer from an index alone, and the changed pages written out; without it they run
    during the next measurement, on the same two cores. (SQLite's write-ahead log is folded in
    when a command's connections close.)"""
    from appraisal.db.transaction import engine, is_sqlite

    start = time.perf_counter()
    if not is_sqlite():
        import asyncpg

        conn = await asyncpg.connect(engine().config["dsn"])
        try:
            await conn.execute("VACUUM ANALYZE")
            await conn.execute("CHECKPOINT")
        finally:
            await conn.close()
    os.sync()
    print(f"  {'sync' if is_sqlite() else 'VACUUM ANALYZE, CHECKPOINT, sync'}: {time.perf_counter() - start:.1f} s")


def python_speed() -> float:
    """Seconds for a fixed pure-Python loop: how fast this machine runs Python right now, to
    compare runs made on different days (the machine's speed has varied threefold)."""
    start = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.perf_counter() - start


async def bulk_matters(count: int, people: list[int], sections: list[int], rng: random.Random) -> None:
    """A million rows through the driver's own bulk path (executemany on SQLite, COPY on
    PostgreSQL): building ORM objects for each would take longer than everything measured."""
    from appraisal.db.transaction import engine, is_sqlite

    now = dt.datetime(2026, 11, 20, 1, tzinfo=dt.timezone.utc)

    def rows(n: int):
        for i in range(n):
            index = rng.randrange(len(people))
            accepted = dt.date(2026, 1, 5) + dt.timedelta(days=rng.randrange(320))
            due = accepted + dt.timedelta(days=rng.choice((0, 1, 3, 7, 14, 28)))
            is_open = rng.random() < 0.03
            # Most matters are done by their due date, one in 25 a few days late: an office's
            # real shape, and what the quarter's numbers are computed from.
            late = rng.random() < 0.04
            done_on = due + dt.timedelta(days=rng.randint(1, 5)) if late else accepted + dt.timedelta(
                days=rng.randint(0, (due - accepted).days))
            completed = min(now, dt.datetime.combine(done_on, dt.time(2, 30), tzinfo=dt.timezone.utc))
            yield ("visit", "来访人", "", f"办件{i}", "", 5, people[index], people[index], sections[index % len(sections)],
                   "open" if is_open else "completed", accepted, due, due - dt.timedelta(days=1), 0, 0,
                   None if is_open else completed, "", "", now)

    if is_sqlite():
        import sqlite3

        with sqlite3.connect(engine().path) as conn:
            placeholders = ", ".join("?" for _ in MATTER_COLUMNS)
            conn.executemany(f"INSERT INTO matter ({', '.join(MATTER_COLUMNS)}) VALUES ({placeholders})",
                             ((*r[:10], r[10].isoformat(), r[11].isoformat(), r[12].isoformat(), r[13], r[14],
                               str(r[15]) if r[15] else None, r[16], r[17], str(r[18])) for r in rows(count)))
        return
    import asyncpg

    conn = await asyncpg.connect(engine().config["dsn"])
    try:
        await conn.copy_records_to_table("matter", records=rows(count), columns=MATTER_COLUMNS)
    finally:
        await conn.close()


async def close_quarter(period_id: int, at_once: bool = False) -> float:
    """Submit every unit of a period as its scorer: totals, grades, quotas, frozen breakdowns.
    One unit after another, or `at_once`: every scorer submits at the same moment, as at the
    deadline (each submission waits for its connection in the engine's pool)."""
    from appraisal.db.tables import UserAccount
    from appraisal.services import accounts, appraisal

    leader = await accounts.load_principal(
        (await UserAccount.select(UserAccount.id).where(UserAccount.username == "leader").first().run())["id"])
    units = await appraisal.units(leader, period_id)
    chiefs = {}
    for row in await UserAccount.select(UserAccount.id, UserAccount.username).where(UserAccount.username.like("chief%")).run():
        principal = await accounts.load_principal(row["id"])
        chiefs[f"section:{principal.section_id}"] = principal

    async def submit(unit: str) -> None:
        await appraisal.submit_unit(leader if unit == "leaders" else chiefs[unit], period_id, unit)

    start = time.perf_counter()
    if at_once:
        await asyncio.gather(*(submit(u["unit"]) for u in units))
    else:
        for u in units:
            await submit(u["unit"])
    elapsed = time.perf_counter() - start
    period = await appraisal.get_period(period_id)
    assert period["status"] == "submitted", period["status"]
    return elapsed


async def export_time(period_id: int) -> tuple[float, int, int]:
    """The admin's Excel export of a closed period, every person of the office: seconds, rows
    and bytes."""
    from openpyxl import load_workbook

    from appraisal.db.tables import UserAccount
    from appraisal.services import accounts, appraisal_export

    admin = await accounts.load_principal(
        (await UserAccount.select(UserAccount.id).where(UserAccount.username == "admin").first().run())["id"])
    start = time.perf_counter()
    _name, content = await appraisal_export.export_period(admin, period_id)
    elapsed = time.perf_counter() - start
    rows = load_workbook(io.BytesIO(content), read_only=True).active.max_row - 2
    return elapsed, rows, len(content)


async def sweep_times() -> tuple[float, float, object, float]:
    """The sweep (every 15 minutes in each server process) over the office's open matters: the
    first run, which writes the backlog's notices and proposals, and the next, which has nothing
    new; and the longest the sweeps held the event loop, which the server's requests wait for."""
    from appraisal.services.sweep import sweep

    held, running = [0.0], True

    async def ticker() -> None:
        last = time.perf_counter()
        while running:
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            held[0], last = max(held[0], now - last), now

    watch = asyncio.create_task(ticker())
    start = time.perf_counter()
    first = await sweep()
    middle = time.perf_counter()
    again = await sweep()
    end = time.perf_counter()
    running = False
    await watch
    assert again.total == 0, again
    return middle - start, end - middle, first, held[0]


async def dashboard_time(repeat: int = 15) -> tuple[float, float]:
    from appraisal.db.tables import UserAccount
    from appraisal.services import accounts, matters

    leader = await accounts.load_principal(
        (await UserAccount.select(UserAccount.id).where(UserAccount.username == "leader").first().run())["id"])
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        rows = await matters.dashboard(leader)
        times.append(time.perf_counter() - start)
    assert sum(r["green"] + r["yellow"] + r["red"] + r["paused"] for r in rows) > 0
    return statistics.median(times), max(times)


def serve(args: list[str], env: dict[str, str], port: int) -> subprocess.Popen:
    import httpx

    process = subprocess.Popen(args, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=None if os.environ.get("BENCH_SERVER_STDERR") else subprocess.DEVNULL)
    for _ in range(150):
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except httpx.HTTPError:
            if process.poll() is not None:  # a port taken meanwhile, say (BENCH_SERVER_STDERR=1 shows why)
                raise RuntimeError(f"server on port {port} exited with {process.returncode}") from None
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"server on port {port} did not answer within 30 s")


def peak_memory_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=f"sqlite:///{tempfile.gettempdir()}/appraisal-scale.sqlite3")
    parser.add_argument("--staff", type=int, default=10000)
    parser.add_argument("--matters", type=int, default=1_000_000)
    parser.add_argument("--sections", type=int, default=50)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=3, help="seconds of each load run before measuring")
    parser.add_argument("--port", type=int, default=8790, help="the server's port (the hello world's is the next)")
    parser.add_argument("--load-client", metavar="URL", help=argparse.SUPPRESS)  # see load_from_own_process
    parser.add_argument("--period", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--middleware", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load_client:
        make = (score_writer(args.period, args.sections) if args.period
                else middleware_writer if args.middleware else hello_client)
        print(json.dumps(load(args.load_client, args.clients, args.seconds, make, args.warmup)))
        return
    url = fresh_database(args.database)
    env = {"APPRAISAL_DATABASE_URL": url, "APPRAISAL_SCHEDULER": "0", "APPRAISAL_ARGON2_TIME_COST": "1",
           "APPRAISAL_ARGON2_MEMORY_COST": "1024", "PICCOLO_CONF": "appraisal.db.conf"}
    os.environ.update(env)
    print(f"database: {url.split('@')[-1]}; this machine runs a 10,000,000-step Python loop in {python_speed():.2f} s")
    cli("migrate", env=env)

    import time_machine

    with time_machine.travel(dt.datetime(2026, 11, 23, 9, tzinfo=SHANGHAI), tick=True):
        info = pooled(generate(args.staff, args.matters, args.sections))
        pooled(settle())  # after the load's connections closed: SQLite folds its log in then
        median, worst = pooled(dashboard_time())
        print(f"dashboard over {args.matters} matters: median {median * 1000:.0f} ms, worst {worst * 1000:.0f} ms "
              f"(goal ≤ 200 ms)")
        elapsed = pooled(close_quarter(info["periods"][1]))
        print(f"closing a quarter for {args.staff} staff ({args.sections + 1} units), one unit after another: "
              f"{elapsed:.1f} s (goal ≤ 2 s)")
        elapsed, rows, size = pooled(export_time(info["periods"][1]))
        print(f"the admin's Excel export of that quarter: {rows} people in {elapsed:.1f} s ({size // 1024} KiB)")
        pooled(settle())  # the next quarter closes months later
        elapsed = pooled(close_quarter(info["periods"][2], at_once=True))
        print(f"closing the next quarter with all {args.sections + 1} scorers submitting at once: {elapsed:.1f} s")
        pooled(settle())
        first, again, swept, held = pooled(sweep_times())
        print(f"the first sweep of the open matters: {first:.1f} s ({swept.reminders + swept.chases + swept.bulletins} "
              f"notices, {swept.proposals} proposals); the next, with nothing new: {again:.1f} s; "
              f"the event loop held at most {held * 1000:.0f} ms at a time")
        # Closing wrote 10,000 results, audit entries and notifications, the sweep its backlog;
        # in an office the next quarter's scoring comes weeks later, when the background work on
        # them is long done.
        pooled(settle())

    # Score-cell writes: each client is a chief writing their own unit's cells of Q4.
    port = args.port
    appraisal_bin = str(Path(sys.executable).parent / "appraisal")
    server = serve([appraisal_bin, "serve", "--port", str(port), "--log-level", "warning"], env, port)
    base = f"http://127.0.0.1:{port}"
    try:
        writes = load_from_own_process(base, args.clients, args.seconds, args.warmup, info["periods"][4], args.sections)
        memory = peak_memory_mb(server.pid)
    finally:
        server.terminate()
        server.wait()

    hello_port = args.port + 1
    hello = serve([sys.executable, "-m", "uvicorn", "hello:app", "--app-dir", str(HERE), "--port", str(hello_port),
                   "--log-level", "warning"], {}, hello_port)

    try:
        floor = load_from_own_process(f"http://127.0.0.1:{hello_port}", args.clients, args.seconds, args.warmup)
    finally:
        hello.terminate()
        hello.wait()

    # The second floor: the application's request handling around a score write whose handler
    # does nothing (hello.py), on the same port once the hello world has stopped.
    bare = serve([sys.executable, "-m", "uvicorn", "hello:with_middleware", "--app-dir", str(HERE), "--port",
                  str(hello_port), "--log-level", "warning"], {}, hello_port)
    try:
        handling = load_from_own_process(f"http://127.0.0.1:{hello_port}", args.clients, args.seconds, args.warmup,
                                         middleware=True)
    finally:
        bare.terminate()
        bare.wait()
    print(f"score-cell writes, {args.clients} clients: {writes['rps']:.0f}/s, p50 {writes['p50']:.0f} ms, "
          f"p99 {writes['p99']:.0f} ms, {writes['errors']} refused as stale of {writes['requests']}")
    print(f"Litestar hello-world floor, same load: {floor['rps']:.0f}/s, p99 {floor['p99']:.0f} ms → "
          f"writes at {100 * writes['rps'] / floor['rps']:.0f}% of the floor (goal ≥ 50%, p99 ≤ 100 ms)")
    print(f"the application's request handling around a write that does nothing, same load: {handling['rps']:.0f}/s, "
          f"p99 {handling['p99']:.0f} ms ({100 * handling['rps'] / floor['rps']:.0f}% of the floor); the writes "
          f"reach {100 * writes['rps'] / handling['rps']:.0f}% of it")
    print(f"server peak memory (VmHWM): {memory:.0f} MB; the Python loop now takes {python_speed():.2f} s")


if __name__ == "__main__":
    main()
