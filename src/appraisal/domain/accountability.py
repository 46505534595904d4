"""责任追究: the forms of accountability and what final records mean for appraisal.

Only final records count. The forms and every threshold are office settings; the defaults are
those of DOMAIN.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from appraisal.i18n import _


@dataclass(frozen=True)
class FormDefault:
    code: str
    name: str
    deduction: float
    disqualifies: bool = False  # 取消评优资格: not eligible for commendation this year
    blocks_excellent: bool = False  # 诫勉: cannot be 优秀


DEFAULT_FORMS = (
    FormDefault("reminder_talk", "提醒谈话", 1),
    FormDefault("written_check", "书面检查", 2),
    FormDefault("criticism", "通报批评", 3),
    FormDefault("efficiency_warning", "效能告诫", 4),
    FormDefault("admonishment", "诫勉谈话", 5, blocks_excellent=True),
    FormDefault("disqualified", "取消评优资格", 0, disqualifies=True),
)

TRIGGERS = {
    "overdue": _("办件超期"),
    "shirk": _("推诿"),
    "complaint": _("投诉属实或回访不满意"),
    "supervision": _("督办事项未完成"),
    "manual": _("领导报告"),
}


@dataclass(frozen=True)
class AccountabilityRules:
    appeal_working_days: int = 5
    heavier_form_after: int = 2  # two or more records in a year → flagged for a heavier form
    warnings_for_incompetent: int = 2  # two 效能告诫 in a year → proposed 不称职
    warning_form_code: str = "efficiency_warning"


DEFAULT_RULES = AccountabilityRules()


@dataclass(frozen=True)
class FinalRecord:
    """A final accountability record as appraisal sees it."""

    id: int
    decided_on: dt.date
    form_code: str
    form_name: str
    points: float
    disqualifies: bool = False
    blocks_excellent: bool = False


@dataclass(frozen=True)
class Effects:
    """What a person's final records of a year (or period) mean for their appraisal."""

    deduction: float = 0.0
    records: tuple[FinalRecord, ...] = ()
    eligible_for_excellent: bool = True
    eligible_for_commendation: bool = True
    flag_heavier_form: bool = False
    propose_incompetent: bool = False
    reasons: tuple[str, ...] = field(default_factory=tuple)


def effects(records: Sequence[FinalRecord], rules: AccountabilityRules = DEFAULT_RULES) -> Effects:
    if not records:
        return Effects()
    reasons = [_("本年度有 {n} 条责任追究记录，不能评为优秀或参加评优").format(n=len(records))]
    if any(r.blocks_excellent for r in records):
        reasons.append(_("受到诫勉，不能评为优秀"))
    if any(r.disqualifies for r in records):
        reasons.append(_("已被取消评优资格"))
    heavier = len(records) >= rules.heavier_form_after
    if heavier:
        reasons.append(_("一年内 {n} 次被追究，应从重处理").format(n=len(records)))
    warnings = sum(1 for r in records if r.form_code == rules.warning_form_code)
    incompetent = warnings >= rules.warnings_for_incompetent
    if incompetent:
        reasons.append(_("一年内 {n} 次效能告诫，建议评为不称职").format(n=warnings))
    return Effects(
        deduction=round(sum(r.points for r in records), 2),
        records=tuple(records),
        eligible_for_excellent=False,
        eligible_for_commendation=False,
        flag_heavier_form=heavier,
        propose_incompetent=incompetent,
        reasons=tuple(reasons),
    )
