"""责任追究 use cases: propose, decide (and notify), appeal, decide the appeal, and the summary
that appraisal reads.

Each step reads the record inside its transaction with its row locked (`for_update`), so that a
record is decided once: a second decision made at the same moment finds it decided."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from appraisal.db.tables import AccountabilityForm, AccountabilityRecord, Person
from appraisal.db.search import contains_any
from appraisal.db.transaction import atomic, for_update, insert_new, is_unique_violation, one_of
from appraisal.domain import accountability as rules
from appraisal.domain.calendar import now_utc, today_local
from appraisal.domain.text import sentence
from appraisal.errors import Conflict, Forbidden, InvalidInput, NotFound
from appraisal.i18n import _
from appraisal.scopes import Principal, Role, manage_scope, read_scope, visible_where
from appraisal.services import audit, org
from appraisal.services import calendar as calendar_service
from appraisal.services.inbox import notify

PROPOSED, DECIDED, APPEALED, FINAL, DISMISSED = "proposed", "decided", "appealed", "final", "dismissed"
STATUS_LABELS = {PROPOSED: _("待决定"), DECIDED: _("已决定，申诉期内"), APPEALED: _("申诉中"), FINAL: _("已生效"),
                 DISMISSED: _("不予追究")}
APPEAL_RESULTS = {"upheld": _("维持原决定"), "changed": _("变更处理"), "revoked": _("撤销")}


async def list_forms() -> list[dict]:
    return await AccountabilityForm.select().where(AccountabilityForm.is_active == True).order_by(  # noqa: E712
        AccountabilityForm.sort_order).run()


def _require_leader_over(principal: Principal, record: AccountabilityRecord) -> None:
    if not (principal.has(Role.LEADER, Role.ADMIN) and manage_scope(principal).contains(record.person, record.section)):
        raise Forbidden(_("只有分管领导可以作出责任追究决定"))


async def _visible(principal: Principal, record_id: int, *, for_step: bool = False) -> AccountabilityRecord:
    clauses = [AccountabilityRecord.id == record_id]
    if (clause := visible_where(read_scope(principal), AccountabilityRecord.person, AccountabilityRecord.section)) is not None:
        clauses.append(clause)
    query = AccountabilityRecord.objects().where(*clauses)
    record = await for_update(query, when=for_step).first().run()
    if record is None:
        raise NotFound(_("责任追究记录不存在或无权查看"))
    return record


async def propose(actor: Principal, person_id: int, trigger: str, description: str, *,
                  matter_id: int | None = None, source_key: str | None = None) -> AccountabilityRecord | None:
    """A proposal by a leader (manual), or by the sweep (source_key makes it once only; None
    is returned when it exists already)."""
    if trigger not in rules.TRIGGERS:
        raise InvalidInput(_("追究事由类型不正确"), code="bad_trigger")
    description = description.strip()
    if not description or len(description) > 5000:
        raise InvalidInput(_("情况说明不能为空，且不超过 5000 个字符"), code="bad_description")
    person = await Person.select(Person.id, Person.section).where(Person.id == person_id).first().run()
    if person is None:
        raise InvalidInput(_("所选人员不存在"), code="unknown_person")
    if source_key is None:
        if not (actor.has(Role.LEADER, Role.ADMIN) and manage_scope(actor).contains(person_id, person["section"])):
            raise Forbidden(_("只有分管领导可以报告责任追究"))
    try:
        async with atomic():
            if source_key and await AccountabilityRecord.exists().where(
                    AccountabilityRecord.source_key == source_key).run():
                return None
            return await audit.insert(actor, AccountabilityRecord(
                person=person_id, section=person["section"], trigger=trigger, matter=matter_id,
                source_key=source_key, description=description, status=PROPOSED, proposed_by=actor.person_id))
    except Exception as exc:
        if source_key and is_unique_violation(exc):  # another sweep proposed it at the same moment
            return None
        raise


class AutoProposal(NamedTuple):
    """A proposal the sweep makes (see `propose_automatic`)."""

    person: int
    section: int | None
    trigger: str
    description: str
    source_key: str
    matter: int | None = None


# The audit of a proposal names the columns it was made with (the rest take their defaults).
_PROPOSAL_AUDITED = ("person", "section", "trigger", "matter", "source_key", "description", "status")


async def propose_automatic(actor: Principal, proposals: list[AutoProposal]) -> int:
    """The sweep's proposals, each made once (by its source key), with their audit entries, in
    a few set-based inserts: one `propose` per overdue matter made the first sweep of a backlog
    of 30,000 take over a minute, on SQLite holding the one write lock. A description past the
    5,000 characters of a proposal is cut short. Answers how many were new."""
    if not proposals:
        return 0
    rows = [{"person": p.person, "section": p.section, "trigger": p.trigger, "matter": p.matter,
             "source_key": p.source_key, "description": p.description.strip()[:5000], "status": PROPOSED}
            for p in proposals]
    by_key = {row["source_key"]: row for row in rows}
    async with atomic():
        made = await insert_new(AccountabilityRecord, rows, "source_key", answer=("id", "source_key"))
        await audit.record_many(actor, "create", AccountabilityRecord._meta.tablename, [
            (new["id"], None, {"id": new["id"], **{k: by_key[new["source_key"]][k] for k in _PROPOSAL_AUDITED}})
            for new in made])
    return len(made)


async def decide(actor: Principal, record_id: int, form_id: int, reason: str, points: float | None = None) -> None:
    """A leader decides the form and points; the person is notified and may appeal."""
    async with atomic():
        record = await _visible(actor, record_id, for_step=True)
        _require_leader_over(actor, record)
        if record.status != PROPOSED:
            raise Conflict(_("该记录已作出决定"), code="already_decided")
        form = await AccountabilityForm.objects().get(AccountabilityForm.id == form_id).run()
        if form is None or not form.is_active:
            raise InvalidInput(_("所选追究形式不存在"), code="unknown_form")
        points = form.deduction if points is None else points
        if not 0 <= points <= 100:
            raise InvalidInput(_("扣分应在 0 到 100 之间"), code="bad_points")
        reason = reason.strip()
        if not reason:
            raise InvalidInput(_("请填写决定理由"), code="missing_reason")
        today = today_local()
        cal = await calendar_service.load_calendar(today.year, today.year + 1)
        deadline = cal.add_working_days(today, rules.DEFAULT_RULES.appeal_working_days)
        await audit.update(actor, record, {"status": DECIDED, "form": form.id, "points": points,
                                           "decision_reason": reason, "decided_by": actor.person_id,
                                           "decided_on": today, "appeal_deadline": deadline})
        await notify(record.person, f"accountability:{record.id}:decided", "accountability",
                     _("责任追究决定：{form}").format(form=form.name),
                     _("扣 {p:g} 分。理由：{r}如有异议，请于 {d} 前申诉。").format(p=points, r=sentence(reason), d=deadline))


async def dismiss(actor: Principal, record_id: int, reason: str) -> None:
    async with atomic():
        record = await _visible(actor, record_id, for_step=True)
        _require_leader_over(actor, record)
        if record.status != PROPOSED:
            raise Conflict(_("该记录已作出决定"), code="already_decided")
        await audit.update(actor, record, {"status": DISMISSED, "decision_reason": reason.strip()[:5000],
                                           "decided_by": actor.person_id, "decided_on": today_local()})


async def appeal(actor: Principal, record_id: int, reason: str) -> None:
    """申诉: the person concerned, within the appeal window."""
    async with atomic():
        record = await _visible(actor, record_id, for_step=True)
        if actor.person_id != record.person:
            raise Forbidden(_("只有本人可以申诉"))
        if record.status != DECIDED:
            raise Conflict(_("该记录当前不能申诉"), code="not_appealable")
        if today_local() > record.appeal_deadline:
            raise InvalidInput(_("申诉期已于 {d} 届满").format(d=record.appeal_deadline), code="appeal_too_late")
        reason = reason.strip()
        if not reason or len(reason) > 5000:
            raise InvalidInput(_("请填写申诉理由（不超过 5000 个字符）"), code="missing_reason")
        await audit.update(actor, record, {"status": APPEALED, "appeal_reason": reason,
                                           "appealed_at": now_utc()})


async def decide_appeal(actor: Principal, record_id: int, result: str, note: str, *,
                        form_id: int | None = None, points: float | None = None) -> None:
    async with atomic():
        record = await _visible(actor, record_id, for_step=True)
        _require_leader_over(actor, record)
        if record.status != APPEALED:
            raise Conflict(_("该记录没有待处理的申诉"), code="no_appeal")
        if result not in APPEAL_RESULTS:
            raise InvalidInput(_("申诉处理结果应为维持、变更或撤销"), code="bad_result")
        changes: dict = {"appeal_result": result, "appeal_note": note.strip()[:5000],
                         "appeal_decided_by": actor.person_id, "status": DISMISSED if result == "revoked" else FINAL}
        if result == "changed":
            form = await AccountabilityForm.objects().get(AccountabilityForm.id == (form_id or -1)).run()
            if form is None:
                raise InvalidInput(_("变更处理须选择新的追究形式"), code="unknown_form")
            changes["form"] = form.id
            changes["points"] = form.deduction if points is None else points
        await audit.update(actor, record, changes)
        await notify(record.person, f"accountability:{record.id}:appeal", "accountability",
                     _("申诉处理结果：{r}").format(r=APPEAL_RESULTS[result]), changes["appeal_note"])


async def finalize_due(today: dt.date | None = None) -> int:
    """Decided records whose appeal window has passed become final (run by the sweep)."""
    today = today or today_local()
    async with atomic():
        ids = await for_update(AccountabilityRecord.select(AccountabilityRecord.id).where(
            AccountabilityRecord.status == DECIDED, AccountabilityRecord.appeal_deadline < today,
        )).output(as_list=True).run()
        if ids:
            await AccountabilityRecord.update({AccountabilityRecord.status: FINAL}).where(
                AccountabilityRecord.id.is_in(ids)).run()
            for record_id in ids:
                await audit.record(None, "update", "accountability_record", record_id, old={"status": DECIDED},
                                   new={"status": FINAL}, note="appeal window passed")
    return len(ids)


RECORD_COLUMNS = (
    AccountabilityRecord.all_columns(),
    AccountabilityRecord.person.name.as_alias("person_name"),
    AccountabilityRecord.section.name.as_alias("section_name"),
    AccountabilityRecord.form.name.as_alias("form_name"),
)


async def list_records(actor: Principal, status: str | None = None, *, offset: int = 0, limit: int = 50,
                       search: str = "") -> tuple[list[dict], int]:
    clauses = []
    if (found := contains_any(search, AccountabilityRecord.person.name, AccountabilityRecord.description)) is not None:
        clauses.append(found)
    if (clause := visible_where(read_scope(actor), AccountabilityRecord.person, AccountabilityRecord.section)) is not None:
        clauses.append(clause)
    if status:
        if status not in STATUS_LABELS:
            raise InvalidInput(_("状态不正确"), code="bad_status")
        clauses.append(AccountabilityRecord.status == status)
    query = AccountabilityRecord.select(*RECORD_COLUMNS).order_by(AccountabilityRecord.id, ascending=False)
    count = AccountabilityRecord.count()
    if clauses:
        query, count = query.where(*clauses), count.where(*clauses)
    return await query.offset(offset).limit(limit).run(), await count.run()


async def get_record(actor: Principal, record_id: int) -> dict:
    await _visible(actor, record_id)
    return await AccountabilityRecord.select(*RECORD_COLUMNS).where(AccountabilityRecord.id == record_id).first().run()


def _final_records(people: list[int], start: dt.date, end: dt.date, today: dt.date):
    final = (AccountabilityRecord.status == FINAL) | (
        (AccountabilityRecord.status == DECIDED) & (AccountabilityRecord.appeal_deadline < today))
    return AccountabilityRecord.select(
        AccountabilityRecord.id, AccountabilityRecord.person, AccountabilityRecord.decided_on,
        AccountabilityRecord.points, AccountabilityRecord.form.code.as_alias("form_code"),
        AccountabilityRecord.form.name.as_alias("form_name"),
        AccountabilityRecord.form.disqualifies.as_alias("disqualifies"),
        AccountabilityRecord.form.blocks_excellent.as_alias("blocks_excellent"),
    ).where(final, one_of(AccountabilityRecord.person, people),
            AccountabilityRecord.decided_on >= start, AccountabilityRecord.decided_on <= end)


async def effects_for(person_ids: list[int], start: dt.date, end: dt.date,
                      today: dt.date | None = None) -> dict[int, rules.Effects]:
    """Per person, the effects of their final records decided in [start, end]: what appraisal
    reads for a quarter or a year. One query for all people; a decided record whose appeal
    window has passed is final even before the sweep marks it."""
    today = today or today_local()
    rows = await _final_records(person_ids, start, end, today).run()
    by_person: dict[int, list[rules.FinalRecord]] = {p: [] for p in person_ids}
    for r in rows:
        by_person[r["person"]].append(rules.FinalRecord(
            id=r["id"], decided_on=r["decided_on"], form_code=r["form_code"], form_name=r["form_name"],
            points=r["points"], disqualifies=bool(r["disqualifies"]), blocks_excellent=bool(r["blocks_excellent"])))
    return {p: rules.effects(records) for p, records in by_person.items()}


async def reportable_people(actor: Principal, search: str = "", limit: int | None = None) -> list[dict]:
    """Whom a leader may report a case about: the active people of the sections they oversee
    (everyone for an admin), by section and name. `search` finds a name, its pinyin or a section."""
    if not actor.has(Role.LEADER, Role.ADMIN):
        return []
    clauses = [Person.section.is_not_null()]
    if (clause := visible_where(manage_scope(actor), Person.id, Person.section)) is not None:
        clauses.append(clause)
    return await org.choosable_people(*clauses, search=search, limit=limit)
