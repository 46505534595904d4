"""What a person and their leaders write besides the scores: the self-summary (自我总结) and,
for the annual appraisal, the 年度考核登记表's committee opinion, notes and date notified."""

from __future__ import annotations

import datetime as dt

from appraisal.db.tables import Appraisee
from appraisal.db.transaction import atomic
from appraisal.domain.appraisal import PeriodStatus
from appraisal.domain.calendar import today_local
from appraisal.errors import Conflict, Forbidden, InvalidInput
from appraisal.i18n import _
from appraisal.scopes import Principal
from appraisal.services import audit
from appraisal.services.appraisal.breakdown import submitted_units
from appraisal.services.appraisal.periods import _require_writable, get_period
from appraisal.services.appraisal.results import appraisee_row, may_record_registration, require_visible_row
from appraisal.services.appraisal.scoring import _hold_unsubmitted


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
        await _hold_unsubmitted(row, Conflict(_("评分已提交，总结不能再修改"), code="unit_submitted"))
        record = await Appraisee.objects().get(Appraisee.id == appraisee_id).run()
        await audit.update(actor, record, {"self_summary": text, "self_summary_at": dt.datetime.now(dt.timezone.utc)})

