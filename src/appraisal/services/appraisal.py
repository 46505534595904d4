"""绩效考核 use cases: the policy and indicator template, periods and their lifecycle, the
scoring grid with stale-write protection, grades with quotas, unit submission, self-summaries
and the annual grade.

The numbers come from `domain.appraisal`; this module reads what they need in a few set-based
queries (never one per person) and writes with an audit entry in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import asdict
from typing import Any, NamedTuple

import anyio
import msgspec

from appraisal.db.tables import (
    Appraisee, Bonus, IndicatorTemplate, Matter, OfficeSetting, Period, Person, RoleGrant, ScoreCell, Section,
    SupervisionItem, UnitSubmission,
)
from appraisal.db.search import contains_any
from appraisal.db.transaction import (
    Prepared, atomic, duplicate_raises, engine, for_update, guarded_write, in_list, insert_in_batches, is_sqlite,
    list_value, one_at_a_time, one_of, read_point, run_native, side_by_side,
)
from appraisal.domain import appraisal as rules
from appraisal.domain.appraisal import (
    AnnualGrade, Indicator, Inputs, PeriodStatus, Policy, QuarterGrade, Source, SubItem,
)
from appraisal.domain.calendar import LOCAL_TZ, today_local
from appraisal.errors import Conflict, Forbidden, InvalidInput, NotFound
from appraisal.i18n import _
from appraisal.scopes import Principal, Role, may_score, read_scope, visible_where
from appraisal.services import audit
from appraisal.services import targets as target_service
from appraisal.services.accountability import effects_for
from appraisal.services.calendar import check_year
from appraisal.services.inbox import notify_many

POLICY_KEY = "appraisal_policy"
# Frozen breakdowns are JSON text: msgspec writes and reads it several times faster than the
# standard library (the freeze of a 10,000-person quarter writes 10,000 of them).
_BREAKDOWN_JSON = msgspec.json.Encoder(enc_hook=str)
LEADERS_UNIT = "leaders"
STAFF, LEADERS = "staff", "leaders"


class PeriodLocked(Conflict):
    code = "period_locked"


class StaleWrite(Conflict):
    code = "stale_write"


class QuotaExceeded(Conflict):
    code = "quota_exceeded"


def unit_of(pool: str, section_id: int | None) -> str:
    return LEADERS_UNIT if pool == LEADERS else f"section:{section_id}"


# --- policy and template ---------------------------------------------------------------------

async def get_policy() -> Policy:
    row = await OfficeSetting.select(OfficeSetting.value).where(OfficeSetting.key == POLICY_KEY).first().run()
    return Policy.from_dict(json.loads(row["value"])) if row else rules.DEFAULT_POLICY


async def set_policy(actor: Principal, values: dict[str, Any]) -> Policy:
    """Change the office's numbers for periods opened from now on (admin)."""
    if not actor.has(Role.ADMIN):
        raise Forbidden(_("只有管理员可以修改考核参数"))
    policy = Policy.from_dict({**(await get_policy()).to_dict(), **values})
    async with atomic():
        row = await OfficeSetting.objects().get(OfficeSetting.key == POLICY_KEY).run()
        text = json.dumps(policy.to_dict(), ensure_ascii=False, sort_keys=True)
        if row is None:
            await audit.insert(actor, OfficeSetting(key=POLICY_KEY, value=text))
        else:
            await audit.update(actor, row, {"value": text})
    return policy


@functools.lru_cache(maxsize=64)
def _indicators_from_json(text: str) -> tuple[Indicator, ...]:
    """A template's indicators (immutable, so the few templates' are parsed once each: every
    cell write reads its template's)."""
    return tuple(Indicator(i["code"], i["name"], i["weight"], tuple(SubItem(s["name"], s["weight"]) for s in i.get("sub_items", ())))
                 for i in json.loads(text))


def _indicators_to_json(indicators: tuple[Indicator, ...]) -> str:
    return json.dumps([asdict(i) for i in indicators], ensure_ascii=False)


async def current_template() -> dict:
    """The newest template version; the default 德能勤绩廉 is stored as version 1 on first use."""
    row = await IndicatorTemplate.select().order_by(IndicatorTemplate.version, ascending=False).first().run()
    if row is None:
        async with atomic():
            row = await IndicatorTemplate.select().order_by(IndicatorTemplate.version, ascending=False).first().run()
            if row is None:
                created = await audit.insert(None, IndicatorTemplate(
                    version=1, indicators=_indicators_to_json(rules.DEFAULT_TEMPLATE), note=_("默认模板")))
                row = {"id": created.id, "version": 1, "indicators": created.indicators, "note": created.note,
                       "created_at": created.created_at}
    return {**row, "indicators": _indicators_from_json(row["indicators"])}


async def save_template(actor: Principal, indicators: list[Indicator], note: str = "") -> dict:
    """A new template version for periods opened from now on (admin)."""
    if not actor.has(Role.ADMIN):
        raise Forbidden(_("只有管理员可以修改考核指标"))
    indicators = tuple(indicators)
    rules.validate_template(indicators)
    changed = Conflict(_("考核指标刚被他人修改，请刷新后重试"), code="template_changed")
    async with atomic(), duplicate_raises(changed):  # two saves at once both take the next version
        latest = await current_template()
        row = await audit.insert(actor, IndicatorTemplate(version=latest["version"] + 1,
                                                          indicators=_indicators_to_json(indicators), note=note[:200]))
    return {"id": row.id, "version": row.version, "indicators": indicators, "note": row.note}


# --- periods ---------------------------------------------------------------------------------

def _period_dict(row: dict) -> dict:
    status = PeriodStatus(row["status"])
    return {**row, "name": rules.period_name(row["year"], row["quarter"]), "status_label": status.label,
            "is_annual": row["kind"] == "year"}


async def create_period(actor: Principal, year: int, quarter: int | None) -> dict:
    if not actor.has(Role.ADMIN):
        raise Forbidden(_("只有管理员可以建立考核期"))
    if not 2000 <= year <= 2100:
        raise InvalidInput(_("年度无效"), code="bad_year")
    rules.period_range(year, quarter)
    code = f"{year}Q{quarter}" if quarter else str(year)
    template = await current_template()
    policy = await get_policy()
    exists = Conflict(_("{name}已存在").format(name=rules.period_name(year, quarter)), code="period_exists")
    async with atomic(), duplicate_raises(exists):
        if await Period.exists().where(Period.code == code).run():
            raise exists
        row = await audit.insert(actor, Period(
            code=code, kind="quarter" if quarter else "year", year=year, quarter=quarter or 0,
            template=template["id"], policy=json.dumps(policy.to_dict(), ensure_ascii=False),
            status=PeriodStatus.DRAFT.value))
    return await get_period(row.id)


async def list_periods() -> list[dict]:
    rows = await Period.select().order_by(Period.year, ascending=False).order_by(Period.quarter, ascending=False).run()
    return [_period_dict(r) for r in rows]


PERIOD_COLUMNS = (
    Period.id, Period.code, Period.kind, Period.year, Period.quarter, Period.template, Period.policy, Period.status,
    Period.excellent_approval, Period.created_at,
    Period.template.indicators.as_alias("template_indicators"), Period.template.version.as_alias("template_version"),
)


_PERIOD = Prepared(lambda p: Period.select(*PERIOD_COLUMNS).where(Period.id == p.id))


async def get_period(period_id: int) -> dict:
    """A period with its template (one query): name, indicators, policy and date range."""
    row = await _PERIOD.first(id=period_id)
    if row is None:
        raise NotFound(_("考核期不存在"))
    indicators, version = row.pop("template_indicators"), row.pop("template_version")
    period = _period_dict(row)
    period["indicators"] = _indicators_from_json(indicators)
    period["template_version"] = version
    period["policy"] = Policy.from_dict(json.loads(row["policy"]))
    period["start"], period["end"] = rules.period_range(row["year"], row["quarter"])
    return period


def _require_writable(status: str, name: str) -> None:
    if status == PeriodStatus.LOCKED:
        raise PeriodLocked(_("{name}已锁定，不能修改。如需更正，请领导重新开启").format(name=name))


async def _appraised_people() -> list[dict]:
    """Who is appraised: active people in a section, except office leaders (appraised by their
    superiors). Section chiefs form the leaders' pool, scored by the leaders over them."""
    roles = await RoleGrant.select(RoleGrant.account.person.as_alias("person"), RoleGrant.role).run()
    by_person: dict[int, set[str]] = {}
    for r in roles:
        if r["person"] is not None:
            by_person.setdefault(r["person"], set()).add(r["role"])
    people = await Person.select(Person.id, Person.section).where(
        Person.is_active == True, Person.section.is_not_null()).run()  # noqa: E712
    result = []
    for p in people:
        held = by_person.get(p["id"], set())
        if Role.LEADER in held:
            continue
        pool = LEADERS if Role.CHIEF in held else STAFF
        result.append({"person": p["id"], "section": p["section"], "pool": pool, "unit": unit_of(pool, p["section"])})
    return result


async def _period_for_step(period_id: int) -> Period | None:
    """The period a step changes, read inside the step's transaction with its row locked: two
    admins opening it at the same moment open it once (the second finds it open already)."""
    return await for_update(Period.objects().where(Period.id == period_id)).first().run()


async def advance(actor: Principal, period_id: int, to: str) -> dict:
    """Move a period one step on its lifecycle. Opening it (→ 个人总结) fixes who is appraised."""
    if not actor.has(Role.ADMIN, Role.LEADER):
        raise Forbidden(_("只有考核办或领导可以推进考核期"))
    try:
        target = PeriodStatus(to)
    except ValueError:
        raise InvalidInput(_("未知的考核期状态"), code="bad_status") from None
    steps = {
        (PeriodStatus.DRAFT, PeriodStatus.SELF_SUMMARY): (Role.ADMIN,),
        (PeriodStatus.SELF_SUMMARY, PeriodStatus.SCORING): (Role.ADMIN,),
        (PeriodStatus.SUBMITTED, PeriodStatus.REVIEWED): (Role.LEADER,),
        (PeriodStatus.REVIEWED, PeriodStatus.LOCKED): (Role.LEADER, Role.ADMIN),
    }
    async with atomic():
        period = await _period_for_step(period_id)
        if period is None:
            raise NotFound(_("考核期不存在"))
        current = PeriodStatus(period.status)
        allowed = steps.get((current, target))
        if allowed is None:
            _require_writable(period.status, rules.period_name(period.year, period.quarter))
            raise Conflict(_("考核期当前为“{a}”，不能改为“{b}”").format(a=current.label, b=target.label), code="bad_transition")
        if not actor.has(*allowed):
            raise Forbidden(_("您没有权限执行此操作"))
        if target == PeriodStatus.SELF_SUMMARY:
            await _open(actor, period)
        await audit.update(actor, period, {"status": target.value})
    name = rules.period_name(period.year, period.quarter)
    if target == PeriodStatus.SELF_SUMMARY:
        people = await Appraisee.select(Appraisee.person).where(Appraisee.period == period_id).output(as_list=True).run()
        await notify_many(people, f"period-open:{period_id}:{{person}}", "appraisal",
                          _("{name}已开始，请填写个人总结").format(name=name))
    elif target.value == Policy.from_dict(json.loads(period.policy)).results_shown_at:
        people = await Appraisee.select(Appraisee.person).where(Appraisee.period == period_id).output(as_list=True).run()
        await notify_many(people, f"scored:{period_id}:published:{{person}}", "appraisal",
                          _("{name}的考核结果已公布，可在“我的考核”查看").format(name=name))
    return await get_period(period_id)


async def _open(actor: Principal, period: Period) -> None:
    people = await _appraised_people()
    if not people:
        raise InvalidInput(_("没有可参加考核的人员"), code="nobody")
    template = await IndicatorTemplate.select().where(IndicatorTemplate.id == period.template).first().run()
    codes = [i.code for i in _indicators_from_json(template["indicators"])]
    # Unit by unit: a unit's rows, and so its cells, lie side by side in the tables, and reading
    # or freezing a unit touches a few pages instead of one page per person.
    people.sort(key=lambda p: (p["unit"], p["person"]))
    await insert_in_batches(Appraisee, [Appraisee(period=period.id, **p) for p in people])
    await audit.record(actor, "create", "appraisee", period.id, new={"people": len(people)},
                       note=_("开启考核期，确定参加考核人员"))
    if period.kind == "quarter":
        ids = await Appraisee.select(Appraisee.id).where(Appraisee.period == period.id).order_by(Appraisee.id) \
            .output(as_list=True).run()
        await insert_in_batches(ScoreCell, [ScoreCell(appraisee=a, indicator=c) for a in ids for c in codes])


async def reopen(actor: Principal, period_id: int, reason: str) -> dict:
    """A leader reopens a locked (or reviewed/submitted) period for corrections: it goes back to
    scoring and every unit must submit again. The reason is audited."""
    if not actor.has(Role.LEADER):
        raise Forbidden(_("只有领导可以重新开启考核期"))
    reason = reason.strip()
    if not reason or len(reason) > 500:
        raise InvalidInput(_("请填写重新开启的理由（不超过 500 字）"), code="reason_required")
    async with atomic():
        period = await _period_for_step(period_id)
        if period is None:
            raise NotFound(_("考核期不存在"))
        if period.status not in (PeriodStatus.SUBMITTED, PeriodStatus.REVIEWED, PeriodStatus.LOCKED):
            raise Conflict(_("只有已提交、已审核或已锁定的考核期可以重新开启"), code="bad_transition")
        for sub in await UnitSubmission.objects().where(UnitSubmission.period == period_id).run():
            await audit.delete(actor, sub, note=reason)
        await audit.update(actor, period, {"status": PeriodStatus.SCORING.value}, note=_("重新开启：{r}").format(r=reason))
    return await get_period(period_id)


async def set_excellent_approval(actor: Principal, period_id: int, approval: str) -> dict:
    """Record the approval (e.g. a document number) that allows the higher 优秀 share."""
    if not actor.has(Role.LEADER, Role.ADMIN):
        raise Forbidden(_("只有领导或管理员可以登记批准"))
    async with atomic():
        period = await _period_for_step(period_id)
        if period is None:
            raise NotFound(_("考核期不存在"))
        _require_writable(period.status, rules.period_name(period.year, period.quarter))
        if period.kind != "year":
            raise InvalidInput(_("只有年度考核可以提高优秀比例"), code="not_annual")
        await audit.update(actor, period, {"excellent_approval": approval.strip()[:200]})
    return await get_period(period_id)


# --- reading appraisees with their numbers ---------------------------------------------------

APPRAISEE_COLUMNS = (
    Appraisee.id, Appraisee.period, Appraisee.person, Appraisee.section, Appraisee.pool, Appraisee.unit,
    Appraisee.self_summary, Appraisee.self_summary_at, Appraisee.comment, Appraisee.grade_choice,
    Appraisee.total, Appraisee.grade, Appraisee.breakdown,
    Appraisee.committee_opinion, Appraisee.remarks, Appraisee.notified_on,
    Appraisee.person.name.as_alias("name"), Appraisee.person.name_pinyin.as_alias("name_pinyin"),
    Appraisee.person.post_rank.as_alias("post_rank"), Appraisee.section.name.as_alias("section_name"),
    Appraisee.section.sort_order.as_alias("section_order"),
)


_SUBMITTED = Prepared(lambda p: UnitSubmission.select(UnitSubmission.unit).where(UnitSubmission.period == p.period))


async def submitted_units(period_id: int) -> set[str]:
    return {r["unit"] for r in await _SUBMITTED.run(period=period_id)}


def _local_date(value: dt.datetime | None) -> dt.date | None:
    return value.astimezone(LOCAL_TZ).date() if value is not None else None


def _completed_after_due_sql() -> str:
    """SQL for "completed on a local date after the matter's due date": at or after the local
    midnight that ends the due date, which is UTC (how completions are stored) minus the offset."""
    if is_sqlite():
        # Piccolo stores str() of the UTC time ("2026-11-10 16:10:00+00:00"), text that sorts as
        # time: the bound is the due date's text with the UTC hour of local midnight (" 16" for
        # UTC+8, a whole-hour zone), 2.5 times faster to compare than a strftime() per matter.
        hour = 24 - int(LOCAL_TZ.utcoffset(dt.datetime(2000, 1, 1)).total_seconds() // 3600)
        return f"completed_at >= due_on || ' {hour:02d}'"
    return f"completed_at >= (due_on + 1)::timestamp AT TIME ZONE '{LOCAL_TZ.key}'"


def _is_late(done: dt.date | None, due: dt.date, today: dt.date) -> bool:
    """Completed after its due date, or still open past it (local dates)."""
    return done > due if done is not None else due < today


_CELLS = Prepared(lambda p: ScoreCell.select(ScoreCell.id, ScoreCell.appraisee, ScoreCell.indicator, ScoreCell.value,
                                              ScoreCell.version).where(one_of(ScoreCell.appraisee, p.many("ids"))))


async def _cells_of(appraisee_ids: list[int]) -> dict[int, dict[str, dict]]:
    """The score cells of these appraisees: appraisee → indicator → cell (id, value, version)."""
    cells: dict[int, dict[str, dict]] = {i: {} for i in appraisee_ids}
    for c in await _CELLS.run(ids=appraisee_ids):
        cells[c["appraisee"]][c["indicator"]] = c
    return cells


def _due_and_late_sql() -> str:
    """Per owner among `?` (the people) of the matters due in [?, ?]: how many, and the ids of
    the late ones (completed after the due date, or open past it on `?`, today), in one pass
    over the index on (owner, due_on, completed_at)."""
    late = f"(completed_at IS NULL AND due_on < ?) OR {_completed_after_due_sql()}"
    ids = "json_group_array(id)" if is_sqlite() else "array_agg(id)"
    return (f"SELECT owner, COUNT(*) AS due, {ids} FILTER (WHERE {late}) AS late FROM matter "
            f"WHERE {in_list('owner')} AND due_on >= ? AND due_on <= ? GROUP BY owner")


async def _due_and_late(people: list[int], start: dt.date, end: dt.date, today: dt.date) -> list[dict]:
    rows = await run_native(_due_and_late_sql(), [today, list_value(people), start, end])
    if is_sqlite():
        for r in rows:
            r["late"] = msgspec.json.decode(r["late"])  # a JSON array of ids: 0.3 µs against 1.8 with json
    return rows


_LATE_DETAILS = Prepared(lambda p: Matter.select(
    Matter.id, Matter.owner, Matter.due_on, Matter.completed_at, Matter.subject).where(one_of(Matter.id, p.many("ids"))))
_ITEMS_DUE = Prepared(lambda p: SupervisionItem.select(
    SupervisionItem.id, SupervisionItem.number, SupervisionItem.title, SupervisionItem.responsible_person,
    SupervisionItem.deadline, SupervisionItem.completed_on).where(
    one_of(SupervisionItem.responsible_person, p.many("people")), SupervisionItem.deadline >= p.start,
    SupervisionItem.deadline <= p.end))
_BONUSES = Prepared(lambda p: Bonus.select(
    Bonus.id, Bonus.person, Bonus.kind, Bonus.points, Bonus.note, Bonus.awarded_on).where(
    one_of(Bonus.person, p.many("people")), Bonus.awarded_on >= p.start, Bonus.awarded_on <= p.end,
    Bonus.is_void == False))  # noqa: E712


async def _late_matters(people: list[int], start: dt.date, end: dt.date, today: dt.date
                        ) -> tuple[list[dict], list[dict]]:
    """Per owner, how many matters fell due in [start, end], and the late ones with their
    subjects. They are counted in the database and only the late ones come back, read by their
    ids (the test is made again here, in Python, on local dates)."""
    due_counts = await _due_and_late(people, start, end, today)
    late_ids = [i for c in due_counts for i in c["late"] or ()]
    matters = [m for m in await _LATE_DETAILS.run(ids=late_ids)
               if _is_late(_local_date(m["completed_at"]), m["due_on"], today)] if late_ids else []
    return due_counts, matters


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
    source, the sources read side by side."""
    people = [r["person"] for r in rows]
    start, end = period["start"], period["end"]
    today = today_local()
    span = dict(people=people, start=start, end=end)
    completion, effects, (due_counts, matters), items, bonuses = await side_by_side(
        target_service.completion_by_person(period["year"], people), effects_for(people, start, end, today=today),
        _late_matters(people, start, end, today), _ITEMS_DUE.run(**span), _BONUSES.run(**span))
    due_m = {c["owner"]: c["due"] for c in due_counts}
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


async def numbers_and_cells(period: dict, rows: list[dict]) -> tuple[dict[int, dict], dict[int, dict[str, dict]]]:
    """`numbers_of` these appraisees, and their score cells (appraisee → indicator → cell; none
    in an annual period), read at the same time as the other sources: a unit's grid and its
    submission show both."""
    return await _numbers(period, rows, None)


async def _numbers(period: dict, rows: list[dict], cells: dict[int, dict[str, dict]] | None
                   ) -> tuple[dict[int, dict], dict[int, dict[str, dict]]]:
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
    if cells is None:  # every row's cells (a submitted unit's grid shows them too), beside the sources
        cells, sources = await side_by_side(_cells_of([r["id"] for r in rows]), _quarter_sources(period, live))
    else:
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


def _top_grade(period: dict) -> str:
    return AnnualGrade.EXCELLENT.value if period["is_annual"] else QuarterGrade.GOOD.value


def _quota_pct(period: dict) -> float:
    policy: Policy = period["policy"]
    if not period["is_annual"]:
        return policy.good_quota_pct
    return policy.excellent_quota_pct_approved if period["excellent_approval"] else policy.excellent_quota_pct


_UNIT_ROWS = Prepared(lambda p: Appraisee.select(*APPRAISEE_COLUMNS).where(
    Appraisee.period == p.period, Appraisee.unit == p.unit).order_by(Appraisee.person.name_pinyin))


async def _unit_rows(period_id: int, unit: str) -> list[dict]:
    return await _UNIT_ROWS.run(period=period_id, unit=unit)


def unit_label(unit: str, section_names: dict[int, str]) -> str:
    if unit == LEADERS_UNIT:
        return _("科室负责人")
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
    numbers, cells = await numbers_and_cells(period, all_rows)
    return await _grid_answer(actor, period, unit, all_rows, numbers, unit in await submitted_units(period_id), cells)


_SECTION_NAMES = Prepared(lambda p: Section.select(Section.id, Section.name))


async def _grid_answer(actor: Principal, period: dict, unit: str, all_rows: list[dict], numbers: dict[int, dict],
                       submitted: bool, cells: dict[int, dict[str, dict]]) -> dict:
    scope = read_scope(actor)
    rows = [r for r in all_rows if scope.contains(r["person"], r["section"])]
    policy: Policy = period["policy"]
    names = {s["id"]: s["name"] for s in await _SECTION_NAMES.run()}
    people = [shown_to(actor, {**r, **numbers[r["id"]], "cells": cells[r["id"]],
                               "may_score": may_score(actor, r["person"], r["pool"], r["section"])}, period)
              for r in rows]
    # Whoever's own results are hidden does not learn how many colleagues hold the top grade.
    quota = None if any(p["hidden"] for p in people) else rules.quota_state(
        {r["id"]: numbers[r["id"]]["grade"] for r in all_rows}, _top_grade(period), _quota_pct(period), policy.rounding)
    return {"period": period, "unit": unit, "label": unit_label(unit, names), "people": people,
            "submitted": submitted, "quota": quota, "quota_pct": _quota_pct(period),
            "editable": (period["status"] == PeriodStatus.SCORING and not submitted),
            "may_edit": (period["status"] == PeriodStatus.SCORING and not submitted
                         and any(p["may_score"] for p in people))}


async def appraisee_row(appraisee_id: int) -> dict:
    row = await Appraisee.select(*APPRAISEE_COLUMNS).where(Appraisee.id == appraisee_id).first().run()
    if row is None:
        raise NotFound(_("考核记录不存在"))
    return row


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


def require_visible_row(actor: Principal, row: dict) -> None:
    if not read_scope(actor).contains(row["person"], row["section"]):
        raise NotFound(_("考核记录不存在"))


# Everything a cell write checks, read in one statement: the write path of a scoring session.
# On PostgreSQL also the version of the person's row (its xmin, which every update of the row
# changes), for the write's lock below.
def _cell_context(row_version: str) -> str:
    return f"""
SELECT c.id, c.appraisee, c.indicator, c.value, c.version, c.updated_by, c.updated_at,
       a.person, a.section, a.pool, a.unit, a.period, {row_version} AS row_version, p.name AS name,
       per.year, per.quarter, per.kind, per.status, t.indicators,
       EXISTS (SELECT 1 FROM unit_submission s WHERE s.period = a.period AND s.unit = a.unit) AS submitted
FROM score_cell c
JOIN appraisee a ON a.id = c.appraisee
JOIN person p ON p.id = a.person
JOIN appraisal_period per ON per.id = a.period
JOIN indicator_template t ON t.id = per.template
WHERE c.id = ?
"""


_CELL_CONTEXT = {"sqlite": _cell_context("NULL"), "postgres": _cell_context("a.xmin::text::bigint")}
# The write itself, applied only if the version is still the one read and the unit was not
# submitted since (a hand-written statement: Piccolo's building of it took longer than SQLite's
# running it). A submission checks, last before it commits, that its unit's cells are as it
# froze them (`_unit_unchanged`): together they keep a cell written at the moment its unit is
# submitted from differing from the frozen numbers. On SQLite, whose writes take turns, that
# is enough. On PostgreSQL a write that begins before a submission commits does not see it;
# so the write also locks the person's row (FOR SHARE) as it was read. A freeze holding that
# row makes the write wait, and the freeze's update gives the row a new version, so the write
# then applies nothing; a write holding it makes the freeze wait, and the submission's check
# then sees the new cell.
_CELL_WRITE_SQLITE = ('UPDATE score_cell SET value = ?, version = ?, updated_by = ?, updated_at = ? '
                      'WHERE id = ? AND version = ? AND NOT EXISTS '
                      '(SELECT 1 FROM unit_submission s WHERE s.period = ? AND s.unit = ?)')
_CELL_WRITE = {
    "sqlite": _CELL_WRITE_SQLITE + " RETURNING id",
    "postgres": _CELL_WRITE_SQLITE + (" AND EXISTS (SELECT 1 FROM appraisee a WHERE a.id = ? "
                                      "AND a.xmin = CAST(? AS xid) FOR SHARE) RETURNING id"),
}
CELL_FIELDS = ("id", "appraisee", "indicator", "value", "version", "updated_by", "updated_at")


async def save_cell(actor: Principal, cell_id: int, value: float | None, version: int, *,
                    again: bool = True) -> dict:
    """Save one grid cell if nobody changed it since `version` was read; otherwise 409 with the
    current value, so a stale tab never overwrites another scorer's entry."""
    kind = engine().engine_type
    found = await read_point(_CELL_CONTEXT[kind], [cell_id])
    if not found:
        raise NotFound(_("评分项不存在"))
    ctx = found[0]
    period = {"id": ctx["period"], "status": ctx["status"], "status_label": PeriodStatus(ctx["status"]).label,
              "name": rules.period_name(ctx["year"], ctx["quarter"])}
    await _require_scorer(actor, ctx, period, submitted=bool(ctx["submitted"]))
    indicator = next((i for i in _indicators_from_json(ctx["indicators"]) if i.code == ctx["indicator"]), None)
    if indicator is None:
        raise NotFound(_("评分项不存在"))
    value = rules.check_cell(indicator, value)
    current = {k: ctx[k] for k in CELL_FIELDS}

    def stale(latest: dict) -> StaleWrite:
        return StaleWrite(_("{name}的“{ind}”已被他人改为 {v}，请核对后再改").format(
            name=ctx["name"], ind=indicator.name, v="—" if latest["value"] is None else f"{latest['value']:g}"),
            detail={"value": latest["value"], "version": latest["version"]})

    if current["version"] != version:
        raise stale(current)
    if current["value"] == value:
        return current
    # The version read above is the one the caller holds, so the value read with it is the old
    # value; the UPDATE below only applies if the version is still that one.
    now = dt.datetime.now(dt.timezone.utc)
    changed = await guarded_write(
        (_CELL_WRITE[kind], [value, version + 1, actor.person_id, now, cell_id, version, ctx["period"], ctx["unit"],
                             *([] if kind == "sqlite" else [ctx["appraisee"], ctx["row_version"]])]),
        audit.entry(actor, "update", "score_cell", cell_id, old={"value": current["value"]}, new={"value": value},
                    note=f"{ctx['name']} · {indicator.name}"))
    if not changed:  # another writer, or the unit's submission, committed after our read
        latest = await ScoreCell.select(ScoreCell.value, ScoreCell.version).where(ScoreCell.id == cell_id).first().run()
        if latest is None:
            raise NotFound(_("评分项不存在"))
        if latest["version"] != version:
            raise stale(latest)
        if again and ctx["unit"] not in await submitted_units(ctx["period"]):
            # PostgreSQL: the person's row changed between the read and the write (a summary or a
            # comment saved at that moment), not the cell: read it again and write once more.
            return await save_cell(actor, cell_id, value, version, again=False)
        raise Conflict(_("本单元评分已提交，不能修改"), code="unit_submitted")
    return {**current, "value": value, "version": version + 1, "updated_by": actor.person_id, "updated_at": now}


async def _before_submission(row: dict, submitted: Conflict) -> Appraisee:
    """Inside a transaction: the person's row, locked, once it is sure that their unit has not
    been submitted since `row` was read (else `submitted` is raised). A submission freezing the
    row holds its lock until it commits, so the check after the lock sees that submission."""
    record = await for_update(Appraisee.objects().where(Appraisee.id == row["id"])).first().run()
    if row["unit"] in await submitted_units(row["period"]):
        raise submitted
    return record


async def set_grade(actor: Principal, appraisee_id: int, grade_choice: str | None, comment: str | None = None) -> None:
    """The scorer lowers a grade (to respect the quota) or proposes 优秀 (annual), and comments."""
    row = await appraisee_row(appraisee_id)
    period = await get_period(row["period"])
    await _require_scorer(actor, row, period)
    choice = grade_choice or ""
    if choice:
        allowed = AnnualGrade if period["is_annual"] else QuarterGrade
        if choice not in {g.value for g in allowed}:
            raise InvalidInput(_("等次无效"), code="bad_grade")
        if period["is_annual"]:
            annual = (await annual_numbers(period, [row]))[row["id"]]
            rules.annual_grade(annual["score"], choice, annual["eligibility"], annual["propose_incompetent"],
                               period["policy"])
        else:
            total = (await numbers_of(period, [row]))[row["id"]]["total"]
            if total is not None:
                rules.quarter_grade(total, choice, period["policy"])
    if comment is not None and len(comment) > 2000:
        raise InvalidInput(_("评语不超过 2000 字"), code="too_long")
    async with atomic():
        # A submission that comes later sees this choice in `_unit_unchanged`.
        record = await _before_submission(row, Conflict(_("本单元评分已提交，不能修改"), code="unit_submitted"))
        changes: dict[str, Any] = {"grade_choice": choice}
        if comment is not None:
            changes["comment"] = comment.strip()
        await audit.update(actor, record, changes, note=row["name"])


def may_record_registration(actor: Principal, row: dict) -> bool:
    """A leader over the person's section, or the appraisal office; never for oneself."""
    over = actor.has(Role.ADMIN) or (actor.has(Role.LEADER) and row["section"] in actor.led_section_ids)
    return over and row["person"] != actor.person_id


async def record_registration(actor: Principal, appraisee_id: int, committee_opinion: str, remarks: str,
                              notified_on: dt.date | None) -> None:
    """After an annual unit is submitted, a leader over the person's section (or the appraisal
    office) records what the 年度考核登记表 needs besides the scores: the committee's opinion,
    the notes and the date the person was told their grade."""
    row = await appraisee_row(appraisee_id)
    require_visible_row(actor, row)
    period = await get_period(row["period"])
    if not may_record_registration(actor, row):
        raise Forbidden(_("只有分管领导或考核办可以填写考核委员会意见"))
    if not period["is_annual"]:
        raise InvalidInput(_("只有年度考核需要填写登记表"), code="not_annual")
    _require_writable(period["status"], period["name"])
    if row["unit"] not in await submitted_units(period["id"]):
        raise Conflict(_("本单元评分提交后才能填写考核委员会意见"), code="not_submitted")
    committee_opinion, remarks = committee_opinion.strip(), remarks.strip()
    if len(committee_opinion) > 2000 or len(remarks) > 2000:
        raise InvalidInput(_("意见和备注各不超过 2000 字"), code="too_long")
    if notified_on is not None and not (period["start"] <= notified_on <= today_local() + dt.timedelta(days=366)):
        raise InvalidInput(_("通知日期应在考核年度开始之后"), code="bad_date")
    async with atomic():
        record = await Appraisee.objects().get(Appraisee.id == appraisee_id).run()
        await audit.update(actor, record, {"committee_opinion": committee_opinion, "remarks": remarks,
                                           "notified_on": notified_on}, note=row["name"])


async def save_summary(actor: Principal, appraisee_id: int, text: str) -> None:
    """A person writes their own self-summary (自我总结) while the period allows it."""
    row = await appraisee_row(appraisee_id)
    if row["person"] != actor.person_id:
        require_visible_row(actor, row)
        raise Forbidden(_("只能填写本人的总结"))
    period = await get_period(row["period"])
    _require_writable(period["status"], period["name"])
    if period["status"] not in (PeriodStatus.SELF_SUMMARY, PeriodStatus.SCORING):
        raise Conflict(_("考核期当前为“{s}”，不能填写总结").format(s=period["status_label"]), code="not_open")
    if row["unit"] in await submitted_units(period["id"]):
        raise Conflict(_("评分已提交，总结不能再修改"), code="unit_submitted")
    text = text.strip()
    if len(text) > 5000:
        raise InvalidInput(_("总结不超过 5000 字"), code="too_long")
    async with atomic():
        record = await _before_submission(row, Conflict(_("评分已提交，总结不能再修改"), code="unit_submitted"))
        await audit.update(actor, record, {"self_summary": text, "self_summary_at": dt.datetime.now(dt.timezone.utc)})


async def submit_unit(actor: Principal, period_id: int, unit: str) -> dict:
    """The scorer submits a unit: every person scored, the top grade within the quota (else 409
    listing the people holding it), then totals, grades and breakdowns are frozen."""
    if not is_sqlite():
        return await _submit_unit(actor, period_id, unit)
    # SQLite writes one transaction at a time. Submissions interleaved on this event loop held
    # the writer while the loop computed the other submissions' numbers between its statements:
    # 51 at once took 1.4 times as long as one after another (4.7–4.8 against 3.2–3.4 s). One
    # at a time, each finishes in its own share of that time. PostgreSQL runs them side by side.
    async with one_at_a_time("submit_unit"):
        return await _submit_unit(actor, period_id, unit)


async def _submit_unit(actor: Principal, period_id: int, unit: str) -> dict:
    period = await get_period(period_id)
    rows = await _unit_rows(period_id, unit)
    if not rows:
        raise NotFound(_("考核单元不存在或无权查看"))
    if not any(may_score(actor, r["person"], r["pool"], r["section"]) for r in rows):
        require_visible_row(actor, rows[0])
        raise Forbidden(_("只有本单元的评分人可以提交"))
    _require_submittable(period["status"], period["name"])
    numbers, cells = await numbers_and_cells(period, rows)
    missing = [r["name"] for r in rows if numbers[r["id"]]["total"] is None]
    if missing:
        raise InvalidInput(_("以下人员尚未评完分：{names}").format(names="、".join(missing)), code="incomplete",
                           detail={"people": missing})
    bad = [f"{r['name']}：{numbers[r['id']]['error']}" for r in rows if numbers[r["id"]]["error"]]
    if bad:
        raise InvalidInput("；".join(bad), code="bad_grade")
    policy: Policy = period["policy"]
    top = _top_grade(period)
    quota = rules.quota_state({r["id"]: numbers[r["id"]]["grade"] for r in rows}, top, _quota_pct(period), policy.rounding)
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
        units = [r["unit"] for r in await _SUBMITTED.run(period=period_id)]
        if units.count(unit) > 1:
            raise Conflict(_("本单元评分已提交"), code="unit_submitted")
        submitted = set(units)
        last = await _units_of_period(period_id) <= submitted
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


_PERIOD_LOCKED = Prepared(lambda p: for_update(Period.select(Period.status).where(Period.id == p.id)))


async def _lock_period(period_id: int) -> str:
    """The period's status, its row locked until the transaction ends (`for_update`; inserting a
    submission, a foreign key to the period, takes a key-share lock on it)."""
    return (await _PERIOD_LOCKED.first(id=period_id))["status"]


# The distinct units of a period, one index probe each on (period, unit) instead of reading
# every appraisee of the period (10,000 index entries in a large office, 2.6 ms on PostgreSQL
# against 0.2 ms): each step asks for the smallest unit after the one before.
_UNITS_OF_PERIOD = """
WITH RECURSIVE u(unit) AS (
    SELECT MIN(unit) FROM appraisee WHERE period = ?
    UNION ALL
    SELECT (SELECT MIN(unit) FROM appraisee WHERE period = ? AND unit > u.unit) FROM u WHERE u.unit IS NOT NULL
)
SELECT unit FROM u WHERE unit IS NOT NULL
"""


async def _units_of_period(period_id: int) -> set[str]:
    return {r["unit"] for r in await run_native(_UNITS_OF_PERIOD, [period_id, period_id])}


# Per person of a unit: the grade chosen and the sum of the cells' versions, which only grow.
_UNIT_STATE = """
SELECT a.id, a.grade_choice,
       COALESCE((SELECT SUM(c.version) FROM score_cell c WHERE c.appraisee = a.id), 0) AS versions
FROM appraisee a WHERE a.period = ? AND a.unit = ?
"""


async def _unit_unchanged(period_id: int, unit: str, rows: list[dict], cells: dict[int, dict[str, dict]]) -> None:
    """Inside the submission, last before its commit: refuse it (rolling the freeze back) if a
    cell or a grade choice of the unit changed after its numbers were computed. A write that
    commits later sees the submission and is refused (`_CELL_WRITE`, `set_grade`); one that
    arrives while this transaction is open waits for it (on PostgreSQL for the person's row,
    which the freeze holds). About 2 ms a unit of 200 people, its 1,000 cells' versions read
    through their index."""
    read = {r["id"]: (r["grade_choice"], sum(c["version"] for c in cells.get(r["id"], {}).values())) for r in rows}
    now = {r["id"]: (r["grade_choice"], int(r["versions"])) for r in await run_native(_UNIT_STATE, [period_id, unit])}
    if now != read:
        raise Conflict(_("提交时本单元有评分或等次刚被修改，请核对后重新提交"), code="changed_during_submit")


async def _freeze(actor: Principal, rows: list[dict], numbers: dict[int, dict]) -> None:
    """Write every total, grade and breakdown of a unit in one statement per few hundred people
    (a large unit is closed in well under a second), with an audit entry for each person."""
    frozen = {r["id"]: (numbers[r["id"]]["total"], numbers[r["id"]]["grade"] or "",
                        _BREAKDOWN_JSON.encode(numbers[r["id"]]["breakdown"]).decode()) for r in rows}
    ids = list(frozen)
    # UPDATE … FROM joins each row to its values once (both engines; SQLite from 3.33): a
    # subquery per column looked each row up in the whole list, 12 ms for 200 people.
    if is_sqlite():
        for start in range(0, len(ids), 300):
            chunk = ids[start:start + 300]
            values = ", ".join("(CAST(? AS INTEGER), CAST(? AS DOUBLE PRECISION), CAST(? AS TEXT), CAST(? AS TEXT))"
                               for _id in chunk)
            await run_native(
                f"WITH v(id, total, grade, breakdown) AS (VALUES {values}) "
                "UPDATE appraisee SET total = v.total, grade = v.grade, breakdown = v.breakdown "
                "FROM v WHERE appraisee.id = v.id", [value for i in chunk for value in (i, *frozen[i])])
    else:  # the values as one array per column (see `insert_values`)
        await run_native(
            "UPDATE appraisee SET total = v.total, grade = v.grade, breakdown = v.breakdown "
            "FROM unnest(?::integer[], ?::double precision[], ?::text[], ?::text[]) AS v(id, total, grade, breakdown) "
            "WHERE appraisee.id = v.id", [ids, *([frozen[i][k] for i in ids] for k in range(3))])
    await audit.record_many(actor, "update", "appraisee", [
        (r["id"], {"total": r["total"], "grade": r["grade"]},
         {"total": frozen[r["id"]][0], "grade": frozen[r["id"]][1]}) for r in rows], note=_("提交评分"))


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


# --- bonuses ---------------------------------------------------------------------------------

BONUS_KINDS = {"commendation": _("表彰奖励"), "info_adopted": _("信息采用")}


async def add_bonus(actor: Principal, person_id: int, kind: str, points: float, note: str, awarded_on: dt.date) -> Bonus:
    """Record a commendation or an adopted piece of information for a person in one's charge."""
    if kind not in BONUS_KINDS:
        raise InvalidInput(_("加分类型应为表彰奖励或信息采用"), code="bad_kind")
    if not (0 < points <= 10):
        raise InvalidInput(_("加分应大于 0 且不超过 10"), code="bad_points")
    check_year(awarded_on.year)
    note = note.strip()
    if not note or len(note) > 200:
        raise InvalidInput(_("请填写加分事由（不超过 200 字）"), code="note_required")
    person = await Person.select(Person.id, Person.section).where(Person.id == person_id).first().run()
    if person is None or not read_scope(actor).contains(person_id, person["section"]):
        raise NotFound(_("人员不存在"))
    if person_id == actor.person_id or not actor.has(Role.CHIEF, Role.LEADER, Role.ADMIN):
        raise Forbidden(_("只有科长、领导或管理员可以为他人登记加分"))
    period = await Period.select(Period.status, Period.year, Period.quarter).where(
        Period.year == awarded_on.year, Period.quarter == (awarded_on.month - 1) // 3 + 1).first().run()
    if period and period["status"] == PeriodStatus.LOCKED:
        raise PeriodLocked(_("{name}已锁定，不能再登记该期间的加分").format(
            name=rules.period_name(period["year"], period["quarter"])))
    async with atomic():
        return await audit.insert(actor, Bonus(person=person_id, kind=kind, points=round(points, 1), note=note,
                                               awarded_on=awarded_on))


async def list_bonuses(actor: Principal, year: int, search: str = "") -> list[dict]:
    """The year's bonuses within the caller's scope, newest first; `search` in the name or reason."""
    clause = visible_where(read_scope(actor), Bonus.person, Bonus.person.section)
    query = Bonus.select(Bonus.id, Bonus.person, Bonus.person.name.as_alias("name"), Bonus.kind, Bonus.points,
                         Bonus.note, Bonus.awarded_on).where(
        Bonus.awarded_on >= dt.date(year, 1, 1), Bonus.awarded_on <= dt.date(year, 12, 31), Bonus.is_void == False)  # noqa: E712
    if clause is not None:
        query = query.where(clause)
    if (found := contains_any(search, Bonus.person.name, Bonus.note)) is not None:
        query = query.where(found)
    return [{**r, "kind_label": BONUS_KINDS.get(r["kind"], r["kind"])}
            for r in await query.order_by(Bonus.awarded_on, ascending=False).run()]
