"""A person's own scores stay hidden from them until the office publishes results (by default
once the leader has reviewed the period): on their appraisal, in the grid, the export, their
list of appraisals. Scorers see the cells they score; the appraisal office sees everything."""

import pytest

from appraisal.services import appraisal
from appraisal.services.appraisal_export import export_period
from services.test_appraisal_flow import appraisee_of, as_person, as_user, clock, fill, open_quarter, submit_everything  # noqa: F401

PENDING = "考核结果将在分管领导审核后公布"


async def scored_quarter() -> dict:
    period = await open_quarter()
    await fill(period["id"], 0.8)
    return period


async def test_a_chief_in_the_leaders_pool_does_not_see_his_own_live_cells_total_grade_or_the_quota(office, clock):
    period = await scored_quarter()
    chief = await as_user("chief")  # 张伟: scores 秘书科, and is scored by his leader in the leaders' pool
    grid = await appraisal.grid(chief, period["id"], "leaders")
    assert [p["name"] for p in grid["people"]] == ["张伟"]
    own = grid["people"][0]
    assert own["hidden"] and own["pending"] == PENDING
    assert own["total"] is None and own["grade"] is None and own["breakdown"] is None
    assert {c["value"] for c in own["cells"].values()} == {None}, "his cells are blank to him"
    assert not own["may_score"] and not grid["may_edit"]
    assert grid["quota"] is None, "he does not learn how many of his peers hold 好"

    section = await appraisal.grid(chief, period["id"], f"section:{own['section']}")
    assert not any(p["hidden"] for p in section["people"]) and section["may_edit"], "the cells he scores, live"
    assert {p["total"] for p in section["people"]} == {80} and section["quota"].places == 2

    leader = await as_user("leader")
    theirs = await appraisal.grid(leader, period["id"], "leaders")
    assert next(p for p in theirs["people"] if p["name"] == "张伟")["total"] == 80, "his scorer sees them live"


async def test_the_person_sees_their_numbers_only_once_the_period_is_reviewed(office, clock):
    period = await scored_quarter()
    staff = await as_user("staff")
    zhao = (await appraisee_of(period["id"], "赵雪"))["id"]
    await appraisal.set_grade(await as_user("chief"), zhao, None, "工作细致")
    await submit_everything(period["id"])
    submitted = await appraisal.appraisal_detail(staff, zhao)
    assert submitted["hidden"] and submitted["total"] is None and submitted["comment"] == ""
    [mine] = await appraisal.my_appraisals(staff)
    assert mine["hidden"] and mine["total"] is None and mine["grade_label"] == "" and mine["pending"] == PENDING
    _period, rows = await appraisal.period_results(staff, period["id"])
    assert [(r["name"], r["total"], r["grade"]) for r in rows] == [("赵雪", None, None)], "the export's rows"

    director = await as_person("王建国")
    await appraisal.advance(director, period["id"], "reviewed")
    reviewed = await appraisal.appraisal_detail(staff, zhao)
    assert not reviewed["hidden"] and reviewed["total"] == 80 and reviewed["grade"] == "fairly_good"
    assert reviewed["comment"] == "工作细致"
    [mine] = await appraisal.my_appraisals(staff)
    assert mine["total"] == 80 and mine["grade_label"] == "较好"
    await appraisal.advance(director, period["id"], "locked")
    assert (await appraisal.appraisal_detail(staff, zhao))["total"] == 80, "locked shows them too"

    await appraisal.reopen(await as_user("leader"), period["id"], "更正一处分数")
    assert (await appraisal.appraisal_detail(staff, zhao))["hidden"], "reopened: hidden again until reviewed"


async def test_an_office_that_publishes_at_submission_shows_them_once_every_unit_is_in(office, clock):
    admin = await as_user("admin")
    await appraisal.set_policy(admin, {"results_shown_at": "submitted"})
    period = await scored_quarter()
    staff = await as_user("staff")
    zhao = await appraisee_of(period["id"], "赵雪")
    await submit_everything(period["id"], only={zhao["unit"]})
    detail = await appraisal.appraisal_detail(staff, zhao["id"])
    assert detail["hidden"] and detail["pending"] == "考核结果将在各单元提交后公布"
    await submit_everything(period["id"], only={u["unit"] for u in await appraisal.units(admin, period["id"])} - {zhao["unit"]})
    assert (await appraisal.appraisal_detail(staff, zhao["id"]))["total"] == 80


async def test_the_appraisal_office_sees_its_own_numbers_and_the_chief_his_own_row_blank_in_the_export(office, clock):
    period = await scored_quarter()
    admin = await as_user("admin")  # 林晓峰 of 综合科, appraised too
    own = await appraisee_of(period["id"], "林晓峰")
    assert (await appraisal.appraisal_detail(admin, own["id"]))["total"] == 80

    _period, rows = await appraisal.period_results(await as_user("chief"), period["id"])
    totals = {r["name"]: r["total"] for r in rows}
    assert totals == {"张伟": None, "孙浩然": 80, "吴磊": 80, "赵雪": 80, "周晓琳": 80}
    name, content = await export_period(await as_user("chief"), period["id"])
    assert name == "2026 年第四季度考核.xlsx" and content.startswith(b"PK")


async def test_a_policy_names_a_step_results_can_be_published_at(office, clock):
    with pytest.raises(Exception, match="公布结果的环节应为已提交、已审核或已锁定"):
        await appraisal.set_policy(await as_user("admin"), {"results_shown_at": "scoring"})
