"""How long one heavy request holds up everyone else on the same server process.

A server process answers all its requests on one event loop: whatever a request computes
between two awaits, every other request waits for. This benchmark starts a server on a fresh
copy of closing.py's base office (10,000 staff, 1,000,000 matters), sends the heavy requests of
the large office one at a time (the Excel export, the bulletin, the ranking of everyone, the
grids and lists, and ten report cards asked for at once, of a unit it submits first), and
meanwhile asks `/healthz` every 10 ms from another connection. It prints, for each heavy
request, how long it took and the longest a `/healthz` waited meanwhile.

    .venv/bin/python benchmarks/holds.py [--database sqlite:////tmp/appraisal-closing.sqlite3 | postgresql://…]
                                         [--rebuild] [--port 8796] [--staff 10000] [--matters 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


CARDS_AT_ONCE = 10


def heavy_requests(period: int, cards: list[int]) -> list[tuple[str, str | list[str]]]:
    """(who, path or paths asked for at once): the admin's and the leader's largest answers."""
    return [
        ("admin", [f"/api/v1/reports/report-card/{appraisee}" for appraisee in cards]),
        ("admin", f"/api/v1/appraisal/periods/{period}/export.xlsx"),
        ("leader", "/api/v1/reports/bulletin?year=2026&month=10"),
        ("admin", f"/api/v1/reports/ranking/{period}"),
        ("admin", f"/appraisal/{period}"),
        ("admin", f"/api/v1/appraisal/periods/{period}"),
        ("admin", "/api/v1/dashboard/matters"),
        ("leader", "/"),
        ("admin", "/api/v1/matters?limit=50"),
        ("admin", "/api/v1/people?limit=500"),
        ("admin", "/appraisal/commendation"),
    ]


async def measure(base: str, requests: list[tuple[str, str | list[str]]],
                  password: str) -> list[tuple[str, str, int, float, float]]:
    async with httpx.AsyncClient(base_url=base, timeout=900) as probe:
        clients = {}
        try:
            for who in {w for w, _p in requests}:
                clients[who] = httpx.AsyncClient(base_url=base, timeout=900)
                login = await clients[who].post("/api/v1/auth/login", json={"username": who, "password": password})
                login.raise_for_status()
            results = []
            for who, path in requests:
                worst, running = [0.0], True

                async def probing() -> None:
                    while running:
                        start = time.perf_counter()
                        (await probe.get("/healthz")).raise_for_status()
                        worst[0] = max(worst[0], time.perf_counter() - start)
                        await asyncio.sleep(0.01)

                task = asyncio.create_task(probing())
                start = time.perf_counter()
                paths = [path] if isinstance(path, str) else path
                answers = await asyncio.gather(*(clients[who].get(one) for one in paths))
                elapsed = time.perf_counter() - start
                running = False
                await task
                status = max(answer.status_code for answer in answers)
                if not isinstance(path, str):
                    path = f"{paths[0].rsplit('/', 1)[0]}/…×{len(paths)}"
                results.append((who, path, status, elapsed, worst[0]))
                print(f"{who:6} {path:52} {status} {elapsed:6.2f} s; /healthz waited at most "
                      f"{worst[0] * 1000:4.0f} ms", flush=True)
            return results
        finally:
            for client in clients.values():
                await client.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=f"sqlite:///{tempfile.gettempdir()}/appraisal-closing.sqlite3")
    parser.add_argument("--rebuild", action="store_true", help="build the base office anew")
    parser.add_argument("--port", type=int, default=8796)
    parser.add_argument("--staff", type=int, default=10000)
    parser.add_argument("--matters", type=int, default=1_000_000)
    parser.add_argument("--sections", type=int, default=50)
    args = parser.parse_args()
    import closing
    import scale
    import time_machine

    env = closing.office_env(args.database)
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, tzinfo=scale.SHANGHAI), tick=True):
        name, base = closing.build_base(args.database, env, args.rebuild, args.staff, args.matters, args.sections)
    closing._copy(args.database, base, name)
    os.sync()
    period = scale.pooled(_first_quarter())
    cards = scale.pooled(_submit_a_unit(period))
    print(f"the Python loop takes {scale.python_speed():.2f} s")
    var = Path(tempfile.mkdtemp(prefix="appraisal-holds-"))  # an empty PDF cache
    server = scale.serve([str(Path(sys.executable).parent / "appraisal"), "serve", "--port", str(args.port),
                          "--log-level", "warning"], {**env, "APPRAISAL_VAR_DIR": str(var)}, args.port)
    try:
        asyncio.run(measure(f"http://127.0.0.1:{args.port}", heavy_requests(period, cards), scale.PASSWORD))
    finally:
        server.terminate()
        server.wait()


async def _first_quarter() -> int:
    from appraisal.db.tables import Period

    return (await Period.select(Period.id).where(Period.year == 2026, Period.quarter == 1).first().run())["id"]


async def _submit_a_unit(period: int) -> list[int]:
    """Submit the first section's unit of `period` as its chief (so that its people's report
    cards can be printed) and answer CARDS_AT_ONCE of its appraisees."""
    from appraisal.db.tables import Appraisee, UserAccount
    from appraisal.services import accounts, appraisal

    chief = await accounts.load_principal(
        (await UserAccount.select(UserAccount.id).where(UserAccount.username == "chief0").first().run())["id"])
    unit = f"section:{chief.section_id}"
    await appraisal.submit_unit(chief, period, unit)
    rows = await Appraisee.select(Appraisee.id).where(Appraisee.period == period, Appraisee.unit == unit).order_by(
        Appraisee.id).limit(CARDS_AT_ONCE).run()
    return [row["id"] for row in rows]


if __name__ == "__main__":
    main()
