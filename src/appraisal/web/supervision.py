"""督查督办 pages: the board with lights and an item with its trail and steps."""

from __future__ import annotations

import datetime as dt

from litestar import Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from appraisal.domain.calendar import today_local
from appraisal.domain.people import parse_date
from appraisal.errors import AppError, InvalidInput
from appraisal.i18n import _
from appraisal.scopes import Role
from appraisal.services import org, supervision
from appraisal.web.common import Pager, notify, page, pager_for
from appraisal.web import picker
from appraisal.web.matters import LIGHTS

ITEM_LIGHTS = {**LIGHTS, "late": _("超期办结")}


def _labels() -> dict:
    return {"LIGHTS": ITEM_LIGHTS, "SOURCES": supervision.SOURCES, "STATUS": supervision.STATUS_LABELS,
            "KINDS": supervision.REPORT_KINDS}


@get("/supervision", include_in_schema=False)
async def board(request: Request, year: FromQuery[int | None] = None, status: FromQuery[str] = "",
                q: FromQuery[str] = "") -> Template:
    year = year or today_local().year
    offset, limit = pager_for(request)
    try:
        rows, total = await supervision.list_items(request.user, year=year, status=status or None, offset=offset,
                                                   limit=limit, search=q)
    except AppError:
        rows, total = [], 0
    return page(request, "supervision/board.html", items=rows, pager=Pager(request, total), year=year, q=q,
                status=status, sections=await org.list_sections(),
                people=await picker.choices(request.user, "directory"),
                can_create=request.user.has(Role.LEADER, Role.ADMIN), error=None, **_labels())


@post("/supervision", include_in_schema=False)
async def create(request: Request) -> Template | Redirect:
    form = await request.form()
    f = {k: str(v) for k, v in form.items()}
    try:
        deadline = parse_date(f.get("deadline", ""))
        if deadline is None:
            raise InvalidInput(_("请填写有效的办理期限"), code="bad_deadline")
        item = await supervision.create(request.user, supervision.NewItem(
            source=f.get("source", ""), title=f.get("title", ""), requirement=f.get("requirement", ""),
            lead_section_id=int(f.get("lead_section_id") or 0), responsible_person_id=int(f.get("responsible_person_id") or 0),
            responsible_leader_id=request.user.person_id, deadline=deadline,
            assisting_section_ids=[int(v) for v in form.getall("assisting_section_ids", []) if str(v).isdigit()]))
    except (AppError, ValueError) as exc:
        message = exc.message if isinstance(exc, AppError) else _("请完整填写立项信息")
        rows, total = await supervision.list_items(request.user, year=today_local().year)
        return page(request, "supervision/board.html", status_code=422, items=rows, pager=Pager(request, total),
                    year=today_local().year, status="", sections=await org.list_sections(),
                    people=await picker.choices(request.user, "directory"), can_create=True, error=message, **_labels())
    notify(request, _("已立项：{n}").format(n=item.number))
    return Redirect(f"/supervision/{item.id}")


async def _detail(request: Request, item_id: int, error: str | None = None, code: int = 200) -> Template:
    item = await supervision.get_item(request.user, item_id)
    return page(request, "supervision/detail.html", status_code=code, it=item, error=error,
                is_leader=request.user.has(Role.LEADER, Role.ADMIN), today=today_local(),
                may_report=supervision.may_report(request.user, item["responsible_person"], item["lead_section"]),
                **_labels())


@get("/supervision/{item_id:int}", include_in_schema=False)
async def detail(request: Request, item_id: int) -> Template:
    return await _detail(request, item_id)


@post("/supervision/{item_id:int}/{action:str}", include_in_schema=False)
async def step(request: Request, item_id: int, action: str) -> Template | Redirect:
    f = {k: str(v) for k, v in (await request.form()).items()}
    me = request.user
    try:
        if action == "progress":
            await supervision.report_progress(me, item_id, f.get("note", ""), submit=f.get("submit") == "1")
        elif action == "press":
            new_deadline = parse_date(f.get("new_deadline", "")) or dt.date.min
            await supervision.press(me, item_id, new_deadline, f.get("note", ""))
        elif action == "review":
            await supervision.review(me, item_id, f.get("accept") == "1", f.get("note", ""))
        else:
            return await _detail(request, item_id, _("未知操作"), 404)
    except AppError as exc:
        return await _detail(request, item_id, exc.message, exc.status_code)
    notify(request, _("已保存"))
    return Redirect(f"/supervision/{item_id}")
