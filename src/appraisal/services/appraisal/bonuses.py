"""Bonuses (表彰奖励, 信息采用): recorded by whoever is over a person, counted in the quarter they
were awarded in."""

from __future__ import annotations

import datetime as dt

from appraisal.db.search import contains_any
from appraisal.db.tables import Bonus, Period, Person
from appraisal.db.transaction import atomic
from appraisal.domain import appraisal as rules
from appraisal.domain.appraisal import PeriodStatus
from appraisal.errors import Forbidden, InvalidInput, NotFound
from appraisal.i18n import _
from appraisal.scopes import Principal, Role, read_scope, visible_where
from appraisal.services import audit
from appraisal.services.appraisal.periods import PeriodLocked
from appraisal.services.calendar import check_year

BONUS_KINDS = {"commendation": _("表彰奖励"), "info_adopted": _("信息采用")}


async def add_bonus(actor: Principal, person_id: int, kind: str, points: float, note: str, awarded_on: dt.date) -> Bonus:
    """Record a commendation or an adopted piece of information for a person in one's charge."""
    if kind not in BONUS_KINDS:
        raise InvalidInput(_("加分类型应为表彰奖励或信息采用"), code="bad_kind")
    if not (0 < points <= 10):
        raise InvalidInput(_("加分应大于 0 且不超过 10"), code="bad_points")
    check_year(awarded_on.year)
    note = note.strip()
    if not note or len(note) > 200:
        raise InvalidInput(_("请填写加分事由（不超过 200 字）"), code="note_required")
    person = await Person.select(Person.id, Person.section).where(Person.id == person_id).first().run()
    if person is None or not read_scope(actor).contains(person_id, person["section"]):
        raise NotFound(_("人员不存在"))
    if person_id == actor.person_id or not actor.has(Role.CHIEF, Role.LEADER, Role.ADMIN):
        raise Forbidden(_("只有科长、领导或管理员可以为他人登记加分"))
    period = await Period.select(Period.status, Period.year, Period.quarter).where(
        Period.year == awarded_on.year, Period.quarter == (awarded_on.month - 1) // 3 + 1).first().run()
    if period and period["status"] == PeriodStatus.LOCKED:
        raise PeriodLocked(_("{name}已锁定，不能再登记该期间的加分").format(
            name=rules.period_name(period["year"], period["quarter"])))
    async with atomic():
        return await audit.insert(actor, Bonus(person=person_id, kind=kind, points=round(points, 1), note=note,
                                               awarded_on=awarded_on))


async def list_bonuses(actor: Principal, year: int, search: str = "") -> list[dict]:
    """The year's bonuses within the caller's scope, newest first; `search` in the name or reason."""
    clause = visible_where(read_scope(actor), Bonus.person, Bonus.person.section)
    query = Bonus.select(Bonus.id, Bonus.person, Bonus.person.name.as_alias("name"), Bonus.kind, Bonus.points,
                         Bonus.note, Bonus.awarded_on).where(
        Bonus.awarded_on >= dt.date(year, 1, 1), Bonus.awarded_on <= dt.date(year, 12, 31), Bonus.is_void == False)  # noqa: E712
    if clause is not None:
        query = query.where(clause)
    if (found := contains_any(search, Bonus.person.name, Bonus.note)) is not None:
        query = query.where(found)
    return [{**r, "kind_label": BONUS_KINDS.get(r["kind"], r["kind"])}
            for r in await query.order_by(Bonus.awarded_on, ascending=False).run()]
