"""责任追究 pages: the queue, a record with its decision and appeal."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from appraisal.domain.accountability import TRIGGERS
from appraisal.errors import AppError
from appraisal.i18n import _
from appraisal.scopes import Role
from appraisal.services import accountability
from appraisal.web.common import Pager, form_int, form_number, notify, page, pager_for
from appraisal.web import picker


def _labels() -> dict:
    return {"STATUS": accountability.STATUS_LABELS, "TRIGGERS": TRIGGERS, "RESULTS": accountability.APPEAL_RESULTS}


async def _list(request: Request, status: str = "", error: str | None = None, code: int = 200,
                form: dict | None = None, q: str = "") -> Template:
    offset, limit = pager_for(request)
    try:
        rows, total = await accountability.list_records(request.user, status or None, offset=offset, limit=limit,
                                                        search=q)
    except AppError:
        rows, total = [], 0
    return page(request, "accountability/list.html", status_code=code, records=rows, pager=Pager(request, total),
                status=status, error=error, form=form or {}, q=q,
                people=await picker.choices(request.user, "reportable"), **_labels())


@get("/accountability", include_in_schema=False)
async def record_list(request: Request, status: FromQuery[str] = "", q: FromQuery[str] = "") -> Template:
    return await _list(request, status, q=q)


@post("/accountability", include_in_schema=False)
async def record_report(request: Request) -> Template | Redirect:
    """A leader reports a case (proposed), to be decided on its page."""
    f = {k: str(v) for k, v in (await request.form()).items()}
    try:
        person = int(f.get("person_id") or 0)
        record = await accountability.propose(request.user, person, f.get("trigger", ""), f.get("description", ""))
    except (AppError, ValueError) as exc:
        message = exc.message if isinstance(exc, AppError) else _("请选择人员")
        return await _list(request, error=message, code=getattr(exc, "status_code", 400), form=f)
    notify(request, _("已报告，请在本页作出决定"))
    return Redirect(f"/accountability/{record.id}")


async def _detail(request: Request, record_id: int, error: str | None = None, code: int = 200) -> Template:
    record = await accountability.get_record(request.user, record_id)
    return page(request, "accountability/detail.html", status_code=code, r=record, error=error,
                forms=await accountability.list_forms(), is_leader=request.user.has(Role.LEADER, Role.ADMIN),
                **_labels())


@get("/accountability/{record_id:int}", include_in_schema=False)
async def record_detail(request: Request, record_id: int) -> Template:
    return await _detail(request, record_id)


@post("/accountability/{record_id:int}/{action:str}", include_in_schema=False)
async def record_step(request: Request, record_id: int, action: str) -> Template | Redirect:
    f = {k: str(v) for k, v in (await request.form()).items()}
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
        return await _detail(request, record_id, exc.message, exc.status_code)
    notify(request, _("已保存"))
    return Redirect(f"/accountability/{record_id}")
