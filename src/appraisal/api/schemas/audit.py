"""What the API of the audit log reads and answers: the request and response bodies
as msgspec Structs, which the OpenAPI document describes field by field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from appraisal.api.common import Page


class AuditOut(msgspec.Struct, kw_only=True):
    id: int
    at: dt.datetime
    actor: int | None
    actor_name: str
    actor_person: str | None  # the name of the actor's person, where the actor has one
    action: str
    table_name: str
    record_id: str
    old_values: dict[str, Any] | None
    new_values: dict[str, Any] | None
    note: str


class AuditPage(Page, kw_only=True):
    items: list[AuditOut]
