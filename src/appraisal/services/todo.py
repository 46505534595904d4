"""待办: what waits for the caller, for the start page.

Everyone with a person sees their own: transfers to accept (签收), their matters and
supervision items overdue or about to be, an accountability decision they may still appeal,
a self-summary to write, and for a scorer the units waiting for their scores. The appraisal
office sees the working calendar's missing years and the periods to open. A leader sees
besides what waits for their decision in the sections they oversee: extension requests,
accountability proposals and appeals, supervision results to review (审结), periods
waiting for review, and the years whose 评优选先 list waits for confirmation."""

from __future__ import annotations

from dataclasses import dataclass

from appraisal.db.tables import (
    AccountabilityRecord, Appraisee, CalendarYear, Commendation, ExtensionRequest, Matter, Period, SupervisionItem,
    UnitSubmission,
)
from appraisal.domain.appraisal import PeriodStatus, period_name
from appraisal.domain.calendar import today_local
from appraisal.i18n import _
from appraisal.scopes import Principal, Role
from appraisal.services.appraisal import LEADERS_UNIT, STAFF, unit_of
from appraisal.services import matters


@dataclass(frozen=True)
class Todo:
    text: str
    href: str
    urgent: bool = False  # overdue, or the last day


async def for_person(actor: Principal) -> list[Todo]:
    """The caller's own to-do, most urgent first within each kind."""
    me = actor.person_id
    if me is None:
        return []
    today = today_local()
    todos: list[Todo] = []
    for m in await Matter.select(Matter.id, Matter.subject, Matter.owner.name.as_alias("by"), Matter.pending_due_on
                                 ).where(Matter.pending_to == me).order_by(Matter.pending_due_on).run():
        todos.append(Todo(_("待签收：{s}（{by}转办，请于 {d} 前签收）").format(s=m["subject"], by=m["by"],
                                                                     d=m["pending_due_on"]),
                          f"/matters/{m['id']}", urgent=m["pending_due_on"] is not None and m["pending_due_on"] <= today))
    # Counted as the lists they link to show them (one's own and those waiting for one to accept).
    red = await matters.count_matters(actor, matters.MatterQuery(light="red", mine=True))
    yellow = await matters.count_matters(actor, matters.MatterQuery(light="yellow", mine=True))
    if red:
        todos.append(Todo(_("我的超期办件 {n} 件").format(n=red), "/matters?mine=1&light=red", urgent=True))
    if yellow:
        todos.append(Todo(_("我的即将到期办件 {n} 件").format(n=yellow), "/matters?mine=1&light=yellow"))
    for it in await SupervisionItem.select(SupervisionItem.id, SupervisionItem.number, SupervisionItem.title,
                                           SupervisionItem.deadline).where(
            SupervisionItem.responsible_person == me, SupervisionItem.status == "open",
            SupervisionItem.yellow_on <= today).order_by(SupervisionItem.deadline).run():
        late = it["deadline"] < today
        text = _("督办事项已超期：{n}“{t}”（期限 {d}）") if late else _("督办事项即将到期：{n}“{t}”（期限 {d}）")
        todos.append(Todo(text.format(n=it["number"], t=it["title"], d=it["deadline"]), f"/supervision/{it['id']}",
                          urgent=late))
    for r in await AccountabilityRecord.select(AccountabilityRecord.id, AccountabilityRecord.form.name.as_alias("form"),
                                               AccountabilityRecord.appeal_deadline).where(
            AccountabilityRecord.person == me, AccountabilityRecord.status == "decided",
            AccountabilityRecord.appeal_deadline >= today).order_by(AccountabilityRecord.appeal_deadline).run():
        todos.append(Todo(_("责任追究决定：{f}，如有异议可于 {d} 前申诉").format(f=r["form"], d=r["appeal_deadline"]),
                          f"/accountability/{r['id']}"))
    for p in await Appraisee.select(Appraisee.period.year.as_alias("year"), Appraisee.period.quarter.as_alias("quarter")
                                    ).where(Appraisee.person == me, Appraisee.self_summary == "",
                                            Appraisee.total.is_null(),  # frozen once the unit is submitted
                                            Appraisee.period.status.is_in([PeriodStatus.SELF_SUMMARY.value,
                                                                           PeriodStatus.SCORING.value])).run():
        todos.append(Todo(_("{p}：请填写个人总结").format(p=period_name(p["year"], p["quarter"])), "/appraisal/mine"))
    todos += await _units_to_score(actor)
    return todos


async def _units_to_score(actor: Principal) -> list[Todo]:
    """A chief's section and a leader's unit of section chiefs, in each period being scored,
    until the unit is submitted."""
    units = []
    if actor.has(Role.CHIEF) and actor.section_id is not None:
        units.append((unit_of(STAFF, actor.section_id), _("请为本科室人员评分并提交")))
    if actor.has(Role.LEADER) and actor.led_section_ids:
        units.append((LEADERS_UNIT, _("请为分管科室的科长评分")))
    if not units:
        return []
    periods = await Period.select(Period.id, Period.year, Period.quarter).where(
        Period.status == PeriodStatus.SCORING.value).order_by(Period.id).run()
    if not periods:
        return []
    ids = [p["id"] for p in periods]
    submitted = {(s["period"], s["unit"]) for s in await UnitSubmission.select(
        UnitSubmission.period, UnitSubmission.unit).where(UnitSubmission.period.is_in(ids)).run()}
    present = {(a["period"], a["unit"]) for a in await Appraisee.select(Appraisee.period, Appraisee.unit).where(
        Appraisee.period.is_in(ids), Appraisee.unit.is_in([u for u, _t in units])).distinct().run()}
    return [Todo(f"{period_name(p['year'], p['quarter'])}：{text}", f"/appraisal/{p['id']}/grid?unit={unit}")
            for p in periods for unit, text in units
            if (p["id"], unit) in present and (p["id"], unit) not in submitted]


# From October the next year's holidays are due: the State Council publishes them late in the
# year, and a due date that runs into a year without them cannot be worked out.
NEXT_YEAR_FROM_MONTH = 10


async def for_admin(actor: Principal) -> list[Todo]:
    """The appraisal office's: a working calendar without this year's holidays, or from October
    without next year's (or with the demo's weekends only); periods not yet open for scoring."""
    if not actor.has(Role.ADMIN):
        return []
    today = today_local()
    sources = {r["year"]: r["source"] for r in await CalendarYear.select(CalendarYear.year, CalendarYear.source).run()}
    todos = []
    for year in [today.year] + ([today.year + 1] if today.month >= NEXT_YEAR_FROM_MONTH else []):
        if year not in sources:
            todos.append(Todo(_("工作日历缺少 {y} 年的节假日数据，届时的办件期限将无法计算，请添加").format(y=year),
                              f"/calendar?year={year}", urgent=year == today.year or today.month == 12))
        elif sources[year] == "demo":
            todos.append(Todo(_("{y} 年工作日历为演示数据，仅按周末计算，请录入节假日和调休").format(y=year),
                              f"/calendar?year={year}"))
    steps = {PeriodStatus.DRAFT.value: _("{p}尚未开始，可开放填写个人总结"),
             PeriodStatus.SELF_SUMMARY.value: _("{p}正在填写个人总结，可开始评分")}
    for p in await Period.select(Period.id, Period.year, Period.quarter, Period.status).where(
            Period.status.is_in(list(steps))).order_by(Period.id).run():
        todos.append(Todo(steps[p["status"]].format(p=period_name(p["year"], p["quarter"])), f"/appraisal/{p['id']}"))
    return todos


async def for_leader(actor: Principal) -> dict:
    if not actor.has(Role.LEADER):
        return {}
    sections = sorted(actor.led_section_ids) or [-1]
    extensions = await ExtensionRequest.select(
        ExtensionRequest.id, ExtensionRequest.matter, ExtensionRequest.new_due_on,
        ExtensionRequest.matter.subject.as_alias("subject"), ExtensionRequest.requested_by.name.as_alias("by"),
    ).where(ExtensionRequest.status == "pending", ExtensionRequest.matter.section.is_in(sections)) \
        .order_by(ExtensionRequest.id).run()
    proposals = await AccountabilityRecord.count().where(
        AccountabilityRecord.status == "proposed", AccountabilityRecord.section.is_in(sections)).run()
    appeals = await AccountabilityRecord.count().where(
        AccountabilityRecord.status == "appealed", AccountabilityRecord.section.is_in(sections)).run()
    reviews = await SupervisionItem.select(SupervisionItem.id, SupervisionItem.number, SupervisionItem.title).where(
        SupervisionItem.status == "review",
        (SupervisionItem.lead_section.is_in(sections)) | (SupervisionItem.responsible_leader == (actor.person_id or -1)),
    ).order_by(SupervisionItem.id).run()
    periods = [{**p, "name": period_name(p["year"], p["quarter"])} for p in await Period.select(
        Period.id, Period.year, Period.quarter).where(Period.status == PeriodStatus.SUBMITTED.value).run()]
    # Years whose annual appraisal is reviewed or locked and whose 评优选先 list no leader has confirmed.
    confirmed = Commendation.select(Commendation.year)
    commendations = await Period.select(Period.year).where(
        Period.kind == "year", Period.status.is_in([PeriodStatus.REVIEWED.value, PeriodStatus.LOCKED.value]),
        Period.year.not_in(confirmed)).order_by(Period.year).output(as_list=True).run()
    return {"extensions": extensions, "proposals": proposals, "appeals": appeals, "reviews": reviews,
            "periods": periods, "commendations": commendations}
