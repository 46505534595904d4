"""What the API of the leader's matter dashboard reads and answers: the request and response bodies
as msgspec Structs, which the OpenAPI document describes field by field."""

from __future__ import annotations

import msgspec


class SectionLights(msgspec.Struct, kw_only=True):
    section_id: int
    section_name: str
    green: int
    yellow: int
    red: int
    paused: int
