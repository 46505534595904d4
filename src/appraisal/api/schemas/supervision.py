"""What the API of 督查督办 (supervised items) reads and answers: the request and response bodies
as msgspec Structs, which the OpenAPI document describes field by field."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from appraisal.api.common import Page
from appraisal.services import supervision


Text = Annotated[str, msgspec.Meta(max_length=10000)]


class ItemIn(msgspec.Struct, kw_only=True):
    source: Annotated[str, msgspec.Meta(description="instruction 领导批示 | meeting 会议决定 | key_task 重点工作")]
    title: Annotated[str, msgspec.Meta(max_length=200)]
    lead_section_id: int
    responsible_person_id: int
    deadline: dt.date
    requirement: Text = ""
    responsible_leader_id: int | None = None
    assisting_section_ids: list[int] = []


class ItemOut(msgspec.Struct, kw_only=True):
    id: int
    number: str
    source: str
    title: str
    requirement: str
    status: str
    light: str
    lead_section: int
    lead_section_name: str
    responsible_person: int
    responsible_person_name: str
    responsible_leader_name: str | None
    started_on: dt.date
    deadline: dt.date
    completed_on: dt.date | None


class ItemReportOut(msgspec.Struct, kw_only=True):
    """One entry of an item's trail."""
    id: int
    item: int
    at: dt.datetime
    author: int | None
    author_name: str | None
    kind: Annotated[str, msgspec.Meta(description=" | ".join(supervision.REPORT_KINDS))]
    note: str
    deadline: Annotated[dt.date | None, msgspec.Meta(description="the deadline set by this entry, if any")]


class ItemDetail(ItemOut, kw_only=True):
    assisting: Annotated[list[str], msgspec.Meta(description="names of the assisting sections")] = []
    reports: list[ItemReportOut] = []


class ItemPage(Page, kw_only=True):
    items: list[ItemOut]


class ItemProgressIn(msgspec.Struct, kw_only=True):
    note: Text
    submit: bool = False


class PressIn(msgspec.Struct, kw_only=True):
    new_deadline: dt.date
    note: Text = ""


class ReviewIn(msgspec.Struct, kw_only=True):
    accept: bool
    note: Text = ""
