"""What the API of the health check reads and answers: the request and response bodies
as msgspec Structs, which the OpenAPI document describes field by field."""

from __future__ import annotations

import msgspec


class Health(msgspec.Struct, kw_only=True):
    status: str
    database: str
