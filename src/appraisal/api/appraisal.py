"""绩效考核 API: policy and template, periods, the scoring grid, grades, submission,
self-summaries, the caller's own appraisals, bonuses, commendation review and the Excel export."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from litestar import Controller, Response, get, post, put
from litestar.params import FromQuery

from appraisal.api.common import errors, file_response
from appraisal.domain.appraisal import Indicator, SubItem
from appraisal.scopes import Principal
from appraisal.services import appraisal, appraisal_export, commendation

WRITE_ERRORS = errors(400, 401, 403, 404, 409, 422)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PeriodIn(msgspec.Struct):
    year: int
    quarter: Annotated[int | None, msgspec.Meta(description="1–4; empty for the annual appraisal")] = None


class AdvanceIn(msgspec.Struct):
    to: Annotated[str, msgspec.Meta(description="self_summary | scoring | reviewed | locked")]


class ReasonIn(msgspec.Struct):
    reason: Annotated[str, msgspec.Meta(max_length=500)]


class ApprovalIn(msgspec.Struct):
    approval: Annotated[str, msgspec.Meta(max_length=200, description="the approval allowing the higher 优秀 share")]


class CellIn(msgspec.Struct):
    value: float | None
    version: Annotated[int, msgspec.Meta(description="the version read with the grid; a stale one answers 409")]


class GradeIn(msgspec.Struct):
    grade: Annotated[str | None, msgspec.Meta(description="a lower grade than the band, or excellent (annual); null = by score")] = None
    comment: Annotated[str, msgspec.Meta(max_length=2000)] | None = None


class RegistrationIn(msgspec.Struct):
    committee_opinion: Annotated[str, msgspec.Meta(max_length=2000, description="考核委员会意见")] = ""
    remarks: Annotated[str, msgspec.Meta(max_length=2000, description="备注")] = ""
    notified_on: Annotated[dt.date | None, msgspec.Meta(description="the date the person was told the grade")] = None


class SummaryIn(msgspec.Struct):
    text: Annotated[str, msgspec.Meta(max_length=5000)]


class SubItemIn(msgspec.Struct):
    name: str
    weight: float


class IndicatorIn(msgspec.Struct):
    code: str
    name: str
    weight: float
    sub_items: list[SubItemIn] = []


class TemplateIn(msgspec.Struct):
    indicators: list[IndicatorIn]
    note: str = ""


class BonusIn(msgspec.Struct):
    person_id: int
    kind: Annotated[str, msgspec.Meta(description="commendation 表彰奖励 | info_adopted 信息采用")]
    points: float
    note: Annotated[str, msgspec.Meta(max_length=200)]
    awarded_on: dt.date


class ConfirmIn(msgspec.Struct):
    person_ids: list[int]
    note: str = ""


def _quota_out(q: Any) -> dict[str, Any] | None:
    return None if q is None else {"places": q.places, "used": q.used, "left": q.left, "over": q.over}


def _grid_out(g: dict) -> dict[str, Any]:
    """The grid as JSON; `quota` is null for a caller whose own results in it are not yet published."""
    return {**g, "quota": _quota_out(g["quota"])}


def _row_out(saved: dict) -> dict[str, Any]:
    """What a write on a grid row changed: the person's total, grade and grade choice (or why
    the grade cannot be given, `error`) and the unit's places left, as the grid page shows them."""
    p = saved["person"]
    return {"total": p["total"], "grade": p["grade"], "grade_choice": p["grade_choice"], "error": p["error"],
            "quota": _quota_out(saved["grid"]["quota"])}


class AppraisalController(Controller):
    path = "/api/v1/appraisal"
    tags = ["appraisal"]

    @get("/policy", responses=errors(401), summary="The office's appraisal numbers (bands, quotas, rounding, caps)")
    async def get_policy(self) -> dict[str, Any]:
        return (await appraisal.get_policy()).to_dict()

    @put("/policy", responses=errors(400, 401, 403, 422), summary="Change the numbers for periods opened from now on (admin)")
    async def put_policy(self, principal: Principal, data: dict[str, Any]) -> dict[str, Any]:
        return (await appraisal.set_policy(principal, data)).to_dict()

    @get("/template", responses=errors(401), summary="The current indicator template (德能勤绩廉 with sub-items)")
    async def get_template(self) -> dict[str, Any]:
        return await appraisal.current_template()

    @post("/template", responses=errors(400, 401, 403, 422),
          summary="Save a new template version (admin); open periods keep theirs")
    async def post_template(self, principal: Principal, data: TemplateIn) -> dict[str, Any]:
        indicators = [Indicator(i.code, i.name, i.weight, tuple(SubItem(s.name, s.weight) for s in i.sub_items))
                      for i in data.indicators]
        return await appraisal.save_template(principal, indicators, data.note)

    @get("/periods", responses=errors(401), summary="Every period, newest first")
    async def periods(self) -> list[dict[str, Any]]:
        return await appraisal.list_periods()

    @post("/periods", responses=WRITE_ERRORS, summary="Create a quarter or a year (admin)")
    async def create_period(self, principal: Principal, data: PeriodIn) -> dict[str, Any]:
        return await appraisal.create_period(principal, data.year, data.quarter)

    @get("/periods/{period_id:int}", responses=errors(401, 404), summary="A period with its template, policy and units")
    async def period(self, principal: Principal, period_id: int) -> dict[str, Any]:
        return {**await appraisal.get_period(period_id), "units": await appraisal.units(principal, period_id)}

    @post("/periods/{period_id:int}/advance", status_code=200, responses=WRITE_ERRORS,
          summary="One step on the lifecycle: draft → self_summary → scoring → (units submit) → reviewed → locked")
    async def advance(self, principal: Principal, period_id: int, data: AdvanceIn) -> dict[str, Any]:
        return await appraisal.advance(principal, period_id, data.to)

    @post("/periods/{period_id:int}/reopen", status_code=200, responses=WRITE_ERRORS,
          summary="A leader reopens a submitted, reviewed or locked period for corrections, with a reason")
    async def reopen(self, principal: Principal, period_id: int, data: ReasonIn) -> dict[str, Any]:
        return await appraisal.reopen(principal, period_id, data.reason)

    @put("/periods/{period_id:int}/excellent-approval", responses=WRITE_ERRORS,
         summary="Record the approval that raises the 优秀 share (annual)")
    async def approval(self, principal: Principal, period_id: int, data: ApprovalIn) -> dict[str, Any]:
        return await appraisal.set_excellent_approval(principal, period_id, data.approval)

    @get("/periods/{period_id:int}/grid", responses=errors(400, 401, 404),
         summary="One unit's grid: people × indicators with versions, live totals and grades, places left")
    async def grid(self, principal: Principal, period_id: int, unit: FromQuery[str]) -> dict[str, Any]:
        return _grid_out(await appraisal.grid(principal, period_id, unit))

    @put("/cells/{cell_id:int}", responses=WRITE_ERRORS,
         summary="Save one cell; a stale version answers 409 with the current value in detail. The answer "
                 "also has the person's new total and grade and the unit's places left")
    async def save_cell(self, principal: Principal, cell_id: int, data: CellIn) -> dict[str, Any]:
        saved = await appraisal.save_cell(principal, cell_id, data.value, data.version)
        return {**{k: saved[k] for k in appraisal.CELL_FIELDS}, **_row_out(saved)}

    @put("/appraisees/{appraisee_id:int}/grade", responses=WRITE_ERRORS,
         summary="Lower a grade, propose 优秀 (annual), or comment; answers the person's total and grade and "
                 "the unit's places left")
    async def grade(self, principal: Principal, appraisee_id: int, data: GradeIn) -> dict[str, Any]:
        return _row_out(await appraisal.set_grade(principal, appraisee_id, data.grade, data.comment))

    @put("/appraisees/{appraisee_id:int}/summary", status_code=204, responses=WRITE_ERRORS,
         summary="The caller's own self-summary, while the period allows it")
    async def summary(self, principal: Principal, appraisee_id: int, data: SummaryIn) -> None:
        await appraisal.save_summary(principal, appraisee_id, data.text)

    @put("/appraisees/{appraisee_id:int}/registration", status_code=204, responses=WRITE_ERRORS,
         summary="Annual: the committee opinion, notes and date notified for the 年度考核登记表 (a leader over the section)")
    async def registration(self, principal: Principal, appraisee_id: int, data: RegistrationIn) -> None:
        await appraisal.record_registration(principal, appraisee_id, data.committee_opinion, data.remarks,
                                            data.notified_on)

    @get("/appraisees/{appraisee_id:int}", responses=errors(401, 404), summary="One appraisal with the full breakdown")
    async def detail(self, principal: Principal, appraisee_id: int) -> dict[str, Any]:
        return await appraisal.appraisal_detail(principal, appraisee_id)

    @post("/periods/{period_id:int}/submit", status_code=200, responses=WRITE_ERRORS,
          summary="Submit a unit: all scored, the top grade within the quota (409 lists the people), then frozen")
    async def submit(self, principal: Principal, period_id: int, unit: FromQuery[str]) -> dict[str, Any]:
        return _grid_out(await appraisal.submit_unit(principal, period_id, unit))

    @get("/mine", responses=errors(401), summary="The caller's own appraisals (numbers once submitted)")
    async def mine(self, principal: Principal) -> list[dict[str, Any]]:
        return await appraisal.my_appraisals(principal)

    @get("/periods/{period_id:int}/export.xlsx", responses=errors(401, 404), media_type=XLSX,
         summary="A period's scores and grades as a printable Excel sheet (the caller's scope)")
    async def export(self, principal: Principal, period_id: int) -> Response[bytes]:
        filename, content = await appraisal_export.export_period(principal, period_id)
        return file_response(content, XLSX, filename, "export.xlsx")

    @get("/bonuses", responses=errors(401), summary="Bonuses of a year within the caller's scope")
    async def bonuses(self, principal: Principal, year: FromQuery[int]) -> list[dict[str, Any]]:
        return await appraisal.list_bonuses(principal, year)

    @post("/bonuses", responses=WRITE_ERRORS, summary="Record a commendation or 信息采用 for someone in one's charge")
    async def add_bonus(self, principal: Principal, data: BonusIn) -> dict[str, int]:
        row = await appraisal.add_bonus(principal, data.person_id, data.kind, data.points, data.note, data.awarded_on)
        return {"id": row.id}

    @get("/commendation/{year:int}", responses=errors(401, 403, 404),
         summary="评优选先: the year's ranking with eligibility reasons and the candidates within the quota")
    async def commendation_review(self, principal: Principal, year: int) -> dict[str, Any]:
        return await commendation.review(principal, year)

    @post("/commendation/{year:int}", status_code=200, responses=WRITE_ERRORS, summary="A leader confirms the list")
    async def commendation_confirm(self, principal: Principal, year: int, data: ConfirmIn) -> dict[str, Any]:
        return await commendation.confirm(principal, year, data.person_ids, data.note)
