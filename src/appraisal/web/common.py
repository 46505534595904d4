"""Helpers shared by the page controllers: rendering with the caller, paging, local time."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any
from urllib.parse import urlencode

from litestar import Request
from jinja2 import pass_context
from litestar.plugins.flash import flash
from litestar.response import Template

from appraisal.domain import accountability as accountability_rules
from appraisal.domain.appraisal import GRADE_LABELS, INDICATOR_NAMES, POOL_LABELS, POOL_SCORERS, ROUNDING_LABELS
from appraisal.domain.calendar import DAY_KIND_LABELS, DAY_MARKS, LOCAL_TZ, today_local  # noqa: F401  (re-exported)
from appraisal.domain.commitments import LIMIT_KIND_LABELS
from appraisal.domain.people import GENDERS
from appraisal.domain.periods import (
    QUARTER_NAMES, STATUS_LABELS as PERIOD_STATUS_LABELS, SUBMISSION_LABELS, quarter_name,
)
from appraisal.domain.targets import INDICATOR_LABELS, LEVEL_LABELS, STATUS_LABELS as TARGET_STATUS_LABELS
from appraisal.errors import InvalidInput
from appraisal.i18n import _
from appraisal.scopes import ROLE_LABELS, Principal, Role
from appraisal.services import accountability, audit, matters, report_jobs, supervision
PAGE_SIZE = 30


def form_int(value: object, what: str, field: str | None = None) -> int | None:
    """A whole number typed or chosen in a form field: None when the field is blank, a 422
    naming the field when it holds anything else (a hidden id a user edited, say)."""
    text = str(value if value is not None else "").strip()
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(_("{what}应为整数，而不是“{v}”").format(what=what, v=text[:20]), code="not_a_number",
                           field=field) from None


def form_number(value: object, what: str, field: str | None = None) -> float | None:
    """A number typed in a form field: None when blank, a 422 naming the field otherwise."""
    text = str(value if value is not None else "").strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise InvalidInput(_("{what}“{v}”不是数字").format(what=what, v=text[:20]), code="not_a_number", field=field)
    return number


def local_time(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Times are stored in UTC and shown in Asia/Shanghai."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(LOCAL_TZ).strftime(fmt)


@pass_context
def flashes(context: Any) -> list[dict]:
    """The flash messages to show once. An error page for an unknown URL is rendered before the
    session middleware has run: it has no session, so no messages, rather than failing."""
    request = context.get("request")
    if request is None or "session" not in request.scope:
        return []
    return request.session.pop("_messages", [])


def code_labels() -> dict[str, Any]:
    """Every coded value's label, by the name templates read it under: each dictionary is the
    one defined next to its codes (a grade's label is `GRADE_LABELS[a.grade]`, a quarter's name
    `quarter_name(q)`), so a page, the audit log and the Excel export print the same words."""
    return {
        "GRADE_LABELS": GRADE_LABELS, "POOL_LABELS": POOL_LABELS, "POOL_SCORERS": POOL_SCORERS,
        "PERIOD_STATUS_LABELS": PERIOD_STATUS_LABELS, "SUBMISSION_LABELS": SUBMISSION_LABELS, "QUARTER_NAMES": QUARTER_NAMES, "quarter_name": quarter_name,
        "ROUNDING_LABELS": ROUNDING_LABELS, "INDICATOR_NAMES": INDICATOR_NAMES,
        "ROLE_LABELS": {r.value: label for r, label in ROLE_LABELS.items()}, "GENDERS": GENDERS,
        "INDICATOR_KIND_LABELS": INDICATOR_LABELS, "TARGET_LEVEL_LABELS": LEVEL_LABELS,
        "TARGET_STATUS_LABELS": TARGET_STATUS_LABELS,
        "DAY_KIND_LABELS": DAY_KIND_LABELS, "DAY_MARKS": DAY_MARKS, "LIMIT_KIND_LABELS": LIMIT_KIND_LABELS,
        "MATTER_STATUS_LABELS": matters.STATUS_LABELS, "MATTER_LIGHT_LABELS": matters.LIGHT_LABELS,
        "MATTER_EVENT_LABELS": matters.EVENT_LABELS, "CHANNEL_LABELS": matters.CHANNELS,
        "SATISFACTION_LABELS": matters.SATISFACTION,
        "SUPERVISION_STATUS_LABELS": supervision.STATUS_LABELS, "SUPERVISION_LIGHT_LABELS": supervision.LIGHT_LABELS,
        "SUPERVISION_SOURCE_LABELS": supervision.SOURCES, "SUPERVISION_REPORT_LABELS": supervision.REPORT_KINDS,
        "SUPERVISION_PART_LABELS": supervision.PARTS,
        "SUPERVISION_DEADLINE_LABELS": supervision.REPORT_DEADLINE_LABELS,
        "ACCOUNTABILITY_STATUS_LABELS": accountability.STATUS_LABELS, "TRIGGER_LABELS": accountability_rules.TRIGGERS,
        "APPEAL_RESULT_LABELS": accountability.APPEAL_RESULTS, "SYSTEM_ACTORS": audit.SYSTEM_ACTORS, "REPORT_JOB_STATUS_LABELS": report_jobs.STATUS_LABELS,
    }


def template_globals() -> dict[str, Any]:
    return {"flashes": flashes, "local_time": local_time, "Role": Role, **code_labels()}


def caller(request: Request) -> Principal | None:
    return request.scope.get("user")


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> Template:
    return Template(f"pages/{name}", context={"me": caller(request), **context}, status_code=status_code)


def notify(request: Request, message: str, category: str = "success") -> None:
    flash(request, message, category=category)


class Pager:
    """Which rows a list page shows, and the links to the other pages."""

    def __init__(self, request: Request, total: int, page_size: int = PAGE_SIZE) -> None:
        try:
            number = int(request.query_params.get("page", "1"))
        except ValueError:
            number = 1
        self.total = total
        self.page_size = page_size
        self.pages = max(1, math.ceil(total / page_size))
        self.number = min(max(1, number), self.pages)
        self._params = {k: v for k, v in request.query_params.items() if k != "page" and v}

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.page_size

    def url(self, number: int) -> str:
        return "?" + urlencode({**self._params, "page": number})


def pager_for(request: Request, page_size: int = PAGE_SIZE) -> tuple[int, int]:
    """(offset, limit) from ?page= before the total is known."""
    try:
        number = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        number = 1
    return (number - 1) * page_size, page_size
