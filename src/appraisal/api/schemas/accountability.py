"""What the API of 责任追究 (accountability) records reads and answers: the request and response bodies
as msgspec Structs, which the OpenAPI document describes field by field."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from appraisal.api.common import Page


Text5000 = Annotated[str, msgspec.Meta(max_length=5000)]


class FormOut(msgspec.Struct, kw_only=True):
    id: int
    code: str
    name: str
    deduction: float
    disqualifies: bool
    blocks_excellent: bool


class RecordOut(msgspec.Struct, kw_only=True):
    id: int
    person: int
    person_name: str
    section_name: str | None
    trigger: str
    matter: int | None
    description: str
    status: str
    form: int | None
    form_name: str | None
    points: float
    decision_reason: str
    decided_on: dt.date | None
    appeal_deadline: dt.date | None
    appeal_reason: str
    appeal_result: str
    appeal_note: str


class RecordPage(Page, kw_only=True):
    items: list[RecordOut]


class ProposeIn(msgspec.Struct, kw_only=True):
    person_id: int
    trigger: str
    description: Text5000
    matter_id: int | None = None


class RecordDecisionIn(msgspec.Struct, kw_only=True):
    form_id: int
    reason: Text5000
    points: float | None = None


class RecordReasonIn(msgspec.Struct, kw_only=True):
    reason: Text5000


class AppealDecisionIn(msgspec.Struct, kw_only=True):
    result: Annotated[str, msgspec.Meta(description="upheld | changed | revoked")]
    note: Text5000 = ""
    form_id: int | None = None
    points: float | None = None


class EffectsOut(msgspec.Struct, kw_only=True):
    person_id: int
    year: int
    deduction: float
    eligible_for_excellent: bool
    eligible_for_commendation: bool
    flag_heavier_form: bool
    propose_incompetent: bool
    reasons: list[str]
    record_ids: list[int]
