"""Pieces every API controller uses: the caller, error documentation, paging."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar
from urllib.parse import quote

import msgspec
from litestar import Request, Response
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter

from appraisal.scopes import Principal


class ErrorBody(msgspec.Struct):
    """Every 4xx/5xx answer: a stable machine code and a message for people (zh-CN)."""

    code: str
    message: str
    detail: Any = None


_ERROR_TEXT = {
    400: "Malformed request or a value of the wrong type",
    401: "Not logged in, or wrong credentials",
    403: "Logged in, but not allowed to do this",
    404: "No such record within the caller's scope",
    409: "Conflicts with the current state (duplicate, stale write, locked period)",
    422: "A value breaks a business rule",
    429: "Too many attempts",
    503: "A part of the service stopped for a moment (the report process); asking again helps",
}


def errors(*statuses: int) -> dict[int, ResponseSpec]:
    """OpenAPI documentation of the errors an operation can answer."""
    return {s: ResponseSpec(data_container=ErrorBody, description=_ERROR_TEXT[s]) for s in statuses}


def file_response(content: bytes, media_type: str, filename: str, fallback: str, *,
                  inline: bool = False) -> Response[bytes]:
    """A download: the Chinese file name percent-encoded (RFC 6266), with an ASCII fallback."""
    disposition = "inline" if inline else "attachment"
    return Response(content, media_type=media_type, headers={
        "Content-Disposition": f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"})


S = TypeVar("S", bound=msgspec.Struct)


def from_row(cls: type[S], row: Any) -> S:
    """A response struct from a service's row (a dict, or an object with attributes), checked
    against the struct's types down to nested structs; the row's extra keys are left out."""
    return msgspec.convert(row, cls, from_attributes=True)


def provide_principal(request: Request) -> Principal:
    return request.user


Offset = Annotated[int, Parameter(ge=0, description="rows to skip")]
Limit = Annotated[int, Parameter(ge=1, le=500, description="rows per page")]


class Page(msgspec.Struct):
    total: int
    offset: int
    limit: int
