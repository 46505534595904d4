"""责任追究 API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Controller, get, post
from litestar.params import FromQuery, Parameter

from appraisal.api.common import Limit, Offset, errors, from_row
from appraisal.api.schemas.accountability import (
    AppealDecisionIn, EffectsOut, FormOut, ProposeIn, RecordDecisionIn, RecordOut, RecordPage, RecordReasonIn,
)
from appraisal.scopes import Principal
from appraisal.services import accountability, org


STEP_ERRORS = errors(400, 401, 403, 404, 409, 422)


def _out(row: dict) -> RecordOut:
    return from_row(RecordOut, row)


class AccountabilityController(Controller):
    path = "/api/v1/accountability"
    tags = ["accountability"]

    @get("/forms", responses=errors(401), summary="The office's forms of accountability with default deductions")
    async def forms(self) -> list[FormOut]:
        return [from_row(FormOut, f) for f in await accountability.list_forms()]

    @get("/", responses=errors(400, 401, 422), summary="Records within the caller's scope")
    async def list_records(self, principal: Principal, offset: Offset = 0, limit: Limit = 50,
                           status: FromQuery[str | None] = None) -> RecordPage:
        rows, total = await accountability.list_records(principal, status, offset=offset, limit=limit)
        return RecordPage(total=total, offset=offset, limit=limit, items=[_out(r) for r in rows])

    @post("/", responses=STEP_ERRORS, summary="A leader reports a case (proposed)")
    async def propose(self, principal: Principal, data: ProposeIn) -> RecordOut:
        record = await accountability.propose(principal, data.person_id, data.trigger, data.description,
                                              matter_id=data.matter_id)
        return _out(await accountability.get_record(principal, record.id))

    @get("/{record_id:int}", responses=errors(401, 404), summary="One record")
    async def get_record(self, principal: Principal, record_id: int) -> RecordOut:
        return _out(await accountability.get_record(principal, record_id))

    @post("/{record_id:int}/decision", responses=STEP_ERRORS, summary="Decide form and points; notifies the person")
    async def decide(self, principal: Principal, record_id: int, data: RecordDecisionIn) -> RecordOut:
        await accountability.decide(principal, record_id, data.form_id, data.reason, data.points)
        return _out(await accountability.get_record(principal, record_id))

    @post("/{record_id:int}/dismiss", responses=STEP_ERRORS, summary="Decide not to pursue")
    async def dismiss(self, principal: Principal, record_id: int, data: RecordReasonIn) -> RecordOut:
        await accountability.dismiss(principal, record_id, data.reason)
        return _out(await accountability.get_record(principal, record_id))

    @post("/{record_id:int}/appeal", responses=STEP_ERRORS, summary="申诉 by the person, within the window")
    async def appeal(self, principal: Principal, record_id: int, data: RecordReasonIn) -> RecordOut:
        await accountability.appeal(principal, record_id, data.reason)
        return _out(await accountability.get_record(principal, record_id))

    @post("/{record_id:int}/appeal-decision", responses=STEP_ERRORS, summary="Uphold, change or revoke")
    async def decide_appeal(self, principal: Principal, record_id: int, data: AppealDecisionIn) -> RecordOut:
        await accountability.decide_appeal(principal, record_id, data.result, data.note, form_id=data.form_id,
                                           points=data.points)
        return _out(await accountability.get_record(principal, record_id))


@get("/api/v1/people/{person_id:int}/accountability-effects", tags=["accountability"], responses=errors(400, 401, 404),
     summary="What a person's final records of a year mean for appraisal")
async def person_effects(principal: Principal, person_id: int,
                         year: Annotated[int, Parameter(ge=2000, le=2100)]) -> EffectsOut:
    await org.get_person(principal, person_id)  # 404 outside the caller's scope
    effects = (await accountability.effects_for([person_id], dt.date(year, 1, 1), dt.date(year, 12, 31)))[person_id]
    return EffectsOut(person_id=person_id, year=year, deduction=effects.deduction,
                      eligible_for_excellent=effects.eligible_for_excellent,
                      eligible_for_commendation=effects.eligible_for_commendation,
                      flag_heavier_form=effects.flag_heavier_form, propose_incompetent=effects.propose_incompetent,
                      reasons=list(effects.reasons), record_ids=[r.id for r in effects.records])
