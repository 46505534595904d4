"""The audit log, read-only, for admins."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import get
from litestar.params import FromQuery, Parameter

from appraisal.api.common import Limit, Offset, errors, from_row
from appraisal.api.schemas.audit import AuditOut, AuditPage
from appraisal.security import admin_only
from appraisal.services import audit


@get("/api/v1/audit", guards=[admin_only], tags=["audit"], responses=errors(400, 401, 403),
     summary="Search the audit log, newest first (admin)")
async def list_audit(
    offset: Offset = 0,
    limit: Limit = 50,
    table: Annotated[str | None, Parameter(max_length=64)] = None,
    record_id: Annotated[str | None, Parameter(max_length=64)] = None,
    actor: Annotated[str | None, Parameter(max_length=64, description="a username, or the name of the person")] = None,
    action: Annotated[str | None, Parameter(max_length=32)] = None,
    since: FromQuery[dt.datetime | None] = None,
    until: FromQuery[dt.datetime | None] = None,
) -> AuditPage:
    rows, total = await audit.search(
        audit.AuditFilter(table, record_id, actor, action, since, until), offset=offset, limit=limit
    )
    return AuditPage(total=total, offset=offset, limit=limit, items=[from_row(AuditOut, r) for r in rows])
