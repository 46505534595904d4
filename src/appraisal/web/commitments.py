"""The public commitment catalogue page (no login) and its admin editing page."""

from __future__ import annotations

from itertools import groupby
from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template

from appraisal.domain.calendar import today_local
from appraisal.domain.people import parse_date
from appraisal.errors import AppError, InvalidInput
from appraisal.i18n import _
from appraisal.security import admin_only, retrieve_principal
from appraisal.services import commitments, org
from appraisal.web.common import caller, form_int, notify, page


@get("/commitments", opt={"exclude_from_auth": True}, include_in_schema=False)
async def commitments_page(request: Request) -> Template:
    """Public (no login needed); someone logged in sees it with their own header and menu."""
    if caller(request) is None and "session" in request.scope and request.session:
        if (principal := await retrieve_principal(request.session, request)) is not None:
            request.scope["user"] = principal
    today = today_local()
    items = await commitments.catalogue(today)
    sections = [(name, list(rows)) for name, rows in groupby(items, key=lambda r: r["section_name"])]
    return page(request, "commitments/catalogue.html", sections=sections, today=today)


def _form_promise(form) -> commitments.Promise:
    kind = str(form.get("limit_kind", ""))
    days = form_int(form.get("limit_days"), _("承诺工作日数"), field="limit_days") if kind == "working_days" else 0
    effective = str(form.get("effective_from") or "")
    day = parse_date(effective) if effective else today_local()
    if day is None:
        raise InvalidInput(_("请填写有效的生效日期"), code="bad_date", field="effective_from")
    return commitments.Promise(
        effective_from=day,
        limit=commitments.parse_limit(kind, days),
        standard=str(form.get("standard", "")), materials=str(form.get("materials", "")),
        complaint_channel=str(form.get("complaint_channel", "")),
    )


def _field_of(exc: AppError, typed: dict[str, str]) -> str | None:
    """The field a refusal concerns (the service names it by code only)."""
    if exc.field:
        return exc.field
    if exc.code == "bad_limit":
        return "limit_days" if typed.get("limit_kind") == "working_days" else "limit_kind"
    if exc.code == "too_long":
        return max(("standard", "materials", "complaint_channel"), key=lambda k: len(typed.get(k, "")))
    return {"bad_date": "effective_from", "bad_year": "effective_from", "bad_name": "name",
            "unknown_section": "section_id"}.get(exc.code)


async def _admin_page(request: Request, status: int = 200, **refused: Any) -> Template:
    """The admin page; `refused` (form_id, typed, error, error_field) re-opens a refused form."""
    today = today_local()
    items = await commitments.catalogue(today, include_inactive=True)
    upcoming = await commitments.upcoming_versions(today)
    return page(request, "commitments/admin.html", status_code=status, items=items, upcoming=upcoming,
                sections=await org.list_sections(), today=today,
                **{"form_id": None, "typed": {}, "error": None, "error_field": None, **refused})


@get("/admin/commitments", guards=[admin_only], include_in_schema=False)
async def commitments_admin(request: Request) -> Template:
    return await _admin_page(request)


async def _item_name(item_id: int) -> str:
    items = await commitments.catalogue(today_local(), include_inactive=True)
    return next((i["name"] for i in items if i["id"] == item_id), "")


@post("/admin/commitments", guards=[admin_only], include_in_schema=False)
async def commitments_admin_submit(request: Request) -> Template | Redirect:
    form = await request.form()
    typed = {k: str(v) for k, v in form.items()}
    action = typed.get("action")
    form_id = "new"
    try:
        item_id = form_int(form.get("commitment_id"), _("服务事项")) or 0
        if action == "create":
            section_id = form_int(form.get("section_id"), _("科室"), field="section_id") or 0
            item = await commitments.create_item(request.user, section_id, typed.get("name", ""), _form_promise(form))
            notify(request, _("已添加服务事项「{n}」").format(n=item.name))
        elif action == "version":
            form_id = f"v{item_id}"
            promise = _form_promise(form)
            await commitments.add_version(request.user, item_id, promise)
            notify(request, _("「{n}」的新承诺自 {d} 起执行，此前登记的办件仍按原承诺").format(
                n=await _item_name(item_id), d=promise.effective_from))
        elif action in ("withdraw", "restore"):
            form_id = f"s{item_id}"
            await commitments.set_active(request.user, item_id, action == "restore")
            message = _("承诺事项「{n}」已停用，不再公开") if action == "withdraw" else _("承诺事项「{n}」已恢复公开")
            notify(request, message.format(n=await _item_name(item_id)))
        else:
            raise InvalidInput(_("未知操作"), code="bad_action")
    except AppError as exc:
        field = _field_of(exc, typed)
        return await _admin_page(request, exc.status_code, form_id=form_id, typed=typed, error=exc.message,
                                 error_field=f"{form_id}-{field}" if field else None)
    return Redirect("/admin/commitments")
