"""What the API of the public commitment catalogue reads and answers: the request and response bodies
as msgspec Structs, which the OpenAPI document describes field by field."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec


class CommitmentOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    section_id: int
    section_name: str
    is_active: bool
    version_id: int
    effective_from: dt.date
    limit_kind: str
    limit_days: int
    limit_label: str
    standard: str
    materials: str
    complaint_channel: str


class PromiseIn(msgspec.Struct, kw_only=True):
    limit_kind: Annotated[str, msgspec.Meta(description='"immediate" 即办, "same_day" 当日, or "working_days"')]
    limit_days: int = 0
    effective_from: dt.date | None = None
    standard: Annotated[str, msgspec.Meta(max_length=5000)] = ""
    materials: Annotated[str, msgspec.Meta(max_length=5000)] = ""
    complaint_channel: Annotated[str, msgspec.Meta(max_length=200)] = ""


class CommitmentIn(PromiseIn, kw_only=True):
    section_id: int = 0
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] = ""


class CommitmentPatch(msgspec.Struct, kw_only=True):
    is_active: bool
