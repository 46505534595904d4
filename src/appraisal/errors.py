"""Typed errors raised by domain and service code.

Each carries a stable machine code, an HTTP status and a message a person understands (zh-CN,
through gettext). One exception handler in app.py turns them into responses.
"""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, detail: Any = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        # The form field the error concerns: pages show the message next to it, the API in detail.
        self.field = field
        self.detail = {"field": field} if field and detail is None else detail


class InvalidInput(AppError):
    """The request is well-formed but a value breaks a rule (422)."""

    status_code = 422
    code = "invalid_input"


class NotFound(AppError):
    """The record does not exist or lies outside the caller's scope (404: no leak that it exists)."""

    status_code = 404
    code = "not_found"


class Forbidden(AppError):
    """The caller may see the record but not do this to it."""

    status_code = 403
    code = "forbidden"


class Conflict(AppError):
    status_code = 409
    code = "conflict"


class TooManyAttempts(AppError):
    status_code = 429
    code = "too_many_attempts"


class NotAuthenticated(AppError):
    status_code = 401
    code = "not_authenticated"


class Unavailable(AppError):
    """A part of the service is down for a moment (a worker process died); asking again helps."""

    status_code = 503
    code = "unavailable"
