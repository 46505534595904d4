"""The inbox page and the unread badge in the navigation."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.response import Redirect, Response, Template

from appraisal.services import inbox
from appraisal.web.common import Pager, page, pager_for


@get("/inbox", include_in_schema=False)
async def inbox_page(request: Request) -> Template:
    offset, limit = pager_for(request)
    rows, total = await inbox.list_inbox(request.user, offset=offset, limit=limit)
    # Shown once in bold as new, then read: the badge counts what one has not seen yet.
    await inbox.mark_seen(request.user, rows)
    return page(request, "inbox/list.html", notes=rows, pager=Pager(request, total))


@post("/inbox/read", include_in_schema=False)
async def inbox_read(request: Request) -> Redirect:
    await inbox.mark_read(request.user)
    return Redirect("/inbox")


@get("/inbox/badge", include_in_schema=False)
async def inbox_badge(request: Request) -> Response:
    count = await inbox.unread_count(request.user)
    return Response(f'<span class="badge">{count}</span>' if count else "", media_type="text/html")
