"""The load clients of scale.py: concurrent clients writing score cells (or a write that does
nothing, or a hello world) for a while, measured in a process of their own so that the server
under load keeps its core. scale.py runs them as `scale.py --load-client URL`."""

from __future__ import annotations

import asyncio
import json
import random
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PASSWORD = "bench-pass-123"  # scale.py's accounts


def load(base: str, clients: int, seconds: float, make_requests, warmup: float = 0) -> dict:
    """`clients` concurrent clients for `seconds` after `warmup` seconds of the same load that
    are not counted (the server's connections open and their page caches fill); answers
    requests per second and latencies. The clients are `LeanClient`s (see lean_client.py)."""
    from lean_client import LeanClient

    async def run() -> dict:
        latencies: list[float] = []
        errors = 0
        clients_ = [LeanClient(base) for _ in range(clients)]
        steps = await asyncio.gather(*(make_requests(c, i) for i, c in enumerate(clients_)))  # log in, read grids

        async def warm(step) -> None:
            while time.perf_counter() < warm_until:
                await step()

        warm_until = time.perf_counter() + warmup
        await asyncio.gather(*(warm(step) for step in steps))
        deadline = time.perf_counter() + seconds

        async def one(step) -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                t = time.perf_counter()
                ok = await step()
                latencies.append(time.perf_counter() - t)
                errors += not ok

        start = time.perf_counter()
        await asyncio.gather(*(one(step) for step in steps))
        elapsed = time.perf_counter() - start
        for c in clients_:
            await c.aclose()
        latencies.sort()
        return {"rps": len(latencies) / elapsed, "p50": latencies[len(latencies) // 2] * 1000,
                "p99": latencies[int(len(latencies) * 0.99)] * 1000, "errors": errors, "requests": len(latencies)}

    return asyncio.run(run())


def score_writer(period_id: int, sections: int):
    """A client of the write load: chief i % sections logs in, reads their unit's grid of the
    period and then writes random cells of it, taking the current version after a 409."""

    async def make(client, i: int):
        await client.post("/api/v1/auth/login", json={"username": f"chief{i % sections}", "password": PASSWORD})
        me = (await client.get("/api/v1/me")).json()  # a safe request sets the CSRF cookie
        client.headers["x-csrftoken"] = client.cookies["csrftoken"]
        grid = (await client.get(f"/api/v1/appraisal/periods/{period_id}/grid",
                                 params={"unit": f"section:{me['person']['section_id']}"})).json()
        cells = [c for p in grid["people"] for c in p["cells"].values()]
        rng = random.Random(i)

        async def step() -> bool:
            cell = rng.choice(cells)
            # Always a value the cell does not hold: writing the value it holds is answered
            # without a write, and a second run on the same database would replay the first
            # run's choices and measure those instead.
            value = rng.choice([v for v in range(5, 15) if v != cell["value"]])
            r = await client.put(f"/api/v1/appraisal/cells/{cell['id']}", json={"value": value,
                                                                                 "version": cell["version"]})
            if r.status_code == 200:
                cell.update(value=value, version=r.json()["version"])
                return True
            if r.status_code == 409:  # another client of the same unit wrote it first: take its state
                cell.update(r.json()["detail"])
            return False

        return step

    return make


async def middleware_writer(client, i: int):
    """A client of the middleware floor (hello.py's `with_middleware`): logs in, takes the CSRF
    cookie as `score_writer` does, then writes cells of its own the way a chief does, with the
    version each answer gives back."""
    await client.post("/api/v1/auth/login", json={"username": f"chief{i}", "password": PASSWORD})
    await client.get("/api/v1/me")
    client.headers["x-csrftoken"] = client.cookies["csrftoken"]
    rng = random.Random(i)
    cells = list(range(i * 200 + 1, i * 200 + 201))
    versions = dict.fromkeys(cells, 1)

    async def step() -> bool:
        cell = rng.choice(cells)
        r = await client.put(f"/api/v1/appraisal/cells/{cell}", json={"value": rng.randrange(5, 15),
                                                                      "version": versions[cell]})
        if r.status_code != 200:
            return False
        versions[cell] = r.json()["version"]
        return True

    return step


async def hello_client(client, i: int):
    """A client of the floor's load: the hello-world app's one route."""

    async def step() -> bool:
        return (await client.get("/healthz")).status_code == 200

    return step


def load_from_own_process(base: str, clients: int, seconds: float, warmup: float, period: int = 0,
                          sections: int = 0, middleware: bool = False) -> dict:
    """`load` run by a fresh interpreter (this file with `--load-client`), for the writes and the
    floor alike: a load generator of its own, as load tests have, holding nothing of the
    office this process has built."""
    command = [sys.executable, str(HERE / "scale.py"), "--load-client", base, "--clients", str(clients), "--seconds", str(seconds),
               "--warmup", str(warmup), "--period", str(period), "--sections", str(sections)]
    if middleware:
        command.append("--middleware")
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])
