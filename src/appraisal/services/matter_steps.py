"""办件 steps: register, transfer, accept, return, pause, resume, extend, complete, follow up.

Every step is one transaction that updates the matter and appends an immutable timeline event.
A step reads the matter inside its transaction (`_matter_for_step`), so two steps on one matter
at the same moment (a double click, two people) run one after the other and the second sees
what the first did: a matter is completed once, never paused after it was completed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from appraisal.db.tables import ExtensionRequest, Matter, Section
from appraisal.db.transaction import atomic, for_update
from appraisal.domain import deadlines
from appraisal.domain.calendar import today_local, whole_working_days
from appraisal.errors import Conflict, Forbidden, InvalidInput, NotFound
from appraisal.i18n import _
from appraisal.scopes import Principal, Role, manage_scope
from appraisal.services import audit, commitments, org
from appraisal.services.inbox import notify
from appraisal.services.matter_records import (
    CHANNELS, COMPLETED, OPEN, PAUSED, SATISFACTION, STATUS_LABELS, EventKind, _active_person, _calendar, _event, _me,
    _matter_for_step, _now, _text, _visible_matter,
)

# ------------------------------------------------------------------ register


@dataclass(frozen=True)
class Registration:
    channel: str
    requester: str
    subject: str
    content: str = ""
    requester_contact: str = ""
    commitment_id: int | None = None
    limit_days: int | None = None  # when no catalogue item applies


async def register(principal: Principal, data: Registration) -> Matter:
    """The caller becomes the first receiver and owns the matter; the due date follows from the
    commitment item's limit in force today (or an explicit limit)."""
    me = _me(principal)
    if data.channel not in CHANNELS:
        raise InvalidInput(_("来源渠道应为来访、来电、来信、网上、来文或交办"), code="bad_channel", field="channel")
    requester = _text(data.requester, _("来件人"), 100, field="requester")
    subject = _text(data.subject, _("事由"), 200, field="subject")
    content = _text(data.content, _("内容"), 10000, required=False, field="content")
    contact = _text(data.requester_contact, _("联系方式"), 100, required=False, field="requester_contact")
    today = today_local()
    version_id = None
    if data.commitment_id is not None:
        item = await commitments.version_for_registration(data.commitment_id, today)
        version_id, limit_days = item["version_id"], item["limit_days"]
    elif data.limit_days is not None and 0 <= data.limit_days <= 365:
        limit_days = data.limit_days
    else:
        raise InvalidInput(_("请选择服务事项，或填写 0 至 365 个工作日的办理时限"), code="missing_limit",
                           field="limit_days")
    cal = await _calendar()
    due = deadlines.due_date(cal, today, limit_days)
    me_row = await _active_person(me)
    async with atomic():
        matter = await audit.insert(principal, Matter(
            channel=data.channel, requester=requester, requester_contact=contact, subject=subject,
            content=content, commitment_version=version_id, limit_days=limit_days, first_receiver=me, owner=me,
            section=me_row["section"], status=OPEN, accepted_on=today, due_on=due,
            yellow_on=deadlines.yellow_from(cal, today, due), created_at=_now(),
        ))
        await _event(matter.id, me, EventKind.REGISTER, due_on=due)
    return matter

# ------------------------------------------------------------------ steps


def may_handle(principal: Principal, owner: int, section: int | None) -> bool:
    """The owner of a matter, or a superior over them, takes its steps (complete, transfer,
    pause, resume, ask for more time)."""
    return principal.person_id == owner or manage_scope(principal).contains(owner, section)


def may_follow_up(principal: Principal, first_receiver: int, owner: int, section: int | None) -> bool:
    """The first receiver, or a superior over the owner, records the requester's satisfaction."""
    return principal.person_id == first_receiver or manage_scope(principal).contains(owner, section)


def _require_owner_or_superior(principal: Principal, matter: Matter) -> None:
    if not may_handle(principal, matter.owner, matter.section):
        raise Forbidden(_("只有当前责任人或其上级可以办理此事项"))


def _require_status(matter: Matter, *allowed: str) -> None:
    if matter.status not in allowed:
        raise Conflict(_("办件当前为“{s}”，不能执行此操作").format(s=STATUS_LABELS.get(matter.status, matter.status)),
                       code="bad_state")


async def _section_receiver(section_id: int, owner: int) -> tuple[int, str]:
    """Who signs for a matter sent to a section: its chief (the first in pinyin order, if it has
    several; not the owner sending it), and the words the timeline records for it."""
    section = await Section.select(Section.name).where(Section.id == section_id).first().run()
    if section is None:
        raise InvalidInput(_("所选科室不存在"), code="unknown_section", field="to_section_id")
    chiefs = [c for c in await org.chiefs_of(section_id) if c["id"] != owner]
    if not chiefs:
        raise InvalidInput(_("{s}没有可以签收的科长，请转办给具体人员").format(s=section["name"]), code="no_chief",
                           field="to_section_id")
    return chiefs[0]["id"], _("转至{s}，由科长{n}签收").format(s=section["name"], n=chiefs[0]["name"])


async def transfer(principal: Principal, matter_id: int, to_person_id: int | None, note: str = "", *,
                   to_section_id: int | None = None) -> None:
    """转办 to a named person, or to a section, whose chief signs for it; responsibility stays
    with the owner until the receiver accepts."""
    if (to_person_id is None) == (to_section_id is None):
        raise InvalidInput(_("请选择转办的人员或科室（二选一）"), code="transfer_to", field="to_person_id")
    async with atomic():
        matter = await _matter_for_step(principal, matter_id)
        _require_owner_or_superior(principal, matter)
        _require_status(matter, OPEN)
        if matter.pending_to is not None:
            raise Conflict(_("该办件已转办，正等待签收"), code="transfer_pending")
        note = _text(note, _("转办说明"), 2000, required=False)
        if to_section_id is not None:
            to_person_id, via = await _section_receiver(to_section_id, matter.owner)
            note = f"{via}。{note}" if note else via
        if to_person_id == matter.owner:
            raise InvalidInput(_("不能转办给当前责任人本人"), code="transfer_to_self")
        await _active_person(to_person_id)
        cal = await _calendar()
        today = today_local()
        accept_by = cal.add_working_days(today, deadlines.DEFAULT_RULES.transfer_accept_days)
        await audit.update(principal, matter, {"pending_to": to_person_id, "pending_since": today,
                                               "pending_due_on": accept_by})
        await _event(matter.id, principal.person_id, EventKind.TRANSFER, to_person=to_person_id, due_on=accept_by,
                     note=note)
        await notify(to_person_id, f"transfer:{matter.id}:{to_person_id}:{_now().isoformat()}", "transfer",
                     _("待签收：{s}").format(s=matter.subject), _("请于 {d} 前签收").format(d=accept_by), matter.id)


async def accept(principal: Principal, matter_id: int) -> None:
    """签收: the named receiver takes over responsibility."""
    me = _me(principal)
    async with atomic():
        matter = await _matter_for_step(principal, matter_id)
        if matter.pending_to is None:  # accepted or returned a moment ago (a second click)
            raise Conflict(_("该办件没有待签收的转办"), code="no_transfer")
        if matter.pending_to != me:
            raise Forbidden(_("只有被转办人可以签收"))
        me_row = await _active_person(me)
        await audit.update(principal, matter, {"owner": me, "section": me_row["section"], "pending_to": None,
                                               "pending_since": None, "pending_due_on": None})
        await _event(matter.id, me, EventKind.ACCEPT)


async def return_transfer(principal: Principal, matter_id: int, note: str, *, by_sweep: bool = False) -> None:
    """退回: the receiver declines with a reason (or the sweep returns an unaccepted transfer);
    responsibility never left the owner."""
    async with atomic():
        matter = await _matter_for_step(principal, matter_id)
        if matter.pending_to is None:
            raise Conflict(_("该办件没有待签收的转办"), code="no_transfer")
        if not by_sweep and matter.pending_to != principal.person_id:
            raise Forbidden(_("只有被转办人可以退回"))
        note = _text(note, _("退回理由"), 2000)
        await audit.update(principal, matter, {"pending_to": None, "pending_since": None, "pending_due_on": None})
        await _event(matter.id, None if by_sweep else principal.person_id, EventKind.RETURN, note=note)


async def pause(principal: Principal, matter_id: int, reason: str) -> None:
    """中止: waiting for materials, a hearing, testing or expert review does not count."""
    async with atomic():
        matter = await _matter_for_step(principal, matter_id)
        _require_owner_or_superior(principal, matter)
        _require_status(matter, OPEN)
        reason = _text(reason, _("中止原因"), 2000)
        await audit.update(principal, matter, {"status": PAUSED, "paused_since": _now()})
        await _event(matter.id, principal.person_id, EventKind.PAUSE, note=reason)


async def resume(principal: Principal, matter_id: int, note: str = "") -> None:
    """恢复: the working days spent paused move the due date on."""
    async with atomic():
        matter = await _matter_for_step(principal, matter_id)
        _require_owner_or_superior(principal, matter)
        _require_status(matter, PAUSED)
        cal = await _calendar()
        paused = whole_working_days(cal.working_time_between(matter.paused_since, _now()))
        paused_days = matter.paused_days + paused
        due = cal.add_working_days(matter.due_on, paused) if paused else matter.due_on
        await audit.update(principal, matter, {
            "status": OPEN, "paused_since": None, "paused_days": paused_days, "due_on": due,
            "yellow_on": deadlines.yellow_from(cal, matter.accepted_on, due),
        })
        await _event(matter.id, principal.person_id, EventKind.RESUME, due_on=due,
                     note=_text(note, _("说明"), 2000, required=False) or _("中止 {n} 个工作日").format(n=paused))


async def request_extension(principal: Principal, matter_id: int, new_due_on: dt.date, reason: str) -> ExtensionRequest:
    """延期申请: only by the due date, bounded, decided by a leader."""
    async with atomic():
        matter = await _matter_for_step(principal, matter_id)
        _require_owner_or_superior(principal, matter)
        _require_status(matter, OPEN, PAUSED)
        reason = _text(reason, _("延期理由"), 2000)
        if await ExtensionRequest.exists().where(ExtensionRequest.matter == matter_id,
                                                 ExtensionRequest.status == "pending").run():
            raise Conflict(_("已有待审批的延期申请"), code="extension_pending")
        cal = await _calendar()
        deadlines.check_extension(cal, today_local(), matter.due_on, new_due_on, matter.limit_days,
                                  matter.extensions)
        request = await audit.insert(principal, ExtensionRequest(
            matter=matter_id, requested_by=_me(principal), requested_at=_now(), reason=reason, new_due_on=new_due_on))
        await _event(matter_id, principal.person_id, EventKind.EXTENSION_REQUEST, due_on=new_due_on, note=reason)
    for leader in await org.leaders_over(matter.section):
        await notify(leader, f"extension:{request.id}:requested:{leader}", "extension",
                     _("延期申请待审批：{s}").format(s=matter.subject),
                     _("申请延至 {d}。理由：{r}").format(d=new_due_on, r=reason), matter.id)
    return request


async def decide_extension(principal: Principal, request_id: int, approve: bool, note: str = "") -> None:
    """A leader over the matter's section approves or refuses."""
    async with atomic():
        request = await for_update(ExtensionRequest.objects().where(ExtensionRequest.id == request_id)).first().run()
        if request is None:
            raise NotFound(_("延期申请不存在"))
        matter = await _matter_for_step(principal, request.matter)
        if not (principal.has(Role.LEADER, Role.ADMIN)
                and manage_scope(principal).contains(matter.owner, matter.section)):
            raise Forbidden(_("只有分管领导可以审批延期"))
        if request.status != "pending":
            raise Conflict(_("该延期申请已处理"), code="already_decided")
        note = _text(note, _("审批意见"), 2000, required=not approve)
        cal = await _calendar()
        await audit.update(principal, request, {
            "status": "approved" if approve else "refused", "decided_by": principal.person_id,
            "decided_at": _now(), "decision_note": note})
        if approve:
            await audit.update(principal, matter, {
                "due_on": request.new_due_on, "extensions": matter.extensions + 1,
                "yellow_on": deadlines.yellow_from(cal, matter.accepted_on, request.new_due_on)})
        verdict = (_("同意延期") if approve else _("不同意延期")) + (f"：{note}" if note else "")
        await _event(matter.id, principal.person_id, EventKind.EXTENSION_DECISION,
                     due_on=request.new_due_on if approve else None, note=verdict)
        await notify(request.requested_by, f"extension:{request.id}:decided", "decision",
                     _("延期申请结果：{s}").format(s=matter.subject), verdict, matter.id)


async def complete(principal: Principal, matter_id: int, result: str) -> None:
    async with atomic():
        matter = await _matter_for_step(principal, matter_id)
        _require_owner_or_superior(principal, matter)
        _require_status(matter, OPEN)
        if matter.pending_to is not None:
            raise Conflict(_("转办尚未签收，不能办结"), code="transfer_pending")
        result = _text(result, _("办理结果"), 10000)
        await audit.update(principal, matter, {"status": COMPLETED, "completed_at": _now(), "result": result})
        await _event(matter.id, principal.person_id, EventKind.COMPLETE, note=result)


async def follow_up(principal: Principal, matter_id: int, satisfaction: str, note: str = "") -> None:
    """回访: the requester's satisfaction, recorded by the first receiver or a superior."""
    async with atomic():
        matter = await _matter_for_step(principal, matter_id)
        _require_status(matter, COMPLETED)
        if not may_follow_up(principal, matter.first_receiver, matter.owner, matter.section):
            raise Forbidden(_("只有首问责任人或其上级可以回访"))
        if satisfaction not in SATISFACTION:
            raise InvalidInput(_("满意度应为满意、基本满意或不满意"), code="bad_satisfaction")
        await audit.update(principal, matter, {"satisfaction": satisfaction})
        await _event(matter.id, principal.person_id, EventKind.FOLLOW_UP,
                     note=SATISFACTION[satisfaction] + (f"：{_text(note, _('回访说明'), 2000, required=False)}" if note else ""))


async def report_shirk(principal: Principal, matter_id: int, person_id: int, note: str) -> None:
    """推诿: a recorded violation by `person_id` on this matter (a leader or the first receiver
    reports it); it becomes an accountability candidate."""
    matter = await _visible_matter(principal, matter_id)
    if principal.person_id != matter.first_receiver and not principal.has(Role.LEADER, Role.ADMIN):
        raise Forbidden(_("只有首问责任人或领导可以报告推诿"))
    await _active_person(person_id)
    note = _text(note, _("情况说明"), 2000)
    async with atomic():
        await _event(matter.id, principal.person_id, EventKind.SHIRK, to_person=person_id, note=note)
        await audit.record(principal, "shirk", "matter", matter.id, new={"person": person_id, "note": note})
