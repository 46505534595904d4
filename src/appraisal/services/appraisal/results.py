"""Who sees which numbers: a person's own results stay hidden until the period reaches the step
they are published at; the detail of one appraisal, one's own appraisals, a period's results
and the review screen's count of grades."""

from __future__ import annotations

import json

from appraisal.db.tables import Appraisee, UnitSubmission
from appraisal.domain import appraisal as rules
from appraisal.domain.appraisal import AnnualGrade, PeriodStatus, Policy, QuarterGrade
from appraisal.errors import NotFound
from appraisal.i18n import _
from appraisal.scopes import Principal, Role, may_score, read_scope, visible_where
from appraisal.services.appraisal.breakdown import APPRAISEE_COLUMNS, numbers_of, submitted_units
from appraisal.services.appraisal.periods import get_period


async def appraisee_row(appraisee_id: int) -> dict:
    row = await Appraisee.select(*APPRAISEE_COLUMNS).where(Appraisee.id == appraisee_id).first().run()
    if row is None:
        raise NotFound(_("考核记录不存在"))
    return row


def require_visible_row(actor: Principal, row: dict) -> None:
    if not read_scope(actor).contains(row["person"], row["section"]):
        raise NotFound(_("考核记录不存在"))


def may_record_registration(actor: Principal, row: dict) -> bool:
    """A leader over the person's section, or the appraisal office; never for oneself."""
    over = actor.has(Role.ADMIN) or (actor.has(Role.LEADER) and row["section"] in actor.led_section_ids)
    return over and row["person"] != actor.person_id


HIDDEN_NUMBERS = {"total": None, "grade": None, "breakdown": None, "error": None}


def own_results_hidden(actor: Principal, row: dict, period: dict) -> bool:
    """Whether `row` is the caller's own appraisal with results not yet published to them
    (`rules.results_visible`). The appraisal office (考核办) sees everything."""
    return (row["person"] == actor.person_id and not actor.has(Role.ADMIN)
            and not rules.results_visible(period["status"], period["policy"]))


def shown_to(actor: Principal, row: dict, period: dict) -> dict:
    """An appraisee row with its numbers as `actor` may see them: the caller's own scores,
    cells, breakdown and grade blanked until the period reaches the step results are published
    at, with `hidden` and `pending` (when they will be shown) to say so."""
    if not own_results_hidden(actor, row, period):
        return {**row, "hidden": False, "pending": ""}
    cells = {code: {**cell, "value": None} for code, cell in (row.get("cells") or {}).items()}
    return {**row, **HIDDEN_NUMBERS, "comment": "", "cells": cells, "may_score": False, "hidden": True,
            "pending": rules.results_pending_text(period["policy"])}


async def appraisal_detail(actor: Principal, appraisee_id: int) -> dict:
    """One person's appraisal in a period with the full breakdown. The person sees their own
    numbers once results are published (`shown_to`); scorers and superiors see them live."""
    row = await appraisee_row(appraisee_id)
    require_visible_row(actor, row)
    period = await get_period(row["period"])
    numbers = (await numbers_of(period, [row]))[row["id"]]
    own = row["person"] == actor.person_id
    shown = shown_to(actor, {**row, **numbers}, period)
    return {**shown, "period": period, "own": own,
            "may_score": may_score(actor, row["person"], row["pool"], row["section"]),
            "may_record_registration": may_record_registration(actor, row),
            "summary_open": own and period["status"] in (PeriodStatus.SELF_SUMMARY, PeriodStatus.SCORING)
            and not numbers["frozen"]}


async def my_appraisals(actor: Principal) -> list[dict]:
    """The caller's own appraisals, newest first; numbers only once the period reaches the step
    results are published at (`shown_to`)."""
    if actor.person_id is None:
        return []
    rows = await Appraisee.select(*APPRAISEE_COLUMNS, Appraisee.period.code.as_alias("code"),
                                  Appraisee.period.year.as_alias("year"), Appraisee.period.quarter.as_alias("quarter"),
                                  Appraisee.period.status.as_alias("period_status"),
                                  Appraisee.period.policy.as_alias("period_policy")).where(
        Appraisee.person == actor.person_id).order_by(Appraisee.period.year, ascending=False) \
        .order_by(Appraisee.period.quarter, ascending=False).run()
    submissions = {(s["period"], s["unit"]) for s in await UnitSubmission.select(
        UnitSubmission.period, UnitSubmission.unit).where(UnitSubmission.period.is_in([r["period"] for r in rows] or [-1])).run()}
    result = []
    for r in rows:
        submitted = (r["period"], r["unit"]) in submissions
        period = {"status": r["period_status"], "policy": Policy.from_dict(json.loads(r.pop("period_policy")))}
        shown = shown_to(actor, {**r, **({} if submitted else HIDDEN_NUMBERS)}, period)
        result.append({**shown, "name": rules.period_name(r["year"], r["quarter"]),
                       "status_label": PeriodStatus(r["period_status"]).label, "grade": shown["grade"] or "",
                       "grade_label": rules.GRADE_LABELS.get(shown["grade"] or "", "")})
    return result


async def period_results(actor: Principal, period_id: int) -> tuple[dict, list[dict]]:
    """Every visible appraisee of a period with total and grade, ordered by section and name:
    what the export and the section ranking show."""
    period = await get_period(period_id)
    clause = visible_where(read_scope(actor), Appraisee.person, Appraisee.section)
    query = Appraisee.select(*APPRAISEE_COLUMNS).where(Appraisee.period == period_id)
    if clause is not None:
        query = query.where(clause)
    rows = await query.order_by(Appraisee.section.sort_order).order_by(Appraisee.person.name_pinyin).run()
    numbers = await numbers_of(period, rows)
    return period, [shown_to(actor, {**r, **numbers[r["id"]]}, period) for r in rows]


async def grade_summary(actor: Principal, period_id: int) -> dict | None:
    """The review screen's count of each grade per section, over the people the caller sees
    (chiefs, leaders, the office): frozen grades of submitted units; the others counted as not
    submitted. The caller's own grade is left out while it is hidden from them."""
    if not actor.has(Role.CHIEF, Role.LEADER, Role.ADMIN):
        return None
    period = await get_period(period_id)
    query = Appraisee.select(Appraisee.person, Appraisee.section, Appraisee.unit, Appraisee.grade,
                             Appraisee.section.name.as_alias("section_name"),
                             Appraisee.section.sort_order.as_alias("section_order")).where(Appraisee.period == period_id)
    if (clause := visible_where(read_scope(actor), Appraisee.person, Appraisee.section)) is not None:
        query = query.where(clause)
    rows = await query.run()
    submitted = await submitted_units(period_id)
    grades = [g.value for g in (AnnualGrade if period["is_annual"] else QuarterGrade)]
    sections: dict[int, dict] = {}
    for r in rows:
        s = sections.setdefault(r["section"], {"section": r["section_name"], "order": r["section_order"],
                                               "people": 0, "counts": dict.fromkeys(grades, 0), "open": 0})
        s["people"] += 1
        if own_results_hidden(actor, r, period) or r["unit"] not in submitted or r["grade"] not in s["counts"]:
            s["open"] += 1
        else:
            s["counts"][r["grade"]] += 1
    ordered = sorted(sections.values(), key=lambda s: (s["order"], s["section"] or ""))
    total = {"people": sum(s["people"] for s in ordered), "open": sum(s["open"] for s in ordered),
             "counts": {g: sum(s["counts"][g] for s in ordered) for g in grades}}
    return {"grades": grades, "sections": ordered, "total": total}

