"""The scoring grid of a unit and the writes on it: a score cell (with stale-write protection)
and a person's grade choice and comment. Each write answers with the person's numbers and the
unit's places left as they are after it, which both the API and the grid page show.

A cell written at the moment its unit is submitted never differs from the frozen numbers:
the write holds the person's row (`_hold_unsubmitted`) and checks, holding it, that the unit is
not submitted; the submission changes every row of the unit and checks, last before it commits,
that the unit's cells are as it froze them (`closing._unit_unchanged`). On SQLite, whose write
transactions take turns, one of the two commits first and the other sees it. On PostgreSQL the
row lock orders them: a freeze holding the row makes the write wait and then see the
submission; a write holding it makes the freeze wait, and the submission's check then sees the
new cell and refuses (409)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from appraisal.db.tables import Appraisee, ScoreCell, Section, UnitSubmission
from appraisal.db.transaction import Prepared, atomic, for_update
from appraisal.domain import appraisal as rules
from appraisal.domain.appraisal import AnnualGrade, PeriodStatus, Policy, QuarterGrade
from appraisal.errors import Conflict, Forbidden, InvalidInput, NotFound
from appraisal.i18n import _
from appraisal.scopes import Principal, may_score, read_scope
from appraisal.services import audit
from appraisal.services.appraisal.breakdown import APPRAISEE_COLUMNS, annual_numbers, numbers_and_cells, submitted_units
from appraisal.services.appraisal.periods import (
    LEADERS_UNIT, PERIOD_NAMES, StaleWrite, _require_writable, get_period, period_from_row,
)
from appraisal.services.appraisal.results import appraisee_row, require_visible_row, shown_to


def _top_grade(period: dict) -> str:
    return AnnualGrade.EXCELLENT.value if period["is_annual"] else QuarterGrade.GOOD.value


def _quota_pct(period: dict) -> float:
    policy: Policy = period["policy"]
    if not period["is_annual"]:
        return policy.good_quota_pct
    return policy.excellent_quota_pct_approved if period["excellent_approval"] else policy.excellent_quota_pct


# Built once, as `periods._PERIOD` is and for the same figure.
_UNIT_ROWS = Prepared(lambda p: Appraisee.select(*APPRAISEE_COLUMNS).where(
    Appraisee.period == p.period, Appraisee.unit == p.unit).order_by(Appraisee.person.name_pinyin))


async def _unit_rows(period_id: int, unit: str) -> list[dict]:
    return await _UNIT_ROWS.run(period=period_id, unit=unit)


def unit_label(unit: str, section_names: dict[int, str]) -> str:
    if unit == LEADERS_UNIT:
        return rules.POOL_LABELS[rules.Pool.LEADERS]
    return section_names.get(int(unit.split(":")[1]), unit)


async def units(actor: Principal, period_id: int) -> list[dict]:
    """The period's units as the caller may see them, with size, progress and submission."""
    await get_period(period_id)
    rows = await Appraisee.select(Appraisee.unit, Appraisee.person, Appraisee.section, Appraisee.pool).where(
        Appraisee.period == period_id).run()
    scope = read_scope(actor)
    submitted = {s["unit"]: s for s in await UnitSubmission.select(
        UnitSubmission.unit, UnitSubmission.submitted_at, UnitSubmission.submitted_by.name.as_alias("by")).where(
        UnitSubmission.period == period_id).run()}
    sections = await Section.select(Section.id, Section.name, Section.sort_order).run()
    names = {s["id"]: s["name"] for s in sections}
    order = {s["id"]: s["sort_order"] for s in sections}
    result: dict[str, dict] = {}
    for r in rows:
        if not scope.contains(r["person"], r["section"]):
            continue
        u = result.setdefault(r["unit"], {"unit": r["unit"], "label": unit_label(r["unit"], names), "people": 0,
                                          "submitted": r["unit"] in submitted,
                                          "submitted_at": submitted.get(r["unit"], {}).get("submitted_at"),
                                          "submitted_by": submitted.get(r["unit"], {}).get("by"),
                                          "may_score": False})
        u["people"] += 1
        u["may_score"] = u["may_score"] or may_score(actor, r["person"], r["pool"], r["section"])
    return sorted(result.values(), key=lambda u: (
        u["unit"] != LEADERS_UNIT, order.get(int(u["unit"].split(":")[1]), 0) if ":" in u["unit"] else 0))



async def grid(actor: Principal, period_id: int, unit: str) -> dict:
    """The scoring grid of one unit: people × indicators with cell versions, each person's live
    total and grade, and the unit's quota with places left."""
    period = await get_period(period_id)
    all_rows = await _unit_rows(period_id, unit)
    scope = read_scope(actor)
    if not any(scope.contains(r["person"], r["section"]) for r in all_rows):
        raise NotFound(_("考核单元不存在或无权查看"))
    submitted = await submitted_units(period_id)
    numbers, cells = await numbers_and_cells(period, all_rows, submitted)
    return await _grid_answer(actor, period, unit, all_rows, numbers, unit in submitted, cells)


async def _grid_answer(actor: Principal, period: dict, unit: str, all_rows: list[dict], numbers: dict[int, dict],
                       submitted: bool, cells: dict[int, dict[str, dict]], *, labelled: bool = True) -> dict:
    """The grid of a unit from its rows and numbers; `labelled`: with the unit's label (its
    section's name, one more read), which the answer to a write does not show."""
    scope = read_scope(actor)
    rows = [r for r in all_rows if scope.contains(r["person"], r["section"])]
    policy: Policy = period["policy"]
    label = unit_label(unit, {s["id"]: s["name"] for s in await Section.select(Section.id, Section.name).run()}) \
        if labelled else ""
    people = [shown_to(actor, {**r, **numbers[r["id"]], "cells": cells[r["id"]],
                               "may_score": may_score(actor, r["person"], r["pool"], r["section"])}, period)
              for r in rows]
    # Whoever's own results are hidden does not learn how many colleagues hold the top grade.
    quota = None if any(p["hidden"] for p in people) else rules.quota_state(
        {r["id"]: numbers[r["id"]]["grade"] for r in all_rows}, _top_grade(period), _quota_pct(period), policy.rounding)
    return {"period": period, "unit": unit, "label": label, "people": people,
            "submitted": submitted, "quota": quota, "quota_pct": _quota_pct(period),
            "editable": (period["status"] == PeriodStatus.SCORING and not submitted),
            "may_edit": (period["status"] == PeriodStatus.SCORING and not submitted
                         and any(p["may_score"] for p in people))}


async def _after_write(actor: Principal, period: dict, row: dict, rows: list[dict] | None = None,
                       numbers: dict[int, dict] | None = None, cells: dict[int, dict[str, dict]] | None = None
                       ) -> dict:
    """What a write on a person's row answers: `person`, the row as the grid shows it now, and
    `grid`, the unit (period, places left, whether it is editable). The unit's numbers are
    worked out here unless the write has them already (`rows`, `numbers`, `cells`)."""
    if rows is None or numbers is None or cells is None:
        rows = await _unit_rows(period["id"], row["unit"])
        numbers, cells = await numbers_and_cells(period, rows, submitted=set())  # the write found it open
    g = await _grid_answer(actor, period, row["unit"], rows, numbers, False, cells, labelled=False)
    return {"person": next(p for p in g["people"] if p["id"] == row["id"]), "grid": g}


async def _require_scorer(actor: Principal, row: dict, period: dict, submitted: bool | None = None) -> None:
    """The caller may score this person now. `submitted` is whether the person's unit is
    submitted, when the caller has read it already."""
    require_visible_row(actor, row)
    if not may_score(actor, row["person"], row["pool"], row["section"]):
        raise Forbidden(_("您不能为此人评分"))
    _require_writable(period["status"], period["name"])
    if period["status"] != PeriodStatus.SCORING:
        raise Conflict(_("考核期当前为“{s}”，不能评分").format(s=period["status_label"]), code="not_scoring")
    if submitted is None:
        submitted = row["unit"] in await submitted_units(period["id"])
    if submitted:
        raise Conflict(_("本单元评分已提交，不能修改"), code="unit_submitted")


async def unit_of_appraisee(actor: Principal, appraisee_id: int) -> tuple[int, str]:
    """(period id, unit) of a visible appraisee: where a grid row belongs."""
    row = await appraisee_row(appraisee_id)
    require_visible_row(actor, row)
    return row["period"], row["unit"]


async def _hold_unsubmitted(row: dict, submitted: Conflict) -> None:
    """Inside a transaction: hold the person's row until it ends (`for_update`), and raise
    `submitted` if their unit has been submitted meanwhile. A submission freezing the row holds
    it until it commits, so the check made holding it sees that submission."""
    await for_update(Appraisee.select(Appraisee.id).where(Appraisee.id == row["id"])).run()
    if await UnitSubmission.exists().where(UnitSubmission.period == row["period"],
                                           UnitSubmission.unit == row["unit"]).run():
        raise submitted


def _period_column(name: str) -> Any:
    """A column of a cell's period (or its template), named as `PERIOD_COLUMNS` names it."""
    period = ScoreCell.appraisee.period
    if name.startswith("template_"):
        return getattr(period.template, name.removeprefix("template_")).as_alias(name)
    return getattr(period, name).as_alias(name)


# Everything a cell write checks, in one read: the cell, its person's row and their period.
CELL_CONTEXT = (
    ScoreCell.id, ScoreCell.appraisee, ScoreCell.indicator, ScoreCell.value, ScoreCell.version, ScoreCell.updated_by,
    ScoreCell.updated_at, *(_period_column(name) for name in PERIOD_NAMES),
    *(getattr(ScoreCell.appraisee, name).as_alias(f"row_{name}") for name in ("person", "section", "pool", "unit")),
    ScoreCell.appraisee.person.name.as_alias("row_name"),
)
CELL_FIELDS = ("id", "appraisee", "indicator", "value", "version", "updated_by", "updated_at")


async def save_cell(actor: Principal, cell_id: int, value: float | None, version: int) -> dict:
    """Save one grid cell if nobody changed it since `version` was read; otherwise 409 with the
    current value, so a stale tab never overwrites another scorer's entry. Answers the cell as
    saved, with `person` and `grid` (`_after_write`)."""
    ctx = await ScoreCell.select(*CELL_CONTEXT).where(ScoreCell.id == cell_id).first().run()
    if ctx is None:
        raise NotFound(_("评分项不存在"))
    period = period_from_row(ctx)
    row = {"id": ctx["appraisee"], "period": period["id"], "person": ctx["row_person"], "section": ctx["row_section"],
           "pool": ctx["row_pool"], "unit": ctx["row_unit"], "name": ctx["row_name"]}
    await _require_scorer(actor, row, period, submitted=False)  # the write checks the submission
    indicator = next((i for i in period["indicators"] if i.code == ctx["indicator"]), None)
    if indicator is None:
        raise NotFound(_("评分项不存在"))
    value = rules.check_cell(indicator, value)
    cell = {k: ctx[k] for k in CELL_FIELDS}

    def stale(latest: dict) -> StaleWrite:
        return StaleWrite(_("{name}的“{ind}”已被他人改为 {v}，请核对后再改").format(
            name=row["name"], ind=indicator.name, v="—" if latest["value"] is None else f"{latest['value']:g}"),
            detail={"value": latest["value"], "version": latest["version"]})

    if cell["version"] != version:
        raise stale(cell)
    async with atomic():
        await _hold_unsubmitted(row, Conflict(_("本单元评分已提交，不能修改"), code="unit_submitted"))
        if cell["value"] != value:
            now = dt.datetime.now(dt.timezone.utc)
            changed = await ScoreCell.update({
                ScoreCell.value: value, ScoreCell.version: version + 1, ScoreCell.updated_by: actor.person_id,
                ScoreCell.updated_at: now,
            }).where(ScoreCell.id == cell_id, ScoreCell.version == version).returning(ScoreCell.id).run()
            if not changed:  # another writer committed after our read
                raise stale(await ScoreCell.select(ScoreCell.value, ScoreCell.version).where(
                    ScoreCell.id == cell_id).first().run())
            await audit.record(actor, "update", "score_cell", cell_id, old={"value": cell["value"]},
                               new={"value": value}, note=f"{row['name']} · {indicator.name}")
            cell = {**cell, "value": value, "version": version + 1, "updated_by": actor.person_id, "updated_at": now}
    return {**cell, **await _after_write(actor, period, row)}


async def set_grade(actor: Principal, appraisee_id: int, grade_choice: str | None, comment: str | None = None) -> dict:
    """The scorer lowers a grade (to respect the quota) or proposes 优秀 (annual), and comments.
    Answers `person` and `grid` (`_after_write`)."""
    row = await appraisee_row(appraisee_id)
    period = await get_period(row["period"])
    submitted = await submitted_units(period["id"])
    await _require_scorer(actor, row, period, row["unit"] in submitted)
    choice = grade_choice or ""
    rows = await _unit_rows(period["id"], row["unit"])
    numbers, cells = await numbers_and_cells(period, rows, submitted)
    mine = numbers[row["id"]]
    if choice and choice not in {g.value for g in (AnnualGrade if period["is_annual"] else QuarterGrade)}:
        raise InvalidInput(_("等次无效"), code="bad_grade")
    annual = (await annual_numbers(period, [row]))[row["id"]] if period["is_annual"] else None

    def grade_by(chosen: str | None) -> Any:
        if annual is not None:
            return rules.annual_grade(annual["score"], chosen, annual["eligibility"], annual["propose_incompetent"],
                                      period["policy"])
        return None if mine["total"] is None else rules.quarter_grade(mine["total"], chosen, period["policy"])

    grade, error = None, None
    if choice:
        grade = grade_by(choice)  # a choice the rules refuse is refused here (422)
    else:
        try:
            grade = grade_by(None)
        except InvalidInput as exc:
            error = exc.message
    if comment is not None and len(comment) > 2000:
        raise InvalidInput(_("评语不超过 2000 字"), code="too_long")
    async with atomic():
        # A submission that comes later sees this choice in `_unit_unchanged`.
        await _hold_unsubmitted(row, Conflict(_("本单元评分已提交，不能修改"), code="unit_submitted"))
        record = await Appraisee.objects().get(Appraisee.id == appraisee_id).run()
        changes: dict[str, Any] = {"grade_choice": choice}
        if comment is not None:
            changes["comment"] = comment.strip()
        await audit.update(actor, record, changes, note=row["name"])
    # The person's grade follows the new choice; the other numbers stand as worked out above.
    numbers[row["id"]] = {**mine, "grade": grade.value if grade else None, "error": error}
    rows = [{**r, **changes} if r["id"] == row["id"] else r for r in rows]
    return await _after_write(actor, period, row, rows, numbers, cells)
