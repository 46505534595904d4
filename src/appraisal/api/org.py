"""Sections, people and accounts."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, get, patch, post, put
from litestar.params import FromQuery, Parameter

from appraisal.api.common import Limit, Offset, errors, from_row
from appraisal.api.schemas.org import (
    AccountIn, AccountOut, AccountPatch, LedSections, PeoplePage, PersonDetail, PersonIn, PersonPatch,
    PersonSummary, SectionIn, SectionOut, SectionPatch,
)
from appraisal.scopes import Principal
from appraisal.security import admin_only
from appraisal.services import accounts, org


def _person_data(data: PersonIn) -> org.PersonData:
    return org.PersonData(**msgspec.structs.asdict(data))


async def _person_detail(principal: Principal, person_id: int) -> PersonDetail:
    return from_row(PersonDetail, await org.get_person(principal, person_id))


class SectionController(Controller):
    path = "/api/v1/sections"
    tags = ["organisation"]

    @get("/", responses=errors(401), summary="Sections of the office")
    async def list_sections(self, include_inactive: FromQuery[bool] = False) -> list[SectionOut]:
        return [from_row(SectionOut, r) for r in await org.list_sections(include_inactive)]

    @post("/", guards=[admin_only], responses=errors(400, 401, 403, 409, 422), summary="Create a section (admin)")
    async def create_section(self, principal: Principal, data: SectionIn) -> SectionOut:
        s = await org.create_section(principal, data.name, data.sort_order)
        return from_row(SectionOut, s)

    @patch("/{section_id:int}", guards=[admin_only], responses=errors(400, 401, 403, 404, 409, 422),
           summary="Rename, reorder or deactivate a section (admin)")
    async def update_section(self, principal: Principal, section_id: int, data: SectionPatch) -> SectionOut:
        s = await org.update_section(principal, section_id, **msgspec.structs.asdict(data))
        return from_row(SectionOut, s)


class PersonController(Controller):
    path = "/api/v1/people"
    tags = ["organisation"]

    @get("/", responses=errors(400, 401), summary="People within the caller's scope")
    async def list_people(
        self,
        principal: Principal,
        offset: Offset = 0,
        limit: Limit = 50,
        q: Annotated[str, Parameter(max_length=50, description="name or pinyin")] = "",
        section_id: FromQuery[int | None] = None,
        include_inactive: FromQuery[bool] = False,
    ) -> PeoplePage:
        rows, total = await org.list_people(
            principal, org.PeopleQuery(q, section_id, include_inactive, offset, limit)
        )
        return PeoplePage(total=total, offset=offset, limit=limit, items=[from_row(PersonSummary, r) for r in rows])

    @get("/{person_id:int}", responses=errors(401, 404), summary="One person (404 outside the caller's scope)")
    async def get_person(self, principal: Principal, person_id: int) -> PersonDetail:
        return await _person_detail(principal, person_id)

    @post("/", guards=[admin_only], responses=errors(400, 401, 403, 422), summary="Add a person (admin)")
    async def create_person(self, principal: Principal, data: PersonIn) -> PersonDetail:
        person = await org.create_person(principal, _person_data(data))
        return await _person_detail(principal, person.id)

    @patch("/{person_id:int}", responses=errors(400, 401, 403, 404, 422),
           summary="Edit a person (admin): only the fields sent change")
    async def update_person(self, principal: Principal, person_id: int, data: PersonPatch) -> PersonDetail:
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        await org.patch_person(principal, person_id, changes)
        return await _person_detail(principal, person_id)

    @put("/{person_id:int}/led-sections", guards=[admin_only], responses=errors(400, 401, 403, 404, 422),
         summary="Set the sections a leader oversees (admin)")
    async def set_led_sections(self, principal: Principal, person_id: int, data: LedSections) -> PersonDetail:
        await org.set_led_sections(principal, person_id, data.section_ids)
        return await _person_detail(principal, person_id)


class AccountController(Controller):
    path = "/api/v1/accounts"
    tags = ["organisation"]
    guards = [admin_only]

    @get("/", responses=errors(401, 403), summary="All accounts with their roles (admin)")
    async def list_accounts(self, offset: Offset = 0, limit: Limit = 50) -> list[AccountOut]:
        return [from_row(AccountOut, r) for r in await accounts.list_accounts(offset=offset, limit=limit)]

    @post("/", responses=errors(400, 401, 403, 409, 422), summary="Create an account (admin)")
    async def create_account(self, principal: Principal, data: AccountIn) -> AccountOut:
        account = await accounts.create_account(principal, data.username, data.password, data.roles, data.person_id)
        return from_row(AccountOut, await accounts.get_account(account.id))

    @patch("/{account_id:int}", responses=errors(400, 401, 403, 404, 422),
           summary="Change roles, disable, or reset the password of an account (admin)")
    async def update_account(self, principal: Principal, account_id: int, data: AccountPatch) -> AccountOut:
        await accounts.update_account(
            principal, account_id, roles=data.roles, is_active=data.is_active, new_password=data.new_password
        )
        return from_row(AccountOut, await accounts.get_account(account_id))
