"""服务承诺: promised limits of service items, and the due date a limit gives."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from appraisal.domain.calendar import WorkingCalendar
from appraisal.errors import InvalidInput
from appraisal.i18n import _

COMMON_DAY_LIMITS = (1, 2, 3, 5, 13, 20)
MAX_LIMIT_DAYS = 365


class LimitKind(StrEnum):
    IMMEDIATE = "immediate"  # 即办: on the same working day
    SAME_DAY = "same_day"  # 当日: by the end of that day
    WORKING_DAYS = "working_days"  # N working days


# What the forms call each kind of limit; a Limit of N working days reads "N 个工作日".
LIMIT_KIND_LABELS = {LimitKind.IMMEDIATE: _("即办"), LimitKind.SAME_DAY: _("当日办结"),
                     LimitKind.WORKING_DAYS: _("N 个工作日")}


@dataclass(frozen=True)
class Limit:
    kind: LimitKind
    days: int = 0

    def __post_init__(self) -> None:
        if self.kind == LimitKind.WORKING_DAYS and not 1 <= self.days <= MAX_LIMIT_DAYS:
            raise InvalidInput(_("承诺时限应为 1 至 {n} 个工作日").format(n=MAX_LIMIT_DAYS), code="bad_limit")
        if self.kind != LimitKind.WORKING_DAYS and self.days:
            raise InvalidInput(_("即办、当日办结的事项不填天数"), code="bad_limit")

    @property
    def working_days(self) -> int:
        return self.days if self.kind == LimitKind.WORKING_DAYS else 0

    @property
    def label(self) -> str:
        if self.kind != LimitKind.WORKING_DAYS:
            return LIMIT_KIND_LABELS[self.kind]
        return _("{n} 个工作日").format(n=self.days)


def due_date(calendar: WorkingCalendar, accepted_on: dt.date, limit: Limit) -> dt.date:
    """The date a matter accepted on `accepted_on` is due: the Nth working day after it; 即办
    and 当日 on the day itself (the next working day when accepted on a day off)."""
    return calendar.add_working_days(accepted_on, limit.working_days)


@dataclass(frozen=True)
class VersionRef:
    id: int
    effective_from: dt.date


def version_in_force(versions: Sequence[VersionRef], on: dt.date) -> VersionRef | None:
    """The version with the latest effective date not after `on`."""
    candidates = [v for v in versions if v.effective_from <= on]
    return max(candidates, key=lambda v: (v.effective_from, v.id)) if candidates else None
