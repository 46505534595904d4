"""目标管理 pages: the year's tree with completion bars, breakdown and progress forms, copy and
import; and the caller's own targets. One route per action; a refused form comes back open,
with what was typed and the message under the field it concerns."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from appraisal.domain.calendar import today_local
from appraisal.domain.people import parse_date
from appraisal.domain.targets import IndicatorKind
from appraisal.errors import AppError, InvalidInput
from appraisal.i18n import _
from appraisal.scopes import Role
from appraisal.services import org, target_setup, targets
from appraisal.web import picker
from appraisal.web.common import form_number, notify, page

# The field a refusal concerns, by its code (codes whose field depends on what was typed are
# resolved in `_field_of`).
FIELD_OF_CODE = {
    "bad_title": "title", "bad_weight": "weight", "weights_over_100": "weight", "weights_incomplete": "weight",
    "weights_not_100": "weight", "bad_date": "due_on", "unknown_section": "section_id", "owner_required": "owner_id",
    "unknown_person": "owner_id", "owner_outside_section": "owner_id", "evidence_required": "evidence",
    "completion_required": "completion", "bad_completion": "completion", "no_target_value": "actual",
    "no_file": "file", "empty_file": "file", "too_many_rows": "file", "missing_columns": "file",
    "import_failed": "file", "bad_file": "file",
}
KIND_FIELD = {IndicatorKind.QUANTITY.value: "target_value", IndicatorKind.DEADLINE.value: "due_on",
              IndicatorKind.QUALITY.value: "quality"}


def _field_of(exc: AppError, typed: dict[str, str]) -> str | None:
    if exc.field:
        return exc.field
    if exc.code == "bad_indicator":
        return KIND_FIELD.get(typed.get("indicator_kind", ""), "indicator_kind")
    if exc.code == "too_long":
        return "unit" if len(typed.get("unit", "")) > 20 else "quality"
    return FIELD_OF_CODE.get(exc.code)


def _year(f: dict[str, str]) -> int:
    try:
        return int(f.get("year") or today_local().year)
    except ValueError:
        return today_local().year


def _id(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() else None


def _target_data(f: dict[str, str]) -> targets.TargetData:
    due = f.get("due_on", "").strip()
    due_on = parse_date(due) if due else None
    if due and due_on is None:
        raise InvalidInput(_("完成时限不是有效日期"), code="bad_date", field="due_on")
    weight = form_number(f.get("weight", ""), _("权重"), field="weight")
    return targets.TargetData(
        title=f.get("title", ""), weight=weight if weight is not None else 0, indicator_kind=f.get("indicator_kind", ""),
        target_value=form_number(f.get("target_value", ""), _("目标值"), field="target_value"), unit=f.get("unit", ""),
        due_on=due_on, quality=f.get("quality", ""), section_id=_id(f.get("section_id")), owner_id=_id(f.get("owner_id")))


def _weights(f: dict[str, str]) -> dict[int, float]:
    """The shares typed for a parent's children (fields w_<child id>)."""
    return {int(k[2:]): form_number(v, _("权重"), field=k) or 0 for k, v in f.items() if k.startswith("w_") and k[2:].isdigit()}


async def _tree_page(request: Request, year: int, status: int = 200, **refused: Any) -> Template:
    """The tree; `refused` (form_id, typed, error, error_field, import_errors) re-opens a refused form."""
    me = request.user
    typed = refused.get("typed") or {}
    return page(request, "targets/tree.html", status_code=status, year=year, tree=await targets.tree(me, year),
                sections=await org.list_sections(), people=await picker.choices(me, "directory"),
                can_set_office=me.has(Role.ADMIN, Role.LEADER), chosen_owner=await picker.chosen(typed.get("owner_id")),
                **{"form_id": None, "typed": {}, "error": None, "error_field": None, "import_errors": [], **refused})


async def _mine_page(request: Request, year: int, status: int = 200, **refused: Any) -> Template:
    return page(request, "targets/mine.html", status_code=status, year=year,
                targets=await targets.my_targets(request.user, year),
                **{"form_id": None, "typed": {}, "error": None, "error_field": None, **refused})


@get("/targets", include_in_schema=False)
async def tree_page(request: Request, year: FromQuery[int | None] = None) -> Template:
    return await _tree_page(request, year or today_local().year)


@get("/targets/mine", include_in_schema=False)
async def my_targets(request: Request, year: FromQuery[int | None] = None) -> Template:
    return await _mine_page(request, year or today_local().year)


async def _act(request: Request, form_id: str, step: Callable[[dict[str, str], Any], Awaitable[str]]) -> Template | Redirect:
    """Run one form's step: its message flashed and back to the page on success; the page again
    with the form open, what was typed and the message under its field on refusal."""
    form = await request.form()
    f = {k: str(v) for k, v in form.items() if not isinstance(v, UploadFile)}
    year = _year(f)
    mine = f.get("back", "").startswith("/targets/mine")
    try:
        notify(request, await step(f, form))
    except AppError as exc:
        field = _field_of(exc, f)
        detail = exc.detail if isinstance(exc.detail, dict) else {}
        refused = {"form_id": form_id, "typed": f, "error": exc.message,
                   "error_field": f"{form_id}-{field}" if field else None}
        if mine:
            return await _mine_page(request, year, exc.status_code, **refused)
        return await _tree_page(request, year, exc.status_code, import_errors=detail.get("errors") or [], **refused)
    return Redirect(f"/targets/mine?year={year}" if mine else f"/targets?year={year}")


@post("/targets/create", include_in_schema=False)
async def target_create(request: Request) -> Template | Redirect:
    """A new office target (no parent), or a parent's breakdown to a section or a person."""
    form = await request.form()
    parent_id = _id(str(form.get("parent_id", "")))

    async def step(f: dict[str, str], _form: Any) -> str:
        data = _target_data(f)
        created = await targets.create(request.user, _year(f), parent_id, data, sibling_weights=_weights(f) or None)
        if created.owner is not None and (owner := await picker.chosen(created.owner)):
            return _("已将「{t}」分解给 {name}（{section}）").format(
                t=created.title, name=owner["name"], section=owner["section_name"] or _("办领导"))
        if created.section is not None:
            section = next((s["name"] for s in await org.list_sections() if s["id"] == created.section), "")
            return _("已将「{t}」分解给 {section}").format(t=created.title, section=section)
        return _("已添加单位目标「{t}」").format(t=created.title)

    return await _act(request, f"n{parent_id}" if parent_id else "office", step)


@post("/targets/{target_id:int}/progress", include_in_schema=False)
async def target_progress(request: Request, target_id: int) -> Template | Redirect:
    async def step(f: dict[str, str], _form: Any) -> str:
        value = await targets.report(request.user, target_id,
                                     completion=form_number(f.get("completion", ""), _("完成度"), field="completion"),
                                     actual=form_number(f.get("actual", ""), _("实际完成值"), field="actual"),
                                     evidence=f.get("evidence", ""))
        return _("已报告「{t}」的进展，完成度 {v:g}%").format(t=await targets.title_of(request.user, target_id), v=value)

    return await _act(request, f"p{target_id}", step)


@post("/targets/{target_id:int}/archive", include_in_schema=False)
async def target_archive(request: Request, target_id: int) -> Template | Redirect:
    async def step(f: dict[str, str], _form: Any) -> str:
        await targets.set_archived(request.user, target_id, True)
        return _("目标「{t}」已归档，不再计入完成度").format(t=await targets.title_of(request.user, target_id))

    return await _act(request, f"a{target_id}", step)


@post("/targets/{target_id:int}/restore", include_in_schema=False)
async def target_restore(request: Request, target_id: int) -> Template | Redirect:
    async def step(f: dict[str, str], _form: Any) -> str:
        await targets.set_archived(request.user, target_id, False)
        return _("目标「{t}」已恢复").format(t=await targets.title_of(request.user, target_id))

    return await _act(request, f"a{target_id}", step)


@post("/targets/weights", include_in_schema=False)
async def target_weights(request: Request) -> Template | Redirect:
    """New shares for every active child of one parent (of the office targets without one)."""
    form = await request.form()
    parent_id = _id(str(form.get("parent_id", "")))

    async def step(f: dict[str, str], _form: Any) -> str:
        await targets.set_weights(request.user, _year(f), parent_id, _weights(f))
        if parent_id is None:
            return _("{y} 年单位目标的权重已保存").format(y=_year(f))
        return _("「{t}」下级目标的权重已保存").format(t=await targets.title_of(request.user, parent_id))

    return await _act(request, f"w{parent_id or ''}", step)


@post("/targets/copy", include_in_schema=False)
async def target_copy(request: Request) -> Template | Redirect:
    async def step(f: dict[str, str], _form: Any) -> str:
        year = _year(f)
        n = await target_setup.copy_year(request.user, year - 1, year)
        return _("已从 {y} 年复制 {n} 个目标到 {to} 年").format(y=year - 1, n=n, to=year)

    return await _act(request, "copy", step)


@post("/targets/import", include_in_schema=False)
async def target_import(request: Request) -> Template | Redirect:
    async def step(f: dict[str, str], form: Any) -> str:
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise InvalidInput(_("请选择要导入的 .xlsx 或 .csv 文件"), code="no_file", field="file")
        n = await target_setup.import_tree(request.user, _year(f), upload.filename, await upload.read())
        return _("已从 {f} 导入 {n} 个目标").format(f=upload.filename, n=n)

    return await _act(request, "import", step)
