"""The start page (工作台)."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

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
    colours = {"green": "#2f9e44", "yellow": "#e8a317", "red": "#c92a2a", "paused": "#adb5bd"}
    chart = charts.stacked_bars([(row["section_name"], [
        (row[light], colour, matters.LIGHT_LABELS[light]) for light, colour in colours.items()]) for row in board]) if board else ""
    return page(request, "home/index.html", section_name=sections.get(me.section_id), led_sections=led, board=board,
                chart=chart, unread=await inbox.unread_count(me), mine=await todo.for_person(me) + await todo.for_admin(me),
                todo=await todo.for_leader(me))
