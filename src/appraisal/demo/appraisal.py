"""Demo targets and appraisal periods, so a fresh `make run` shows every page with data: the
whole of 2025 (four locked quarters and the annual appraisal submitted, waiting for a leader's
review, so the commendation review and its bundle have data), the 2026 target tree with some
progress, Q3 2026 scored and locked, Q4 2026 open for scoring with 秘书科 half done, and a
decided accountability record that 赵雪 may still appeal. Everyone wrote their self-summary
(个人总结) in the closed periods, and most have in Q4 2026."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from appraisal.db.tables import (
    Appraisee, CalendarYear, Notification, Person, ScoreCell, Section, Target, TargetProgress, UserAccount,
)
from appraisal.db.transaction import atomic
from appraisal.domain import appraisal as rules
from appraisal.domain.calendar import CalendarGap
from appraisal.domain.targets import Level
from appraisal.scopes import Principal
from appraisal.services import accounts, appraisal, audit

T = TypeVar("T")

# (title, weight, kind, value, unit, quality, children: (section, title, weight, value, unit, people: (name, title, weight, value, done)))
TREE = (
    ("办文办会服务质量", 60, "quality", None, "", "公文零差错、会议零失误", (
        ("秘书科", "公文处理", 60, 1200, "件", (("赵雪", "公文核稿", 50, 600, 420), ("孙浩然", "来文登记分办", 50, 600, 510))),
        ("综合科", "会务保障", 40, 80, "场", (("冯建军", "大型会议筹备", 60, 20, 15), ("何静", "会议纪要整理", 40, 60, 48))),
    )),
    ("信息督查工作", 40, "quantity", 300, "条", "", (
        ("信息科", "信息报送", 50, 240, "条", (("罗佳怡", "政务信息报送", 100, 240, 150),)),
        ("督查科", "督查落实", 50, 40, "项", (("曹敏", "重点工作督查", 100, 40, 31),)),
    )),
)


async def counting_weekends(work: Callable[[], Awaitable[T]], then: Callable[[], Awaitable[None]] | None = None) -> T:
    """`work()`. Where it reaches a year whose holidays the calendar package has not published
    yet (late in December, a deadline or an appeal window in January), the demo office counts
    that year by its weekends (marked as the demo's), runs `then()` and tries again, so that it
    loads on any day. A real office enters the year's holidays (工作日历) and is refused until then."""
    while True:
        try:
            return await work()
        except CalendarGap as gap:
            await audit.insert(None, CalendarYear(year=gap.year, source="demo"), note="demo")
            if then is not None:
                await then()


async def _principal(username: str | None = None, person_name: str | None = None) -> Principal:
    query = UserAccount.select(UserAccount.id)
    query = query.where(UserAccount.username == username) if username else query.where(UserAccount.person.name == person_name)
    row = await query.first().run()
    return await accounts.load_principal(row["id"])


async def _targets() -> None:
    sections = {r["name"]: r["id"] for r in await Section.select(Section.id, Section.name).run()}
    people = {r["name"]: r for r in await Person.select(Person.id, Person.name, Person.section).run()}
    async with atomic():
        for order, (title, weight, kind, value, unit, quality, children) in enumerate(TREE):
            top = await audit.insert(None, Target(year=2026, level=Level.OFFICE.value, title=title, weight=weight,
                                                  indicator_kind=kind, target_value=value, unit=unit, quality=quality,
                                                  sort_order=order), note="demo")
            for section, s_title, s_weight, s_value, s_unit, persons in children:
                sec = await audit.insert(None, Target(
                    year=2026, parent=top.id, level=Level.SECTION.value, section=sections[section], title=s_title,
                    weight=s_weight, indicator_kind="quantity", target_value=s_value, unit=s_unit), note="demo")
                for name, p_title, p_weight, p_value, done in persons:
                    completion = round(min(100.0, done / p_value * 100), 1)
                    person = await audit.insert(None, Target(
                        year=2026, parent=sec.id, level=Level.PERSON.value, section=sections[section],
                        owner=people[name]["id"], title=p_title, weight=p_weight, indicator_kind="quantity",
                        target_value=p_value, unit=s_unit, completion=completion), note="demo")
                    await audit.insert(None, TargetProgress(target=person.id, author=people[name]["id"],
                                                            completion=completion, actual=done,
                                                            evidence=f"截至 11 月完成 {done} {s_unit}，台账备查"), note="demo")


async def _score(period: dict, rng: random.Random, only_unit: str | None = None, share: float = 1.0) -> None:
    """Demo scores per unit: the quota's worth of people at 好, the rest between 78 and 89."""
    rows = await Appraisee.select(Appraisee.id, Appraisee.unit).where(Appraisee.period == period["id"]).order_by(Appraisee.id).run()
    units: dict[str, list[int]] = {}
    for r in rows:
        units.setdefault(r["unit"], []).append(r["id"])
    policy: rules.Policy = period["policy"]
    for unit, ids in units.items():
        if only_unit and unit != only_unit:
            continue
        places = rules.quota_places(len(ids), policy.good_quota_pct, policy.rounding)
        order = ids[:]
        rng.shuffle(order)
        scored = order[:max(1, int(len(order) * share))]
        for rank, appraisee_id in enumerate(scored):
            total = rng.uniform(90.5, 95) if rank < places else rng.uniform(78, 89)
            for ind in period["indicators"]:
                await ScoreCell.update({ScoreCell.value: round(ind.weight * total / 100, 1), ScoreCell.version: 1}).where(
                    ScoreCell.appraisee == appraisee_id, ScoreCell.indicator == ind.code).run()


async def _scorer(unit: str, director: Principal) -> Principal:
    """Who submits a unit: the director for the section chiefs, else the section's chief."""
    if unit == appraisal.LEADERS_UNIT:
        return director
    chief = await Person.select(Person.name).where(
        Person.section == int(unit.split(":")[1]), Person.post_rank.like("科长%")).first().run()
    return await _principal(person_name=chief["name"])


WORK = ("按时办结各类来文来电，无超期办件", "参与起草重要文稿和领导讲话材料", "认真做好会议筹备和会务保障",
        "及时报送政务信息，多篇被上级采用", "配合做好督查督办和跟踪问效", "完成领导交办的各项临时性任务")
SHORTCOMINGS = ("调查研究还不够深入", "统筹协调能力有待提高", "理论学习的系统性还不够")


def _summary(rng: random.Random, section: str | None, year: int, quarter: int | None) -> str:
    """A self-summary (个人总结) in the words such summaries use."""
    work = "；".join(rng.sample(WORK, 2))
    if quarter is not None:
        return f"本季度在{section or '办领导'}岗位上，{work}，工作未出现差错。"
    return (f"{year} 年，本人坚持学习习近平新时代中国特色社会主义思想，严守政治纪律和政治规矩。"
            f"在{section or '办领导'}岗位上，{work}，较好完成了全年目标任务。遵守工作纪律，严格落实廉洁自律各项规定。"
            f"不足之处是{rng.choice(SHORTCOMINGS)}，今后将进一步加强学习、改进作风。")


async def _open(admin: Principal, year: int, quarter: int | None, wrote: float = 1.0) -> dict:
    """A period opened for scoring, in which this share of its people wrote their self-summary
    (赵雪, the staff login, has not written hers in a period still being scored)."""
    period = await appraisal.create_period(admin, year, quarter)
    await appraisal.advance(admin, period["id"], "self_summary")
    rng = random.Random(year * 10 + (quarter or 0))  # its own: the scores' draws stay as they were
    rows = await Appraisee.select(Appraisee.id, Appraisee.person.name.as_alias("name"),
                                  Appraisee.section.name.as_alias("section")).where(
        Appraisee.period == period["id"]).order_by(Appraisee.id).run()
    now = dt.datetime.now(dt.timezone.utc)
    for r in rows:
        if rng.random() < wrote and not (wrote < 1 and r["name"] == "赵雪"):
            await Appraisee.update({Appraisee.self_summary: _summary(rng, r["section"], year, quarter),
                                    Appraisee.self_summary_at: now}).where(Appraisee.id == r["id"]).run()
    return await appraisal.advance(admin, period["id"], "scoring")


async def _submit_all(period: dict, director: Principal) -> None:
    for unit in await appraisal.units(director, period["id"]):
        await appraisal.submit_unit(await _scorer(unit["unit"], director), period["id"], unit["unit"])


async def _closed_quarter(admin: Principal, director: Principal, year: int, quarter: int, rng: random.Random) -> None:
    period = await _open(admin, year, quarter)
    await _score(period, rng)
    await _submit_all(period, director)
    await appraisal.advance(director, period["id"], "reviewed")
    await appraisal.advance(director, period["id"], "locked")


async def _annual(admin: Principal, director: Principal, year: int) -> None:
    """The annual appraisal of `year`, submitted by every unit: each scorer proposes 优秀 for the
    best eligible people within their unit's places."""
    period = await _open(admin, year, None)
    policy: rules.Policy = period["policy"]
    for unit in await appraisal.units(director, period["id"]):
        scorer = await _scorer(unit["unit"], director)
        grid = await appraisal.grid(scorer, period["id"], unit["unit"])
        places = rules.quota_places(len(grid["people"]), policy.excellent_quota_pct, policy.rounding)
        eligible = sorted((p for p in grid["people"] if p["breakdown"]["eligibility"]["eligible"]),
                          key=lambda p: -(p["total"] or 0))
        best = {p["id"] for p in eligible[:places]}
        for p in grid["people"]:
            if p["id"] in best:
                await appraisal.set_grade(scorer, p["id"], "excellent", "政治坚定，全年工作突出，作风扎实，建议评为优秀。")
            else:
                await appraisal.set_grade(scorer, p["id"], None, "工作认真负责，能较好完成各项任务，建议评为称职。")
        await appraisal.submit_unit(scorer, period["id"], unit["unit"])


async def _accountability(director: Principal) -> None:
    """A record decided today about 赵雪, still open to appeal."""
    from appraisal.db.tables import AccountabilityForm
    from appraisal.services import accountability

    zhao = await Person.select(Person.id).where(Person.name == "赵雪").first().run()
    leader = await _principal("leader")
    record = await accountability.propose(leader, zhao["id"], "complaint", "群众来电反映材料退回时未一次性告知所缺材料。")
    form = await AccountabilityForm.select(AccountabilityForm.id).where(AccountabilityForm.code == "reminder_talk").first().run()
    await counting_weekends(lambda: accountability.decide(leader, record.id, form["id"], "经核实，未落实一次性告知。"))


async def load_demo_appraisal() -> None:
    if await Target.exists().run():
        return
    # One transaction for the whole set-up: on SQLite every statement outside one opens its own
    # connection, which made this take fifteen seconds instead of a few.
    async with atomic():
        await _load()


async def _load() -> None:
    admin, director = await _principal("admin"), await _principal(person_name="王建国")
    rng = random.Random(2026)
    for quarter in (1, 2, 3, 4):
        await _closed_quarter(admin, director, 2025, quarter, rng)
    await _annual(admin, director, 2025)
    await _targets()
    await _closed_quarter(admin, director, 2026, 3, rng)
    # What the closed periods told everyone has long been read.
    await Notification.update({Notification.read_at: dt.datetime.now(dt.timezone.utc)}).where(
        Notification.read_at.is_null()).run()

    q4 = await _open(admin, 2026, 4, wrote=0.6)
    mishu = await Section.select(Section.id).where(Section.name == "秘书科").first().run()
    await _score(q4, rng, only_unit=f"section:{mishu['id']}", share=0.5)
    await _accountability(director)
