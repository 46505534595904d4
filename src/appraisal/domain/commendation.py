"""评优选先: who among the people eligible for commendation takes the places, in the order the
list is shown (`COMMENDATION_ORDER`), and who is level on the last place for the leaders to
decide between. Pure rules, as `domain.appraisal`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from appraisal.i18n import _


@dataclass(frozen=True)
class Candidate:
    person_id: int
    score: float
    sort_key: str = ""
    grade_rank: int = 0  # the annual grade's rank (`AnnualGrade.rank`): 优秀 0 before 称职 1


class Proposal(NamedTuple):
    """评优选先's proposal: who is within the places outright, and who is level on the grade and
    score of the last place(s), competing for `open_places` of them."""
    chosen: list[Candidate]
    tied: list[Candidate]
    open_places: int


COMMENDATION_ORDER = _("按年度等次排序（优秀在前，称职在后），同一等次内按年度得分从高到低")


def commendation_order(c: Candidate) -> tuple:
    """The order of the 评优选先 list (`COMMENDATION_ORDER`): the candidates are the people graded
    优秀, ordered by annual score (DOMAIN.md section 8), so a 称职 person never comes before one
    graded 优秀, whatever their scores."""
    return c.grade_rank, -round(c.score, 2), c.sort_key, c.person_id


def commendation_candidates(eligible: Iterable[Candidate], places: int) -> Proposal:
    """评优选先: the eligible people first by grade, then by annual score, within the places.

    People level on the grade and score of the last place (to the 0.01 shown) are not split by
    the order of their names: they are returned as tied, and the leaders decide between them."""
    ranked = sorted(eligible, key=commendation_order)
    places = max(0, places)

    def level(c: Candidate) -> tuple:
        return c.grade_rank, round(c.score, 2)

    if places == 0 or len(ranked) <= places or level(ranked[places]) != level(ranked[places - 1]):
        return Proposal(ranked[:places], [], 0)
    last = level(ranked[places - 1])
    chosen = [c for c in ranked if commendation_order(c)[:2] < (last[0], -last[1])]
    return Proposal(chosen, [c for c in ranked if level(c) == last], places - len(chosen))
