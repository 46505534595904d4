"""Roster import (admin)."""

from __future__ import annotations

from typing import Annotated

from litestar import post
from litestar.datastructures import State
from litestar.enums import RequestEncodingType
from litestar.params import Body

from appraisal.api.common import errors
from appraisal.api.schemas.roster import RosterResult, RosterUpload
from appraisal.scopes import Principal
from appraisal.security import admin_only
from appraisal.services import roster


@post("/api/v1/roster/import", guards=[admin_only], tags=["organisation"], status_code=200,
      responses=errors(400, 401, 403, 422),
      summary="Import people from .xlsx or .csv: all rows or none; every bad row is listed",
      description="Columns: 姓名, 性别, 科室 (required); 出生日期, 政治面貌, 职务职级, 用户名, 角色 (optional). "
      "New accounts get `password`, or the demo password when it is empty. Any bad row answers 422 with "
      "detail.errors listing every one (第 7 行：出生日期“1990-13-01”不是有效日期) and stores nothing.")
async def import_roster(
    principal: Principal,
    state: State,
    data: Annotated[RosterUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
) -> RosterResult:
    content = await data.file.read()
    result = await roster.import_roster(
        principal, data.file.filename, content,
        password=data.password or state.settings.demo_password, dry_run=data.dry_run,
    )
    return RosterResult(rows=result.rows, created_people=result.created_people, created_accounts=result.created_accounts)
