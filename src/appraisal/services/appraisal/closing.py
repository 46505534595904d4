"""Closing a unit: the scorer submits it once everyone is scored and the top grade is within
the quota; every total, grade and breakdown is then frozen, each person audited and told, and
the last unit's submission ends the period's scoring."""

from __future__ import annotations

import contextlib

import msgspec

from appraisal.db.tables import Appraisee, Period, ScoreCell, UnitSubmission
from appraisal.db.transaction import atomic, for_update, is_sqlite
from appraisal.domain import appraisal as rules
from appraisal.domain.appraisal import PeriodStatus, Policy
from appraisal.errors import Conflict, Forbidden, InvalidInput, NotFound
from appraisal.i18n import _
from appraisal.scopes import Principal, may_score
from appraisal.services import audit
from appraisal.services.appraisal.breakdown import numbers_and_cells, submitted_units
from appraisal.services.appraisal.periods import QuotaExceeded, _require_writable, get_period
from appraisal.services.appraisal.results import require_visible_row
from appraisal.services.appraisal.scoring import _grid_answer, _quota_pct, _top_grade, _unit_rows
from appraisal.services.inbox import notify_many
from piccolo.query.methods.select import Sum

# Frozen breakdowns are JSON text: msgspec writes and reads it several times faster than the
# standard library (the freeze of a 10,000-person quarter writes 10,000 of them).
_BREAKDOWN_JSON = msgspec.json.Encoder(enc_hook=str)


async def submit_unit(actor: Principal, period_id: int, unit: str) -> dict:
    """The scorer submits a unit: every person scored, the top grade within the quota (else 409
    listing the people holding it), then totals, grades and breakdowns are frozen."""
    period = await get_period(period_id)
    rows = await _unit_rows(period_id, unit)
    if not rows:
        raise NotFound(_("考核单元不存在或无权查看"))
    if not any(may_score(actor, r["person"], r["pool"], r["section"]) for r in rows):
        require_visible_row(actor, rows[0])
        raise Forbidden(_("只有本单元的评分人可以提交"))
    _require_submittable(period["status"], period["name"])
    # On SQLite, whose write transactions take turns, a unit's numbers are worked out inside the
    # transaction that freezes them, so that submissions at the same moment run one after
    # another: interleaved, each held the writer while the others' numbers were worked out
    # between its statements. PostgreSQL works them out before, side by side. Closing a quarter
    # with every scorer at once (`benchmarks/closing.py --at-once`, 2,000 staff): 0.50 s on
    # SQLite interleaved against 0.42 s one after another; 1.40 s on PostgreSQL one after
    # another against 0.67 s side by side.
    async with atomic() if is_sqlite() else contextlib.nullcontext():
        return await _close_unit(actor, period, unit, rows)


async def _close_unit(actor: Principal, period: dict, unit: str, rows: list[dict]) -> dict:
    """`submit_unit` once the caller may submit: the checks on the unit's numbers, then the
    freeze (in a transaction of its own, or joining the caller's)."""
    period_id = period["id"]
    submitted = await submitted_units(period_id)
    if unit in submitted:  # by another tab, a moment ago
        raise Conflict(_("本单元评分已提交"), code="unit_submitted")
    numbers, cells = await numbers_and_cells(period, rows, submitted)
    missing = [r["name"] for r in rows if numbers[r["id"]]["total"] is None]
    if missing:
        raise InvalidInput(_("以下人员尚未评完分：{names}").format(names="、".join(missing)), code="incomplete",
                           detail={"people": missing})
    bad = [f"{r['name']}：{numbers[r['id']]['error']}" for r in rows if numbers[r["id"]]["error"]]
    if bad:
        raise InvalidInput("；".join(bad), code="bad_grade")
    policy: Policy = period["policy"]
    top = _top_grade(period)
    quota = rules.quota_state({r["id"]: numbers[r["id"]]["grade"] for r in rows}, top, _quota_pct(period),
                              policy.rounding)
    if quota.over:
        names = [r["name"] for r in rows if r["id"] in quota.holders]
        raise QuotaExceeded(
            _("“{g}”等次限 {p} 人，现有 {n} 人：{names}。请调整后再提交").format(
                g=rules.GRADE_LABELS[top], p=quota.places, n=quota.used, names="、".join(names)),
            detail={"places": quota.places, "people": names})
    async with atomic():
        await _freeze(actor, rows, numbers)
        await audit.insert(actor, UnitSubmission(period=period_id, unit=unit, submitted_by=actor.person_id))
        # Then the period's submissions one at a time (its row stays locked until the commit):
        # each sees those committed before it, so a unit is submitted once and the last of
        # several at the same moment ends the period. A refusal here rolls the freeze back.
        _require_submittable(await _lock_period(period_id), period["name"])
        units = await UnitSubmission.select(UnitSubmission.unit).where(UnitSubmission.period == period_id) \
            .output(as_list=True).run()
        if units.count(unit) > 1:
            raise Conflict(_("本单元评分已提交"), code="unit_submitted")
        submitted = set(units)
        last = await _all_submitted(period_id, submitted)
        if last:
            p = await Period.objects().get(Period.id == period_id).run()
            await audit.update(actor, p, {"status": PeriodStatus.SUBMITTED.value}, note=_("各单元均已提交"))
        # In the same transaction: the people are told exactly when their results are frozen,
        # and one commit serves both.
        # The key names the submission before the person: one submission's keys sort together,
        # so its inserts fill a few pages of the key's index instead of touching one page each
        # (SQLite: the insert and its commit about a fifth faster).
        published = last and rules.results_visible(PeriodStatus.SUBMITTED, policy)
        await notify_many([r["person"] for r in rows], f"scored:{period_id}:{len(submitted)}:{{person}}",
                          "appraisal", _("{name}的考核结果已公布，可在“我的考核”查看").format(name=period["name"])
                          if published else _("{name}的评分已提交，{pending}").format(
                              name=period["name"], pending=rules.results_pending_text(policy)))
        await _unit_unchanged(period_id, unit, rows, cells)
    # The answer is the unit as now frozen, from the numbers just written (the period is read
    # again when this was the last unit: its state changed).
    frozen = {i: {**n, "frozen": True} for i, n in numbers.items()}
    return await _grid_answer(actor, await get_period(period_id) if last else period, unit, rows, frozen, True, cells)


def _require_submittable(status: str, name: str) -> None:
    """Units are submitted while the period is being scored (checked before the work and again
    under the period's lock)."""
    _require_writable(status, name)
    if status != PeriodStatus.SCORING:
        raise Conflict(_("考核期当前为“{s}”，不能提交").format(s=PeriodStatus(status).label), code="not_scoring")


async def _lock_period(period_id: int) -> str:
    """The period's status, its row locked until the transaction ends (`for_update`; inserting a
    submission, a foreign key to the period, takes a key-share lock on it)."""
    return (await for_update(Period.select(Period.status).where(Period.id == period_id)).first().run())["status"]


async def _all_submitted(period_id: int, submitted: set[str]) -> bool:
    """Whether every unit of the period is among `submitted`: no appraisee of it is in another
    unit (the index on (period, unit) finds one at once while any is left)."""
    return not await Appraisee.exists().where(Appraisee.period == period_id,
                                              Appraisee.unit.not_in(list(submitted))).run()


async def _unit_unchanged(period_id: int, unit: str, rows: list[dict], cells: dict[int, dict[str, dict]]) -> None:
    """Inside the submission, last before its commit: refuse it (rolling the freeze back) if a
    cell or a grade choice of the unit changed after its numbers were computed (per person, the
    grade chosen and the sum of the cells' versions, which only grow). A write that commits
    later sees the submission and is refused (`scoring._hold_unsubmitted`); one that arrives
    while this transaction is open waits for it (on PostgreSQL for the person's row, which the
    freeze holds)."""
    read = {r["id"]: (r["grade_choice"], sum(c["version"] for c in cells.get(r["id"], {}).values())) for r in rows}
    choices = await Appraisee.select(Appraisee.id, Appraisee.grade_choice).where(
        Appraisee.period == period_id, Appraisee.unit == unit).run()
    versions = {c["appraisee"]: int(c["versions"]) for c in await ScoreCell.select(
        ScoreCell.appraisee, Sum(ScoreCell.version, alias="versions")).where(
        ScoreCell.appraisee.period == period_id, ScoreCell.appraisee.unit == unit).group_by(ScoreCell.appraisee).run()}
    now = {r["id"]: (r["grade_choice"], versions.get(r["id"], 0)) for r in choices}
    if now != read:
        raise Conflict(_("提交时本单元有评分或等次刚被修改，请核对后重新提交"), code="changed_during_submit")


# Every total, grade and breakdown of a unit in one statement per few hundred people, the
# values joined to the rows once (UPDATE … FROM, on both engines): one Piccolo update per person
# made closing a quarter (docs/benchmarks.md, `benchmarks/closing.py`) N statements a unit.
_FREEZE = ("WITH v(id, total, grade, breakdown) AS (VALUES {}) "
           "UPDATE appraisee SET total = v.total, grade = v.grade, breakdown = v.breakdown "
           "FROM v WHERE appraisee.id = v.id")
_FREEZE_ROW = "(CAST({} AS INTEGER), CAST({} AS DOUBLE PRECISION), CAST({} AS TEXT), CAST({} AS TEXT))"


async def _freeze(actor: Principal, rows: list[dict], numbers: dict[int, dict]) -> None:
    """Write the unit's numbers (`_FREEZE`), with an audit entry for each person."""
    frozen = {r["id"]: (numbers[r["id"]]["total"], numbers[r["id"]]["grade"] or "",
                        _BREAKDOWN_JSON.encode(numbers[r["id"]]["breakdown"]).decode()) for r in rows}
    ids = list(frozen)
    for start in range(0, len(ids), 300):
        chunk = ids[start:start + 300]
        await Appraisee.raw(_FREEZE.format(", ".join(_FREEZE_ROW for _id in chunk)),
                            *(value for i in chunk for value in (i, *frozen[i]))).run()
    await audit.record_many(actor, "update", "appraisee", [
        (r["id"], {"total": r["total"], "grade": r["grade"]},
         {"total": frozen[r["id"]][0], "grade": frozen[r["id"]][1]}) for r in rows], note=_("提交评分"))
