"""目标管理: the rules of the target tree — weights, completion and the roll-up by weight.

An office's annual targets break down to section targets and then to individual targets. The
weights of one parent's children are shares of the parent and sum to 100. Completion is
reported on the leaves and rolls up by weight: a leaf not started counts 0; an archived target
is left out (its weight is not part of the parent's sum), it is not counted as 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from appraisal.errors import InvalidInput
from appraisal.i18n import _

WEIGHT_TOTAL = 100.0


class Level(StrEnum):
    OFFICE = "office"  # 单位目标
    SECTION = "section"  # 科室目标
    PERSON = "person"  # 个人目标

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self]

    @property
    def child(self) -> Level | None:
        return {Level.OFFICE: Level.SECTION, Level.SECTION: Level.PERSON}.get(self)


LEVEL_LABELS = {Level.OFFICE: _("单位"), Level.SECTION: _("科室"), Level.PERSON: _("个人")}


class IndicatorKind(StrEnum):
    QUANTITY = "quantity"  # 数量: a target value in a unit
    DEADLINE = "deadline"  # 时限: done by a date
    QUALITY = "quality"  # 质量: a described standard

    @property
    def label(self) -> str:
        return INDICATOR_LABELS[self]


INDICATOR_LABELS = {IndicatorKind.QUANTITY: _("数量"), IndicatorKind.DEADLINE: _("时限"), IndicatorKind.QUALITY: _("质量")}

# A target is active, or archived: kept, but out of the roll-up and closed to progress reports.
ACTIVE, ARCHIVED = "active", "archived"
STATUS_LABELS = {ACTIVE: _("有效"), ARCHIVED: _("已归档")}


@dataclass(frozen=True)
class Node:
    """One target as the roll-up sees it."""

    id: int
    parent_id: int | None
    weight: float
    reported: float | None  # the latest reported completion (0–100) of a leaf; None = not started
    archived: bool = False


def check_weight(weight: float) -> float:
    if not (isinstance(weight, (int, float)) and math.isfinite(weight) and 0 < weight <= WEIGHT_TOTAL):
        raise InvalidInput(_("权重应大于 0 且不超过 100"), code="bad_weight")
    return round(float(weight), 2)


def weights_sum(weights: Iterable[float]) -> float:
    return round(sum(weights), 2)


def require_full_weights(parent_title: str, weights: Sequence[float]) -> None:
    """The children of one parent must share exactly 100 (422 naming the parent and the sum)."""
    total = weights_sum(weights)
    if abs(total - WEIGHT_TOTAL) > 0.001:
        raise InvalidInput(
            _("“{parent}”的下级目标权重合计为 {total:g}，应为 100").format(parent=parent_title, total=total),
            code="weights_not_100", detail={"parent": parent_title, "sum": total},
        )


def require_room(parent_title: str, sibling_weights: Sequence[float], weight: float) -> None:
    """While a parent is being broken down its children may sum to less than 100, never more."""
    total = weights_sum([*sibling_weights, weight])
    if total > WEIGHT_TOTAL + 0.001:
        raise InvalidInput(
            _("“{parent}”的下级目标权重合计将为 {total:g}，超过 100").format(parent=parent_title, total=total),
            code="weights_over_100", detail={"parent": parent_title, "sum": total},
        )


def completion_from_value(target_value: float | None, actual: float) -> float:
    """A quantity target's completion from the value reached, capped at 100."""
    if not target_value or target_value <= 0:
        raise InvalidInput(_("该目标没有目标值，请直接填写完成百分比"), code="no_target_value")
    return round(min(100.0, max(0.0, actual / target_value * 100)), 1)


def check_completion(value: float) -> float:
    if not (math.isfinite(value) and 0 <= value <= 100):
        raise InvalidInput(_("完成度应在 0 到 100 之间"), code="bad_completion")
    return round(float(value), 1)


def rollup(nodes: Iterable[Node]) -> dict[int, float]:
    """Completion (0–100) of every non-archived target: a leaf its reported value (0 when not
    started), a parent the weighted mean of its non-archived children. A parent whose children
    are all archived counts as a leaf. One pass over the tree, no recursion limit."""
    nodes = [n for n in nodes if not n.archived]
    by_id = {n.id: n for n in nodes}
    children: dict[int, list[Node]] = {}
    for n in nodes:
        if n.parent_id in by_id:
            children.setdefault(n.parent_id, []).append(n)
    result: dict[int, float] = {}
    # Post-order without recursion: deepest first.
    order: list[Node] = []
    stack = [n for n in nodes if n.parent_id not in by_id]
    while stack:
        n = stack.pop()
        order.append(n)
        stack.extend(children.get(n.id, []))
    for n in reversed(order):
        kids = children.get(n.id)
        if not kids:
            result[n.id] = n.reported or 0.0
            continue
        total_weight = sum(k.weight for k in kids)
        result[n.id] = round(sum(k.weight * result[k.id] for k in kids) / total_weight, 1) if total_weight else 0.0
    return result


def overall(parts: Iterable[tuple[float, float]]) -> float | None:
    """One figure for a set of (weight, completion) pairs, e.g. all of a person's targets of a
    year; None when there is nothing to measure (the component does not apply)."""
    parts = list(parts)
    total = sum(w for w, _c in parts)
    if not parts or total <= 0:
        return None
    return round(sum(w * c for w, c in parts) / total, 1)


def weight_problems(nodes: Iterable[Node], titles: Mapping[int | None, str]) -> dict[int | None, float]:
    """Parents (None = the office's top level) whose non-archived children do not sum to 100,
    with the sum, for the tree page to flag."""
    sums: dict[int | None, float] = {}
    for n in nodes:
        if not n.archived:
            sums[n.parent_id] = sums.get(n.parent_id, 0.0) + n.weight
    return {p: round(s, 2) for p, s in sums.items() if abs(s - WEIGHT_TOTAL) > 0.001 and p in titles}
