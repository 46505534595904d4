"""What the API of the roster import reads and answers: the request and response bodies
as msgspec Structs, which the OpenAPI document describes field by field."""

from __future__ import annotations

import msgspec
from litestar.datastructures import UploadFile


class RosterUpload(msgspec.Struct, kw_only=True):
    file: UploadFile
    password: str = ""
    dry_run: bool = False


class RosterResult(msgspec.Struct, kw_only=True):
    rows: int
    created_people: int
    created_accounts: int
