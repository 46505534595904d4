"""Organisation: sections, people and the sections each leader oversees."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

from appraisal.db.search import contains_any
from appraisal.db.tables import LeaderSection, Person, RoleGrant, Section, UserAccount
from appraisal.db.transaction import atomic, duplicate_raises, for_update
from appraisal.domain.calendar import today_local
from appraisal.domain.people import GENDERS, name_problem, pinyin_key
from appraisal.errors import Conflict, InvalidInput, NotFound
from appraisal.i18n import _
from appraisal.scopes import Principal, Role, read_scope, require_role, require_visible, visible_where
from appraisal.services import accounts, audit

# ---------------------------------------------------------------- sections


async def list_sections(include_inactive: bool = False) -> list[dict]:
    query = Section.select().order_by(Section.sort_order).order_by(Section.id)
    if not include_inactive:
        query = query.where(Section.is_active == True)  # noqa: E712
    return await query.run()


async def visible_sections(principal: Principal) -> list[dict]:
    """The active sections whose records the caller may read, in the office's order."""
    scope = read_scope(principal)
    return [s for s in await list_sections() if scope.everything or s["id"] in scope.section_ids]


async def _section_name_taken(name: str, except_id: int | None = None) -> bool:
    clauses = [Section.name == name]
    if except_id is not None:
        clauses.append(Section.id != except_id)
    return await Section.exists().where(*clauses).run()


def _name_taken(name: str) -> Conflict:
    return Conflict(_("科室“{name}”已存在").format(name=name), code="duplicate_section")


def _clean_section_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 50:
        raise InvalidInput(_("科室名称不能为空，且不超过 50 个字符"), code="bad_section_name")
    return name


SORT_ORDER_MAX = 9999


def _check_sort_order(sort_order: int) -> int:
    if not 0 <= sort_order <= SORT_ORDER_MAX:
        raise InvalidInput(_("排序号应在 0 至 {n} 之间").format(n=SORT_ORDER_MAX), code="bad_sort_order")
    return sort_order


async def create_section(actor: Principal, name: str, sort_order: int = 0) -> Section:
    require_role(actor, Role.ADMIN)
    name = _clean_section_name(name)
    _check_sort_order(sort_order)
    taken = _name_taken(name)
    async with atomic(), duplicate_raises(taken):
        if await _section_name_taken(name):
            raise taken
        return await audit.insert(actor, Section(name=name, sort_order=sort_order))


async def update_section(
    actor: Principal, section_id: int, *, name: str | None = None, sort_order: int | None = None,
    is_active: bool | None = None,
) -> Section:
    require_role(actor, Role.ADMIN)
    name = None if name is None else _clean_section_name(name)
    if sort_order is not None:
        _check_sort_order(sort_order)
    taken = _name_taken(name or "")
    async with atomic(), duplicate_raises(taken):
        section = await for_update(Section.objects().where(Section.id == section_id)).first().run()
        if section is None:
            raise NotFound(_("科室不存在"))
        changes: dict = {}
        if name is not None:
            changes["name"] = name
            if await _section_name_taken(name, except_id=section_id):
                raise taken
        if sort_order is not None:
            changes["sort_order"] = sort_order
        if is_active is not None:
            if not is_active and await Person.exists().where(Person.section == section_id, Person.is_active == True).run():  # noqa: E712
                raise Conflict(_("该科室仍有在职人员，不能停用"), code="section_not_empty")
            changes["is_active"] = is_active
        await audit.update(actor, section, changes)
        return section


# ---------------------------------------------------------------- people


@dataclass(frozen=True)
class PersonData:
    name: str
    gender: str
    birth_date: dt.date | None = None
    political_status: str = ""
    post_rank: str = ""
    duties: str = ""
    section_id: int | None = None
    is_active: bool = True


PERSON_COLUMNS = (
    Person.id,
    Person.name,
    Person.gender,
    Person.birth_date,
    Person.political_status,
    Person.post_rank,
    Person.duties,
    Person.section.as_alias("section_id"),
    Person.section.name.as_alias("section_name"),
    Person.is_active,
)


async def _validate_person(data: PersonData) -> dict:
    name = data.name.strip()
    if (problem := name_problem(name)) is not None:
        raise InvalidInput(problem, code="bad_name", field="name")
    if data.gender not in GENDERS:
        raise InvalidInput(_("性别只能是“男”或“女”"), code="bad_gender", field="gender")
    if data.birth_date is not None and not (dt.date(1900, 1, 1) <= data.birth_date <= today_local()):
        raise InvalidInput(_("出生日期不合理"), code="bad_birth_date", field="birth_date")
    if len(data.political_status) > 32 or len(data.post_rank) > 64:
        raise InvalidInput(_("政治面貌或职务职级过长"), code="too_long")
    if len(data.duties) > 500:
        raise InvalidInput(_("从事或分管的工作不超过 500 个字符"), code="too_long", field="duties")
    if data.section_id is not None and not await Section.exists().where(
        Section.id == data.section_id, Section.is_active == True  # noqa: E712
    ).run():
        raise InvalidInput(_("所选科室不存在或已停用"), code="unknown_section", field="section_id")
    return {
        "name": name,
        "name_pinyin": pinyin_key(name),
        "gender": data.gender,
        "birth_date": data.birth_date,
        "political_status": data.political_status.strip(),
        "post_rank": data.post_rank.strip(),
        "duties": data.duties.strip(),
        "section": data.section_id,
        "is_active": data.is_active,
    }


async def create_person(actor: Principal, data: PersonData) -> Person:
    require_role(actor, Role.ADMIN)
    values = await _validate_person(data)
    async with atomic():
        return await audit.insert(actor, Person(**values))


async def update_person(actor: Principal, person_id: int, data: PersonData) -> Person:
    async with atomic():
        person = await _visible_person_row(actor, person_id, for_step=True)  # the audit's old values are current
        require_role(actor, Role.ADMIN)
        values = await _validate_person(data)
        await audit.update(actor, person, values)
        if not data.is_active:
            # Someone who left the office can no longer log in; their sessions end now.
            account_id = await UserAccount.select(UserAccount.id).where(UserAccount.person == person_id).first().run()
            if account_id is not None:
                await accounts.update_account(actor, account_id["id"], is_active=False)
    return person


async def patch_person(actor: Principal, person_id: int, changes: dict[str, Any]) -> Person:
    """Change only the fields named in `changes` (PersonData's names): a client that leaves a
    field out (one written before `duties` existed, say) leaves it as it is, instead of clearing
    it or making a departed person active again. Read and written under the row's lock, so two
    edits of different fields at the same moment both stay."""
    async with atomic():
        person = await _visible_person_row(actor, person_id, for_step=True)
        current = PersonData(name=person.name, gender=person.gender, birth_date=person.birth_date,
                             political_status=person.political_status, post_rank=person.post_rank,
                             duties=person.duties, section_id=person.section, is_active=person.is_active)
        return await update_person(actor, person_id, dataclasses.replace(current, **changes))


async def _visible_person_row(actor: Principal, person_id: int, *, for_step: bool = False) -> Person:
    query = Person.objects().where(Person.id == person_id)
    person = await for_update(query, when=for_step).first().run()
    if person is None:
        raise NotFound(_("人员不存在"))
    require_visible(actor, person.id, person.section)
    return person


async def get_person(actor: Principal, person_id: int) -> dict:
    """One person as the caller may see them (404 outside their scope)."""
    await _visible_person_row(actor, person_id)
    row = await Person.select(*PERSON_COLUMNS).where(Person.id == person_id).first().run()
    row["led_section_ids"] = await led_section_ids(person_id)
    account = await UserAccount.select(UserAccount.id, UserAccount.username, UserAccount.is_active).where(
        UserAccount.person == person_id
    ).first().run()
    row["account"] = account
    return row


async def led_section_ids(person_id: int) -> list[int]:
    return sorted(
        await LeaderSection.select(LeaderSection.section).where(LeaderSection.leader == person_id).output(as_list=True).run()
    )


@dataclass(frozen=True)
class PeopleQuery:
    search: str = ""
    section_id: int | None = None
    include_inactive: bool = False
    offset: int = 0
    limit: int = 50


async def list_people(actor: Principal, q: PeopleQuery) -> tuple[list[dict], int]:
    """People within the caller's scope, ordered by section then pinyin, with the total count."""
    clauses = []
    if (scope_clause := visible_where(read_scope(actor), Person.id, Person.section)) is not None:
        clauses.append(scope_clause)
    if q.search.strip():
        term = q.search.strip()
        clauses.append(Person.name.like(f"%{term}%") | Person.name_pinyin.like(f"%{term.lower()}%"))
    if q.section_id is not None:
        clauses.append(Person.section == q.section_id)
    if not q.include_inactive:
        clauses.append(Person.is_active == True)  # noqa: E712
    query = (
        Person.select(*PERSON_COLUMNS)
        .order_by(Person.section.sort_order)
        .order_by(Person.name_pinyin)
        .offset(q.offset)
        .limit(min(q.limit, 500))
    )
    count = Person.count()
    if clauses:
        query = query.where(*clauses)
        count = count.where(*clauses)
    return await query.run(), await count.run()


async def set_led_sections(actor: Principal, person_id: int, section_ids: list[int]) -> None:
    """Which sections a leader oversees (admin only)."""
    require_role(actor, Role.ADMIN)
    async with atomic():
        # The person's row locked: two changes at once would each delete and insert the grants.
        if not await for_update(Person.select(Person.id).where(Person.id == person_id)).run():
            raise NotFound(_("人员不存在"))
        wanted = sorted(set(section_ids))
        if wanted:
            known = await Section.select(Section.id).where(Section.id.is_in(wanted)).output(as_list=True).run()
            if len(known) != len(wanted):
                raise InvalidInput(_("所选科室不存在"), code="unknown_section")
        current = await led_section_ids(person_id)
        if current == wanted:
            return
        await LeaderSection.delete().where(LeaderSection.leader == person_id).run()
        if wanted:
            await LeaderSection.insert(*[LeaderSection(leader=person_id, section=s) for s in wanted]).run()
        await audit.record(actor, "update", "leader_section", person_id, old={"sections": current}, new={"sections": wanted})


def _initials(name_pinyin: str) -> str:
    """The first letters of a name's pinyin key ("wang jian guo 王建国" → "wjg")."""
    return "".join(s[0] for s in name_pinyin.rsplit(" ", 1)[0].split() if s)


async def choosable_people(*clauses, search: str = "", limit: int | None = None) -> list[dict]:
    """Active people who meet `clauses`, by section and name, as a person field offers them (id,
    name, section_id, section_name): `search` finds a name, its pinyin, its pinyin initials
    ("wjg" finds 王建国) or a section; at most `limit`."""
    where = [Person.is_active == True, *clauses]  # noqa: E712
    term = search.strip().lower()
    by_initials = term.isascii() and term.isalpha() and 2 <= len(term) <= 6
    found = contains_any(search, Person.name, Person.name_pinyin, Person.section.name)
    if found is not None and by_initials:
        # "w% j% g%" is a superset (any syllables between); the exact initials are checked below.
        found = found | Person.name_pinyin.like(" ".join(c + "%" for c in term))
    if found is not None:
        where.append(found)
    query = Person.select(Person.id, Person.name, Person.name_pinyin, Person.section.as_alias("section_id"),
                          Person.section.name.as_alias("section_name")).where(
        *where).order_by(Person.section.sort_order).order_by(Person.name_pinyin)
    if by_initials:
        rows = [r for r in await query.run()
                if term in r["name_pinyin"].replace(" ", "") or term in (r["section_name"] or "").lower()
                or _initials(r["name_pinyin"]).startswith(term)]
        return rows[:limit] if limit is not None else rows
    return await (query.limit(limit) if limit is not None else query).run()


async def directory(search: str = "", limit: int | None = None) -> list[dict]:
    """Everyone active, names and sections only, which everyone in the office knows: for
    choosing whom to transfer a matter to (see `choosable_people`)."""
    return await choosable_people(search=search, limit=limit)


async def chiefs_of(section_id: int) -> list[dict]:
    """The section's chiefs in office (a person of the section whose active account holds the
    chief role), in pinyin order: who signs for what is sent to the section."""
    person = RoleGrant.account.person
    return await RoleGrant.select(person.id.as_alias("id"), person.name.as_alias("name")).where(
        RoleGrant.role == Role.CHIEF.value, person.section == section_id, person.is_active == True,  # noqa: E712
        RoleGrant.account.is_active == True).order_by(person.name_pinyin).run()  # noqa: E712


async def leaders_over(section_id: int | None) -> list[int]:
    """The leaders (分管领导) who oversee a section: they decide its extensions and accountability."""
    if section_id is None:
        return []
    return await LeaderSection.select(LeaderSection.leader).where(LeaderSection.section == section_id) \
        .output(as_list=True).run()
