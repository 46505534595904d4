"""The start page (工作台)."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from appraisal.scopes import Role
from appraisal.services import inbox, matters, org
from appraisal.web.common import page


@get("/", include_in_schema=False)
async def home(request: Request) -> Template:
    sections = {s["id"]: s["name"] for s in await org.list_sections()}
    me = request.user
    led = [sections[i] for i in sorted(me.led_section_ids) if i in sections]
    board = await matters.dashboard(me) if me.has(Role.CHIEF, Role.LEADER, Role.ADMIN) else []
    return page(request, "home/index.html", section_name=sections.get(me.section_id), led_sections=led, board=board,
                unread=await inbox.unread_count(me))
