"""A server that answers requests for weeks must not grow with them: once warm, 1,200 more
requests of every kind (score writes, grids as data and as a page, refused writes, anonymous
visitors with cookies of their own making) leave the Python heap as it was, give or take the
bounded caches of the libraries."""

import gc
import logging
import random
import tracemalloc

from helpers import login
from test_appraisal_api import open_quarter

ROUNDS = 200  # each round is six requests
LIMIT = 100_000  # bytes the heap may grow over ROUNDS rounds: 83 per request


async def _round(client, anonymous, period_id: int, unit: str, cells: list[dict], rng: random.Random) -> None:
    cell = rng.choice(cells)
    value = rng.choice([v for v in range(5, 15) if v != cell["value"]])
    r = await client.put(f"/api/v1/appraisal/cells/{cell['id']}", json={"value": value, "version": cell["version"]})
    assert r.status_code == 200, r.text
    cell.update(value=value, version=r.json()["version"])
    assert (await client.get(f"/api/v1/appraisal/periods/{period_id}/grid", params={"unit": unit})).status_code == 200
    assert (await client.get(f"/appraisal/{period_id}/grid", params={"unit": unit})).status_code == 200
    assert (await client.put(f"/api/v1/appraisal/cells/{cell['id']}", json={"value": 99, "version": cell["version"]})
            ).status_code == 422
    # Visitors who are not logged in, one with a session cookie it made up.
    anonymous.cookies.clear()
    assert (await anonymous.get("/login")).status_code == 200
    anonymous.cookies.set("appraisal_session", f"1:{rng.getrandbits(64):x}", domain="testserver.local")
    assert (await anonymous.get("/api/v1/me")).status_code == 401


async def test_twelve_hundred_more_requests_leave_the_heap_as_it_was(office, client, caplog):
    from litestar._parsers import parse_cookie_string
    from litestar.testing import AsyncTestClient

    caplog.set_level(logging.WARNING)  # the test client logs every request: the harness's memory
    period_id = await open_quarter(client)
    await login(client, "chief")
    unit = next(u["unit"] for u in (await client.get(f"/api/v1/appraisal/periods/{period_id}")).json()["units"]
                if u["may_score"])
    grid = (await client.get(f"/api/v1/appraisal/periods/{period_id}/grid", params={"unit": unit})).json()
    cells = [c for p in grid["people"] for c in p["cells"].values()]
    rng = random.Random(7)
    # What the test's own clients keep (cookie jars, parsed URLs) is not the server's.
    harness = [tracemalloc.Filter(False, f"*{name}*")
               for name in ("/httpx/", "/http/cookiejar.py", "/_pytest/", "/tracemalloc.py", __file__)]

    def heap() -> tracemalloc.Snapshot:
        # Litestar keeps the last 1,024 cookie headers it parsed, and each visitor's differs: a
        # bounded cache, emptied here so that it does not hide what else grows.
        parse_cookie_string.cache_clear()
        gc.collect()  # garbage is not a leak
        return tracemalloc.take_snapshot().filter_traces(harness)

    async with AsyncTestClient(app=client.app) as anonymous:
        # Warm up: pools open, statements are compiled, caches fill (the regular expressions
        # of the test client's URLs among them, which the first traced rounds still add).
        for _ in range(2 * ROUNDS):
            if _ == ROUNDS:
                tracemalloc.start()
            await _round(client, anonymous, period_id, unit, cells, rng)
        try:
            before = heap()
            for _ in range(ROUNDS):
                await _round(client, anonymous, period_id, unit, cells, rng)
            after = heap()
        finally:
            tracemalloc.stop()
    growth = sorted(after.compare_to(before, "lineno"), key=lambda d: -d.size_diff)
    # sqlite3 keeps a weak reference to each cursor of a connection and drops the dead ones
    # every 200 cursors: up to a few dozen kilobytes that come and go.
    assert sum(d.size_diff for d in growth) < LIMIT, [str(d) for d in growth[:8]]
