"""Liveness with a database round trip."""

from __future__ import annotations

from litestar import get
from litestar.response import Response

from appraisal.api.schemas.health import Health
from appraisal.db.tables import Section


@get("/healthz", tags=["health"], opt={"exclude_from_auth": True}, summary="200 when the database answers")
async def healthz() -> Response[Health]:
    try:
        await Section.count().run()
    except Exception as exc:  # the point of this endpoint is to report any database failure
        return Response(Health(status="error", database=type(exc).__name__), status_code=503)
    return Response(Health(status="ok", database="ok"))
