"""办件 records: the coded values of a matter, its timeline events, who may see it, the lists and
the dashboard. The steps that change a matter are in matter_steps.py; callers import both
through matters.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from appraisal.db.tables import ExtensionRequest, Matter, MatterEvent, Person
from appraisal.db.search import contains_any
from appraisal.db.transaction import for_update
from appraisal.domain import deadlines
from appraisal.domain.calendar import LOCAL_TZ, WorkingCalendar, now_utc, today_local
from appraisal.errors import InvalidInput, NotFound
from appraisal.i18n import _
from appraisal.scopes import Principal, read_scope, visible_where
from appraisal.services import calendar as calendar_service, org
from appraisal.domain.matters import (CHANNELS, COMPLETED, EVENT_LABELS, LIGHT_LABELS, OPEN, PAUSED,  # noqa: F401
                                     SATISFACTION, STATUS_LABELS, EventKind)  # a matter's codes, labels: matters.X too


_now = now_utc


def matter_number(matter_id: int, created_at: dt.datetime) -> str:
    return f"{created_at.astimezone(LOCAL_TZ).year}-{matter_id:06d}"


async def _calendar() -> WorkingCalendar:
    today = today_local()
    return await calendar_service.load_calendar(today.year - 1, today.year + 2)


def _me(principal: Principal) -> int:
    if principal.person_id is None:
        raise InvalidInput(_("该账号未关联人员，不能办理事项"), code="no_person")
    return principal.person_id


async def _event(matter_id: int, actor: int | None, kind: EventKind, *, to_person: int | None = None,
                 due_on: dt.date | None = None, note: str = "") -> None:
    await MatterEvent.insert(MatterEvent(matter=matter_id, at=_now(), actor=actor, kind=kind.value,
                                         to_person=to_person, due_on=due_on, note=note)).run()


def _text(value: str, label: str, limit: int, required: bool = True, field: str | None = None) -> str:
    value = value.strip()
    if required and not value:
        raise InvalidInput(_("{label}不能为空").format(label=label), code="missing_field", field=field)
    if len(value) > limit:
        raise InvalidInput(_("{label}不能超过 {n} 个字符").format(label=label, n=limit), code="too_long", field=field)
    return value


async def _active_person(person_id: int) -> dict:
    row = await Person.select(Person.id, Person.section, Person.is_active, Person.name).where(
        Person.id == person_id).first().run()
    if row is None or not row["is_active"]:
        raise InvalidInput(_("所选人员不存在或已不在职"), code="inactive_person")
    return row

# ------------------------------------------------------------------ reading


def _visible_clause(principal: Principal):
    scope = read_scope(principal)
    clause = visible_where(scope, Matter.owner, Matter.section)
    if clause is None:
        return None
    if scope.person_ids:
        people = sorted(scope.person_ids)
        clause = clause | Matter.first_receiver.is_in(people) | Matter.pending_to.is_in(people)
    return clause


MATTER_COLUMNS = (
    Matter.all_columns(),
    Matter.owner.name.as_alias("owner_name"),
    Matter.first_receiver.name.as_alias("first_receiver_name"),
    Matter.pending_to.name.as_alias("pending_to_name"),
    Matter.section.name.as_alias("section_name"),
)


def light_of(row: dict, today: dt.date) -> str:
    if row["status"] == COMPLETED:
        return "done"
    if row["status"] == PAUSED:
        return "paused"
    if today > row["due_on"]:
        return deadlines.Light.RED.value
    if today >= row["yellow_on"]:
        return deadlines.Light.YELLOW.value
    return deadlines.Light.GREEN.value


def _light_clause(light: str, today: dt.date):
    is_open = Matter.status == OPEN
    if light == "red":
        return is_open & (Matter.due_on < today)
    if light == "yellow":
        return is_open & (Matter.due_on >= today) & (Matter.yellow_on <= today)
    if light == "green":
        return is_open & (Matter.yellow_on > today)
    raise InvalidInput(_("灯色应为 green、yellow 或 red"), code="bad_light")


def _decorate(row: dict, today: dt.date) -> dict:
    row["number"] = matter_number(row["id"], row["created_at"])
    row["light"] = light_of(row, today)
    return row


@dataclass(frozen=True)
class MatterQuery:
    status: str | None = None
    light: str | None = None
    mine: bool = False  # only what the caller owns or must accept
    offset: int = 0
    limit: int = 50
    search: str = ""  # in the subject or the requester
    section: int | None = None  # the matters of one section (where they are now)


async def list_matters(principal: Principal, q: MatterQuery) -> tuple[list[dict], int]:
    today = today_local()
    clauses = _clauses(principal, q, today)
    query = Matter.select(*MATTER_COLUMNS).order_by(Matter.due_on).order_by(Matter.id).offset(q.offset).limit(q.limit)
    count = Matter.count()
    if clauses:
        query, count = query.where(*clauses), count.where(*clauses)
    return [_decorate(r, today) for r in await query.run()], await count.run()


async def count_matters(principal: Principal, q: MatterQuery) -> int:
    """How many matters `list_matters` lists for `q` in all. One's own (`mine`) are counted as
    two counts, each through its index: with their OR, SQLite read every open matter (73 ms
    in an office of 1,000,000 matters, against 5 ms)."""
    today = today_local()
    if not q.mine:
        clauses = _clauses(principal, q, today)
        return await (Matter.count().where(*clauses) if clauses else Matter.count()).run()
    filters = _filters(q, today)
    me = _me(principal)
    owned = await Matter.count().where(Matter.owner == me, *filters).run()
    waiting = await Matter.count().where(Matter.pending_to == me, Matter.owner != me, *filters).run()
    return owned + waiting


def _clauses(principal: Principal, q: MatterQuery, today: dt.date) -> list:
    """Whose matters `q` lists, then its filters."""
    whose = _whose(principal, q)
    return ([whose] if whose is not None else []) + _filters(q, today)


def _whose(principal: Principal, q: MatterQuery):
    """Whose matters `q` lists: one's own and those waiting for one to accept (`mine`, always
    visible to one), else all the caller may see (None: every matter)."""
    if q.mine:
        me = _me(principal)
        return (Matter.owner == me) | (Matter.pending_to == me)
    return _visible_clause(principal)


def _filters(q: MatterQuery, today: dt.date) -> list:
    clauses = []
    if q.status:
        if q.status not in (OPEN, PAUSED, COMPLETED):
            raise InvalidInput(_("状态应为 open、paused 或 completed"), code="bad_status")
        clauses.append(Matter.status == q.status)
    if q.light:
        clauses.append(_light_clause(q.light, today))
    if (found := contains_any(q.search, Matter.subject, Matter.requester)) is not None:
        clauses.append(found)
    if q.section is not None:
        clauses.append(Matter.section == q.section)
    return clauses


async def _visible_matter(principal: Principal, matter_id: int, *, for_step: bool = False) -> Matter:
    clauses = [Matter.id == matter_id]
    if (visible := _visible_clause(principal)) is not None:
        clauses.append(visible)
    query = Matter.objects().where(*clauses)
    matter = await for_update(query, when=for_step).first().run()
    if matter is None:
        raise NotFound(_("办件不存在或无权查看"))
    return matter


async def _matter_for_step(principal: Principal, matter_id: int) -> Matter:
    """The matter a step changes, read inside the step's transaction with its row locked."""
    return await _visible_matter(principal, matter_id, for_step=True)


async def get_matter(principal: Principal, matter_id: int) -> dict:
    await _visible_matter(principal, matter_id)
    row = await Matter.select(*MATTER_COLUMNS).where(Matter.id == matter_id).first().run()
    row = _decorate(row, today_local())
    row["timeline"] = await MatterEvent.select(
        MatterEvent.all_columns(), MatterEvent.actor.name.as_alias("actor_name"),
        MatterEvent.to_person.name.as_alias("to_person_name"),
    ).where(MatterEvent.matter == matter_id).order_by(MatterEvent.id).run()
    row["extension_requests"] = await ExtensionRequest.select().where(
        ExtensionRequest.matter == matter_id).order_by(ExtensionRequest.id).run()
    return row


# The lights of `_light_clause` counted per section in one pass over the open and paused
# matters, which the index on (status, section, due_on, yellow_on) holds entirely.
_DASHBOARD = f"""
SELECT section,
       SUM(CASE WHEN status = '{OPEN}' AND yellow_on > {{}} THEN 1 ELSE 0 END) AS green,
       SUM(CASE WHEN status = '{OPEN}' AND due_on >= {{}} AND yellow_on <= {{}} THEN 1 ELSE 0 END) AS yellow,
       SUM(CASE WHEN status = '{OPEN}' AND due_on < {{}} THEN 1 ELSE 0 END) AS red,
       SUM(CASE WHEN status = '{PAUSED}' THEN 1 ELSE 0 END) AS paused
FROM matter WHERE status IN ('{OPEN}', '{PAUSED}') GROUP BY section
"""


async def dashboard(principal: Principal) -> list[dict]:
    """Open matters by light for each section the caller sees, in one grouped query."""
    today = today_local()
    sections = await org.visible_sections(principal)
    counts = {s["id"]: {"section_id": s["id"], "section_name": s["name"], "green": 0, "yellow": 0, "red": 0,
                        "paused": 0} for s in sections}
    for row in await Matter.raw(_DASHBOARD, today, today, today, today).run():
        if row["section"] in counts:
            counts[row["section"]].update({light: int(row[light]) for light in ("green", "yellow", "red", "paused")})
    return list(counts.values())
