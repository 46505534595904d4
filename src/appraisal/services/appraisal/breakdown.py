"""The numbers of appraisees: frozen once their unit is submitted, computed live before, from
their score cells and the sources the formula takes (targets, accountability, matters and
supervision items due and late, bonuses), each read for a whole set of people in one query."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any, NamedTuple

import anyio
import msgspec

from appraisal.db.tables import Appraisee, Bonus, Matter, ScoreCell, SupervisionItem, UnitSubmission
from appraisal.db.transaction import is_sqlite, one_of
from appraisal.domain import appraisal as rules
from appraisal.domain.appraisal import Inputs, Policy, Source
from appraisal.domain.calendar import LOCAL_TZ, today_local
from appraisal.errors import InvalidInput
from appraisal.i18n import _
from appraisal.services import targets as target_service
from appraisal.services.accountability import effects_for
from appraisal.services.appraisal.bonuses import BONUS_KINDS
from piccolo.query import WhereRaw
from piccolo.query.methods.select import Count

APPRAISEE_COLUMNS = (
    Appraisee.id, Appraisee.period, Appraisee.person, Appraisee.section, Appraisee.pool, Appraisee.unit,
    Appraisee.self_summary, Appraisee.self_summary_at, Appraisee.comment, Appraisee.grade_choice,
    Appraisee.total, Appraisee.grade, Appraisee.breakdown,
    Appraisee.committee_opinion, Appraisee.remarks, Appraisee.notified_on,
    Appraisee.person.name.as_alias("name"), Appraisee.person.name_pinyin.as_alias("name_pinyin"),
    Appraisee.person.post_rank.as_alias("post_rank"), Appraisee.section.name.as_alias("section_name"),
    Appraisee.section.sort_order.as_alias("section_order"),
)


async def submitted_units(period_id: int) -> set[str]:
    return set(await UnitSubmission.select(UnitSubmission.unit).where(UnitSubmission.period == period_id)
               .output(as_list=True).run())


def _is_late(done: dt.date | None, due: dt.date, today: dt.date) -> bool:
    """Completed after its due date, or still open past it (local dates)."""
    return done > due if done is not None else due < today


async def _cells_of(appraisee_ids: list[int]) -> dict[int, dict[str, dict]]:
    """The score cells of these appraisees: appraisee → indicator → cell (id, value, version)."""
    cells: dict[int, dict[str, dict]] = {i: {} for i in appraisee_ids}
    for c in await ScoreCell.select(ScoreCell.id, ScoreCell.appraisee, ScoreCell.indicator, ScoreCell.value,
                                    ScoreCell.version).where(one_of(ScoreCell.appraisee, appraisee_ids)).run():
        cells[c["appraisee"]][c["indicator"]] = c
    return cells


def _completed_after_due() -> WhereRaw:
    """"Completed on a local date after the matter's due date": at or after the local midnight
    that ends the due date, which is UTC (how completions are stored) minus the offset.

    Kept as SQL of each engine for closing a quarter (`benchmarks/closing.py`): the portable
    bound, completed at or after the due date's UTC start, sent back a thousand matters a unit
    for the test on local dates to be made here, and closing 2,000 staff took 1.0 s instead of
    0.4 s on SQLite."""
    if is_sqlite():
        # Piccolo stores str() of the UTC time ("2026-11-10 16:10:00+00:00"), text that sorts as
        # time: the bound is the due date's text with the UTC hour of local midnight (" 16" for
        # UTC+8, a whole-hour zone).
        hour = 24 - int(LOCAL_TZ.utcoffset(dt.datetime(2000, 1, 1)).total_seconds() // 3600)
        return WhereRaw(f"matter.completed_at >= matter.due_on || ' {hour:02d}'")
    return WhereRaw(f"matter.completed_at >= (matter.due_on + 1)::timestamp AT TIME ZONE '{LOCAL_TZ.key}'")


async def _late_matters(people: list[int], start: dt.date, end: dt.date, today: dt.date
                        ) -> tuple[dict[int, int], list[dict]]:
    """Per owner, how many matters fell due in [start, end] (counted by the database), and the
    late ones with their subjects: completed after their due date, or open past it on `today`."""
    span = (one_of(Matter.owner, people), Matter.due_on >= start, Matter.due_on <= end)
    counts = await Matter.select(Matter.owner, Count(Matter.id, alias="due")).where(*span).group_by(Matter.owner).run()
    late = await Matter.select(Matter.id, Matter.owner, Matter.due_on, Matter.subject).where(
        *span, (Matter.completed_at.is_null() & (Matter.due_on < today)) | _completed_after_due()).order_by(Matter.id).run()
    return {c["owner"]: c["due"] for c in counts}, late


class _Sources(NamedTuple):
    """What the formula takes for a set of people besides their cells, by person."""
    completion: dict[int, tuple[float, list[dict]]]
    effects: dict[int, Any]
    due_matters: dict[int, int]
    due_items: dict[int, int]
    overdue: dict[int, list[Source]]
    bonuses: dict[int, list[Source]]


async def _quarter_sources(period: dict, rows: list[dict]) -> _Sources:
    """Everything the formula needs for these appraisees besides their cells, in one query per
    source."""
    people = [r["person"] for r in rows]
    start, end = period["start"], period["end"]
    today = today_local()
    completion = await target_service.completion_by_person(period["year"], people)
    effects = await effects_for(people, start, end, today=today)
    due_m, matters = await _late_matters(people, start, end, today)
    items = await SupervisionItem.select(
        SupervisionItem.id, SupervisionItem.number, SupervisionItem.title, SupervisionItem.responsible_person,
        SupervisionItem.deadline, SupervisionItem.completed_on).where(
        one_of(SupervisionItem.responsible_person, people), SupervisionItem.deadline >= start,
        SupervisionItem.deadline <= end).run()
    bonuses = await Bonus.select(Bonus.id, Bonus.person, Bonus.kind, Bonus.points, Bonus.note, Bonus.awarded_on).where(
        one_of(Bonus.person, people), Bonus.awarded_on >= start, Bonus.awarded_on <= end,
        Bonus.is_void == False).run()  # noqa: E712
    due_i: dict[int, int] = {}
    late: dict[int, list[Source]] = {}
    for m in matters:
        late.setdefault(m["owner"], []).append(
            Source("matter", m["id"], _("办件“{s}”，{d} 到期").format(s=m["subject"], d=m["due_on"])))
    for it in items:
        p = it["responsible_person"]
        due_i[p] = due_i.get(p, 0) + 1
        if _is_late(it["completed_on"], it["deadline"], today):
            late.setdefault(p, []).append(
                Source("supervision", it["id"], _("{n}“{t}”，{d} 到期").format(n=it["number"], t=it["title"], d=it["deadline"])))
    bonus_by: dict[int, list[Source]] = {}
    for b in bonuses:
        kind = BONUS_KINDS.get(b["kind"], b["kind"])
        bonus_by.setdefault(b["person"], []).append(
            Source("bonus", b["id"], f"{kind}：{b['note']}（{b['awarded_on']}）", b["points"]))
    return _Sources(completion, effects, due_m, due_i, late, bonus_by)


def _quarter_inputs(rows: list[dict], cells: dict[int, dict[str, dict]], sources: _Sources) -> dict[int, Inputs]:
    """The formula's inputs of each appraisee, from their cells and the sources."""
    result = {}
    for r in rows:
        p = r["person"]
        comp = sources.completion.get(p)
        eff = sources.effects.get(p)
        result[r["id"]] = Inputs(
            cells={code: cell["value"] for code, cell in cells[r["id"]].items()},
            target_completion=comp[0] if comp else None,
            target_sources=tuple(Source("target", t["id"], f"{t['title']}（{t['weight']:g}%，{t['rolled']:g}%）")
                                 for t in comp[1]) if comp else (),
            accountability=tuple(Source("accountability", rec.id, f"{rec.form_name}（{rec.decided_on}）", rec.points)
                                 for rec in eff.records) if eff and eff.records else (),
            due_matters=sources.due_matters.get(p, 0), due_items=sources.due_items.get(p, 0),
            overdue=tuple(sources.overdue.get(p, ())), bonuses=tuple(sources.bonuses.get(p, ())),
        )
    return result


async def annual_numbers(period: dict, rows: list[dict]) -> dict[int, dict]:
    """Per appraisee of an annual period: the quarters behind the annual score, the score, the
    eligibility for 优秀 with every reason, and the accountability proposal of 不称职."""
    people = [r["person"] for r in rows]
    quarters = await Appraisee.select(
        Appraisee.person, Appraisee.total, Appraisee.grade, Appraisee.period.quarter.as_alias("quarter"),
    ).where(one_of(Appraisee.person, people), Appraisee.period.year == period["year"],
            Appraisee.period.kind == "quarter", Appraisee.total.is_not_null()).run()
    by_person: dict[int, dict[int, dict]] = {}
    for q in quarters:
        by_person.setdefault(q["person"], {})[q["quarter"]] = q
    effects = await effects_for(people, period["start"], period["end"])
    policy: Policy = period["policy"]
    result = {}
    for r in rows:
        qs = by_person.get(r["person"], {})
        eff = effects.get(r["person"])
        eligibility = rules.excellent_eligibility(
            [q["grade"] for q in qs.values()], eff.reasons if eff else (),
            bool(eff and not eff.eligible_for_excellent), policy)
        result[r["id"]] = {
            "quarters": [{"quarter": n, "total": qs[n]["total"] if n in qs else None,
                          "grade": qs[n]["grade"] if n in qs else ""} for n in (1, 2, 3, 4)],
            "score": rules.annual_score(q["total"] for q in qs.values()),
            "eligibility": eligibility,
            "propose_incompetent": bool(eff and eff.propose_incompetent),
            "accountability": [asdict(rec) for rec in (eff.records if eff else ())],
        }
    return result


async def numbers_of(period: dict, rows: list[dict], cells: dict[int, dict[str, dict]] | None = None
                     ) -> dict[int, dict]:
    """Total, grade and breakdown of each appraisee: frozen when their unit was submitted,
    computed live before (from `cells` of a quarter, when the caller has read them)."""
    return (await _numbers(period, rows, cells))[0]


async def numbers_and_cells(period: dict, rows: list[dict], submitted: set[str] | None = None
                            ) -> tuple[dict[int, dict], dict[int, dict[str, dict]]]:
    """`numbers_of` these appraisees, and their score cells (appraisee → indicator → cell; none
    in an annual period): a unit's grid and its submission show both. `submitted`: the period's
    submitted units, when the caller has read them."""
    return await _numbers(period, rows, None, submitted)


async def _numbers(period: dict, rows: list[dict], cells: dict[int, dict[str, dict]] | None,
                   submitted: set[str] | None = None) -> tuple[dict[int, dict], dict[int, dict[str, dict]]]:
    if submitted is None:
        submitted = await submitted_units(period["id"])
    live = [r for r in rows if r["unit"] not in submitted]
    result: dict[int, dict] = {}
    for r in rows:
        if r["unit"] in submitted:
            result[r["id"]] = {"total": r["total"], "grade": r["grade"] or None, "frozen": True,
                               "breakdown": msgspec.json.decode(r["breakdown"]) if r["breakdown"] else None,
                               "error": None}
    policy: Policy = period["policy"]
    if period["is_annual"]:
        numbers = await annual_numbers(period, live)
        for r in live:
            n = numbers[r["id"]]
            grade, error = None, None
            try:
                grade = rules.annual_grade(n["score"], r["grade_choice"] or None, n["eligibility"],
                                           n["propose_incompetent"], policy)
            except InvalidInput as exc:
                error = exc.message
            result[r["id"]] = {"total": n["score"], "grade": grade.value if grade else None, "frozen": False,
                               "breakdown": {**n, "eligibility": asdict(n["eligibility"])}, "error": error}
        return result, cells if cells is not None else {r["id"]: {} for r in rows}
    if not live:
        return result, cells if cells is not None else await _cells_of([r["id"] for r in rows])
    if cells is None:  # every row's cells (a submitted unit's grid shows them too)
        cells = await _cells_of([r["id"] for r in rows])
    sources = await _quarter_sources(period, live)
    if len(live) > FORMULA_ON_THE_LOOP:
        # The whole office's live numbers (an export, the ranking of everyone: 10,000 people)
        # are some tenths of a second of plain computation: in a worker thread, so that the
        # event loop goes on answering everyone else's requests meanwhile.
        result.update(await anyio.to_thread.run_sync(_live_numbers, period, live, cells, sources))
    else:
        result.update(_live_numbers(period, live, cells, sources))
    return result, cells


FORMULA_ON_THE_LOOP = 1000  # people: a unit's numbers (closing, its grid) are worked out in place


def _live_numbers(period: dict, live: list[dict], cells: dict[int, dict[str, dict]], sources: _Sources
                  ) -> dict[int, dict]:
    """Total, grade and breakdown of appraisees whose unit is not submitted, by the formula."""
    policy: Policy = period["policy"]
    inputs = _quarter_inputs(live, cells, sources)
    result: dict[int, dict] = {}
    for r in live:
        b = rules.score(period["indicators"], inputs[r["id"]], policy)
        grade, error = None, None
        try:
            grade = rules.quarter_grade(b.total, r["grade_choice"] or None, policy)
        except InvalidInput as exc:
            error = exc.message
        result[r["id"]] = {"total": b.total, "grade": grade.value if grade else None, "frozen": False,
                           "breakdown": rules.breakdown_dict(b), "error": error}
    return result

