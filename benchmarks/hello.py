"""Litestar's hello world: the floor a real handler is compared with in benchmarks/scale.py."""

from litestar import Litestar, get


@get("/healthz")
async def healthz() -> str:
    return "ok"


app = Litestar(route_handlers=[healthz])
