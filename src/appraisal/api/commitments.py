"""The public commitment catalogue and its admin editing."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, get, patch, post
from litestar.params import FromQuery

from appraisal.api.common import errors, from_row
from appraisal.api.schemas.commitments import CommitmentIn, CommitmentOut, CommitmentPatch, PromiseIn
from appraisal.domain.calendar import today_local
from appraisal.scopes import Principal
from appraisal.security import admin_only
from appraisal.services import commitments


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
        return [from_row(CommitmentOut, row) for row in await commitments.catalogue(on or today_local())]

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
    return from_row(CommitmentOut, next(r for r in rows if r["id"] == commitment_id))
