"""Choosing a person in a form: a drop-down of everyone when there are few enough to scroll
through, a searched one when there are not. Every matter's page offered the whole office to
transfer to: in an office of 10,000 that was 500 KB of <option>s with each page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from litestar import Request, get
from litestar.params import FromQuery
from litestar.response import Template

from appraisal.db.tables import Person
from appraisal.errors import InvalidInput
from appraisal.i18n import _
from appraisal.scopes import Principal
from appraisal.services import accountability, org

LIST_ALL = 300  # up to this many people a drop-down lists them all (APPRAISAL_PICKER_LIST_ALL)
SHOWN = 50  # a search answers at most this many

# Whom a form chooses from, by name: (the caller, a search, at most how many) → people by
# section and name, each with id, name and section_name.
Source = Callable[[Principal, str, int], Awaitable[list[dict]]]
SOURCES: dict[str, Source] = {
    "directory": lambda actor, search, limit: org.directory(search, limit),  # anyone active in the office
    "reportable": lambda actor, search, limit: accountability.reportable_people(actor, search, limit),
}


def configure(list_all: int) -> None:
    """How many people a drop-down lists before it is searched (the server's setting)."""
    global LIST_ALL
    LIST_ALL = max(0, list_all)


@dataclass(frozen=True)
class Choices:
    """What a person field offers: everyone (`people`), or, past LIST_ALL, nobody until a search
    asks `/people/choices?source=…`."""

    people: list[dict] = field(default_factory=list)
    source: str | None = None

    def __bool__(self) -> bool:
        """Whether there is anyone to choose (a form with nobody to choose is not shown)."""
        return bool(self.people or self.source)


def own_section_first(actor: Principal, people: list[dict]) -> list[dict]:
    """The caller's own section first (whom one usually chooses), the rest in their order."""
    return sorted(people, key=lambda p: actor.section_id is None or p.get("section_id") != actor.section_id)


async def choices(actor: Principal, source: str) -> Choices:
    """The choices of a person field drawn from `source`."""
    people = await SOURCES[source](actor, "", LIST_ALL + 1)
    return Choices(own_section_first(actor, people)) if len(people) <= LIST_ALL else Choices(source=source)


async def chosen(person_id: object) -> dict | None:
    """The active person a refused form had chosen (id, name, section_name), offered again in a
    searched field, which lists nobody until a search; None when nobody was chosen."""
    text = str(person_id or "").strip()
    if not text.isdigit():
        return None
    found = await org.choosable_people(Person.id == int(text), limit=1)
    return found[0] if found else None


@get("/people/choices", include_in_schema=False)
async def people_choices(request: Request, source: FromQuery[str] = "directory", q: FromQuery[str] = "",
                         exclude: FromQuery[str] = "") -> Template:
    """The <option>s of a searched person field (htmx): the first SHOWN people found, and a
    line saying so when there are more."""
    if source not in SOURCES:
        raise InvalidInput(_("人员范围不正确"), code="bad_source")
    search = q.strip()[:50]
    found = await SOURCES[source](request.user, search, SHOWN + 2) if search else []
    found = own_section_first(request.user, [p for p in found if str(p["id"]) != exclude])
    return Template("partials/person_options.html", context={
        "people": found[:SHOWN], "more": len(found) > SHOWN, "searched": bool(search)})
