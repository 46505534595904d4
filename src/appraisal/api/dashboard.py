"""The leader's dashboard: open matters by light per section."""

from __future__ import annotations

import msgspec
from litestar import get

from appraisal.api.common import errors
from appraisal.scopes import Principal
from appraisal.services import matters


class SectionLights(msgspec.Struct):
    section_id: int
    section_name: str
    green: int
    yellow: int
    red: int
    paused: int


@get("/api/v1/dashboard/matters", tags=["matters"], responses=errors(401),
     summary="Open matters by light for each section the caller sees")
async def matter_dashboard(principal: Principal) -> list[SectionLights]:
    return [SectionLights(**row) for row in await matters.dashboard(principal)]
