"""考核期: a period's lifecycle steps with their labels, and its dates and name. Pure rules, as
`domain.appraisal` (which re-exports them)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from appraisal.errors import InvalidInput
from appraisal.i18n import _


class PeriodStatus(StrEnum):
    DRAFT = "draft"  # 未开始
    SELF_SUMMARY = "self_summary"  # 个人总结
    SCORING = "scoring"  # 评分
    SUBMITTED = "submitted"  # 已提交 (every unit)
    REVIEWED = "reviewed"  # 已审核
    LOCKED = "locked"  # 已锁定

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    PeriodStatus.DRAFT: _("未开始"), PeriodStatus.SELF_SUMMARY: _("个人总结"), PeriodStatus.SCORING: _("评分中"),
    PeriodStatus.SUBMITTED: _("已提交"), PeriodStatus.REVIEWED: _("已审核"), PeriodStatus.LOCKED: _("已锁定"),
}
# Whether a unit (a section's staff, or the chiefs under the leaders) has submitted its scores.
SUBMISSION_LABELS = {True: STATUS_LABELS[PeriodStatus.SUBMITTED], False: _("未提交")}


# The quarters by their number (1–4), as a period's name and the annual tables' columns call them.
QUARTER_NAMES = {1: _("第一季度"), 2: _("第二季度"), 3: _("第三季度"), 4: _("第四季度")}


def quarter_name(quarter: int) -> str:
    """第一季度 … 第四季度 for 1 … 4."""
    return QUARTER_NAMES[quarter]


def period_range(year: int, quarter: int | None) -> tuple[dt.date, dt.date]:
    """First and last day of a quarter (1–4), or of the year when `quarter` is None or 0."""
    if not quarter:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if quarter not in (1, 2, 3, 4):
        raise InvalidInput(_("季度应为 1 至 4"), code="bad_quarter")
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def period_name(year: int, quarter: int | None) -> str:
    if not quarter:
        return _("{year} 年度考核").format(year=year)
    return _("{year} 年{quarter}考核").format(year=year, quarter=quarter_name(quarter))
