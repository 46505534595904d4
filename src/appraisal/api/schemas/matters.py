"""What the API of 办件 (matters) reads and answers: the request and response bodies
as msgspec Structs, which the OpenAPI document describes field by field."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from appraisal.api.common import Page
from appraisal.services import matters


Text2000 = Annotated[str, msgspec.Meta(max_length=2000)]


class RegisterIn(msgspec.Struct, kw_only=True):
    channel: Annotated[str, msgspec.Meta(description="visit | call | letter | online | document | referral")]
    requester: Annotated[str, msgspec.Meta(max_length=100)]
    subject: Annotated[str, msgspec.Meta(max_length=200)]
    content: Annotated[str, msgspec.Meta(max_length=10000)] = ""
    requester_contact: Annotated[str, msgspec.Meta(max_length=100)] = ""
    commitment_id: int | None = None
    limit_days: int | None = None


class MatterOut(msgspec.Struct, kw_only=True):
    id: int
    number: str
    channel: str
    requester: str
    subject: str
    status: str
    light: str
    accepted_on: dt.date
    due_on: dt.date
    owner: int
    owner_name: str
    first_receiver: int
    first_receiver_name: str
    section: int | None
    section_name: str | None
    pending_to: int | None
    pending_to_name: str | None
    pending_due_on: dt.date | None
    limit_days: int
    paused_days: int
    extensions: int
    satisfaction: str
    created_at: dt.datetime


class MatterEventOut(msgspec.Struct, kw_only=True):
    """One step of the timeline."""
    id: int
    matter: int
    at: dt.datetime
    actor: int | None
    actor_name: str | None
    kind: Annotated[str, msgspec.Meta(description=" | ".join(matters.EventKind))]
    to_person: int | None
    to_person_name: str | None
    due_on: dt.date | None
    note: str


class ExtensionRequestOut(msgspec.Struct, kw_only=True):
    id: int
    matter: int
    requested_by: int
    requested_at: dt.datetime
    reason: str
    new_due_on: dt.date
    status: Annotated[str, msgspec.Meta(description="pending | approved | refused")]
    decided_by: int | None
    decided_at: dt.datetime | None
    decision_note: str


class MatterDetail(MatterOut, kw_only=True):
    content: str = ""
    requester_contact: str = ""
    result: str = ""
    timeline: list[MatterEventOut] = []
    extension_requests: list[ExtensionRequestOut] = []


class MatterPage(Page, kw_only=True):
    items: list[MatterOut]


class TransferIn(msgspec.Struct, kw_only=True):
    """To a named person, or to a section (its chief signs for it): one of the two."""
    to_person_id: int | None = None
    to_section_id: int | None = None
    note: Text2000 = ""


class NoteIn(msgspec.Struct, kw_only=True):
    note: Text2000 = ""


class PauseIn(msgspec.Struct, kw_only=True):
    reason: Text2000


class ExtensionIn(msgspec.Struct, kw_only=True):
    new_due_on: dt.date
    reason: Text2000


class ExtensionDecisionIn(msgspec.Struct, kw_only=True):
    approve: bool
    note: Text2000 = ""


class ResultIn(msgspec.Struct, kw_only=True):
    result: Annotated[str, msgspec.Meta(max_length=10000)]


class FollowUpIn(msgspec.Struct, kw_only=True):
    satisfaction: Annotated[str, msgspec.Meta(description="satisfied | basically | unsatisfied")]
    note: Text2000 = ""


class ShirkIn(msgspec.Struct, kw_only=True):
    person_id: int
    note: Text2000
