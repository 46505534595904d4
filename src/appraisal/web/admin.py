"""Admin pages: roster import and the audit log."""

from __future__ import annotations

import datetime as dt

from litestar import Request, get, post
from litestar.datastructures import State, UploadFile
from litestar.params import FromQuery
from litestar.response import Template

from appraisal.domain.people import pinyin_key
from appraisal.errors import AppError
from appraisal.i18n import _
from appraisal.security import admin_only
from appraisal.services import audit, roster
from appraisal.web.common import LOCAL_TZ, Pager, notify, page, pager_for


@get("/admin/roster", guards=[admin_only], include_in_schema=False)
async def roster_page(request: Request) -> Template:
    return page(request, "admin/roster.html", errors=[], message=None, result=None)


@post("/admin/roster", guards=[admin_only], include_in_schema=False)
async def roster_submit(request: Request, state: State) -> Template:
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return page(request, "admin/roster.html", status_code=422, errors=[], result=None,
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
                    message=exc.message)
    if form.get("dry_run") != "on":
        notify(request, _("导入成功：新增 {p} 人，开通 {a} 个账号").format(p=result.created_people, a=result.created_accounts))
    return page(request, "admin/roster.html", errors=[], message=None, result=result,
                dry_run=form.get("dry_run") == "on")


# The audited tables, steps and actors without an account, as the appraisal office names them.
TABLE_LABELS = {
    "accountability_form": _("问责方式"), "accountability_record": _("责任追究"), "appraisal_period": _("考核期"),
    "appraisee": _("考核对象"), "bonus": _("加分"), "calendar_day": _("工作日历"), "calendar_year": _("工作日历年度"),
    "commendation": _("评优选先"), "commitment": _("服务承诺"), "commitment_version": _("服务承诺版本"),
    "extension_request": _("延期申请"), "indicator_template": _("考核指标"), "leader_section": _("分管科室"),
    "matter": _("办件"), "matter_event": _("办件记录"), "office_setting": _("考核设置"), "person": _("人员"),
    "role_grant": _("角色"), "score_cell": _("评分"), "section": _("科室"), "supervision_assist": _("协办科室"),
    "supervision_item": _("督办事项"), "supervision_report": _("督办进展"), "target": _("目标"),
    "target_progress": _("目标进展"), "unit_submission": _("评分提交"), "user_account": _("账号"),
}
# The filter offers them in pinyin order, as the office's lists are ordered.
TABLE_CHOICES = sorted(TABLE_LABELS.items(), key=lambda item: pinyin_key(item[1]))
ACTION_LABELS = {"create": _("新增"), "update": _("修改"), "delete": _("删除"), "shirk": _("推诿举报")}
SYSTEM_ACTORS = {"sweep": _("定时巡查"), "system": _("系统")}


def _local_day(text: str, end: bool = False) -> dt.datetime | None:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    if end:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(), tzinfo=LOCAL_TZ)


@get("/admin/audit", guards=[admin_only], include_in_schema=False)
async def audit_page(
    request: Request, table: FromQuery[str] = "", actor: FromQuery[str] = "", record_id: FromQuery[str] = "",
    action: FromQuery[str] = "", since: FromQuery[str] = "", until: FromQuery[str] = "",
) -> Template:
    offset, limit = pager_for(request)
    filters = audit.AuditFilter(
        table_name=table[:64] or None, record_id=record_id[:64] or None, actor_name=actor[:64] or None,
        action=action[:32] or None, since=_local_day(since), until=_local_day(until, end=True),
    )
    rows, total = await audit.search(filters, offset=offset, limit=limit)
    context = dict(entries=rows, pager=Pager(request, total), table=table, actor=actor, record_id=record_id,
                   action=action, since=since, until=until, tables=TABLE_LABELS, table_choices=TABLE_CHOICES,
                   actions=ACTION_LABELS, system_actors=SYSTEM_ACTORS)
    # htmx swaps just the result table when a filter changes.
    name = "admin/audit_rows.html" if request.headers.get("hx-request") else "admin/audit.html"
    return page(request, name, **context)
