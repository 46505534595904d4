"""The scoring grid as chiefs and leaders use it: cells saved with stale-write protection, who
may score whom, grades lowered but not raised, and what each save answers."""

import json

import pytest

from appraisal.db.tables import AuditEntry, ScoreCell
from appraisal.errors import Forbidden, InvalidInput, NotFound
from appraisal.services import appraisal
from appraisal.services.appraisal import StaleWrite

from test_appraisal_flow import (  # noqa: F401 (clock: a fixture)
    WEIGHTS, appraisee_of, as_user, clock, fill, open_quarter,
)


async def test_the_chief_scores_the_grid_and_a_stale_tab_gets_409_with_the_current_value(office, clock):
    period = await open_quarter()
    chief = await as_user("chief")
    zhao = await appraisee_of(period["id"], "赵雪")
    grid = await appraisal.grid(chief, period["id"], zhao["unit"])
    assert [p["name"] for p in grid["people"]] == ["孙浩然", "吴磊", "赵雪", "周晓琳"], "pinyin order, the chief not among them"
    cell = next(p for p in grid["people"] if p["name"] == "赵雪")["cells"]["ji"]
    saved = await appraisal.save_cell(chief, cell["id"], 36, cell["version"])
    assert saved["value"] == 36 and saved["version"] == cell["version"] + 1

    with pytest.raises(StaleWrite) as stale:
        await appraisal.save_cell(chief, cell["id"], 30, cell["version"])  # the other tab read the old version
    assert stale.value.status_code == 409 and stale.value.detail == {"value": 36, "version": cell["version"] + 1}
    assert "已被他人改为 36" in stale.value.message

    with pytest.raises(InvalidInput, match="0 到 40"):
        await appraisal.save_cell(chief, cell["id"], 45, saved["version"])
    audit = await AuditEntry.select(AuditEntry.old_values, AuditEntry.new_values).where(
        AuditEntry.table_name == "score_cell").run()
    assert [(json.loads(a["old_values"]), json.loads(a["new_values"])) for a in audit] == [({"value": None}, {"value": 36})]


async def test_a_chief_cannot_read_or_score_another_section_and_staff_see_no_one_else(office, clock):
    period = await open_quarter()
    chief = await as_user("chief")  # 秘书科
    other = await appraisee_of(period["id"], "冯建军")  # 综合科
    with pytest.raises(NotFound):
        await appraisal.grid(chief, period["id"], other["unit"])
    cell = await ScoreCell.select(ScoreCell.id).where(ScoreCell.appraisee == other["id"]).first().run()
    with pytest.raises(NotFound):
        await appraisal.save_cell(chief, cell["id"], 10, 0)
    staff = await as_user("staff")
    colleague = await appraisee_of(period["id"], "孙浩然")
    with pytest.raises(NotFound):
        await appraisal.appraisal_detail(staff, colleague["id"])
    with pytest.raises(NotFound):
        await appraisal.grid(staff, period["id"], other["unit"])
    own = await appraisal.appraisal_detail(staff, (await appraisee_of(period["id"], "赵雪"))["id"])
    assert own["hidden"] and own["total"] is None, "scores stay hidden from the person until published"
    with pytest.raises(NotFound):
        await appraisal.save_summary(staff, colleague["id"], "代写")
    with pytest.raises(Forbidden):
        await appraisal.save_summary(chief, colleague["id"], "代写"), "a chief sees it but cannot write it"


async def test_leaders_score_only_the_chiefs_of_the_sections_they_oversee(office, clock):
    period = await open_quarter()
    leader = await as_user("leader")  # 李红梅: 秘书科 and 综合科
    grid = await appraisal.grid(leader, period["id"], "leaders")
    assert sorted(p["name"] for p in grid["people"]) == ["张伟", "郑丽娟"]
    assert grid["quota"].places == 3, "7 chiefs in the office pool at 40%"
    zhang = next(p for p in grid["people"] if p["name"] == "张伟")
    saved = await appraisal.save_cell(leader, zhang["cells"]["de"]["id"], 14, zhang["cells"]["de"]["version"])
    assert saved["value"] == 14
    ma = await appraisee_of(period["id"], "马俊杰")  # 信息科, under another deputy
    cell = await ScoreCell.select(ScoreCell.id, ScoreCell.version).where(ScoreCell.appraisee == ma["id"]).first().run()
    with pytest.raises(NotFound):
        await appraisal.save_cell(leader, cell["id"], 14, cell["version"])
    chief = await as_user("chief")
    with pytest.raises(Forbidden):
        await appraisal.save_cell(chief, zhang["cells"]["ji"]["id"], 30, zhang["cells"]["ji"]["version"]), \
            "nobody scores themselves"


async def test_a_scorer_may_lower_a_grade_but_not_raise_it(office, clock):
    period = await open_quarter()
    chief = await as_user("chief")
    zhao = await appraisee_of(period["id"], "赵雪")
    await fill(period["id"], 0.85, only_unit=zhao["unit"])
    with pytest.raises(InvalidInput, match="不能高于分数对应的“较好”"):
        await appraisal.set_grade(chief, zhao["id"], "good")
    await appraisal.set_grade(chief, zhao["id"], "average", "出勤有缺")
    grid = await appraisal.grid(chief, period["id"], zhao["unit"])
    assert next(p for p in grid["people"] if p["name"] == "赵雪")["grade"] == "average"


async def test_a_save_answers_the_rows_numbers_and_places_left_as_the_grid_then_shows_them(office, clock):
    """The page and the API render a save from its answer: it must be what the grid shows after it."""
    period = await open_quarter()
    chief = await as_user("chief")
    zhao = await appraisee_of(period["id"], "赵雪")
    cells = next(p for p in (await appraisal.grid(chief, period["id"], zhao["unit"]))["people"]
                 if p["id"] == zhao["id"])["cells"]
    for code, cell in cells.items():
        saved = await appraisal.save_cell(chief, cell["id"], WEIGHTS[code], cell["version"])
        assert saved["indicator"] == code and saved["value"] == WEIGHTS[code]
    after = await appraisal.grid(chief, period["id"], zhao["unit"])
    shown = next(p for p in after["people"] if p["id"] == zhao["id"])
    assert (saved["person"]["total"], saved["person"]["grade"]) == (shown["total"], shown["grade"]) == (100, "good")
    assert saved["person"]["cells"] == shown["cells"] and saved["grid"]["quota"] == after["quota"]
    assert after["quota"].used == 1

    lowered = await appraisal.set_grade(chief, zhao["id"], "fairly_good")
    again = await appraisal.grid(chief, period["id"], zhao["unit"])
    shown = next(p for p in again["people"] if p["id"] == zhao["id"])
    assert lowered["person"]["grade"] == shown["grade"] == "fairly_good" and lowered["person"]["grade_choice"] == "fairly_good"
    assert lowered["grid"]["quota"] == again["quota"] and again["quota"].used == 0
