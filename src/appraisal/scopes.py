"""Who may see and do what: the one place that decides it.

Every record that belongs to people carries an owner person and that person's section. A
caller's *scope* is the set of records they may see:

- staff 科员: their own records;
- section chief 科长: their own, plus everything of their section;
- leader 分管领导: their own, plus everything of the sections they oversee;
- admin 考核办: everything.

Roles add up: a chief who is also a leader sees both. Controllers and services never
re-implement this; they call `read_scope` and filter with `visible_where` or check with
`require_visible`. A record outside the scope is reported as not found (404), so its existence
does not leak; an action the caller may not take on a visible record is forbidden (403).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from appraisal.domain.appraisal import Pool
from appraisal.errors import Forbidden, NotFound
from appraisal.i18n import _


class Role(StrEnum):
    STAFF = "staff"
    CHIEF = "chief"
    LEADER = "leader"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.STAFF: _("科员"),
    Role.CHIEF: _("科长"),
    Role.LEADER: _("分管领导"),
    Role.ADMIN: _("考核办（管理员）"),
}


@dataclass(frozen=True)
class Principal:
    """The logged-in caller: an account, the person behind it and the roles it holds."""

    user_id: int | None  # None for the command line (`appraisal import roster`)
    username: str
    roles: frozenset[Role]
    person_id: int | None = None
    person_name: str = ""
    section_id: int | None = None
    led_section_ids: frozenset[int] = field(default_factory=frozenset)

    def has(self, *roles: Role) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def display_name(self) -> str:
        return self.person_name or self.username


@dataclass(frozen=True)
class Scope:
    """The records a caller may see: all, or those of some sections, or of some people."""

    everything: bool = False
    section_ids: frozenset[int] = frozenset()
    person_ids: frozenset[int] = frozenset()

    def contains(self, person_id: int | None, section_id: int | None) -> bool:
        if self.everything:
            return True
        if person_id is not None and person_id in self.person_ids:
            return True
        return section_id is not None and section_id in self.section_ids


def read_scope(principal: Principal) -> Scope:
    """What `principal` may see of people's records."""
    if Role.ADMIN in principal.roles:
        return Scope(everything=True)
    sections: set[int] = set()
    if Role.LEADER in principal.roles:
        sections |= principal.led_section_ids
    if Role.CHIEF in principal.roles and principal.section_id is not None:
        sections.add(principal.section_id)
    people = {principal.person_id} if principal.person_id is not None else set()
    return Scope(section_ids=frozenset(sections), person_ids=frozenset(people))


def manage_scope(principal: Principal) -> Scope:
    """Whose records `principal` may act on as a superior (assign, score, decide): the read
    scope without their own records, since nobody manages themselves."""
    scope = read_scope(principal)
    if scope.everything:
        return scope
    return Scope(section_ids=scope.section_ids)


def visible_where(scope: Scope, person_column: Any, section_column: Any) -> Any | None:
    """A Piccolo where-clause restricting a query to `scope`, or None for no restriction.

    `person_column` and `section_column` are the columns that hold the owner person's id and
    section id (for the person table itself: `Person.id` and `Person.section`).
    """
    if scope.everything:
        return None
    clauses = []
    if scope.person_ids:
        clauses.append(person_column.is_in(sorted(scope.person_ids)))
    if scope.section_ids:
        clauses.append(section_column.is_in(sorted(scope.section_ids)))
    if not clauses:
        # Nothing visible: an always-false clause keeps the query shape uniform.
        return person_column.is_in([-1])
    combined = clauses[0]
    for clause in clauses[1:]:
        combined = combined | clause
    return combined


def require_visible(principal: Principal, person_id: int | None, section_id: int | None) -> None:
    if not read_scope(principal).contains(person_id, section_id):
        raise NotFound(_("记录不存在或无权查看"))


def require_role(principal: Principal, *roles: Role) -> None:
    if not principal.has(*roles):
        raise Forbidden(_("您没有权限执行此操作"))


def parse_roles(values: Iterable[str]) -> frozenset[Role]:
    return frozenset(Role(value) for value in values)


def may_score(principal: Principal, person_id: int, pool: str, section_id: int | None) -> bool:
    """Who enters a person's quarterly scores: their section chief for staff; a leader over
    their section for section chiefs. Nobody scores themselves."""
    if person_id == principal.person_id:
        return False
    if pool == Pool.LEADERS:
        return principal.has(Role.LEADER) and section_id in principal.led_section_ids
    return principal.has(Role.CHIEF) and section_id is not None and section_id == principal.section_id
