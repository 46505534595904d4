"""目标管理 API: the tree of a year, breakdown, weights, progress, copy and Excel import."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get, patch, post, put
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery

from appraisal.api.common import errors, from_row
from appraisal.api.schemas.targets import (
    CopyIn, ImportForm, MyTargetOut, TargetCompletion, TargetCreated, TargetIn, TargetPatch, TargetProgressIn,
    TargetProgressOut, TargetTree, TargetsCopied, TargetsImported, WeightsIn,
)
from appraisal.errors import InvalidInput
from appraisal.i18n import _
from appraisal.scopes import Principal
from appraisal.services import target_setup, targets


WRITE_ERRORS = errors(400, 401, 403, 404, 409, 422)


def _data(d: TargetIn) -> targets.TargetData:
    return targets.TargetData(title=d.title, weight=d.weight, indicator_kind=d.indicator_kind,
                              target_value=d.target_value, unit=d.unit, due_on=d.due_on, quality=d.quality,
                              section_id=d.section_id, owner_id=d.owner_id)


class TargetController(Controller):
    path = "/api/v1/targets"
    tags = ["targets"]

    @get("/", responses=errors(400, 401), summary="The year's target tree as the caller may see it, rolled up by weight")
    async def tree(self, principal: Principal, year: FromQuery[int]) -> TargetTree:
        return from_row(TargetTree, await targets.tree(principal, year))

    @get("/mine", responses=errors(400, 401), summary="The caller's individual targets of a year")
    async def mine(self, principal: Principal, year: FromQuery[int]) -> list[MyTargetOut]:
        return [from_row(MyTargetOut, r) for r in await targets.my_targets(principal, year)]

    @post("/", responses=WRITE_ERRORS, summary="Add a target: an office target, or a child of `parent_id`",
          description="A new child may not push its siblings' weights over 100 (422 naming the parent and the sum).")
    async def create(self, principal: Principal, data: TargetIn) -> TargetCreated:
        if data.parent_id is None and data.year is None:
            raise InvalidInput(_("单位目标需要填写年度"), code="year_required")
        row = await targets.create(principal, data.year or 0, data.parent_id, _data(data))
        return TargetCreated(id=row.id)

    @patch("/{target_id:int}", status_code=204, responses=WRITE_ERRORS,
           summary="Edit, archive or restore a target: only the fields sent change")
    async def update(self, principal: Principal, target_id: int, data: TargetPatch) -> None:
        await targets.patch(principal, target_id,
                            {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET})

    @put("/{target_id:int}/weights", status_code=204, responses=WRITE_ERRORS,
         summary="Set the shares of a target's children at once (they must sum to 100)")
    async def child_weights(self, principal: Principal, target_id: int, data: WeightsIn) -> None:
        await targets.set_weights(principal, 0, target_id, data.weights)

    @put("/weights", status_code=204, responses=WRITE_ERRORS,
         summary="Set the shares of a year's office targets at once (they must sum to 100)")
    async def top_weights(self, principal: Principal, data: WeightsIn) -> None:
        await targets.set_weights(principal, data.year or 0, None, data.weights)

    @post("/{target_id:int}/progress", responses=WRITE_ERRORS, summary="Report progress on a leaf target with evidence")
    async def progress(self, principal: Principal, target_id: int, data: TargetProgressIn) -> TargetCompletion:
        value = await targets.report(principal, target_id, completion=data.completion, actual=data.actual,
                                     evidence=data.evidence)
        return TargetCompletion(completion=value)

    @get("/{target_id:int}/progress", responses=errors(401, 404), summary="A target's progress reports, newest first")
    async def progress_list(self, principal: Principal, target_id: int) -> list[TargetProgressOut]:
        return [from_row(TargetProgressOut, r) for r in await targets.progress_of(principal, target_id)]

    @post("/copy", responses=WRITE_ERRORS, summary="Copy a year's active tree to another year (progress reset)")
    async def copy(self, principal: Principal, data: CopyIn) -> TargetsCopied:
        return TargetsCopied(copied=await target_setup.copy_year(principal, data.from_year, data.to_year))

    @post("/import", status_code=200, responses=WRITE_ERRORS,
          summary="Import a year's tree from .xlsx/.csv: all rows or none, every error listed",
          description="Columns: 编号, 上级编号 (empty for office targets), 目标名称, 权重, 指标类型 (数量/时限/质量), "
          "目标值, 计量单位, 完成时限, 质量要求, 科室, 责任人.")
    async def import_tree(
        self, principal: Principal, data: Annotated[ImportForm, Body(media_type=RequestEncodingType.MULTI_PART)]
    ) -> TargetsImported:
        content = await data.file.read()
        rows = await target_setup.import_tree(principal, data.year, data.file.filename, content, dry_run=data.dry_run)
        return TargetsImported(rows=rows)
