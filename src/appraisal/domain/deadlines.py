"""限时办结: due dates with pauses and extensions, warning lights and the chase ladder.

All numbers are office settings (`DeadlineRules`); the defaults are those of DOMAIN.md.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from appraisal.domain.calendar import WorkingCalendar
from appraisal.errors import InvalidInput
from appraisal.i18n import _


class Light(StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"

    @property
    def label(self) -> str:
        return LIGHT_LABELS[self]


LIGHT_LABELS = {Light.GREEN: _("正常"), Light.YELLOW: _("预警"), Light.RED: _("超期")}


class ChaseStage(StrEnum):
    REMINDER = "reminder"  # 提醒: due soon
    CHASE = "chase"  # 催办通知: the working day after due
    BULLETIN = "bulletin"  # 通报批评: more than N working days late


@dataclass(frozen=True)
class DeadlineRules:
    yellow_share_used: float = 2 / 3  # yellow once this share of the working time is used …
    yellow_days_left: int = 1  # … or when this many working days or fewer remain
    max_extensions: int = 1
    max_extension_factor: float = 1.0  # an extension adds at most this times the original limit
    bulletin_after_days_late: int = 5
    transfer_accept_days: int = 1  # an unaccepted transfer is overdue after this many working days


DEFAULT_RULES = DeadlineRules()


def due_date(calendar: WorkingCalendar, accepted_on: dt.date, limit_days: int, paused_days: int = 0) -> dt.date:
    """The Nth working day after acceptance, moved on by the working days spent paused."""
    return calendar.add_working_days(accepted_on, limit_days + paused_days)


def light(
    calendar: WorkingCalendar, today: dt.date, started_on: dt.date, due_on: dt.date,
    rules: DeadlineRules = DEFAULT_RULES,
) -> Light:
    """Green on track; yellow when most of the working time is used or little remains; red
    when overdue. A step (an unaccepted transfer) is judged the same way."""
    if today > due_on:
        return Light.RED
    left = calendar.working_days_between(today, due_on)
    if left <= rules.yellow_days_left:
        return Light.YELLOW
    total = calendar.working_days_between(started_on, due_on)
    used = calendar.working_days_between(started_on, today)
    if total > 0 and used / total >= rules.yellow_share_used:
        return Light.YELLOW
    return Light.GREEN


def working_days_late(calendar: WorkingCalendar, today: dt.date, due_on: dt.date) -> int:
    return max(0, calendar.working_days_between(due_on, today))


def chase_stage(
    calendar: WorkingCalendar, today: dt.date, due_on: dt.date, rules: DeadlineRules = DEFAULT_RULES
) -> ChaseStage | None:
    """Where an open matter stands on the chase ladder today, if anywhere."""
    late = working_days_late(calendar, today, due_on)
    if late > rules.bulletin_after_days_late:
        return ChaseStage.BULLETIN
    if late >= 1:
        return ChaseStage.CHASE
    if today <= due_on and calendar.working_days_between(today, due_on) <= rules.yellow_days_left:
        return ChaseStage.REMINDER
    return None


def check_extension(
    calendar: WorkingCalendar, today: dt.date, due_on: dt.date, new_due_on: dt.date, limit_days: int,
    extensions_so_far: int, rules: DeadlineRules = DEFAULT_RULES,
) -> None:
    """An extension (延期) must be asked for by the due date, move the date later, and stay
    within the bound: by default once, and at most as long again as the original limit."""
    if today > due_on:
        raise InvalidInput(_("已超过办结期限，不能再申请延期"), code="extension_too_late")
    if extensions_so_far >= rules.max_extensions:
        raise InvalidInput(_("该办件已延期 {n} 次，不能再延期").format(n=extensions_so_far), code="extension_limit")
    if new_due_on <= due_on:
        raise InvalidInput(_("新的办结日期必须晚于原期限 {d}").format(d=due_on), code="extension_not_later")
    allowed = max(1, int(limit_days * rules.max_extension_factor))
    latest = calendar.add_working_days(due_on, allowed)
    if new_due_on > latest:
        raise InvalidInput(
            _("延期最多 {n} 个工作日，即不晚于 {d}").format(n=allowed, d=latest), code="extension_too_long"
        )


def yellow_from(
    calendar: WorkingCalendar, started_on: dt.date, due_on: dt.date, rules: DeadlineRules = DEFAULT_RULES
) -> dt.date:
    """The first date on which `light` turns yellow; stored with a matter so that lists filter
    by light in SQL (red: after due_on; yellow: from this date)."""
    day = started_on
    while day < due_on and light(calendar, day, started_on, due_on, rules) == Light.GREEN:
        day += dt.timedelta(days=1)
    return day
