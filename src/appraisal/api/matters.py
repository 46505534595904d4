"""办件 API: register, list, read with timeline, and every step."""

from __future__ import annotations

import msgspec
from litestar import Controller, get, post
from litestar.params import FromQuery

from appraisal.api.common import Limit, Offset, errors, from_row
from appraisal.api.schemas.matters import (
    ExtensionDecisionIn, ExtensionIn, FollowUpIn, MatterDetail, MatterOut, MatterPage, NoteIn, PauseIn, RegisterIn,
    ResultIn, ShirkIn, TransferIn,
)
from appraisal.scopes import Principal
from appraisal.services import matters


async def _detail(principal: Principal, matter_id: int) -> MatterDetail:
    return from_row(MatterDetail, await matters.get_matter(principal, matter_id))


STEP_ERRORS = errors(400, 401, 403, 404, 409, 422)


class MatterController(Controller):
    path = "/api/v1/matters"
    tags = ["matters"]

    @post("/", responses=errors(400, 401, 422), summary="Register a matter; the caller is its first receiver")
    async def register(self, principal: Principal, data: RegisterIn) -> MatterDetail:
        matter = await matters.register(principal, matters.Registration(**msgspec.structs.asdict(data)))
        return await _detail(principal, matter.id)

    @get("/", responses=errors(400, 401, 422), summary="Matters within the caller's scope, by due date")
    async def list_matters(
        self, principal: Principal, offset: Offset = 0, limit: Limit = 50,
        status: FromQuery[str | None] = None, light: FromQuery[str | None] = None, mine: FromQuery[bool] = False,
        section: FromQuery[int | None] = None,
    ) -> MatterPage:
        rows, total = await matters.list_matters(principal, matters.MatterQuery(
            status, light, mine, offset, limit, section=section))
        return MatterPage(total=total, offset=offset, limit=limit, items=[from_row(MatterOut, r) for r in rows])

    @get("/{matter_id:int}", responses=errors(401, 404), summary="A matter with its timeline")
    async def get_matter(self, principal: Principal, matter_id: int) -> MatterDetail:
        return await _detail(principal, matter_id)

    @post("/{matter_id:int}/transfer", responses=STEP_ERRORS,
          summary="转办 to a named person, or to a section whose chief signs for it")
    async def transfer(self, principal: Principal, matter_id: int, data: TransferIn) -> MatterDetail:
        await matters.transfer(principal, matter_id, data.to_person_id, data.note, to_section_id=data.to_section_id)
        return await _detail(principal, matter_id)

    @post("/{matter_id:int}/accept", responses=STEP_ERRORS, summary="签收 a transfer")
    async def accept(self, principal: Principal, matter_id: int) -> MatterDetail:
        await matters.accept(principal, matter_id)
        return await _detail(principal, matter_id)

    @post("/{matter_id:int}/return", status_code=204, responses=STEP_ERRORS,
          summary="退回 a transfer with a reason (the receiver then no longer sees the matter)")
    async def return_transfer(self, principal: Principal, matter_id: int, data: NoteIn) -> None:
        await matters.return_transfer(principal, matter_id, data.note)

    @post("/{matter_id:int}/pause", responses=STEP_ERRORS, summary="中止: stop the clock")
    async def pause(self, principal: Principal, matter_id: int, data: PauseIn) -> MatterDetail:
        await matters.pause(principal, matter_id, data.reason)
        return await _detail(principal, matter_id)

    @post("/{matter_id:int}/resume", responses=STEP_ERRORS, summary="恢复: the paused working days move the due date")
    async def resume(self, principal: Principal, matter_id: int, data: NoteIn) -> MatterDetail:
        await matters.resume(principal, matter_id, data.note)
        return await _detail(principal, matter_id)

    @post("/{matter_id:int}/extensions", responses=STEP_ERRORS, summary="延期申请, before the due date")
    async def request_extension(self, principal: Principal, matter_id: int, data: ExtensionIn) -> MatterDetail:
        await matters.request_extension(principal, matter_id, data.new_due_on, data.reason)
        return await _detail(principal, matter_id)

    @post("/{matter_id:int}/complete", responses=STEP_ERRORS, summary="办结 with the result")
    async def complete(self, principal: Principal, matter_id: int, data: ResultIn) -> MatterDetail:
        await matters.complete(principal, matter_id, data.result)
        return await _detail(principal, matter_id)

    @post("/{matter_id:int}/follow-up", responses=STEP_ERRORS, summary="回访: the requester's satisfaction")
    async def follow_up(self, principal: Principal, matter_id: int, data: FollowUpIn) -> MatterDetail:
        await matters.follow_up(principal, matter_id, data.satisfaction, data.note)
        return await _detail(principal, matter_id)

    @post("/{matter_id:int}/shirk", responses=STEP_ERRORS, summary="Report 推诿 by a person on this matter")
    async def report_shirk(self, principal: Principal, matter_id: int, data: ShirkIn) -> MatterDetail:
        await matters.report_shirk(principal, matter_id, data.person_id, data.note)
        return await _detail(principal, matter_id)


@post("/api/v1/extensions/{request_id:int}/decision", tags=["matters"], status_code=204, responses=STEP_ERRORS,
      summary="A leader approves or refuses an extension request")
async def decide_extension(principal: Principal, request_id: int, data: ExtensionDecisionIn) -> None:
    await matters.decide_extension(principal, request_id, data.approve, data.note)
