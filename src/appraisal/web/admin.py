"""Admin pages: the roster import (the audit log is `web.audit`)."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.datastructures import State, UploadFile
from litestar.response import Template

from appraisal.errors import AppError
from appraisal.i18n import _
from appraisal.security import admin_only
from appraisal.services import roster
from appraisal.web.common import notify, page


@get("/admin/roster", guards=[admin_only], include_in_schema=False)
async def roster_page(request: Request) -> Template:
    return page(request, "admin/roster.html", errors=[], message=None, result=None, dry_run=False)


@post("/admin/roster", guards=[admin_only], include_in_schema=False)
async def roster_submit(request: Request, state: State) -> Template:
    form = await request.form()
    upload = form.get("file")
    dry_run = form.get("dry_run") == "on"
    if not isinstance(upload, UploadFile) or not upload.filename:
        return page(request, "admin/roster.html", status_code=422, errors=[], result=None, dry_run=dry_run,
                    message=_("请选择要导入的 .xlsx 或 .csv 文件"))
    content = await upload.read()
    try:
        result = await roster.import_roster(
            request.user, upload.filename, content,
            password=str(form.get("password") or state.settings.demo_password),
            dry_run=form.get("dry_run") == "on",
        )
    except AppError as exc:
        errors = exc.detail.get("errors", []) if isinstance(exc.detail, dict) else []
        return page(request, "admin/roster.html", status_code=exc.status_code, errors=errors, result=None,
                    message=_("{f}：{m}").format(f=upload.filename, m=exc.message), dry_run=dry_run)
    if form.get("dry_run") != "on":
        notify(request, _("导入成功：新增 {p} 人，开通 {a} 个账号").format(p=result.created_people, a=result.created_accounts))
    return page(request, "admin/roster.html", errors=[], message=None, result=result,
                dry_run=form.get("dry_run") == "on")
