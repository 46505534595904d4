"""When a person sees their own appraisal results, and the 评优选先 order: pure rules."""

import pytest

from appraisal.domain.appraisal import (
    INDICATOR_NAMES, DEFAULT_TEMPLATE, Candidate, Policy, PeriodStatus, commendation_candidates, results_pending_text,
    results_visible,
)
from appraisal.errors import InvalidInput

ORDER = list(PeriodStatus)


@pytest.mark.parametrize("step", ["submitted", "reviewed", "locked"])
def test_results_are_shown_from_the_publishing_step_on_and_never_before(step):
    policy = Policy(results_shown_at=step)
    shown = [s.value for s in ORDER if results_visible(s, policy)]
    assert shown == [s.value for s in ORDER[ORDER.index(PeriodStatus(step)):]]


def test_by_default_results_wait_for_the_leaders_review_and_say_so():
    assert [s.value for s in ORDER if results_visible(s)] == ["reviewed", "locked"]
    assert results_pending_text(Policy()) == "考核结果将在分管领导审核后公布"
    with pytest.raises(InvalidInput, match="公布结果的环节") as refused:
        Policy.from_dict({"results_shown_at": "scoring"})
    assert refused.value.field == "results_shown_at"


def test_a_policy_number_refused_names_its_field():
    with pytest.raises(InvalidInput) as refused:
        Policy.from_dict({"bonus_cap": -1})
    assert refused.value.field == "bonus_cap" and refused.value.message == "“加分上限”应为非负数"


def test_each_default_indicator_is_named_by_the_label_next_to_its_code():
    assert {i.code: i.name for i in DEFAULT_TEMPLATE} == INDICATOR_NAMES == {
        "de": "德", "neng": "能", "qin": "勤", "ji": "绩", "lian": "廉"}


def test_commendation_puts_every_excellent_before_a_competent_whatever_the_scores():
    excellent, competent = 0, 1
    people = [Candidate(1, 93, "a", excellent), Candidate(2, 95, "b", competent), Candidate(3, 90, "c", excellent),
              Candidate(4, 89, "d", excellent)]
    assert [c.person_id for c in commendation_candidates(people, 3).chosen] == [1, 3, 4]
    assert [c.person_id for c in commendation_candidates(people, 4).chosen] == [1, 3, 4, 2]


def test_a_tie_for_the_last_place_needs_the_same_grade_and_score():
    excellent, competent = 0, 1
    people = [Candidate(1, 93, "a", excellent), Candidate(2, 90.7, "b", excellent), Candidate(3, 90.7, "c", competent)]
    assert commendation_candidates(people, 2) == ([people[0], people[1]], [], 0)
    level = [*people[:2], Candidate(4, 90.7, "d", excellent)]
    assert commendation_candidates(level, 2) == ([people[0]], [people[1], level[2]], 1)
