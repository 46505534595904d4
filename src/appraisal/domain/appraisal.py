"""绩效考核: the appraisal rules as plain functions — the score formula, grades, quotas and the
annual grade with its eligibility.

Every number here is an office's configurable default, carried in `Policy`; a period keeps the
policy (and the indicator template) it was opened with, so changing them later never rewrites a
closed period.

The score of one person in one quarter (`score`) is::

    total = Σ indicators (德 能 勤 绩 廉, the chief's or leader's scores)
            with 绩 = (1 − s) · 绩_entered + s · weight_绩 · completion / 100   [target completion applies]
          − accountability deductions (final records decided in the quarter)  [if any]
          − overdue points per matter / supervision item, capped             [if any were due]
          + bonuses (commendations, 信息采用), capped                          [if any]
    clipped to 0 … 100, rounded to 2 decimals (half up).

A component that does not apply to the person — no targets, nothing due, no records, no
bonuses — is left out of the formula and listed as excluded with the reason; it is never
averaged in as 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

import msgspec

from appraisal.errors import InvalidInput
from appraisal.i18n import _
from appraisal.domain.periods import PeriodStatus, STATUS_LABELS, period_name, period_range  # noqa: F401
from appraisal.domain.commendation import (  # noqa: F401  (评优选先's rules, here too for callers of this module)
    COMMENDATION_ORDER, Candidate, Proposal, commendation_candidates, commendation_order,
)


class Rounding(StrEnum):
    HALF_UP = "half_up"  # 四舍五入
    DOWN = "down"  # 去尾
    UP = "up"  # 进一

    @property
    def label(self) -> str:
        return ROUNDING_LABELS[self]


ROUNDING_LABELS = {Rounding.HALF_UP: _("四舍五入"), Rounding.DOWN: _("向下取整"), Rounding.UP: _("向上取整")}


class QuarterGrade(StrEnum):
    GOOD = "good"  # 好
    FAIRLY_GOOD = "fairly_good"  # 较好
    AVERAGE = "average"  # 一般
    POOR = "poor"  # 较差

    @property
    def label(self) -> str:
        return GRADE_LABELS[self]

    @property
    def rank(self) -> int:
        return list(QuarterGrade).index(self)


class AnnualGrade(StrEnum):
    EXCELLENT = "excellent"  # 优秀
    COMPETENT = "competent"  # 称职
    BASIC = "basic"  # 基本称职
    INCOMPETENT = "incompetent"  # 不称职

    @property
    def label(self) -> str:
        return GRADE_LABELS[self]

    @property
    def rank(self) -> int:
        return list(AnnualGrade).index(self)


GRADE_LABELS: dict[str, str] = {
    QuarterGrade.GOOD: _("好"), QuarterGrade.FAIRLY_GOOD: _("较好"), QuarterGrade.AVERAGE: _("一般"),
    QuarterGrade.POOR: _("较差"), AnnualGrade.EXCELLENT: _("优秀"), AnnualGrade.COMPETENT: _("称职"),
    AnnualGrade.BASIC: _("基本称职"), AnnualGrade.INCOMPETENT: _("不称职"),
}


class Pool(StrEnum):
    """考核类别: who scores a person — the chief (一般干部) or the leaders over the section (科室负责人)."""
    STAFF = "staff"
    LEADERS = "leaders"


POOL_LABELS = {Pool.STAFF: _("一般干部"), Pool.LEADERS: _("科室负责人")}
POOL_SCORERS = {Pool.STAFF: _("由科长评分"), Pool.LEADERS: _("由分管领导评分")}


@dataclass(frozen=True)
class Policy:
    """An office's appraisal numbers. Defaults follow ../shared/DOMAIN.md section 7."""

    good_min: float = 90  # 好 ≥ 90
    fairly_good_min: float = 80  # 较好 ≥ 80
    average_min: float = 60  # 一般 ≥ 60, else 较差
    good_quota_pct: float = 40  # 好 places per unit and pool
    excellent_quota_pct: float = 20  # 优秀 places of those appraised
    excellent_quota_pct_approved: float = 25  # … with a recorded approval
    rounding: Rounding = Rounding.HALF_UP
    competent_min: float = 70  # annual: 称职 ≥ 70
    basic_min: float = 60  # annual: 基本称职 ≥ 60, else 不称职
    excellent_needs_good_quarters: int = 1  # quarterly 好 needed for 优秀
    target_share_of_ji: float = 0.3  # share of 绩 that target completion decides
    overdue_matter_points: float = 0.5
    overdue_item_points: float = 1.0
    overdue_cap: float = 5.0
    bonus_cap: float = 3.0
    # The step at which a person sees their own scores, breakdown and grade (see `results_visible`).
    results_shown_at: str = "reviewed"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Policy:
        data = dict(data or {})
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        if "rounding" in values:
            try:
                values["rounding"] = Rounding(values["rounding"])
            except ValueError:
                raise InvalidInput(_("取整规则应为四舍五入、向下取整或向上取整"), code="bad_rounding",
                                   field="rounding") from None
        policy = cls(**values)
        policy.validate()
        return policy

    def validate(self) -> None:
        numbers = {k: v for k, v in asdict(self).items() if k not in ("rounding", "results_shown_at")}
        for name, value in numbers.items():
            if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
                raise InvalidInput(_("“{label}”应为非负数").format(label=POLICY_LABELS.get(name, name)),
                                   code="bad_policy", field=name)
        if not self.good_min > self.fairly_good_min > self.average_min:
            raise InvalidInput(_("等次分数线应满足 好 > 较好 > 一般"), code="bad_policy", field="good_min")
        if not self.competent_min > self.basic_min:
            raise InvalidInput(_("年度等次分数线应满足 称职 > 基本称职"), code="bad_policy", field="competent_min")
        for name in ("good_quota_pct", "excellent_quota_pct", "excellent_quota_pct_approved"):
            if getattr(self, name) > 100:
                raise InvalidInput(_("比例不能超过 100%"), code="bad_policy", field=name)
        if self.target_share_of_ji > 1:
            raise InvalidInput(_("目标完成度占“绩”的比例应在 0 到 1 之间"), code="bad_policy", field="target_share_of_ji")
        if self.results_shown_at not in RESULTS_SHOWN_AT:
            raise InvalidInput(_("公布结果的环节应为已提交、已审核或已锁定"), code="bad_policy", field="results_shown_at")


# What the settings page calls each number of the policy, next to its field name.
POLICY_LABELS: dict[str, str] = {
    "good_min": _("“好”分数线"), "fairly_good_min": _("“较好”分数线"), "average_min": _("“一般”分数线"),
    "good_quota_pct": _("“好”等次比例（%）"), "excellent_quota_pct": _("“优秀”比例（%）"),
    "excellent_quota_pct_approved": _("经批准的“优秀”比例（%）"), "competent_min": _("“称职”年度分数线"),
    "basic_min": _("“基本称职”年度分数线"), "excellent_needs_good_quarters": _("评优秀需季度“好”次数"),
    "target_share_of_ji": _("目标完成度占“绩”的比例（0–1）"), "overdue_matter_points": _("每件超期办件扣分"),
    "overdue_item_points": _("每项超期督办扣分"), "overdue_cap": _("超期扣分上限"), "bonus_cap": _("加分上限"),
}


DEFAULT_POLICY = Policy()


# --- the indicator template ------------------------------------------------------------------

@dataclass(frozen=True)
class SubItem:
    name: str
    weight: float


@dataclass(frozen=True)
class Indicator:
    """One column of the grid: 德, 能, 勤, 绩 or 廉, scored from 0 to its weight."""

    code: str
    name: str
    weight: float
    sub_items: tuple[SubItem, ...] = ()


JI = "ji"  # the indicator that target completion feeds

# The default indicators' names, each next to its code: what a page shows for a code.
INDICATOR_NAMES: dict[str, str] = {"de": _("德"), "neng": _("能"), "qin": _("勤"), JI: _("绩"), "lian": _("廉")}

DEFAULT_TEMPLATE: tuple[Indicator, ...] = (
    Indicator("de", INDICATOR_NAMES["de"], 15, (SubItem(_("政治品质"), 8), SubItem(_("职业道德"), 7))),
    Indicator("neng", INDICATOR_NAMES["neng"], 15, (SubItem(_("业务能力"), 8), SubItem(_("协调沟通"), 7))),
    Indicator("qin", INDICATOR_NAMES["qin"], 15, (SubItem(_("工作态度"), 8), SubItem(_("出勤纪律"), 7))),
    Indicator(JI, INDICATOR_NAMES[JI], 40, (SubItem(_("目标任务完成"), 25), SubItem(_("工作质量与效率"), 15))),
    Indicator("lian", INDICATOR_NAMES["lian"], 15, (SubItem(_("廉洁自律"), 15),)),
)


def validate_template(indicators: Sequence[Indicator]) -> None:
    """Indicators sum to 100, codes are unique, each indicator's sub-items sum to its weight."""
    if not indicators:
        raise InvalidInput(_("考核指标不能为空"), code="bad_template")
    codes = [i.code for i in indicators]
    if len(set(codes)) != len(codes) or any(not c or len(c) > 16 for c in codes):
        raise InvalidInput(_("指标代码不能为空、不能重复"), code="bad_template")
    for i in indicators:
        if not i.name.strip() or not (0 < i.weight <= 100):
            raise InvalidInput(_("指标“{name}”的名称或分值无效").format(name=i.name), code="bad_template")
        if i.sub_items and abs(sum(s.weight for s in i.sub_items) - i.weight) > 0.001:
            raise InvalidInput(_("指标“{name}”的细项分值合计为 {total:g}，应为 {weight:g}").format(
                name=i.name, total=sum(s.weight for s in i.sub_items), weight=i.weight), code="bad_template")
    total = sum(i.weight for i in indicators)
    if abs(total - 100) > 0.001:
        raise InvalidInput(_("考核指标分值合计为 {total:g}，应为 100").format(total=total), code="bad_template")


def check_cell(indicator: Indicator, value: float | None) -> float | None:
    """A grid cell: empty, or a number from 0 to the indicator's weight (one decimal)."""
    if value is None:
        return None
    if not math.isfinite(value) or not 0 <= value <= indicator.weight:
        raise InvalidInput(_("“{name}”的分数应在 0 到 {max:g} 之间").format(name=indicator.name, max=indicator.weight),
                           code="score_out_of_range")
    return float(Decimal(str(value)).quantize(Decimal("0.1"), ROUND_HALF_UP))


# --- the score formula -----------------------------------------------------------------------

class Source(msgspec.Struct, frozen=True):
    """A record behind an automatic component, shown next to it."""

    kind: str  # accountability | matter | supervision | target | bonus
    id: int
    text: str
    points: float = 0.0


class Inputs(msgspec.Struct, frozen=True):
    """Everything the formula reads for one person and period."""

    cells: Mapping[str, float | None]
    target_completion: float | None = None  # None: the person has no targets this year
    target_sources: tuple[Source, ...] = ()
    accountability: tuple[Source, ...] = ()  # final records, points as deductions (positive numbers)
    due_matters: int = 0  # matters and supervision items due in the period …
    due_items: int = 0
    overdue: tuple[Source, ...] = ()  # … and the late ones among them
    bonuses: tuple[Source, ...] = ()  # points as awarded (positive)


class Component(msgspec.Struct, frozen=True):
    code: str  # target | accountability | overdue | bonus
    label: str
    points: float  # what it adds to the total (negative for deductions); 0 for target (it acts inside 绩)
    detail: str
    sources: tuple[Source, ...] = ()


class Line(msgspec.Struct, frozen=True):
    code: str
    name: str
    weight: float
    entered: float | None
    value: float | None  # after the target blend for 绩


class Breakdown(msgspec.Struct, frozen=True):
    lines: tuple[Line, ...]
    components: tuple[Component, ...]
    excluded: tuple[tuple[str, str], ...]  # (label, why) of components that do not apply
    total: float | None  # None until every indicator is scored
    complete: bool = False


def breakdown_dict(b: Breakdown) -> dict[str, Any]:
    """The breakdown as plain dicts and lists, as it reads back once frozen (JSON)."""
    return msgspec.to_builtins(b)


def _round2(value: float) -> float:
    """Half up to two decimals, on the number as written (1.005 → 1.01). A number written with
    two decimals or fewer is already that (the common case: 0.3 µs against 2 µs for Decimal)."""
    text = repr(value)
    point = text.find(".")
    if point >= 0 and len(text) - point <= 3 and "e" not in text:
        return value
    return float(Decimal(text).quantize(Decimal("0.01"), ROUND_HALF_UP))


COMPONENT_LABELS = {"target": _("目标完成度"), "accountability": _("责任追究扣分"), "overdue": _("超期扣分"),
                    "bonus": _("加分")}  # the parts of a score besides the indicators, as a breakdown lists them


def score(indicators: Sequence[Indicator], inputs: Inputs, policy: Policy = DEFAULT_POLICY) -> Breakdown:
    """The documented formula (see the module docstring)."""
    components: list[Component] = []
    excluded: list[tuple[str, str]] = []

    share = policy.target_share_of_ji
    blend = inputs.target_completion is not None and share > 0 and any(i.code == JI for i in indicators)
    if blend:
        components.append(Component("target", COMPONENT_LABELS["target"], 0.0,
                                    _("完成 {c:g}%，占“绩”的 {s:g}%").format(c=inputs.target_completion, s=share * 100),
                                    inputs.target_sources))
    else:
        excluded.append((COMPONENT_LABELS["target"], _("本年度没有个人目标，“绩”全部按评分计算")))

    lines = []
    lines_sum, complete = 0.0, True  # Σ of the indicators' values, and whether every one is scored
    for ind in indicators:
        entered = inputs.cells.get(ind.code)
        value = entered
        if entered is not None and blend and ind.code == JI:
            value = _round2((1 - share) * entered + share * ind.weight * inputs.target_completion / 100)
        lines.append(Line(ind.code, ind.name, ind.weight, entered, value))
        if value is None:
            complete = False
        else:
            lines_sum += value

    if inputs.accountability:
        points = sum(s.points for s in inputs.accountability)
        components.append(Component("accountability", COMPONENT_LABELS["accountability"], -points,
                                    _("{n} 条生效记录").format(n=len(inputs.accountability)), inputs.accountability))
    else:
        excluded.append((COMPONENT_LABELS["accountability"], _("本期无生效的责任追究记录")))

    if inputs.due_matters or inputs.due_items:
        raw = sum(policy.overdue_item_points if s.kind == "supervision" else policy.overdue_matter_points
                  for s in inputs.overdue)
        points = min(raw, policy.overdue_cap)
        components.append(Component("overdue", COMPONENT_LABELS["overdue"], -points,
                                    _("本期到期办件 {m} 件、督办事项 {i} 项，超期 {o} 件").format(
                                        m=inputs.due_matters, i=inputs.due_items, o=len(inputs.overdue)),
                                    inputs.overdue))
    else:
        excluded.append((COMPONENT_LABELS["overdue"], _("本期没有到期的办件或督办事项")))

    if inputs.bonuses:
        raw = sum(s.points for s in inputs.bonuses)
        points = min(raw, policy.bonus_cap)
        detail = _("{n} 项，合计 {raw:g} 分").format(n=len(inputs.bonuses), raw=raw)
        if raw > policy.bonus_cap:
            detail += _("，封顶 {cap:g} 分").format(cap=policy.bonus_cap)
        components.append(Component("bonus", COMPONENT_LABELS["bonus"], points, detail, inputs.bonuses))
    else:
        excluded.append((COMPONENT_LABELS["bonus"], _("本期无表彰或信息采用记录")))

    total = None
    if complete:
        raw_total = lines_sum + sum(c.points for c in components)
        total = _round2(min(100.0, max(0.0, raw_total)))
    return Breakdown(tuple(lines), tuple(components), tuple(excluded), total, complete)


# --- grades and quotas -----------------------------------------------------------------------

def quarter_band(total: float, policy: Policy = DEFAULT_POLICY) -> QuarterGrade:
    if total >= policy.good_min:
        return QuarterGrade.GOOD
    if total >= policy.fairly_good_min:
        return QuarterGrade.FAIRLY_GOOD
    if total >= policy.average_min:
        return QuarterGrade.AVERAGE
    return QuarterGrade.POOR


def quarter_grade(total: float | None, lowered_to: str | None, policy: Policy = DEFAULT_POLICY) -> QuarterGrade | None:
    """The band of the total, or a lower grade the scorer chose (to respect the quota); never a
    higher one."""
    if total is None:
        return None
    band = quarter_band(total, policy)
    if lowered_to:
        chosen = QuarterGrade(lowered_to)
        if chosen.rank < band.rank:
            raise InvalidInput(_("等次不能高于分数对应的“{band}”").format(band=band.label), code="grade_above_band")
        return chosen
    return band


def quota_places(appraised: int, pct: float, rounding: Rounding = Rounding.HALF_UP) -> int:
    """How many people of `appraised` may get the top grade at `pct` percent.

    7 people at 20% is 1.4: 1 place rounding half up or down, 2 rounding up."""
    exact = Decimal(appraised) * Decimal(str(pct)) / Decimal(100)
    mode = {Rounding.HALF_UP: ROUND_HALF_UP, Rounding.DOWN: ROUND_FLOOR, Rounding.UP: ROUND_CEILING}[Rounding(rounding)]
    return int(exact.quantize(Decimal(1), mode))


@dataclass(frozen=True)
class QuotaState:
    places: int
    used: int
    holders: tuple[int, ...]  # person ids holding the top grade

    @property
    def left(self) -> int:
        return self.places - self.used

    @property
    def over(self) -> bool:
        return self.used > self.places


def quota_state(grades: Mapping[int, str | None], top: str, pct: float, rounding: Rounding) -> QuotaState:
    """The quota of one pool: `grades` maps every appraised person to their grade (or None)."""
    holders = tuple(sorted(p for p, g in grades.items() if g == top))
    return QuotaState(quota_places(len(grades), pct, rounding), len(holders), holders)


# --- the annual grade ------------------------------------------------------------------------

def annual_score(quarter_totals: Iterable[float | None]) -> float | None:
    """The mean of the quarters a person was scored in; a quarter they were not appraised in is
    left out, not counted as 0."""
    values = [t for t in quarter_totals if t is not None]
    return _round2(sum(values) / len(values)) if values else None


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    reasons: tuple[str, ...]


def excellent_eligibility(quarter_grades: Iterable[str | None], accountability_reasons: Sequence[str],
                          blocked_by_accountability: bool, policy: Policy = DEFAULT_POLICY) -> Eligibility:
    """May this person be 优秀 this year? Every reason against is given."""
    reasons = []
    goods = sum(1 for g in quarter_grades if g == QuarterGrade.GOOD)
    if goods < policy.excellent_needs_good_quarters:
        reasons.append(_("本年度季度考核“好”等次 {n} 次，少于 {m} 次").format(
            n=goods, m=policy.excellent_needs_good_quarters))
    if blocked_by_accountability:
        reasons.extend(accountability_reasons)
    return Eligibility(not reasons, tuple(reasons))


def annual_band(score_: float, propose_incompetent: bool, policy: Policy = DEFAULT_POLICY) -> AnnualGrade:
    """The grade the score gives, before any 优秀 proposal."""
    if propose_incompetent or score_ < policy.basic_min:
        return AnnualGrade.INCOMPETENT
    if score_ < policy.competent_min:
        return AnnualGrade.BASIC
    return AnnualGrade.COMPETENT


def annual_grade(score_: float | None, chosen: str | None, eligibility: Eligibility, propose_incompetent: bool,
                 policy: Policy = DEFAULT_POLICY) -> AnnualGrade | None:
    """The annual grade: the band of the score, or 优秀 when proposed for an eligible person
    whose band is 称职, or a lower grade the appraiser chose. An ineligible person is never 优秀."""
    if score_ is None:
        return None
    band = annual_band(score_, propose_incompetent, policy)
    if not chosen:
        return band
    grade = AnnualGrade(chosen)
    if grade == AnnualGrade.EXCELLENT:
        if not eligibility.eligible:
            raise InvalidInput(_("不能评为优秀：{why}").format(why="；".join(eligibility.reasons)),
                               code="not_eligible", detail={"reasons": list(eligibility.reasons)})
        if band != AnnualGrade.COMPETENT:
            raise InvalidInput(_("年度得分对应“{band}”，不能评为优秀").format(band=band.label), code="grade_above_band")
        return grade
    if grade.rank < band.rank:
        raise InvalidInput(_("等次不能高于分数对应的“{band}”").format(band=band.label), code="grade_above_band")
    return grade


# --- periods ---------------------------------------------------------------------------------

# The steps at which an office may publish results to the people appraised, and what a person
# reads until then.
RESULTS_SHOWN_AT: dict[str, str] = {
    "submitted": _("考核结果将在各单元提交后公布"),
    "reviewed": _("考核结果将在分管领导审核后公布"),
    "locked": _("考核结果将在考核期锁定后公布"),
}


def results_visible(period_status: str, policy: Policy = DEFAULT_POLICY) -> bool:
    """May a person see their own scores, breakdown and grade in a period at `period_status`?
    Only once the period has reached the step the office publishes results at (default:
    reviewed by the leader; a later step shows them too). A reopened period hides them again."""
    order = list(PeriodStatus)
    return order.index(PeriodStatus(period_status)) >= order.index(PeriodStatus(policy.results_shown_at))


def results_pending_text(policy: Policy = DEFAULT_POLICY) -> str:
    """What a person reads while their results are hidden: when they will be shown."""
    return RESULTS_SHOWN_AT[policy.results_shown_at]
