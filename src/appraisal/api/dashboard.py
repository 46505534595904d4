"""The leader's dashboard: open matters by light per section."""

from __future__ import annotations

from litestar import get

from appraisal.api.common import errors, from_row
from appraisal.api.schemas.dashboard import SectionLights
from appraisal.scopes import Principal
from appraisal.services import matters


@get("/api/v1/dashboard/matters", tags=["matters"], responses=errors(401),
     summary="Open matters by light for each section the caller sees")
async def matter_dashboard(principal: Principal) -> list[SectionLights]:
    return [from_row(SectionLights, row) for row in await matters.dashboard(principal)]
