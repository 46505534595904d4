"""督查督办 use cases: register a numbered item, report progress, 督办 with a new deadline,
review (审结) that accepts or sends back, and the list with lights.

Each step reads the item inside its transaction with its row locked (`for_update`): a result
is reviewed once, and progress is not reported on an item completed a moment before."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from piccolo.query.functions.aggregate import Max

from appraisal.db.tables import Person, Section, SupervisionAssist, SupervisionItem, SupervisionReport
from appraisal.db.search import contains_any
from appraisal.db.transaction import atomic, for_update, one_writer_for
from appraisal.domain import deadlines
from appraisal.domain.calendar import now_utc, today_local
from appraisal.errors import Conflict, Forbidden, InvalidInput, NotFound
from appraisal.i18n import _
from appraisal.scopes import Principal, Role, manage_scope, read_scope, visible_where
from appraisal.services import audit
from appraisal.services import calendar as calendar_service
from appraisal.services.inbox import notify

SOURCES = {"instruction": _("领导批示"), "meeting": _("会议决定"), "key_task": _("重点工作")}
OPEN, REVIEW, COMPLETED = "open", "review", "completed"
STATUS_LABELS = {OPEN: _("办理中"), REVIEW: _("待审结"), COMPLETED: _("已办结")}
# An item's light on the board (`light_of`): the deadline's light while open, then done on time or late.
LIGHT_LABELS = {**deadlines.LIGHT_LABELS, "done": STATUS_LABELS[COMPLETED], "late": _("超期办结")}
REPORT_KINDS = {"create": _("立项"), "progress": _("进展"), "submit": _("报请审结"), "press": _("督办"),
                "send_back": _("退回重办"), "complete": _("办结")}
# What the date of a trail entry is, by its kind: the deadline set at 立项, the new one a 督办 set.
REPORT_DEADLINE_LABELS = {"create": _("办理期限"), "press": _("新期限")}


def item_number(year: int, seq: int) -> str:
    return f"督〔{year}〕{seq}号"


@dataclass(frozen=True)
class NewItem:
    source: str
    title: str
    lead_section_id: int
    responsible_person_id: int
    deadline: dt.date
    requirement: str = ""
    responsible_leader_id: int | None = None
    assisting_section_ids: list[int] = field(default_factory=list)


def _require_leader(actor: Principal) -> None:
    if not actor.has(Role.LEADER, Role.ADMIN):
        raise Forbidden(_("只有领导或管理员可以立项和审结督办事项"))


async def create(actor: Principal, data: NewItem) -> SupervisionItem:
    _require_leader(actor)
    if data.source not in SOURCES:
        raise InvalidInput(_("来源应为领导批示、会议决定或重点工作"), code="bad_source")
    title = data.title.strip()
    if not title or len(title) > 200 or len(data.requirement) > 10000:
        raise InvalidInput(_("事项名称不能为空且不超过 200 个字符，要求不超过 10000 个字符"), code="bad_title")
    today = today_local()
    if data.deadline < today:
        raise InvalidInput(_("办理期限不能早于今天"), code="bad_deadline")
    sections = set(await Section.select(Section.id).where(Section.is_active == True).output(as_list=True).run())  # noqa: E712
    if data.lead_section_id not in sections or not set(data.assisting_section_ids) <= sections:
        raise InvalidInput(_("所选科室不存在或已停用"), code="unknown_section")
    assisting = sorted(set(data.assisting_section_ids) - {data.lead_section_id})
    people = [data.responsible_person_id] + ([data.responsible_leader_id] if data.responsible_leader_id else [])
    active = await Person.count().where(Person.id.is_in(people), Person.is_active == True).run()  # noqa: E712
    if active != len(set(people)):
        raise InvalidInput(_("责任人或责任领导不存在或已不在职"), code="inactive_person")
    cal = await calendar_service.load_calendar(today.year, data.deadline.year)
    yellow = deadlines.yellow_from(cal, today, data.deadline)
    async with atomic():
        await one_writer_for(f"supervision numbers {today.year}")  # the year's next number is this one's
        last = await SupervisionItem.select(Max(SupervisionItem.seq, alias="seq")).where(
            SupervisionItem.year == today.year).first().run()
        seq = (last["seq"] or 0) + 1 if last else 1
        item = await audit.insert(actor, SupervisionItem(
            number=item_number(today.year, seq), year=today.year, seq=seq, source=data.source, title=title,
            requirement=data.requirement.strip(), lead_section=data.lead_section_id,
            responsible_leader=data.responsible_leader_id, responsible_person=data.responsible_person_id,
            started_on=today, deadline=data.deadline, yellow_on=yellow, status=OPEN, created_at=now_utc()))
        if assisting:
            await SupervisionAssist.insert(*[SupervisionAssist(item=item.id, section=s) for s in assisting]).run()
        await SupervisionReport.insert(SupervisionReport(item=item.id, at=now_utc(), author=actor.person_id, kind="create",
                                                         deadline=data.deadline, note=item.number)).run()
        await notify(data.responsible_person_id, f"supervision:{item.id}:create", "supervision",
                     _("督办事项：{n} {t}").format(n=item.number, t=title), _("期限 {d}").format(d=data.deadline))
    return item


def _visible_clause(actor: Principal):
    scope = read_scope(actor)
    clause = visible_where(scope, SupervisionItem.responsible_person, SupervisionItem.lead_section)
    if clause is None:
        return None
    # 协办: everyone of an assisting section sees the item (staff too, not only its chief).
    assisting = scope.section_ids | ({actor.section_id} if actor.section_id is not None else set())
    if assisting:
        assisted = SupervisionAssist.select(SupervisionAssist.item).where(
            SupervisionAssist.section.is_in(sorted(assisting)))
        clause = clause | SupervisionItem.id.is_in(assisted)
    if actor.person_id is not None:
        clause = clause | (SupervisionItem.responsible_leader == actor.person_id)
    return clause


def light_of(row: dict, today: dt.date) -> str:
    if row["status"] == COMPLETED:
        return "late" if row["completed_on"] and row["completed_on"] > row["deadline"] else "done"
    if today > row["deadline"]:
        return "red"
    return "yellow" if today >= row["yellow_on"] else "green"


ITEM_COLUMNS = (
    SupervisionItem.all_columns(),
    SupervisionItem.lead_section.name.as_alias("lead_section_name"),
    SupervisionItem.responsible_person.name.as_alias("responsible_person_name"),
    SupervisionItem.responsible_leader.name.as_alias("responsible_leader_name"),
)


async def list_items(actor: Principal, *, year: int | None = None, status: str | None = None,
                     offset: int = 0, limit: int = 50, search: str = "") -> tuple[list[dict], int]:
    clauses = []
    if (found := contains_any(search, SupervisionItem.title, SupervisionItem.number)) is not None:
        clauses.append(found)
    if (clause := _visible_clause(actor)) is not None:
        clauses.append(clause)
    if year:
        clauses.append(SupervisionItem.year == year)
    if status:
        if status not in STATUS_LABELS:
            raise InvalidInput(_("状态不正确"), code="bad_status")
        clauses.append(SupervisionItem.status == status)
    query = SupervisionItem.select(*ITEM_COLUMNS).order_by(SupervisionItem.year, ascending=False).order_by(
        SupervisionItem.seq, ascending=False).offset(offset).limit(limit)
    count = SupervisionItem.count()
    if clauses:
        query, count = query.where(*clauses), count.where(*clauses)
    today = today_local()
    rows = await query.run()
    assisting = await _assisting([r["id"] for r in rows])
    for row in rows:
        row["light"] = light_of(row, today)
        row["assisting_ids"] = [a["section"] for a in assisting.get(row["id"], [])]
        row["assisting"] = [a["name"] for a in assisting.get(row["id"], [])]
        row["part"] = part_of(actor, row)
    return rows, await count.run()


async def _assisting(item_ids: list[int]) -> dict[int, list[dict]]:
    """The assisting sections (id, name) of these items, in one query."""
    if not item_ids:
        return {}
    found: dict[int, list[dict]] = {}
    for r in await SupervisionAssist.select(SupervisionAssist.item, SupervisionAssist.section,
                                            SupervisionAssist.section.name.as_alias("name")).where(
            SupervisionAssist.item.is_in(item_ids)).order_by(SupervisionAssist.id).run():
        found.setdefault(r["item"], []).append(r)
    return found


PARTS = {"lead": _("牵头"), "assist": _("协办")}


def part_of(actor: Principal, row: dict) -> str | None:
    """The caller's part in an item: 牵头 (its responsible person, or of the lead section) or
    协办 (of an assisting section); None for an item the caller oversees only."""
    if row["responsible_person"] == actor.person_id or (
            actor.section_id is not None and row["lead_section"] == actor.section_id):
        return "lead"
    if actor.section_id is not None and actor.section_id in row["assisting_ids"]:
        return "assist"
    return None


async def _visible(actor: Principal, item_id: int, *, for_step: bool = False) -> SupervisionItem:
    clauses = [SupervisionItem.id == item_id]
    if (clause := _visible_clause(actor)) is not None:
        clauses.append(clause)
    query = SupervisionItem.objects().where(*clauses)
    item = await for_update(query, when=for_step).first().run()
    if item is None:
        raise NotFound(_("督办事项不存在或无权查看"))
    return item


async def get_item(actor: Principal, item_id: int) -> dict:
    await _visible(actor, item_id)
    row = await SupervisionItem.select(*ITEM_COLUMNS).where(SupervisionItem.id == item_id).first().run()
    row["light"] = light_of(row, today_local())
    assisting = (await _assisting([item_id])).get(item_id, [])
    row["assisting"] = [a["name"] for a in assisting]
    row["assisting_ids"] = [a["section"] for a in assisting]
    row["part"] = part_of(actor, row)
    row["reports"] = await SupervisionReport.select(
        SupervisionReport.all_columns(), SupervisionReport.author.name.as_alias("author_name")).where(
        SupervisionReport.item == item_id).order_by(SupervisionReport.id).run()
    return row


def may_report(actor: Principal, responsible_person: int, lead_section: int) -> bool:
    """The responsible person, the lead section's chief, or a leader over it reports progress."""
    return (actor.person_id == responsible_person
            or manage_scope(actor).contains(responsible_person, lead_section))


def _require_handler(actor: Principal, item: SupervisionItem) -> None:
    if not may_report(actor, item.responsible_person, item.lead_section):
        raise Forbidden(_("只有责任人、牵头科室负责人或领导可以报告进展"))


async def report_progress(actor: Principal, item_id: int, note: str, *, submit: bool = False) -> None:
    """A progress report; with `submit`, the result goes to review (审结)."""
    async with atomic():
        item = await _visible(actor, item_id, for_step=True)
        _require_handler(actor, item)
        if item.status != OPEN:
            raise Conflict(_("事项当前为“{s}”，不能报告进展").format(s=STATUS_LABELS[item.status]), code="bad_state")
        note = note.strip()
        if not note or len(note) > 10000:
            raise InvalidInput(_("请填写进展情况（不超过 10000 个字符）"), code="missing_note")
        if submit:
            await audit.update(actor, item, {"status": REVIEW})
        await SupervisionReport.insert(SupervisionReport(item=item.id, at=now_utc(), author=actor.person_id,
                                                         kind="submit" if submit else "progress", note=note)).run()


async def press(actor: Principal, item_id: int, new_deadline: dt.date, note: str) -> None:
    """督办: after the deadline, a leader sets a new one and notifies the responsible person."""
    async with atomic():
        item = await _visible(actor, item_id, for_step=True)  # outside the scope: 404 first, whoever asks
        _require_leader(actor)
        if item.status == COMPLETED:
            raise Conflict(_("事项已办结"), code="bad_state")
        today = today_local()
        if new_deadline <= today:
            raise InvalidInput(_("新的期限必须晚于今天"), code="bad_deadline")
        cal = await calendar_service.load_calendar(today.year, new_deadline.year)
        await audit.update(actor, item, {"deadline": new_deadline,
                                         "yellow_on": deadlines.yellow_from(cal, today, new_deadline)})
        await SupervisionReport.insert(SupervisionReport(item=item.id, at=now_utc(), author=actor.person_id, kind="press",
                                                         deadline=new_deadline, note=note.strip()[:10000])).run()
        await notify(item.responsible_person, f"supervision:{item.id}:press:{new_deadline}", "supervision",
                     _("督办通知：{n}").format(n=item.number), _("请于 {d} 前办结。{note}").format(d=new_deadline, note=note))


async def review(actor: Principal, item_id: int, accept: bool, note: str = "") -> None:
    """审结: accept the result (办结) or send it back."""
    async with atomic():
        item = await _visible(actor, item_id, for_step=True)
        _require_leader(actor)
        if item.status != REVIEW:
            raise Conflict(_("事项没有待审结的结果"), code="bad_state")
        note = note.strip()[:10000]
        if not accept and not note:
            raise InvalidInput(_("退回须说明理由"), code="missing_note")
        changes = {"status": COMPLETED, "completed_on": today_local()} if accept else {"status": OPEN}
        await audit.update(actor, item, changes)
        await SupervisionReport.insert(SupervisionReport(item=item.id, at=now_utc(), author=actor.person_id,
                                                         kind="complete" if accept else "send_back", note=note)).run()
        if not accept:
            await notify(item.responsible_person, f"supervision:{item.id}:back:{now_utc().isoformat()}",
                         "supervision", _("督办事项退回重办：{n}").format(n=item.number), note)
