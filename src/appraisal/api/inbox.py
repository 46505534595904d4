"""The caller's inbox."""

from __future__ import annotations

from litestar import get, post

from appraisal.api.common import Limit, Offset, errors, from_row
from appraisal.api.schemas.inbox import InboxPage, NotificationOut, ReadIn
from appraisal.scopes import Principal
from appraisal.services import inbox


@get("/api/v1/inbox", tags=["inbox"], responses=errors(400, 401), summary="The caller's notifications, newest first")
async def list_inbox(principal: Principal, offset: Offset = 0, limit: Limit = 50) -> InboxPage:
    rows, total = await inbox.list_inbox(principal, offset=offset, limit=limit)
    return InboxPage(total=total, offset=offset, limit=limit, unread=await inbox.unread_count(principal),
                     items=[from_row(NotificationOut, r) for r in rows])


@post("/api/v1/inbox/read", tags=["inbox"], status_code=204, responses=errors(400, 401, 404),
      summary="Mark one notification (id) or all as read")
async def mark_read(principal: Principal, data: ReadIn) -> None:
    await inbox.mark_read(principal, data.id)
