"""评优选先: the commendation candidates of a year — the best annual scores among the eligible,
within the quota — and the list a leader confirms."""

from __future__ import annotations

import json

from appraisal.db.tables import Appraisee, Commendation, Period
from appraisal.db.transaction import atomic, duplicate_raises
from appraisal.domain import appraisal as rules
from appraisal.domain.appraisal import AnnualGrade, Candidate, Policy
from appraisal.errors import Conflict, Forbidden, InvalidInput, NotFound
from appraisal.i18n import _
from appraisal.scopes import Principal, Role
from appraisal.services import audit
from appraisal.services.appraisal import APPRAISEE_COLUMNS, annual_numbers, numbers_of, get_period


async def latest_year() -> int | None:
    """The latest year that has an annual period: where the commendation page opens."""
    row = await Period.select(Period.year).where(Period.kind == "year").order_by(Period.year, ascending=False) \
        .first().run()
    return row["year"] if row else None


def _grade_rank(grade: str | None) -> int:
    return AnnualGrade(grade).rank if grade else len(AnnualGrade)


async def review(actor: Principal, year: int) -> dict:
    """Everyone appraised in the year's annual period in the list's order (`rules.COMMENDATION_ORDER`:
    grade, then annual score) with their 名次, each marked eligible or not with the reasons, and
    the candidates within the quota; people level on the grade and score of the last place are
    marked tied (`tie`: how many places they compete for), for the leaders to decide between
    them. Once a leader confirmed the list, `selected` is exactly the confirmed people."""
    if not actor.has(Role.LEADER, Role.ADMIN):
        raise Forbidden(_("只有领导或管理员可以查看评优名单"))
    row = await Period.select(Period.id).where(Period.year == year, Period.kind == "year").first().run()
    if row is None:
        raise NotFound(_("{year} 年度考核尚未建立").format(year=year))
    period = await get_period(row["id"])
    people = await Appraisee.select(*APPRAISEE_COLUMNS).where(Appraisee.period == period["id"]).run()
    numbers = await numbers_of(period, people)
    annual = await annual_numbers(period, people)
    policy: Policy = period["policy"]
    ranked = []
    for p in people:
        a = annual[p["id"]]
        reasons = list(a["eligibility"].reasons)
        grade = numbers[p["id"]]["grade"]
        if grade in (AnnualGrade.BASIC, AnnualGrade.INCOMPETENT):
            reasons.append(_("年度等次为“{g}”").format(g=rules.GRADE_LABELS[grade]))
        if numbers[p["id"]]["total"] is None:
            reasons.append(_("没有季度考核得分"))
        ranked.append({**p, "score": numbers[p["id"]]["total"], "grade": grade, "eligible": not reasons,
                       "reasons": reasons})

    def candidate(r: dict) -> Candidate:
        return Candidate(r["person"], r["score"] or 0, r["name_pinyin"], _grade_rank(r["grade"]))

    ranked.sort(key=lambda r: (r["score"] is None, rules.commendation_order(candidate(r))))
    _number(ranked)
    places = rules.quota_places(len(people), policy.excellent_quota_pct_approved if period["excellent_approval"]
                                else policy.excellent_quota_pct, policy.rounding)
    proposal = rules.commendation_candidates([candidate(r) for r in ranked if r["eligible"]], places)
    chosen = {c.person_id for c in proposal.chosen}
    tied = {c.person_id for c in proposal.tied}
    confirmed = await Commendation.select(Commendation.people, Commendation.confirmed_at, Commendation.note,
                                          Commendation.confirmed_by.name.as_alias("confirmed_by_name")).where(
        Commendation.year == year).first().run()
    if confirmed:
        confirmed = {**confirmed, "people": json.loads(confirmed["people"])}
        selected = {p["person_id"] for p in confirmed["people"]}
    else:
        selected = chosen
    for r in ranked:
        r["candidate"] = r["person"] in chosen
        r["tied"] = r["person"] in tied
        r["selected"] = r["person"] in selected
    if confirmed:
        rank_of = {r["person"]: r["rank"] for r in ranked}
        confirmed["people"] = sorted(({**p, "rank": rank_of.get(p["person_id"])} for p in confirmed["people"]),
                                     key=lambda p: (p["rank"] is None, p["rank"] or 0))
    tie = {"open_places": proposal.open_places, "score": proposal.tied[0].score,
           "names": [r["name"] for r in ranked if r["tied"]]} if proposal.tied else None
    return {"year": year, "period": period, "places": places, "people": ranked, "tie": tie, "confirmed": confirmed,
            "order": rules.COMMENDATION_ORDER}


def _number(ranked: list[dict]) -> None:
    """名次 in the list's order: people level on grade and score share one (1, 2, 2, 4); nobody
    without a score has one."""
    last, rank = None, 0
    for i, r in enumerate(ranked, start=1):
        level = (r["grade"], None if r["score"] is None else round(r["score"], 2))
        if level != last:
            rank, last = i, level
        r["rank"] = rank if r["score"] is not None else None


async def confirm(actor: Principal, year: int, person_ids: list[int], note: str = "") -> dict:
    """A leader confirms the list: only eligible people, no more than the places."""
    if not actor.has(Role.LEADER):
        raise Forbidden(_("只有领导可以确认评优名单"))
    data = await review(actor, year)
    by_person = {r["person"]: r for r in data["people"]}
    unknown = [pid for pid in person_ids if pid not in by_person]
    if unknown or not person_ids:
        raise InvalidInput(_("名单中有不在本年度考核范围内的人员，或名单为空"), code="bad_list")
    ineligible = [f"{by_person[p]['name']}（{'；'.join(by_person[p]['reasons'])}）" for p in person_ids
                  if not by_person[p]["eligible"]]
    if ineligible:
        raise InvalidInput(_("以下人员不符合评优条件：{names}").format(names="、".join(ineligible)), code="not_eligible")
    if len(set(person_ids)) > data["places"]:
        raise InvalidInput(_("评优名额为 {n} 人，名单有 {m} 人").format(n=data["places"], m=len(set(person_ids))),
                           code="over_quota")
    people = [{"person_id": p, "name": by_person[p]["name"], "section": by_person[p]["section_name"],
               "score": by_person[p]["score"]} for p in dict.fromkeys(person_ids)]
    confirmed = Conflict(_("{year} 年评优名单已确认").format(year=year), code="already_confirmed")
    async with atomic(), duplicate_raises(confirmed):
        if await Commendation.exists().where(Commendation.year == year).run():
            raise confirmed
        await audit.insert(actor, Commendation(year=year, people=json.dumps(people, ensure_ascii=False),
                                               confirmed_by=actor.person_id, note=note.strip()[:2000]))
    return await review(actor, year)
