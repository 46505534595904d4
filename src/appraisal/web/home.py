"""The start page (工作台)."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from appraisal.i18n import _
from appraisal.reports import charts
from appraisal.scopes import Role
from appraisal.services import inbox, matters, org, todo
from appraisal.web.common import page


@get("/", include_in_schema=False)
async def home(request: Request) -> Template:
    sections = {s["id"]: s["name"] for s in await org.list_sections()}
    me = request.user
    led = [sections[i] for i in sorted(me.led_section_ids) if i in sections]
    board = await matters.dashboard(me) if me.has(Role.CHIEF, Role.LEADER, Role.ADMIN) else []
    chart = charts.stacked_bars([(row["section_name"], [
        (row["green"], "#2f9e44", _("正常")), (row["yellow"], "#e8a317", _("预警")), (row["red"], "#c92a2a", _("超期")),
        (row["paused"], "#adb5bd", _("已中止"))]) for row in board]) if board else ""
    return page(request, "home/index.html", section_name=sections.get(me.section_id), led_sections=led, board=board,
                chart=chart, unread=await inbox.unread_count(me), mine=await todo.for_person(me) + await todo.for_admin(me),
                todo=await todo.for_leader(me))
