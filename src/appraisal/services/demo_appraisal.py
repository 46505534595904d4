"""Demo targets and appraisal periods, so a fresh `make run` shows every page with data: the
2026 target tree with some progress, Q3 2026 scored and locked, Q4 2026 open for scoring with
秘书科 half done."""

from __future__ import annotations

import random

from appraisal.db.tables import Appraisee, Person, ScoreCell, Section, Target, TargetProgress, UserAccount
from appraisal.db.transaction import atomic
from appraisal.domain import appraisal as rules
from appraisal.domain.targets import Level
from appraisal.scopes import Principal
from appraisal.services import accounts, appraisal, audit

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


async def load_demo_appraisal() -> None:
    if await Target.exists().run():
        return
    await _targets()
    admin, director = await _principal("admin"), await _principal(person_name="王建国")
    rng = random.Random(2026)

    q3 = await appraisal.create_period(admin, 2026, 3)
    await appraisal.advance(admin, q3["id"], "self_summary")
    await appraisal.advance(admin, q3["id"], "scoring")
    await _score(q3, rng)
    for unit in await appraisal.units(director, q3["id"]):
        scorer = director
        if unit["unit"] != appraisal.LEADERS_UNIT:
            chief = await Person.select(Person.name).where(
                Person.section == int(unit["unit"].split(":")[1]), Person.post_rank.like("科长%")).first().run()
            scorer = await _principal(person_name=chief["name"])
        await appraisal.submit_unit(scorer, q3["id"], unit["unit"])
    await appraisal.advance(director, q3["id"], "reviewed")
    await appraisal.advance(director, q3["id"], "locked")

    q4 = await appraisal.create_period(admin, 2026, 4)
    await appraisal.advance(admin, q4["id"], "self_summary")
    await appraisal.advance(admin, q4["id"], "scoring")
    mishu = await Section.select(Section.id).where(Section.name == "秘书科").first().run()
    await _score(q4, rng, only_unit=f"section:{mishu['id']}", share=0.5)
