"""督查督办 API."""

from __future__ import annotations

import msgspec
from litestar import Controller, get, post
from litestar.params import FromQuery

from appraisal.api.common import Limit, Offset, errors, from_row
from appraisal.api.schemas.supervision import ItemDetail, ItemIn, ItemOut, ItemPage, ItemProgressIn, PressIn, ReviewIn
from appraisal.scopes import Principal
from appraisal.services import supervision


STEP_ERRORS = errors(400, 401, 403, 404, 409, 422)


async def _detail(principal: Principal, item_id: int) -> ItemDetail:
    return from_row(ItemDetail, await supervision.get_item(principal, item_id))


class SupervisionController(Controller):
    path = "/api/v1/supervision"
    tags = ["supervision"]

    @post("/", responses=STEP_ERRORS, summary="立项: register a numbered item (leader or admin)")
    async def create(self, principal: Principal, data: ItemIn) -> ItemDetail:
        item = await supervision.create(principal, supervision.NewItem(**msgspec.structs.asdict(data)))
        return await _detail(principal, item.id)

    @get("/", responses=errors(400, 401, 422), summary="Items within the caller's scope, newest first")
    async def list_items(self, principal: Principal, offset: Offset = 0, limit: Limit = 50,
                         year: FromQuery[int | None] = None, status: FromQuery[str | None] = None) -> ItemPage:
        rows, total = await supervision.list_items(principal, year=year, status=status, offset=offset, limit=limit)
        return ItemPage(total=total, offset=offset, limit=limit, items=[from_row(ItemOut, r) for r in rows])

    @get("/{item_id:int}", responses=errors(401, 404), summary="An item with its trail")
    async def get_item(self, principal: Principal, item_id: int) -> ItemDetail:
        return await _detail(principal, item_id)

    @post("/{item_id:int}/progress", responses=STEP_ERRORS, summary="Report progress; submit=true asks for 审结")
    async def progress(self, principal: Principal, item_id: int, data: ItemProgressIn) -> ItemDetail:
        await supervision.report_progress(principal, item_id, data.note, submit=data.submit)
        return await _detail(principal, item_id)

    @post("/{item_id:int}/press", responses=STEP_ERRORS, summary="督办: a new deadline and a notice (leader)")
    async def press(self, principal: Principal, item_id: int, data: PressIn) -> ItemDetail:
        await supervision.press(principal, item_id, data.new_deadline, data.note)
        return await _detail(principal, item_id)

    @post("/{item_id:int}/review", responses=STEP_ERRORS, summary="审结: accept (办结) or send back (leader)")
    async def review(self, principal: Principal, item_id: int, data: ReviewIn) -> ItemDetail:
        await supervision.review(principal, item_id, data.accept, data.note)
        return await _detail(principal, item_id)
