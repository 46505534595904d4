"""What the API of the caller's inbox reads and answers: the request and response bodies
as msgspec Structs, which the OpenAPI document describes field by field."""

from __future__ import annotations

import datetime as dt

import msgspec

from appraisal.api.common import Page


class NotificationOut(msgspec.Struct, kw_only=True):
    id: int
    kind: str
    matter: int | None
    title: str
    body: str
    created_at: dt.datetime
    read_at: dt.datetime | None
    link: str | None  # the page of what it is about (a matter, a record, an item, one's appraisals)


class InboxPage(Page, kw_only=True):
    unread: int
    items: list[NotificationOut]


class ReadIn(msgspec.Struct, kw_only=True):
    id: int | None = None
