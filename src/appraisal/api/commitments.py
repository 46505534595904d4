"""The public commitment catalogue and its admin editing."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from litestar import Controller, get, patch, post
from litestar.params import FromQuery

from appraisal.api.common import errors
from appraisal.scopes import Principal
from appraisal.security import admin_only
from appraisal.services import commitments
from appraisal.domain.calendar import today_local


class CommitmentOut(msgspec.Struct):
    id: int
    name: str
    section_id: int
    section_name: str
    is_active: bool
    version_id: int
    effective_from: dt.date
    limit_kind: str
    limit_days: int
    limit_label: str
    standard: str
    materials: str
    complaint_channel: str


class PromiseIn(msgspec.Struct):
    limit_kind: Annotated[str, msgspec.Meta(description='"immediate" 即办, "same_day" 当日, or "working_days"')]
    limit_days: int = 0
    effective_from: dt.date | None = None
    standard: Annotated[str, msgspec.Meta(max_length=5000)] = ""
    materials: Annotated[str, msgspec.Meta(max_length=5000)] = ""
    complaint_channel: Annotated[str, msgspec.Meta(max_length=200)] = ""


class CommitmentIn(PromiseIn):
    section_id: int = 0
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] = ""


class CommitmentPatch(msgspec.Struct):
    is_active: bool


def _promise(data: PromiseIn) -> commitments.Promise:
    return commitments.Promise(
        effective_from=data.effective_from or today_local(),
        limit=commitments.parse_limit(data.limit_kind, data.limit_days),
        standard=data.standard, materials=data.materials, complaint_channel=data.complaint_channel,
    )


class CommitmentController(Controller):
    path = "/api/v1/commitments"
    tags = ["commitments"]

    @get("/", opt={"exclude_from_auth": True}, responses=errors(400),
         summary="The public catalogue of service items (no login)",
         description="Each item with the promise in force on `on` (default: today, Asia/Shanghai).")
    async def list_commitments(self, on: FromQuery[dt.date | None] = None) -> list[CommitmentOut]:
        return [CommitmentOut(**row) for row in await commitments.catalogue(on or today_local())]

    @post("/", guards=[admin_only], responses=errors(400, 401, 403, 422), summary="Add a service item (admin)")
    async def create_commitment(self, principal: Principal, data: CommitmentIn) -> CommitmentOut:
        promise = _promise(data)
        item = await commitments.create_item(principal, data.section_id, data.name, promise)
        return await _one(item.id, promise.effective_from)

    @post("/{commitment_id:int}/versions", guards=[admin_only], responses=errors(400, 401, 403, 404, 422),
          summary="Change an item's promise from a date on (admin); registered matters keep theirs")
    async def add_version(self, principal: Principal, commitment_id: int, data: PromiseIn) -> CommitmentOut:
        promise = _promise(data)
        await commitments.add_version(principal, commitment_id, promise)
        return await _one(commitment_id, promise.effective_from)

    @patch("/{commitment_id:int}", guards=[admin_only], status_code=204, responses=errors(400, 401, 403, 404),
           summary="Withdraw or restore an item (admin)")
    async def update_commitment(self, principal: Principal, commitment_id: int, data: CommitmentPatch) -> None:
        await commitments.set_active(principal, commitment_id, data.is_active)


async def _one(commitment_id: int, on: dt.date) -> CommitmentOut:
    rows = await commitments.catalogue(on, include_inactive=True)
    return CommitmentOut(**next(r for r in rows if r["id"] == commitment_id))
