"""What the API of sections, people and accounts reads and answers: the request and response bodies
as msgspec Structs, which the OpenAPI document describes field by field."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from appraisal.api.common import Page
from appraisal.scopes import Role


Name = Annotated[str, msgspec.Meta(min_length=1, max_length=50)]


class SectionOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    sort_order: int
    is_active: bool


class SectionIn(msgspec.Struct, kw_only=True):
    name: Name
    sort_order: int = 0


class SectionPatch(msgspec.Struct, kw_only=True):
    name: Name | None = None
    sort_order: int | None = None
    is_active: bool | None = None


class AccountRef(msgspec.Struct, kw_only=True):
    id: int
    username: str
    is_active: bool


class PersonSummary(msgspec.Struct, kw_only=True):
    id: int
    name: str
    gender: str
    birth_date: dt.date | None
    political_status: str
    post_rank: str
    duties: str
    section_id: int | None
    section_name: str | None
    is_active: bool


class PersonDetail(PersonSummary, kw_only=True):
    led_section_ids: list[int] = []
    account: AccountRef | None = None


class PersonIn(msgspec.Struct, kw_only=True):
    name: Name
    gender: Annotated[str, msgspec.Meta(description='"male" or "female"')]
    birth_date: dt.date | None = None
    political_status: Annotated[str, msgspec.Meta(max_length=32)] = ""
    post_rank: Annotated[str, msgspec.Meta(max_length=64)] = ""
    duties: Annotated[str, msgspec.Meta(max_length=500, description="从事或分管的工作")] = ""
    section_id: int | None = None
    is_active: bool = True


class PersonPatch(msgspec.Struct, kw_only=True):
    """The fields to change; those left out stay as they are."""
    name: Name | msgspec.UnsetType = msgspec.UNSET
    gender: Annotated[str, msgspec.Meta(description='"male" or "female"')] | msgspec.UnsetType = msgspec.UNSET
    birth_date: dt.date | None | msgspec.UnsetType = msgspec.UNSET
    political_status: Annotated[str, msgspec.Meta(max_length=32)] | msgspec.UnsetType = msgspec.UNSET
    post_rank: Annotated[str, msgspec.Meta(max_length=64)] | msgspec.UnsetType = msgspec.UNSET
    duties: Annotated[str, msgspec.Meta(max_length=500, description="从事或分管的工作")] | msgspec.UnsetType = msgspec.UNSET
    section_id: int | None | msgspec.UnsetType = msgspec.UNSET
    is_active: bool | msgspec.UnsetType = msgspec.UNSET


class PeoplePage(Page, kw_only=True):
    items: list[PersonSummary]


class LedSections(msgspec.Struct, kw_only=True):
    section_ids: list[int]


class AccountIn(msgspec.Struct, kw_only=True):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    password: Annotated[str, msgspec.Meta(max_length=128)]
    roles: list[Role]
    person_id: int | None = None


class AccountPatch(msgspec.Struct, kw_only=True):
    roles: list[Role] | None = None
    is_active: bool | None = None
    new_password: Annotated[str, msgspec.Meta(max_length=128)] | None = None


class AccountOut(msgspec.Struct, kw_only=True):
    id: int
    username: str
    is_active: bool
    person_id: int | None
    person_name: str | None
    roles: list[str]
