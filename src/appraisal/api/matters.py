"""办件 API: register, list, read with timeline, and every step."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.params import FromQuery

from appraisal.api.common import Limit, Offset, Page, errors, from_row
from appraisal.scopes import Principal
from appraisal.services import matters

Text2000 = Annotated[str, msgspec.Meta(max_length=2000)]


class RegisterIn(msgspec.Struct):
    channel: Annotated[str, msgspec.Meta(description="visit | call | letter | online | document | referral")]
    requester: Annotated[str, msgspec.Meta(max_length=100)]
    subject: Annotated[str, msgspec.Meta(max_length=200)]
    content: Annotated[str, msgspec.Meta(max_length=10000)] = ""
    requester_contact: Annotated[str, msgspec.Meta(max_length=100)] = ""
    commitment_id: int | None = None
    limit_days: int | None = None


class MatterOut(msgspec.Struct):
    id: int
    number: str
    channel: str
    requester: str
    subject: str
    status: str
    light: str
    accepted_on: dt.date
    due_on: dt.date
    owner: int
    owner_name: str
    first_receiver: int
    first_receiver_name: str
    section: int | None
    section_name: str | None
    pending_to: int | None
    pending_to_name: str | None
    pending_due_on: dt.date | None
    limit_days: int
    paused_days: int
    extensions: int
    satisfaction: str
    created_at: dt.datetime


class MatterEventOut(msgspec.Struct, kw_only=True):
    """One step of the timeline."""
    id: int
    matter: int
    at: dt.datetime
    actor: int | None
    actor_name: str | None
    kind: Annotated[str, msgspec.Meta(description=" | ".join(matters.EventKind))]
    to_person: int | None
    to_person_name: str | None
    due_on: dt.date | None
    note: str


class ExtensionRequestOut(msgspec.Struct, kw_only=True):
    id: int
    matter: int
    requested_by: int
    requested_at: dt.datetime
    reason: str
    new_due_on: dt.date
    status: Annotated[str, msgspec.Meta(description="pending | approved | refused")]
    decided_by: int | None
    decided_at: dt.datetime | None
    decision_note: str


class MatterDetail(MatterOut, kw_only=True):
    content: str = ""
    requester_contact: str = ""
    result: str = ""
    timeline: list[MatterEventOut] = []
    extension_requests: list[ExtensionRequestOut] = []


class MatterPage(Page):
    items: list[MatterOut]


class TransferIn(msgspec.Struct):
    """To a named person, or to a section (its chief signs for it): one of the two."""
    to_person_id: int | None = None
    to_section_id: int | None = None
    note: Text2000 = ""


class NoteIn(msgspec.Struct):
    note: Text2000 = ""


class ReasonIn(msgspec.Struct):
    reason: Text2000


class ExtensionIn(msgspec.Struct):
    new_due_on: dt.date
    reason: Text2000


class DecisionIn(msgspec.Struct):
    approve: bool
    note: Text2000 = ""


class ResultIn(msgspec.Struct):
    result: Annotated[str, msgspec.Meta(max_length=10000)]


class FollowUpIn(msgspec.Struct):
    satisfaction: Annotated[str, msgspec.Meta(description="satisfied | basically | unsatisfied")]
    note: Text2000 = ""


class ShirkIn(msgspec.Struct):
    person_id: int
    note: Text2000


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
    async def pause(self, principal: Principal, matter_id: int, data: ReasonIn) -> MatterDetail:
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
async def decide_extension(principal: Principal, request_id: int, data: DecisionIn) -> None:
    await matters.decide_extension(principal, request_id, data.approve, data.note)
