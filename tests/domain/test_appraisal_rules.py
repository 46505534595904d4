"""The appraisal formula, grades and quotas as an appraisal office would check them by hand."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from appraisal.domain.appraisal import (
    DEFAULT_POLICY, DEFAULT_TEMPLATE, AnnualGrade, Eligibility, Indicator, Inputs, Policy, QuarterGrade, Rounding,
    Source, SubItem, annual_grade, annual_score, check_cell, commendation_candidates, Candidate,
    excellent_eligibility, quarter_grade, quota_places, quota_state, score, validate_template,
)
from appraisal.errors import InvalidInput

FULL = {"de": 14, "neng": 13, "qin": 14, "ji": 36, "lian": 15}  # 92


def test_the_default_template_is_de_neng_qin_ji_lian_summing_to_100():
    validate_template(DEFAULT_TEMPLATE)
    assert [(i.name, i.weight) for i in DEFAULT_TEMPLATE] == [("德", 15), ("能", 15), ("勤", 15), ("绩", 40), ("廉", 15)]


def test_a_template_not_summing_to_100_is_refused_with_the_sum():
    bad = (*DEFAULT_TEMPLATE[:4], Indicator("lian", "廉", 10))
    with pytest.raises(InvalidInput, match="合计为 95"):
        validate_template(bad)
    with pytest.raises(InvalidInput, match="细项分值合计为 10"):
        validate_template((Indicator("a", "甲", 100, (SubItem("x", 10),)),))


def test_only_manual_scores_give_their_sum_and_every_automatic_part_is_listed_as_excluded():
    b = score(DEFAULT_TEMPLATE, Inputs(cells=FULL))
    assert b.total == 92
    assert b.components == ()
    assert [label for label, _why in b.excluded] == ["目标完成度", "责任追究扣分", "超期扣分", "加分"]


def test_target_completion_feeds_ji_and_is_left_out_when_the_person_has_no_targets():
    with_targets = score(DEFAULT_TEMPLATE, Inputs(cells=FULL, target_completion=50))
    # 绩 = 0.7 × 36 + 0.3 × 40 × 50% = 25.2 + 6 = 31.2
    assert next(line for line in with_targets.lines if line.code == "ji").value == 31.2
    assert with_targets.total == pytest.approx(87.2)
    # No targets: 绩 stays as entered, it is not blended with a 0.
    without = score(DEFAULT_TEMPLATE, Inputs(cells=FULL, target_completion=None))
    assert without.total == 92
    counted_as_zero = score(DEFAULT_TEMPLATE, Inputs(cells=FULL, target_completion=0))
    assert counted_as_zero.total == pytest.approx(81.2), "0% completion is a real 0, unlike no targets"


def test_deductions_overdue_points_and_bonuses_with_their_caps():
    inputs = Inputs(
        cells=FULL,
        accountability=(Source("accountability", 1, "书面检查", 2),),
        due_matters=10, due_items=2,
        overdue=(Source("matter", 5, "办件 5"), Source("matter", 6, "办件 6"), Source("supervision", 7, "督〔2026〕3号")),
        bonuses=(Source("bonus", 1, "市级表彰", 2), Source("bonus", 2, "信息采用", 2)),
    )
    b = score(DEFAULT_TEMPLATE, inputs)
    points = {c.code: c.points for c in b.components}
    assert points == {"accountability": -2, "overdue": -2.0, "bonus": 3}  # 0.5 + 0.5 + 1; bonus capped at 3
    assert b.total == 92 - 2 - 2 + 3
    assert next(c for c in b.components if c.code == "bonus").detail.endswith("封顶 3 分")


def test_overdue_points_apply_with_zero_when_things_were_due_and_all_on_time():
    b = score(DEFAULT_TEMPLATE, Inputs(cells=FULL, due_matters=4))
    overdue = next(c for c in b.components if c.code == "overdue")
    assert overdue.points == 0 and "超期 0 件" in overdue.detail
    assert "超期扣分" not in [label for label, _ in b.excluded]


def test_the_overdue_deduction_is_capped():
    overdue = tuple(Source("supervision", i, f"督{i}") for i in range(9))
    b = score(DEFAULT_TEMPLATE, Inputs(cells=FULL, due_items=9, overdue=overdue))
    assert next(c for c in b.components if c.code == "overdue").points == -5


def test_the_total_waits_for_every_indicator_and_stays_within_0_and_100():
    partial = score(DEFAULT_TEMPLATE, Inputs(cells={**FULL, "lian": None}))
    assert partial.total is None and not partial.complete
    top = score(DEFAULT_TEMPLATE, Inputs(cells={"de": 15, "neng": 15, "qin": 15, "ji": 40, "lian": 15},
                                         bonuses=(Source("bonus", 1, "表彰", 3),)))
    assert top.total == 100
    bottom = score(DEFAULT_TEMPLATE, Inputs(cells=dict.fromkeys(FULL, 0), accountability=(Source("accountability", 1, "x", 5),)))
    assert bottom.total == 0


@given(st.fixed_dictionaries({k: st.floats(0, 15) for k in ("de", "neng", "qin", "lian")} | {"ji": st.floats(0, 40)}),
       st.one_of(st.none(), st.floats(0, 100)))
def test_any_valid_grid_scores_between_0_and_100(cells, completion):
    b = score(DEFAULT_TEMPLATE, Inputs(cells=cells, target_completion=completion))
    assert 0 <= b.total <= 100


def test_a_cell_outside_its_range_is_refused_naming_the_indicator():
    ji = DEFAULT_TEMPLATE[3]
    assert check_cell(ji, 38.25) == 38.3
    with pytest.raises(InvalidInput, match="“绩”的分数应在 0 到 40 之间"):
        check_cell(ji, 41)


def test_quarter_bands_and_a_scorer_may_lower_but_never_raise_a_grade():
    assert [quarter_grade(t, None) for t in (90, 89.99, 80, 60, 59.9)] == [
        QuarterGrade.GOOD, QuarterGrade.FAIRLY_GOOD, QuarterGrade.FAIRLY_GOOD, QuarterGrade.AVERAGE, QuarterGrade.POOR]
    assert quarter_grade(95, "fairly_good") == QuarterGrade.FAIRLY_GOOD
    with pytest.raises(InvalidInput, match="不能高于"):
        quarter_grade(85, "good")


def test_seven_people_at_20_percent_have_one_place_rounding_half_up_or_down_and_two_rounding_up():
    assert quota_places(7, 20, Rounding.HALF_UP) == 1
    assert quota_places(7, 20, Rounding.DOWN) == 1
    assert quota_places(7, 20, Rounding.UP) == 2
    assert quota_places(10, 25, Rounding.HALF_UP) == 3  # 2.5 rounds half up
    assert quota_places(5, 40) == 2


@given(st.integers(0, 500), st.floats(0, 100))
def test_places_never_exceed_the_people_nor_differ_from_the_exact_share_by_a_whole_place(n, pct):
    for rounding in Rounding:
        places = quota_places(n, pct, rounding)
        assert 0 <= places <= n
        assert abs(places - n * pct / 100) < 1 + 1e-9


def test_the_quota_state_counts_holders_and_places_left():
    state = quota_state({1: "good", 2: "good", 3: "fairly_good", 4: None, 5: "good"}, "good", 40, Rounding.HALF_UP)
    assert (state.places, state.used, state.left, state.over, state.holders) == (2, 3, -1, True, (1, 2, 5))


def test_the_annual_score_leaves_out_quarters_not_appraised():
    assert annual_score([90, None, 80, 85]) == 85
    assert annual_score([None, None]) is None


def test_eligibility_for_excellent_gives_every_reason():
    e = excellent_eligibility(["fairly_good", "fairly_good"], ["本年度有 1 条责任追究记录，不能评为优秀或参加评优"], True)
    assert not e.eligible and len(e.reasons) == 2 and "少于 1 次" in e.reasons[0]
    assert excellent_eligibility(["good", None], [], False).eligible


def test_annual_grades_follow_the_score_and_accept_excellent_only_for_the_eligible():
    ok = Eligibility(True, ())
    assert annual_grade(85, None, ok, False) == AnnualGrade.COMPETENT
    assert annual_grade(65, None, ok, False) == AnnualGrade.BASIC
    assert annual_grade(55, None, ok, False) == AnnualGrade.INCOMPETENT
    assert annual_grade(95, None, ok, True) == AnnualGrade.INCOMPETENT, "two 效能告诫 propose 不称职"
    assert annual_grade(92, "excellent", ok, False) == AnnualGrade.EXCELLENT
    with pytest.raises(InvalidInput, match="年度得分对应“基本称职”"):
        annual_grade(65, "excellent", ok, False)


@given(st.floats(0, 100), st.booleans())
def test_an_ineligible_person_is_never_excellent_whatever_their_score(total, incompetent):
    no = Eligibility(False, ("受到诫勉，不能评为优秀",))
    assert annual_grade(total, None, no, incompetent) != AnnualGrade.EXCELLENT
    with pytest.raises(InvalidInput, match="不能评为优秀"):
        annual_grade(total, "excellent", no, incompetent)


def ids(candidates) -> set[int]:
    return {c.person_id for c in candidates}


def test_commendation_candidates_are_the_best_eligible_within_the_places():
    people = [Candidate(1, 91), Candidate(2, 95), Candidate(3, 88), Candidate(4, 94)]
    proposal = commendation_candidates(people, 2)
    assert ids(proposal.chosen) == {2, 4} and proposal.tied == [] and proposal.open_places == 0
    assert ids(commendation_candidates(people, 9).chosen) == {1, 2, 3, 4}
    assert commendation_candidates(people, 0) == ([], [], 0)


def test_people_level_on_the_last_places_score_are_left_to_the_leaders_not_to_their_names():
    # 韩 sorts before 薛 in pinyin; neither gets the last place by it.
    people = [Candidate(1, 93.18), Candidate(2, 90.7, "han li xin"), Candidate(3, 90.7, "xue zhi gang"),
              Candidate(4, 90.3)]
    proposal = commendation_candidates(people, 2)
    assert ids(proposal.chosen) == {1} and ids(proposal.tied) == {2, 3} and proposal.open_places == 1
    # Level within the places is no tie; level across all of them leaves every place open.
    assert commendation_candidates(people, 3) == ([people[0], people[1], people[2]], [], 0)
    level = [Candidate(1, 91), Candidate(2, 91), Candidate(3, 91)]
    assert commendation_candidates(level, 2) == ([], level, 2)
    # Level as shown, to the 0.01: an average's last binary digits do not decide.
    assert ids(commendation_candidates([Candidate(1, 90.7), Candidate(2, 90.69999999)], 1).tied) == {1, 2}


@given(st.lists(st.integers(160, 200), max_size=30), st.integers(0, 12))
def test_a_proposal_fills_the_places_by_score_and_ties_only_where_the_places_run_out(halves, places):
    people = [Candidate(i, h / 2) for i, h in enumerate(halves)]  # scores in halves: many ties
    chosen, tied, open_places = commendation_candidates(people, places)
    assert len(chosen) + open_places == min(places, len(people))
    assert (open_places == 0) == (tied == [])
    assert not tied or len(tied) > open_places  # a tie is more people than places
    rest = [c for c in people if c not in chosen and c not in tied]
    assert all(c.score > t.score for c in chosen for t in tied + rest)
    assert all(t.score > r.score for t in tied for r in rest) and len({t.score for t in tied}) <= 1


def test_a_policy_from_settings_is_validated():
    assert Policy.from_dict({"rounding": "up", "good_quota_pct": 30}).rounding == Rounding.UP
    with pytest.raises(InvalidInput):
        Policy.from_dict({"rounding": "sideways"})
    with pytest.raises(InvalidInput, match="好 > 较好 > 一般"):
        Policy.from_dict({"good_min": 70})
    assert Policy.from_dict(DEFAULT_POLICY.to_dict()) == DEFAULT_POLICY


def test_the_breakdown_as_a_dict_reads_as_it_does_once_frozen():
    import msgspec

    from appraisal.domain.appraisal import breakdown_dict

    inputs = Inputs(cells={"de": 14, "neng": 13, "qin": 12, "ji": 35, "lian": 15}, target_completion=80,
                    target_sources=(Source("target", 1, "公文核稿（50%，80%）"),),
                    accountability=(Source("accountability", 2, "提醒谈话（2026-11-02）", 1),),
                    due_matters=2, overdue=(Source("matter", 3, "办件", 0),), bonuses=(Source("bonus", 4, "信息采用", 0.5),))
    b = score(DEFAULT_TEMPLATE, inputs)
    d = breakdown_dict(b)
    # What the grid shows live is what the person reads back from the frozen JSON.
    assert msgspec.json.decode(msgspec.json.encode(d)) == msgspec.json.decode(msgspec.json.encode(b))
    assert set(d) == {"lines", "components", "excluded", "total", "complete"}
    assert d["total"] == b.total and d["complete"] is True and list(d["excluded"]) == []
    assert d["lines"][0] == {"code": "de", "name": "德", "weight": 15, "entered": 14, "value": 14}
    assert [c["code"] for c in d["components"]] == ["target", "accountability", "overdue", "bonus"]
    assert list(d["components"][1]["sources"]) == [{"kind": "accountability", "id": 2, "text": "提醒谈话（2026-11-02）", "points": 1}]
    empty = breakdown_dict(score(DEFAULT_TEMPLATE, Inputs(cells={})))
    assert empty["total"] is None and empty["complete"] is False and all(ln["entered"] is None for ln in empty["lines"])
    assert [e[0] for e in empty["excluded"]] == ["目标完成度", "责任追究扣分", "超期扣分", "加分"]


def test_totals_round_half_up_on_the_number_as_written():
    from appraisal.domain.appraisal import _round2

    # 1.005 and 2.675 are stored a hair below their written value; the office reads them as written.
    assert [_round2(v) for v in (1.005, 2.675, 81.99999999999999, 82.0, 82.35, 0.125, 1e-07, 36)] == \
        [1.01, 2.68, 82.0, 82.0, 82.35, 0.13, 0.0, 36.0]
    assert isinstance(_round2(36), float)
    inputs = Inputs(cells={"de": 12.3, "neng": 12.3, "qin": 12.3, "ji": 32.8, "lian": 12.3})
    assert score(DEFAULT_TEMPLATE, inputs).total == 82.0  # the sum is 81.99999999999999 in floating point
