"""The sweep (催办): reminders, chases, bulletins and returned transfers, written idempotently;
and the housekeeping of the login records (sessions past their expiry, old failed logins)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import anyio

from appraisal.db.session_store import DatabaseStore
from appraisal.db.tables import AccountabilityRecord, LeaderSection, Matter, MatterEvent, Notification, SupervisionItem
from appraisal.db.transaction import atomic, insert_values
from appraisal.domain import deadlines
from appraisal.domain.calendar import today_local
from appraisal.i18n import _
from appraisal.scopes import Principal, Role
from appraisal.services import calendar as calendar_service
from appraisal.services import accountability, accounts, matters
from appraisal.services.inbox import notification, notify


@dataclass
class SweepResult:
    reminders: int = 0
    chases: int = 0
    bulletins: int = 0
    returned_transfers: int = 0
    proposals: int = 0
    finalized: int = 0
    # Housekeeping, not the office's work: left out of `total`.
    expired_sessions: int = 0
    old_login_failures: int = 0

    def count(self, stage: deadlines.ChaseStage, n: int = 1) -> None:
        field = {deadlines.ChaseStage.REMINDER: "reminders", deadlines.ChaseStage.CHASE: "chases",
                 deadlines.ChaseStage.BULLETIN: "bulletins"}[stage]
        setattr(self, field, getattr(self, field) + n)

    @property
    def total(self) -> int:
        return (self.reminders + self.chases + self.bulletins + self.returned_transfers + self.proposals
                + self.finalized)


LADDER = {
    deadlines.ChaseStage.REMINDER: ("reminder", _("即将到期：{subject}"), _("办件 {number} 将于 {due} 到期，请抓紧办理。")),
    deadlines.ChaseStage.CHASE: ("chase", _("催办通知：{subject}"), _("办件 {number} 已于 {due} 到期，请立即办结并说明原因。")),
    deadlines.ChaseStage.BULLETIN: ("bulletin", _("通报：{subject}"), _("办件 {number} 超期 {late} 个工作日，将予通报批评。")),
}


async def sweep(today: dt.date | None = None) -> SweepResult:
    """Walk the open matters once: reminders before due, 催办 the working day after, 通报 past
    the bulletin threshold (to the owner and the leaders over the section), and return
    transfers not accepted in time. Running it again the same day writes nothing new."""
    today = today or today_local()
    cal = await calendar_service.load_calendar(today.year - 1, today.year + 1)
    rules = deadlines.DEFAULT_RULES
    result = SweepResult()
    horizon = cal.add_working_days(today, rules.yellow_days_left)
    rows = await Matter.select(Matter.id, Matter.subject, Matter.owner, Matter.section, Matter.due_on,
                               Matter.created_at).where(Matter.status == matters.OPEN, Matter.due_on <= horizon).run()
    leaders: dict[int, list[int]] = {}
    for link in await LeaderSection.select(LeaderSection.leader, LeaderSection.section).run():
        leaders.setdefault(link["section"], []).append(link["leader"])
    # Every notice of the ladder in a few set-based inserts that leave out the keys written on
    # an earlier day (one statement per notice made a sweep of 30,000 open matters take 45 s
    # when it had nothing new to write). Working them out for 30,000 matters takes a few tenths
    # of a second of plain computation: in a worker thread, so that the server's event loop
    # goes on answering requests meanwhile.
    notices = await anyio.to_thread.run_sync(ladder_notices, rows, leaders, cal, today, rules)
    async with atomic():
        for stage, rows_of_stage in notices.items():
            result.count(stage, await insert_values(Notification, rows_of_stage, unique="key"))
    overdue_transfers = await Matter.select(Matter.id).where(
        Matter.pending_to.is_not_null(), Matter.pending_due_on < today).output(as_list=True).run()
    # The sweep acts for the office as a whole; its audit entries name it "sweep".
    system = Principal(user_id=None, username="sweep", roles=frozenset({Role.ADMIN}))
    for matter_id in overdue_transfers:
        row = await Matter.select(Matter.owner, Matter.subject, Matter.pending_to).where(Matter.id == matter_id).first().run()
        await matters.return_transfer(system, matter_id, _("逾期未签收，自动退回首问责任人"), by_sweep=True)
        await notify(row["owner"], f"returned:{matter_id}:{row['pending_to']}:{today}", "returned",
                     _("转办未签收已退回：{s}").format(s=row["subject"]), matter_id=matter_id)
        result.returned_transfers += 1
    await chase_supervision(cal, today, result)
    result.proposals = await propose_accountability(system, today)
    result.finalized = await accountability.finalize_due(today)
    result.expired_sessions, result.old_login_failures = await housekeeping()
    return result


def ladder_notices(rows: list[dict], leaders: dict[int, list[int]], cal, today: dt.date,
                   rules: deadlines.DeadlineRules) -> dict[deadlines.ChaseStage, list[dict]]:
    """The notices of the chase ladder due today for the open matters `rows`, by stage: the
    owner's, and from 催办 on the leaders' over the section too."""
    notices: dict[deadlines.ChaseStage, list[dict]] = defaultdict(list)
    for row in rows:
        stage = deadlines.chase_stage(cal, today, row["due_on"], rules)
        if stage is None:
            continue
        kind, title, body = LADDER[stage]
        number = matters.matter_number(row["id"], row["created_at"])
        late = deadlines.working_days_late(cal, today, row["due_on"])
        text = body.format(number=number, due=row["due_on"], late=late)
        recipients = [row["owner"]] + (leaders.get(row["section"], []) if stage != deadlines.ChaseStage.REMINDER else [])
        for person in dict.fromkeys(recipients):
            notices[stage].append(notification(person, f"{kind}:{row['id']}:{row['due_on']}:{person}", kind,
                                               title.format(subject=row["subject"]), text, row["id"]))
    return notices


async def housekeeping(now: dt.datetime | None = None) -> tuple[int, int]:
    """Delete the sessions past their expiry (a session is otherwise deleted only when its
    cookie comes back after it expired, and most never do) and the failed logins older than
    `accounts.LOGIN_FAILURES_KEPT`: both tables would grow with every login for good. Answers
    how many of each were deleted."""
    now = now or dt.datetime.now(dt.timezone.utc)
    return (await DatabaseStore.delete_expired(now),
            await accounts.forget_login_failures(now - accounts.LOGIN_FAILURES_KEPT))


async def chase_supervision(cal, today: dt.date, result: SweepResult) -> None:
    """催办 before a supervision item's deadline; after it, a 督办 notice to the responsible
    person and leader until a leader sets a new deadline."""
    rules = deadlines.DEFAULT_RULES
    horizon = cal.add_working_days(today, rules.yellow_days_left)
    rows = await SupervisionItem.select(
        SupervisionItem.id, SupervisionItem.number, SupervisionItem.title, SupervisionItem.deadline,
        SupervisionItem.responsible_person, SupervisionItem.responsible_leader,
    ).where(SupervisionItem.status == "open", SupervisionItem.deadline <= horizon).run()
    for row in rows:
        stage = deadlines.chase_stage(cal, today, row["deadline"], rules)
        if stage is None:
            continue
        if stage == deadlines.ChaseStage.REMINDER:
            kind, title = "reminder", _("督办事项即将到期：{n}").format(n=row["number"])
            recipients = [row["responsible_person"]]
        else:
            kind, title = "chase", _("督办事项已超期：{n}").format(n=row["number"])
            recipients = [row["responsible_person"], row["responsible_leader"]]
        for person in dict.fromkeys(p for p in recipients if p):
            if await notify(person, f"supervision-{kind}:{row['id']}:{row['deadline']}:{person}", kind, title,
                            _("{t}，期限 {d}").format(t=row["title"], d=row["deadline"])):
                result.count(deadlines.ChaseStage.REMINDER if kind == "reminder" else deadlines.ChaseStage.CHASE)


async def propose_accountability(system: Principal, today: dt.date) -> int:
    """Overdue matters (their owner), 推诿 reports (the person named) and supervision items past
    their deadline (the responsible person) become proposals, once each."""
    # The proposals made on earlier days, read at once: asking for each overdue matter whether
    # its proposal exists was a query per row, every day, for as long as the matter stays open.
    made = set(await AccountabilityRecord.select(AccountabilityRecord.source_key).where(
        AccountabilityRecord.source_key.is_not_null()).output(as_list=True).run())
    new: list[accountability.AutoProposal] = []
    overdue = await Matter.select(Matter.id, Matter.owner, Matter.owner.section.as_alias("section"), Matter.subject,
                                  Matter.due_on, Matter.created_at).where(
        Matter.status == matters.OPEN, Matter.due_on < today).run()
    for row in (r for r in overdue if f"overdue:{r['id']}" not in made):
        number = matters.matter_number(row["id"], row["created_at"])
        new.append(accountability.AutoProposal(
            row["owner"], row["section"], "overdue",
            _("办件 {n}“{s}”超过办结期限 {d}").format(n=number, s=row["subject"], d=row["due_on"]),
            f"overdue:{row['id']}", matter=row["id"]))
    shirks = await MatterEvent.select(MatterEvent.id, MatterEvent.matter, MatterEvent.to_person,
                                      MatterEvent.to_person.section.as_alias("section"), MatterEvent.note).where(
        MatterEvent.kind == matters.EventKind.SHIRK.value, MatterEvent.to_person.is_not_null()).run()
    for event in (e for e in shirks if f"shirk:{e['id']}" not in made):
        new.append(accountability.AutoProposal(
            event["to_person"], event["section"], "shirk", _("推诿：{note}").format(note=event["note"]),
            f"shirk:{event['id']}", matter=event["matter"]))
    failed = await SupervisionItem.select(
        SupervisionItem.id, SupervisionItem.number, SupervisionItem.title, SupervisionItem.deadline,
        SupervisionItem.responsible_person, SupervisionItem.responsible_person.section.as_alias("section"),
    ).where(SupervisionItem.status == "open", SupervisionItem.deadline < today).run()
    for row in (r for r in failed if f"supervision:{r['id']}:{r['deadline']}" not in made):
        new.append(accountability.AutoProposal(
            row["responsible_person"], row["section"], "supervision",
            _("督办事项 {n}“{t}”未在期限 {d} 前完成").format(n=row["number"], t=row["title"], d=row["deadline"]),
            f"supervision:{row['id']}:{row['deadline']}"))
    return await accountability.propose_automatic(system, new)
