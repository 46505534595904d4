"""待办: what waits for the caller's decision, for the start page — extension requests and
accountability proposals in the sections a leader oversees, and periods waiting for review."""

from __future__ import annotations

from appraisal.db.tables import AccountabilityRecord, ExtensionRequest, Period
from appraisal.domain.appraisal import PeriodStatus, period_name
from appraisal.scopes import Principal, Role


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
    periods = [{**p, "name": period_name(p["year"], p["quarter"])} for p in await Period.select(
        Period.id, Period.year, Period.quarter).where(Period.status == PeriodStatus.SUBMITTED.value).run()]
    return {"extensions": extensions, "proposals": proposals, "appeals": appeals, "periods": periods}
