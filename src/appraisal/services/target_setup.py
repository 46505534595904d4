"""目标管理 bulk set-up: copying a year's target tree to another year, and importing a whole tree
from an Excel or CSV sheet. Both take the tree's turn (`targets._tree_writer`) and write all or
nothing, each target with its audit entry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import anyio

from appraisal.db.tables import Person, Section, Target
from appraisal.db.transaction import atomic
from appraisal.domain import targets as rules
from appraisal.domain.people import parse_date
from appraisal.domain.text import cell_problem
from appraisal.domain.targets import Level
from appraisal.errors import Conflict, Forbidden, InvalidInput
from appraisal.i18n import _
from appraisal.scopes import Principal, Role
from appraisal.services import audit
from appraisal.services.calendar import check_year
from appraisal.services.roster import MAX_ROWS, read_rows  # the same .xlsx/.csv reader as the roster
from appraisal.services.targets import ACTIVE, TargetData, _check, _tree_writer, _year_rows


async def copy_year(actor: Principal, from_year: int, to_year: int) -> int:
    """Copy a year's active tree (structure, weights, indicators, owners) to another year, with
    progress reset. Refused when the target year already has targets."""
    if not actor.has(Role.ADMIN, Role.LEADER):
        raise Forbidden(_("只有领导或管理员可以复制目标"))
    check_year(from_year)
    check_year(to_year)
    async with atomic():
        await _tree_writer()
        if await Target.exists().where(Target.year == to_year).run():
            raise Conflict(_("{year} 年已有目标，不能复制").format(year=to_year), code="year_not_empty")
        rows = [r for r in await _year_rows(from_year) if r["status"] == ACTIVE]
        if not rows:
            raise InvalidInput(_("{year} 年没有可复制的目标").format(year=from_year), code="nothing_to_copy")
        active = {r["id"] for r in rows}
        new_ids: dict[int, int] = {}
        pending = list(rows)
        while pending:
            later = []
            for r in pending:
                if r["parent"] is not None and r["parent"] not in new_ids:
                    if r["parent"] in active:
                        later.append(r)
                    continue  # a child of an archived parent is not copied
                due = r["due_on"].replace(year=r["due_on"].year + to_year - from_year) if r["due_on"] else None
                row = await audit.insert(actor, Target(
                    year=to_year, parent=new_ids.get(r["parent"]), level=r["level"], section=r["section"],
                    owner=r["owner"], title=r["title"], weight=r["weight"], indicator_kind=r["indicator_kind"],
                    target_value=r["target_value"], unit=r["unit"], due_on=due, quality=r["quality"],
                    sort_order=r["sort_order"],
                ), note=_("复制自 {year} 年").format(year=from_year))
                new_ids[r["id"]] = row.id
            if len(later) == len(pending):
                break
            pending = later
    return len(new_ids)


IMPORT_HEADERS = {
    "编号": "ref", "上级编号": "parent_ref", "目标名称": "title", "权重": "weight", "指标类型": "kind",
    "目标值": "target_value", "计量单位": "unit", "完成时限": "due_on", "质量要求": "quality",
    "科室": "section", "责任人": "owner",
}
KIND_NAMES = {label: kind for kind, label in rules.INDICATOR_LABELS.items()}  # 数量, 时限, 质量 as typed in the file


@dataclass
class ImportedRow:
    line: int
    ref: str
    parent_ref: str
    data: TargetData


async def import_tree(actor: Principal, year: int, filename: str, content: bytes, *, dry_run: bool = False) -> int:
    """A whole tree from a sheet (columns as IMPORT_HEADERS; 上级编号 empty for office targets).
    All or nothing: every bad row is listed, and every parent's children must sum to 100."""
    if not actor.has(Role.ADMIN, Role.LEADER):
        raise Forbidden(_("只有领导或管理员可以导入目标"))
    table = await anyio.to_thread.run_sync(read_rows, filename, content)
    if not table:
        raise InvalidInput(_("文件是空的"), code="empty_file")
    if len(table) - 1 > MAX_ROWS:
        raise InvalidInput(_("一次最多导入 {n} 行").format(n=MAX_ROWS), code="too_many_rows")
    header = [str(h or "").strip() for h in table[0]]
    missing = [h for h in ("编号", "目标名称", "权重", "指标类型") if h not in header]
    if missing:
        raise InvalidInput(_("缺少列：{cols}").format(cols="、".join(missing)), code="missing_columns")
    index = {IMPORT_HEADERS[h]: i for i, h in enumerate(header) if h in IMPORT_HEADERS}
    sections = {r["name"]: r["id"] for r in await Section.select(Section.id, Section.name).where(Section.is_active == True).run()}  # noqa: E712
    people = await Person.select(Person.id, Person.name, Person.section).where(Person.is_active == True).run()  # noqa: E712
    errors: list[str] = []
    rows: list[ImportedRow] = []

    def cell(values: list, key: str) -> str:
        i = index.get(key)
        value = values[i] if i is not None and i < len(values) else None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, dt.datetime):
            value = value.date()
        return "" if value is None else str(value).strip()

    for line, values in enumerate(table[1:], start=2):
        if not any(str(v or "").strip() for v in values):
            continue
        try:
            for i, (name, value) in enumerate(zip(header, values), start=1):
                if (problem := cell_problem(name or i, value)) is not None:
                    raise InvalidInput(problem)
            ref, parent_ref = cell(values, "ref"), cell(values, "parent_ref")
            if not ref:
                raise InvalidInput(_("编号不能为空"))
            try:
                weight = float(cell(values, "weight"))
            except ValueError:
                raise InvalidInput(_("权重“{v}”不是数字").format(v=cell(values, "weight"))) from None
            kind = KIND_NAMES.get(cell(values, "kind"))
            if kind is None:
                raise InvalidInput(_("指标类型应为数量、时限或质量"))
            target_value = None
            if cell(values, "target_value"):
                try:
                    target_value = float(cell(values, "target_value"))
                except ValueError:
                    raise InvalidInput(_("目标值“{v}”不是数字").format(v=cell(values, "target_value"))) from None
            due_text = cell(values, "due_on")
            due = parse_date(due_text) if due_text else None
            if due_text and due is None:
                raise InvalidInput(_("完成时限“{v}”不是有效日期").format(v=due_text))
            section_id = None
            if cell(values, "section"):
                section_id = sections.get(cell(values, "section"))
                if section_id is None:
                    raise InvalidInput(_("科室“{v}”不存在").format(v=cell(values, "section")))
            owner_id = None
            if cell(values, "owner"):
                matches = [p for p in people if p["name"] == cell(values, "owner")
                           and (section_id is None or p["section"] == section_id)]
                if len(matches) != 1:
                    raise InvalidInput(_("责任人“{v}”不存在或重名").format(v=cell(values, "owner")))
                owner_id = matches[0]["id"]
            data = _check(TargetData(title=cell(values, "title"), weight=weight, indicator_kind=kind.value,
                                     target_value=target_value, unit=cell(values, "unit"), due_on=due,
                                     quality=cell(values, "quality"), section_id=section_id, owner_id=owner_id))
            rows.append(ImportedRow(line, ref, parent_ref, data))
        except InvalidInput as exc:
            errors.append(_("第 {line} 行：{msg}").format(line=line, msg=exc.message))

    refs = {r.ref: r for r in rows}
    if len(refs) != len(rows):
        errors.append(_("编号有重复"))
    depth: dict[str, int] = {}
    for r in rows:
        chain, cur = 0, r
        while cur.parent_ref:
            cur = refs.get(cur.parent_ref)
            chain += 1
            if cur is None or chain > 2:
                errors.append(_("第 {line} 行：上级编号“{p}”不存在或层级超过三级").format(line=r.line, p=r.parent_ref))
                break
        depth[r.ref] = chain
        level = (Level.OFFICE, Level.SECTION, Level.PERSON)[min(chain, 2)]
        if level == Level.SECTION and r.data.section_id is None:
            errors.append(_("第 {line} 行：科室目标需要填写科室").format(line=r.line))
        if level == Level.PERSON and r.data.owner_id is None:
            errors.append(_("第 {line} 行：个人目标需要填写责任人").format(line=r.line))
        elif level == Level.PERSON and r.parent_ref in refs:
            owner_section = next(p["section"] for p in people if p["id"] == r.data.owner_id)
            parent_section = refs[r.parent_ref].data.section_id
            if parent_section is not None and owner_section != parent_section:
                errors.append(_("第 {line} 行：责任人不属于上级目标的科室").format(line=r.line))
    siblings: dict[str, list[float]] = {}
    for r in rows:
        siblings.setdefault(r.parent_ref, []).append(r.data.weight)
    for parent_ref, weights in siblings.items():
        try:
            name = refs[parent_ref].data.title if parent_ref in refs else _("{year} 年单位目标").format(year=year)
            rules.require_full_weights(name, weights)
        except InvalidInput as exc:
            errors.append(exc.message)
    if errors:
        raise InvalidInput(_("导入失败，共 {n} 处错误，未导入任何目标").format(n=len(errors)), code="import_failed",
                           detail={"errors": errors})
    if dry_run:
        return len(rows)
    async with atomic():
        await _tree_writer()
        if await Target.exists().where(Target.year == year).run():
            raise Conflict(_("{year} 年已有目标，请先清理或改用复制").format(year=year), code="year_not_empty")
        ids: dict[str, int] = {}
        for r in sorted(rows, key=lambda r: depth[r.ref]):
            level = (Level.OFFICE, Level.SECTION, Level.PERSON)[depth[r.ref]]
            section = r.data.section_id
            if level == Level.PERSON and section is None:
                section = next(p["section"] for p in people if p["id"] == r.data.owner_id)
            row = await audit.insert(actor, Target(
                year=year, parent=ids.get(r.parent_ref), level=level.value, section=section,
                owner=r.data.owner_id, title=r.data.title, weight=r.data.weight,
                indicator_kind=r.data.indicator_kind, target_value=r.data.target_value, unit=r.data.unit,
                due_on=r.data.due_on, quality=r.data.quality, sort_order=r.line,
            ), note=_("从 {f} 导入").format(f=filename))
            ids[r.ref] = row.id
    return len(rows)
