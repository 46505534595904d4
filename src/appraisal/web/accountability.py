"""责任追究 pages: the queue, a record with its decision and appeal."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from appraisal.errors import AppError, InvalidInput
from appraisal.i18n import _
from appraisal.scopes import Role
from appraisal.services import accountability
from appraisal.web.common import Pager, form_int, form_number, notify, page, pager_for
from appraisal.web import picker


# The field (its id on the page) a refused report or step's message goes under, by error code.
REPORT_FIELDS = {"bad_trigger": "report-trigger", "bad_description": "report-description",
                 "unknown_person": "report-person", "missing_person": "report-person"}
STEP_FIELDS = {
    "decide": {"unknown_form": "form_id", "bad_points": "points", "not_a_number": "points", "missing_reason": "reason"},
    "dismiss": {None: "dismiss-reason"},
    "appeal": {None: "appeal-reason"},
    "appeal-decision": {"bad_result": "result", "unknown_form": "new-form", "not_a_number": "new-form", None: "note"},
}


def step_field(action: str, exc: AppError) -> str | None:
    """Where a refused step's message goes: under its field for bad input, else atop the page."""
    if not isinstance(exc, InvalidInput):
        return None
    fields = STEP_FIELDS.get(action, {})
    return fields.get(exc.code) or fields.get(None)


async def _list(request: Request, status: str = "", error: str | None = None, code: int = 200,
                form: dict | None = None, q: str = "", error_field: str | None = None) -> Template:
    offset, limit = pager_for(request)
    try:
        rows, total = await accountability.list_records(request.user, status or None, offset=offset, limit=limit,
                                                        search=q)
    except AppError:
        rows, total = [], 0
    return page(request, "accountability/list.html", status_code=code, records=rows, pager=Pager(request, total),
                status=status, error=error, error_field=error_field, form=form or {}, q=q,
                people=await picker.choices(request.user, "reportable"))


@get("/accountability", include_in_schema=False)
async def record_list(request: Request, status: FromQuery[str] = "", q: FromQuery[str] = "") -> Template:
    return await _list(request, status, q=q)


@post("/accountability", include_in_schema=False)
async def record_report(request: Request) -> Template | Redirect:
    """A leader reports a case (proposed), to be decided on its page."""
    f = {k: str(v) for k, v in (await request.form()).items()}
    try:
        person = form_int(f.get("person_id"), _("人员"))
        if person is None:
            raise InvalidInput(_("请选择人员"), code="missing_person")
        record = await accountability.propose(request.user, person, f.get("trigger", ""), f.get("description", ""))
    except AppError as exc:
        field = REPORT_FIELDS.get(exc.code, "report-person" if exc.code == "not_a_number" else None)
        return await _list(request, error=exc.message, code=exc.status_code, form=f,
                           error_field=field if isinstance(exc, InvalidInput) else None)
    name = (await accountability.get_record(request.user, record.id))["person_name"]
    notify(request, _("已报告 {name} 的责任追究线索，请在本页作出决定").format(name=name))
    return Redirect(f"/accountability/{record.id}")


async def _detail(request: Request, record_id: int, error: str | None = None, code: int = 200, *,
                  action: str = "", typed: dict | None = None, error_field: str | None = None) -> Template:
    record = await accountability.get_record(request.user, record_id)
    return page(request, "accountability/detail.html", status_code=code, r=record, error=error,
                error_field=error_field, action=action, typed=typed or {},
                forms=await accountability.list_forms(), is_leader=request.user.has(Role.LEADER, Role.ADMIN))


@get("/accountability/{record_id:int}", include_in_schema=False)
async def record_detail(request: Request, record_id: int) -> Template:
    return await _detail(request, record_id)


@post("/accountability/{record_id:int}/{action:str}", include_in_schema=False)
async def record_step(request: Request, record_id: int, action: str) -> Template | Redirect:
    f = {k: str(v) for k, v in (await request.form()).items() if k != "_csrf_token"}
    me = request.user
    try:
        if action == "decide":
            await accountability.decide(me, record_id, form_int(f.get("form_id"), _("问责方式")) or 0,
                                        f.get("reason", ""), form_number(f.get("points"), _("扣分")))
        elif action == "dismiss":
            await accountability.dismiss(me, record_id, f.get("reason", ""))
        elif action == "appeal":
            await accountability.appeal(me, record_id, f.get("reason", ""))
        elif action == "appeal-decision":
            await accountability.decide_appeal(me, record_id, f.get("result", ""), f.get("note", ""),
                                               form_id=form_int(f.get("form_id"), _("问责方式")))
        else:
            return await _detail(request, record_id, _("未知操作"), 404)
    except AppError as exc:
        return await _detail(request, record_id, exc.message, exc.status_code, action=action, typed=f,
                             error_field=step_field(action, exc))
    notify(request, await _done_message(request, record_id, action))
    return Redirect(f"/accountability/{record_id}")


async def _done_message(request: Request, record_id: int, action: str) -> str:
    """What the step did, read back from the record as it now is."""
    r = await accountability.get_record(request.user, record_id)
    if action == "decide":
        return _("已决定：{name} {form}，扣 {p:g} 分；已通知本人，申诉期至 {d}").format(
            name=r["person_name"], form=r["form_name"], p=r["points"] or 0, d=r["appeal_deadline"])
    if action == "dismiss":
        return _("已决定对 {name} 不予追究").format(name=r["person_name"])
    if action == "appeal":
        return _("申诉已提交，等待分管领导处理")
    return _("申诉已处理：{result}").format(result=accountability.APPEAL_RESULTS.get(r["appeal_result"] or "", ""))
