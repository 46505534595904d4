"""The policy and the indicator template, and periods with their lifecycle: created, opened
(who is appraised is fixed then), scored, reviewed, locked, reopened for corrections."""

from __future__ import annotations

import functools
import json
from dataclasses import asdict
from typing import Any

from appraisal.db.tables import Appraisee, IndicatorTemplate, OfficeSetting, Period, Person, RoleGrant, ScoreCell, UnitSubmission
from appraisal.db.transaction import Prepared, atomic, duplicate_raises, for_update, insert_in_batches
from appraisal.domain import appraisal as rules
from appraisal.domain.appraisal import Indicator, PeriodStatus, Policy, SubItem
from appraisal.errors import Conflict, Forbidden, InvalidInput, NotFound
from appraisal.i18n import _
from appraisal.scopes import Principal, Role
from appraisal.services import audit
from appraisal.services.inbox import notify_many

POLICY_KEY = "appraisal_policy"
LEADERS_UNIT = rules.Pool.LEADERS.value
STAFF, LEADERS = rules.Pool.STAFF, rules.Pool.LEADERS


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
PERIOD_NAMES = ("id", "code", "kind", "year", "quarter", "template", "policy", "status", "excellent_approval",
                "created_at", "template_indicators", "template_version")


# Built once (`Prepared`): Piccolo builds a select with joins anew on every run (0.5 ms here),
# and closing a quarter reads the period and the unit's rows for every unit. Closing a quarter
# (`benchmarks/closing.py`, 2,000 staff, SQLite) took 30 % more CPU with all of its selects
# built by Piccolo each time, 10 % more with these two (and `scoring._UNIT_ROWS`) built once.
_PERIOD = Prepared(lambda p: Period.select(*PERIOD_COLUMNS).where(Period.id == p.id))


async def get_period(period_id: int) -> dict:
    """A period with its template (one query): name, indicators, policy and date range."""
    row = await _PERIOD.first(id=period_id)
    if row is None:
        raise NotFound(_("考核期不存在"))
    return period_from_row(row)


def period_from_row(row: dict) -> dict:
    """The period of a row read with `PERIOD_COLUMNS` (by itself or beside another table's)."""
    row = {name: row[name] for name in PERIOD_NAMES}
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

