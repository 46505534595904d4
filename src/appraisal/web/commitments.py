"""The public commitment catalogue page (no login) and its admin editing page."""

from __future__ import annotations

from itertools import groupby

from litestar import Request, get, post
from litestar.response import Redirect, Template

from appraisal.domain.calendar import today_local
from appraisal.domain.people import parse_date
from appraisal.errors import AppError, InvalidInput
from appraisal.i18n import _
from appraisal.security import admin_only
from appraisal.services import commitments, org
from appraisal.web.common import notify, page


@get("/commitments", opt={"exclude_from_auth": True}, include_in_schema=False)
async def commitments_page(request: Request) -> Template:
    today = today_local()
    items = await commitments.catalogue(today)
    sections = [(name, list(rows)) for name, rows in groupby(items, key=lambda r: r["section_name"])]
    return page(request, "commitments/catalogue.html", sections=sections, today=today)


def _form_promise(form) -> commitments.Promise:
    kind = str(form.get("limit_kind", ""))
    try:
        days = int(str(form.get("limit_days") or 0)) if kind == "working_days" else 0
    except ValueError:
        raise InvalidInput(_("承诺工作日数应为整数"), code="bad_limit") from None
    effective = str(form.get("effective_from") or "")
    day = parse_date(effective) if effective else today_local()
    if day is None:
        raise InvalidInput(_("请填写有效的生效日期"), code="bad_date")
    return commitments.Promise(
        effective_from=day,
        limit=commitments.parse_limit(kind, days),
        standard=str(form.get("standard", "")), materials=str(form.get("materials", "")),
        complaint_channel=str(form.get("complaint_channel", "")),
    )


async def _admin_page(request: Request, error: str | None = None, status: int = 200) -> Template:
    today = today_local()
    items = await commitments.catalogue(today, include_inactive=True)
    upcoming = await commitments.upcoming_versions(today)
    return page(request, "commitments/admin.html", status_code=status, items=items, upcoming=upcoming,
                sections=await org.list_sections(), kinds=commitments.LIMIT_KINDS, today=today, error=error)


@get("/admin/commitments", guards=[admin_only], include_in_schema=False)
async def commitments_admin(request: Request) -> Template:
    return await _admin_page(request)


@post("/admin/commitments", guards=[admin_only], include_in_schema=False)
async def commitments_admin_submit(request: Request) -> Template | Redirect:
    form = await request.form()
    action = form.get("action")
    try:
        item_id = int(str(form.get("commitment_id") or 0))
        section_id = int(str(form.get("section_id") or 0))
    except ValueError:
        return await _admin_page(request, _("请求参数无效"), 400)
    try:
        if action == "create":
            await commitments.create_item(request.user, section_id, str(form.get("name", "")), _form_promise(form))
            notify(request, _("服务事项已添加"))
        elif action == "version":
            promise = _form_promise(form)
            await commitments.add_version(request.user, item_id, promise)
            notify(request, _("新承诺自 {d} 起执行，此前登记的办件仍按原承诺").format(d=promise.effective_from))
        elif action in ("withdraw", "restore"):
            await commitments.set_active(request.user, item_id, action == "restore")
            notify(request, _("服务事项已停用") if action == "withdraw" else _("服务事项已恢复"))
        else:
            return await _admin_page(request, _("未知操作"), 400)
    except AppError as exc:
        return await _admin_page(request, exc.message, exc.status_code)
    return Redirect("/admin/commitments")
