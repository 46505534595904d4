"""目标管理 pages: the year's tree with completion bars, breakdown and progress forms, copy and
import; and the caller's own targets."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from appraisal.domain.calendar import today_local
from appraisal.domain.people import parse_date
from appraisal.domain.targets import INDICATOR_LABELS
from appraisal.errors import AppError, InvalidInput
from appraisal.i18n import _
from appraisal.scopes import Role
from appraisal.services import org, targets
from appraisal.web.common import form_number, notify, page
from appraisal.web import picker


def _target_data(f: dict[str, str]) -> targets.TargetData:
    due = f.get("due_on", "").strip()
    due_on = parse_date(due) if due else None
    if due and due_on is None:
        raise InvalidInput(_("完成时限不是有效日期"), code="bad_date")
    weight = form_number(f.get("weight", ""), _("权重"))
    owner, section = f.get("owner_id", ""), f.get("section_id", "")
    return targets.TargetData(
        title=f.get("title", ""), weight=weight if weight is not None else 0, indicator_kind=f.get("indicator_kind", ""),
        target_value=form_number(f.get("target_value", ""), _("目标值")), unit=f.get("unit", ""), due_on=due_on,
        quality=f.get("quality", ""), section_id=int(section) if section.isdigit() else None,
        owner_id=int(owner) if owner.isdigit() else None)


async def _tree_page(request: Request, year: int, error: str | None = None, status: int = 200,
                     import_errors: list[str] | None = None) -> Template:
    me = request.user
    return page(request, "targets/tree.html", status_code=status, year=year, tree=await targets.tree(me, year),
                sections=await org.list_sections(), people=await picker.choices(me, "directory"), kinds=INDICATOR_LABELS,
                can_set_office=me.has(Role.ADMIN, Role.LEADER), error=error, import_errors=import_errors or [])


@get("/targets", include_in_schema=False)
async def tree_page(request: Request, year: FromQuery[int | None] = None) -> Template:
    return await _tree_page(request, year or today_local().year)


@get("/targets/mine", include_in_schema=False)
async def my_targets(request: Request, year: FromQuery[int | None] = None) -> Template:
    year = year or today_local().year
    return page(request, "targets/mine.html", year=year, targets=await targets.my_targets(request.user, year))


@post("/targets", include_in_schema=False)
async def tree_submit(request: Request) -> Template | Redirect:
    form = await request.form()
    f = {k: str(v) for k, v in form.items() if not isinstance(v, UploadFile)}
    me = request.user
    try:
        year = int(f.get("year") or today_local().year)
    except ValueError:
        year = today_local().year
    action = f.get("action", "")
    back = f.get("back") if f.get("back", "").startswith("/targets") else f"/targets?year={year}"
    try:
        target_id = int(f.get("target_id") or 0)
        if action == "create":
            parent = int(f["parent_id"]) if f.get("parent_id", "").isdigit() else None
            siblings = {int(k[2:]): form_number(v, _("权重")) or 0 for k, v in f.items() if k.startswith("w_") and k[2:].isdigit()}
            await targets.create(me, year, parent, _target_data(f), sibling_weights=siblings or None)
            notify(request, _("目标已添加"))
        elif action == "progress":
            value = await targets.report(me, target_id, completion=form_number(f.get("completion", ""), _("完成度")),
                                         actual=form_number(f.get("actual", ""), _("实际完成值")), evidence=f.get("evidence", ""))
            notify(request, _("进展已报告，完成度 {v:g}%").format(v=value))
        elif action in ("archive", "restore"):
            await targets.set_archived(me, target_id, action == "archive")
            notify(request, _("目标已归档") if action == "archive" else _("目标已恢复"))
        elif action == "weights":
            parent = int(f["parent_id"]) if f.get("parent_id", "").isdigit() else None
            weights = {int(k[2:]): form_number(v, _("权重")) or 0 for k, v in f.items() if k.startswith("w_") and k[2:].isdigit()}
            await targets.set_weights(me, year, parent, weights)
            notify(request, _("权重已保存"))
        elif action == "copy":
            n = await targets.copy_year(me, year - 1, year)
            notify(request, _("已从 {y} 年复制 {n} 个目标").format(y=year - 1, n=n))
        elif action == "import":
            upload = form.get("file")
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise InvalidInput(_("请选择要导入的 .xlsx 或 .csv 文件"), code="no_file")
            n = await targets.import_tree(me, year, upload.filename, await upload.read())
            notify(request, _("已导入 {n} 个目标").format(n=n))
        else:
            raise InvalidInput(_("未知操作"), code="bad_action")
    except (AppError, ValueError) as exc:
        message = exc.message if isinstance(exc, AppError) else _("请求参数无效")
        detail = exc.detail if isinstance(exc, AppError) and isinstance(exc.detail, dict) else {}
        return await _tree_page(request, year, message, getattr(exc, "status_code", 400), detail.get("errors"))
    return Redirect(back)
