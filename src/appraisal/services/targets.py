"""目标管理 use cases: the target tree of a year, its breakdown, progress reports, the roll-up,
copying a year to the next and importing a tree from Excel (those two in target_setup.py).

Every write to the tree begins by taking its turn (`_tree_writer`): a check that a parent's
shares leave room reads its children, and a concurrent write could add one that the check did
not see. Targets change a few times a day, so one writer at a time costs nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from appraisal.db.tables import Person, Section, Target, TargetProgress
from appraisal.db.transaction import atomic, one_writer_for
from appraisal.domain import targets as rules
from appraisal.domain.targets import ACTIVE, ARCHIVED, IndicatorKind, Level, Node
from appraisal.errors import Conflict, Forbidden, InvalidInput, NotFound
from appraisal.i18n import _
from appraisal.scopes import Principal, Role, read_scope
from appraisal.services import audit


COLUMNS = (
    Target.id, Target.year, Target.parent, Target.level, Target.section, Target.owner, Target.title, Target.weight,
    Target.indicator_kind, Target.target_value, Target.unit, Target.due_on, Target.quality, Target.status,
    Target.completion, Target.sort_order,
    Target.section.name.as_alias("section_name"), Target.owner.name.as_alias("owner_name"),
)


@dataclass(frozen=True)
class TargetData:
    """What a target says: the indicator, its owner and its share of the parent."""

    title: str
    weight: float
    indicator_kind: str = IndicatorKind.QUANTITY.value
    target_value: float | None = None
    unit: str = ""
    due_on: dt.date | None = None
    quality: str = ""
    section_id: int | None = None
    owner_id: int | None = None


def _check(data: TargetData) -> TargetData:
    title = data.title.strip()
    if not title or len(title) > 200:
        raise InvalidInput(_("目标名称不能为空，且不超过 200 个字符"), code="bad_title")
    try:
        kind = IndicatorKind(data.indicator_kind)
    except ValueError:
        raise InvalidInput(_("指标类型应为数量、时限或质量"), code="bad_indicator") from None
    if kind == IndicatorKind.QUANTITY and (data.target_value is None or data.target_value <= 0):
        raise InvalidInput(_("数量指标需要填写大于 0 的目标值"), code="bad_indicator")
    if kind == IndicatorKind.DEADLINE and data.due_on is None:
        raise InvalidInput(_("时限指标需要填写完成时限"), code="bad_indicator")
    if kind == IndicatorKind.QUALITY and not data.quality.strip():
        raise InvalidInput(_("质量指标需要填写质量要求"), code="bad_indicator")
    if len(data.unit) > 20 or len(data.quality) > 2000:
        raise InvalidInput(_("计量单位或质量要求过长"), code="too_long")
    return replace(data, title=title, weight=rules.check_weight(data.weight), unit=data.unit.strip(),
                   quality=data.quality.strip())


# --- who may do what -------------------------------------------------------------------------

def _may_manage(actor: Principal, level: str, section_id: int | None) -> bool:
    """Office and section targets are set by leaders and admins; a chief breaks their section's
    targets down to people."""
    if actor.has(Role.ADMIN):
        return True
    if level == Level.OFFICE:
        return actor.has(Role.LEADER)
    if actor.has(Role.LEADER) and section_id in actor.led_section_ids:
        return True
    return level == Level.PERSON and actor.has(Role.CHIEF) and section_id == actor.section_id


def _may_report(actor: Principal, target: dict) -> bool:
    """The owner of a target, whoever manages it, or the chief of a section target's section."""
    return (target["owner"] == actor.person_id or _may_manage(actor, target["level"], target["section"])
            or (target["level"] == Level.SECTION and actor.has(Role.CHIEF) and actor.section_id == target["section"]))


def _may_break_down(actor: Principal, target: dict) -> bool:
    """An office target breaks down to sections (a leader or an admin), a section's to its people."""
    if target["level"] == Level.OFFICE:
        return actor.has(Role.ADMIN) or (actor.has(Role.LEADER) and bool(actor.led_section_ids))
    return target["level"] == Level.SECTION and _may_manage(actor, Level.PERSON, target["section"])


def _require_manage(actor: Principal, level: str, section_id: int | None) -> None:
    if not _may_manage(actor, level, section_id):
        raise Forbidden(_("您不能设置这一级目标"))


async def _tree_writer() -> None:
    await one_writer_for("target tree")


def _visible(actor: Principal, row: dict) -> bool:
    """Office targets are the whole office's; a section's targets are seen by its members; a
    person's target follows the usual scope."""
    if row["level"] == Level.OFFICE:
        return True
    if row["level"] == Level.SECTION and row["section"] == actor.section_id:
        return True
    return read_scope(actor).contains(row["owner"], row["section"])


async def _get(target_id: int) -> Target:
    target = await Target.objects().get(Target.id == target_id).run()
    if target is None:
        raise NotFound(_("目标不存在"))
    return target


async def _get_visible(actor: Principal, target_id: int) -> Target:
    target = await _get(target_id)
    if not _visible(actor, {"level": target.level, "section": target.section, "owner": target.owner}):
        raise NotFound(_("目标不存在"))
    return target


async def _sibling_weights(year: int, parent_id: int | None, except_id: int | None = None) -> list[float]:
    query = Target.select(Target.weight).where(Target.year == year, Target.status == ACTIVE)
    query = query.where(Target.parent.is_null() if parent_id is None else Target.parent == parent_id)
    if except_id is not None:
        query = query.where(Target.id != except_id)
    return await query.output(as_list=True).run()


def _parent_title(parent: Target | None, year: int) -> str:
    return parent.title if parent else _("{year} 年单位目标").format(year=year)


async def _resolve_owner(level: str, data: TargetData, parent: Target | None) -> tuple[int | None, int | None]:
    """(section_id, owner_id) of a new target, checked against its level and parent."""
    if level == Level.OFFICE:
        return None, data.owner_id
    if level == Level.SECTION:
        section = data.section_id
        if section is None or not await Section.exists().where(Section.id == section, Section.is_active == True).run():  # noqa: E712
            raise InvalidInput(_("科室目标需要选择一个有效的科室"), code="unknown_section")
        return section, data.owner_id
    section = parent.section if parent else data.section_id
    if data.owner_id is None:
        raise InvalidInput(_("个人目标需要指定责任人"), code="owner_required")
    person = await Person.select(Person.section, Person.is_active).where(Person.id == data.owner_id).first().run()
    if person is None or not person["is_active"]:
        raise InvalidInput(_("责任人不存在或已停用"), code="unknown_person")
    if section is not None and person["section"] != section:
        raise InvalidInput(_("个人目标的责任人应为本科室人员"), code="owner_outside_section")
    return person["section"], data.owner_id


async def create(actor: Principal, year: int, parent_id: int | None, data: TargetData,
                 sibling_weights: dict[int, float] | None = None) -> Target:
    """Add a target: an office target (no parent), or a child one level below its parent.

    `sibling_weights` re-balances the parent's other active children in the same step (every
    one of them, by id), so a fully shared parent can take a new child: the shares, new child
    included, still may not exceed 100."""
    data = _check(data)
    if parent_id is None and not 2000 <= year <= 2100:
        raise InvalidInput(_("年度无效"), code="bad_year")
    async with atomic():
        await _tree_writer()
        parent = await _get_visible(actor, parent_id) if parent_id is not None else None
        if parent is not None:
            if parent.status != ACTIVE:
                raise InvalidInput(_("上级目标已归档"), code="parent_archived")
            level = Level(parent.level).child
            if level is None:
                raise InvalidInput(_("个人目标不能再分解"), code="too_deep")
            year = parent.year
        else:
            level = Level.OFFICE
        # Permission first, so a forbidden caller learns nothing about the owner they named.
        _require_manage(actor, level, parent.section if level == Level.PERSON and parent else data.section_id)
        section_id, owner_id = await _resolve_owner(level, data, parent)
        if sibling_weights:
            await _rebalance(actor, year, parent_id, sibling_weights)
        rules.require_room(_parent_title(parent, year), await _sibling_weights(year, parent_id), data.weight)
        return await audit.insert(actor, Target(
            year=year, parent=parent_id, level=level.value, section=section_id, owner=owner_id, title=data.title,
            weight=data.weight, indicator_kind=data.indicator_kind, target_value=data.target_value, unit=data.unit,
            due_on=data.due_on, quality=data.quality,
        ))


async def update(actor: Principal, target_id: int, data: TargetData) -> None:
    data = _check(data)
    async with atomic():
        await _tree_writer()
        target = await _get_visible(actor, target_id)
        _require_manage(actor, target.level, target.section)
        parent = await _get(target.parent) if target.parent else None
        rules.require_room(_parent_title(parent, target.year),
                           await _sibling_weights(target.year, target.parent, except_id=target.id), data.weight)
        changes = {"title": data.title, "weight": data.weight, "indicator_kind": data.indicator_kind,
                   "target_value": data.target_value, "unit": data.unit, "due_on": data.due_on, "quality": data.quality}
        if target.level == Level.PERSON and data.owner_id and data.owner_id != target.owner:
            _section, owner = await _resolve_owner(Level.PERSON, data, parent)
            changes["owner"] = owner
        await audit.update(actor, target, changes)


async def patch(actor: Principal, target_id: int, changes: dict[str, Any]) -> None:
    """Change only the fields named in `changes` (TargetData's names, and `archived` to archive
    or restore), in one transaction: what is left out stays as it is."""
    archived = changes.pop("archived", None)
    async with atomic():
        await _tree_writer()
        if changes:
            t = await _get_visible(actor, target_id)
            current = TargetData(title=t.title, weight=t.weight, indicator_kind=t.indicator_kind,
                                 target_value=t.target_value, unit=t.unit, due_on=t.due_on, quality=t.quality,
                                 section_id=t.section, owner_id=t.owner)
            await update(actor, target_id, replace(current, **changes))
        if archived is not None:
            await set_archived(actor, target_id, archived)


async def set_archived(actor: Principal, target_id: int, archived: bool) -> None:
    """Archive (left out of the roll-up) or restore a target."""
    async with atomic():
        await _tree_writer()
        target = await _get_visible(actor, target_id)
        _require_manage(actor, target.level, target.section)
        if not archived:
            parent = await _get(target.parent) if target.parent else None
            rules.require_room(_parent_title(parent, target.year),
                               await _sibling_weights(target.year, target.parent, except_id=target.id), target.weight)
        await audit.update(actor, target, {"status": ARCHIVED if archived else ACTIVE})


async def _rebalance(actor: Principal, year: int, parent_id: int | None, weights: dict[int, float]) -> None:
    """New shares for every active child of a parent (inside the caller's transaction)."""
    query = Target.objects().where(Target.year == year, Target.status == ACTIVE)
    children = await query.where(Target.parent.is_null() if parent_id is None else Target.parent == parent_id).run()
    if {c.id for c in children} != set(weights):
        raise InvalidInput(_("请为每个下级目标填写权重"), code="weights_incomplete")
    checked = {cid: rules.check_weight(w) for cid, w in weights.items()}
    for child in children:
        if child.weight != checked[child.id]:
            await audit.update(actor, child, {"weight": checked[child.id]})


async def set_weights(actor: Principal, year: int, parent_id: int | None, weights: dict[int, float]) -> None:
    """Re-balance the shares of one parent's active children at once: they must sum to 100."""
    async with atomic():
        await _tree_writer()
        parent = await _get_visible(actor, parent_id) if parent_id is not None else None
        if parent is not None:
            year = parent.year
        query = Target.objects().where(Target.year == year, Target.status == ACTIVE)
        query = query.where(Target.parent.is_null() if parent_id is None else Target.parent == parent_id)
        children = await query.run()
        if {c.id for c in children} != set(weights):
            raise InvalidInput(_("请为每个下级目标填写权重"), code="weights_incomplete")
        child_level = Level(parent.level).child if parent else Level.OFFICE
        _require_manage(actor, child_level, parent.section if parent else None)
        checked = {cid: rules.check_weight(w) for cid, w in weights.items()}
        rules.require_full_weights(_parent_title(parent, year), list(checked.values()))
        for child in children:
            await audit.update(actor, child, {"weight": checked[child.id]})


async def report(actor: Principal, target_id: int, *, completion: float | None, actual: float | None,
                 evidence: str) -> float:
    """A progress report on a leaf target by its owner, or by whoever manages it."""
    evidence = evidence.strip()
    if not evidence or len(evidence) > 2000:
        raise InvalidInput(_("请填写进展情况和佐证材料说明（不超过 2000 字）"), code="evidence_required")
    async with atomic():
        await _tree_writer()
        target = await _get_visible(actor, target_id)
        if target.status != ACTIVE:
            raise Conflict(_("目标已归档，不能再报告进展"), code="archived")
        if not _may_report(actor, {"owner": target.owner, "level": target.level, "section": target.section}):
            raise Forbidden(_("只有责任人或其上级可以报告进展"))
        if await Target.exists().where(Target.parent == target.id, Target.status == ACTIVE).run():
            raise InvalidInput(_("该目标已分解，完成度由下级目标汇总，请在下级目标上报告"), code="not_a_leaf")
        if completion is None:
            if actual is None:
                raise InvalidInput(_("请填写完成百分比或实际完成值"), code="completion_required")
            value = rules.completion_from_value(target.target_value, actual)
        else:
            value = rules.check_completion(completion)
        await audit.insert(actor, TargetProgress(target=target.id, author=actor.person_id, completion=value,
                                                 actual=actual, evidence=evidence))
        await audit.update(actor, target, {"completion": value})
    return value


# --- reading ---------------------------------------------------------------------------------

async def _year_rows(year: int) -> list[dict]:
    return await Target.select(*COLUMNS).where(Target.year == year).order_by(Target.sort_order).order_by(Target.id).run()


def _nodes(rows: list[dict]) -> list[Node]:
    return [Node(r["id"], r["parent"], r["weight"], r["completion"], r["status"] != ACTIVE) for r in rows]


async def tree(actor: Principal, year: int) -> dict:
    """The year's tree as the caller may see it, in display order with depth, each target with
    its rolled-up completion; the office figure; parents whose shares are off 100."""
    rows = await _year_rows(year)
    nodes = _nodes(rows)
    done = rules.rollup(nodes)
    titles: dict[int | None, str] = {r["id"]: r["title"] for r in rows}
    titles[None] = _("单位目标")
    problems = rules.weight_problems(nodes, titles)
    children: dict[int | None, list[dict]] = {}
    for r in rows:
        children.setdefault(r["parent"], []).append(r)
    ordered: list[dict] = []
    stack = [(r, 0) for r in reversed(children.get(None, []))]
    while stack:
        row, depth = stack.pop()
        if _visible(actor, row):
            active = row["status"] == ACTIVE
            ordered.append({**row, "depth": depth, "rolled": done.get(row["id"]),
                            "has_children": row["id"] in children, "weights_sum": problems.get(row["id"]),
                            "level_label": Level(row["level"]).label,
                            "indicator_label": IndicatorKind(row["indicator_kind"]).label,
                            # What the caller may do here, as the steps themselves check it.
                            "may_report": active and row["id"] not in children and _may_report(actor, row),
                            "may_break_down": active and _may_break_down(actor, row),
                            "may_archive": _may_manage(actor, row["level"], row["section"])})
        stack.extend((c, depth + 1) for c in reversed(children.get(row["id"], [])))
    office = rules.overall((n.weight, done[n.id]) for n in nodes if n.parent_id is None and not n.archived)
    return {"year": year, "targets": ordered, "office": office, "top_weights_sum": problems.get(None)}


async def my_targets(actor: Principal, year: int) -> list[dict]:
    """The caller's own targets of `year`, then (`is_section`) those of the section they lead as
    chief: each with its roll-up, the parent it is a share of (`parent_title`), whether it is
    broken down (`has_children`: its progress is then reported below it) and its progress
    reports, newest first (`reports`: at, completion, actual, evidence, author_name)."""
    rows = await _year_rows(year)
    done = rules.rollup(_nodes(rows))
    titles = {r["id"]: r["title"] for r in rows}
    parents = {r["parent"] for r in rows if r["status"] == ACTIVE}
    led = actor.section_id if actor.has(Role.CHIEF) else None
    mine = ([r for r in rows if r["owner"] == actor.person_id and r["level"] == Level.PERSON]
            + [r for r in rows if r["level"] == Level.SECTION and led is not None and r["section"] == led])
    reports: dict[int, list[dict]] = {r["id"]: [] for r in mine}
    if mine:
        for p in await TargetProgress.select(
                TargetProgress.id, TargetProgress.target, TargetProgress.at, TargetProgress.completion, TargetProgress.actual,
                TargetProgress.evidence, TargetProgress.author.name.as_alias("author_name"),
        ).where(TargetProgress.target.is_in(list(reports))).order_by(TargetProgress.id, ascending=False).run():
            reports[p["target"]].append(p)
    return [{**r, "rolled": done.get(r["id"]), "indicator_label": IndicatorKind(r["indicator_kind"]).label,
             "parent_title": titles.get(r["parent"]), "reports": reports[r["id"]],
             "is_section": r["level"] == Level.SECTION, "has_children": r["id"] in parents} for r in mine]


async def title_of(actor: Principal, target_id: int) -> str:
    """A visible target's title (for the message saying what was done to it)."""
    return (await _get_visible(actor, target_id)).title


async def progress_of(actor: Principal, target_id: int) -> list[dict]:
    await _get_visible(actor, target_id)
    return await TargetProgress.select(
        TargetProgress.id, TargetProgress.at, TargetProgress.completion, TargetProgress.actual,
        TargetProgress.evidence, TargetProgress.author.name.as_alias("author_name"),
    ).where(TargetProgress.target == target_id).order_by(TargetProgress.id, ascending=False).run()


async def completion_by_person(year: int, person_ids: list[int]) -> dict[int, tuple[float, list[dict]]]:
    """For appraisal: per person with active individual targets in `year`, their overall
    completion by weight and the targets behind it. People without targets are absent: the
    component does not apply to them. One query for everyone."""
    rows = await _year_rows(year)
    done = rules.rollup(_nodes(rows))
    wanted = set(person_ids)
    mine: dict[int, list[dict]] = {}
    for r in rows:
        if r["level"] == Level.PERSON and r["status"] == ACTIVE and r["owner"] in wanted:
            mine.setdefault(r["owner"], []).append({**r, "rolled": done.get(r["id"], 0.0)})
    return {p: (rules.overall((t["weight"], t["rolled"]) for t in ts), ts) for p, ts in mine.items()}
