"""Target weights and the roll-up by weight, as a section chief would check them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appraisal.domain.targets import (
    Node, completion_from_value, overall, require_full_weights, require_room, rollup, weight_problems,
)
from appraisal.errors import InvalidInput


def test_completion_rolls_up_by_weight_from_people_to_section_to_office():
    nodes = [
        Node(1, None, 100, None),            # office target
        Node(2, 1, 60, None), Node(3, 1, 40, None),  # two sections
        Node(4, 2, 50, 100), Node(5, 2, 50, 40),     # section 2: two people
        Node(6, 3, 100, None),                       # section 3: one person, not started
    ]
    result = rollup(nodes)
    assert result[2] == 70 and result[6] == 0 and result[3] == 0
    assert result[1] == 42  # 0.6 × 70 + 0.4 × 0


def test_an_archived_target_is_left_out_not_counted_as_zero():
    nodes = [Node(1, None, 100, None), Node(2, 1, 50, 80), Node(3, 1, 50, None, archived=True)]
    result = rollup(nodes)
    assert result[1] == 80
    assert 3 not in result
    # Had it been counted as 0 the office would show 40.


def test_a_parent_whose_children_are_all_archived_counts_its_own_progress():
    assert rollup([Node(1, None, 100, 30), Node(2, 1, 100, 90, archived=True)])[1] == 30


@given(st.lists(st.tuples(st.floats(1, 100), st.floats(0, 100)), min_size=1, max_size=12))
def test_a_parent_lies_between_its_lowest_and_highest_child(children):
    nodes = [Node(0, None, 100, None)] + [Node(i + 1, 0, w, c) for i, (w, c) in enumerate(children)]
    value = rollup(nodes)[0]
    assert min(c for _w, c in children) - 0.1 <= value <= max(c for _w, c in children) + 0.1


def test_children_not_summing_to_100_are_refused_naming_the_parent_and_the_sum():
    with pytest.raises(InvalidInput, match="“办文质量”的下级目标权重合计为 90，应为 100") as err:
        require_full_weights("办文质量", [50, 40])
    assert err.value.detail == {"parent": "办文质量", "sum": 90}
    require_full_weights("办文质量", [33.34, 33.33, 33.33])


def test_a_new_child_may_not_push_the_sum_over_100():
    require_room("x", [40, 30], 30)
    with pytest.raises(InvalidInput, match="合计将为 110"):
        require_room("x", [40, 30], 40)


def test_quantity_completion_is_capped_at_100():
    assert completion_from_value(20, 15) == 75
    assert completion_from_value(20, 30) == 100
    with pytest.raises(InvalidInput):
        completion_from_value(None, 3)


def test_overall_is_none_when_there_is_nothing_to_measure():
    assert overall([]) is None
    assert overall([(60, 100), (40, 50)]) == 80


def test_weight_problems_lists_parents_off_100():
    nodes = [Node(1, None, 100, None), Node(2, 1, 60, None), Node(3, 1, 30, None)]
    assert weight_problems(nodes, {None: "单位", 1: "甲"}) == {1: 90}
