"""A quarter from opening to lock and the year after it, as the appraisal office runs them:
scores typed into the grid, quotas at submission, frozen numbers, a locked period, the annual
grade and the commendation review."""

import asyncio
import datetime as dt
import json

import pytest
import time_machine

from appraisal.db.tables import Appraisee, AuditEntry, Person, ScoreCell, UnitSubmission, UserAccount
from appraisal.domain.appraisal import DEFAULT_TEMPLATE
from appraisal.errors import Conflict, Forbidden, InvalidInput, NotFound
from appraisal.services import accounts, appraisal, commendation, targets
from appraisal.services.appraisal import PeriodLocked, QuotaExceeded, StaleWrite, breakdown, closing

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
WEIGHTS = {i.code: i.weight for i in DEFAULT_TEMPLATE}


@pytest.fixture
def clock():
    with time_machine.travel(dt.datetime(2026, 12, 28, 9, 0, tzinfo=SHANGHAI), tick=False) as traveller:
        yield traveller


async def as_user(username: str):
    row = await UserAccount.select(UserAccount.id).where(UserAccount.username == username).first().run()
    return await accounts.load_principal(row["id"])


async def as_person(name: str):
    row = await UserAccount.select(UserAccount.id).where(UserAccount.person.name == name).first().run()
    return await accounts.load_principal(row["id"])


async def open_quarter(year=2026, quarter=4) -> dict:
    admin = await as_user("admin")
    period = await appraisal.create_period(admin, year, quarter)
    await appraisal.advance(admin, period["id"], "self_summary")
    return await appraisal.advance(admin, period["id"], "scoring")


async def appraisee_of(period_id: int, name: str) -> dict:
    return await Appraisee.select(Appraisee.id, Appraisee.unit).where(
        Appraisee.period == period_id, Appraisee.person.name == name).first().run()


async def fill(period_id: int, share: float, only_unit: str | None = None) -> None:
    """Set every cell to `share` of its weight (setup, not the thing under test)."""
    appraisees = Appraisee.select(Appraisee.id).where(Appraisee.period == period_id)
    if only_unit:
        appraisees = appraisees.where(Appraisee.unit == only_unit)
    for code, weight in WEIGHTS.items():
        await ScoreCell.update({ScoreCell.value: round(weight * share, 1), ScoreCell.version: 1}).where(
            ScoreCell.indicator == code, ScoreCell.appraisee.is_in(appraisees)).run()


CHIEFS = {"秘书科": "张伟", "综合科": "郑丽娟", "信息科": "马俊杰", "督查科": "韩立新", "机要科": "谢芳",
          "行政科": "蔡明亮", "法规科": "叶晨"}


async def scorer_of(unit: dict, director):
    """Who submits a unit of the demo office: the director the leaders, each chief their section."""
    return director if unit["unit"] == "leaders" else await as_person(CHIEFS[unit["label"]])


async def section_units(period_id: int, count: int = 4) -> list[tuple]:
    """(scorer, unit) of the first `count` section units: one race each."""
    director = await as_person("王建国")
    units = [u for u in await appraisal.units(director, period_id) if u["unit"] != "leaders"][:count]
    return [(await scorer_of(u, director), u) for u in units]


async def submit_everything(period_id: int, only: set[str] | None = None) -> None:
    director = await as_person("王建国")
    for unit in await appraisal.units(director, period_id):
        if only is None or unit["unit"] in only:
            await appraisal.submit_unit(await scorer_of(unit, director), period_id, unit["unit"])


async def test_opening_a_quarter_fixes_who_is_appraised_in_staff_and_leader_pools(office, clock):
    period = await open_quarter()
    rows = await Appraisee.select(Appraisee.pool, Appraisee.person.name.as_alias("name")).where(
        Appraisee.period == period["id"]).run()
    pools = {r["name"]: r["pool"] for r in rows}
    assert len(rows) == 36, "40 people less the director and three deputies"
    assert pools["张伟"] == "leaders" and pools["赵雪"] == "staff"
    assert "李红梅" not in pools
    assert await ScoreCell.count().where(ScoreCell.appraisee.is_in([r for r in await Appraisee.select(Appraisee.id).where(Appraisee.period == period["id"]).output(as_list=True).run()])).run() == 36 * 5


async def test_a_units_rows_and_cells_are_written_side_by_side_when_a_quarter_opens(office, clock):
    # People are listed section by section nowhere in the office's data (the roster is in the
    # order people were added), yet a unit's rows are one run of ids, its cells too: reading or
    # freezing a unit touches a few pages of each table instead of one per person.
    period = await open_quarter()
    rows = await Appraisee.select(Appraisee.id, Appraisee.unit).where(Appraisee.period == period["id"]).run()
    ids_by_unit: dict[str, list[int]] = {}
    for r in rows:
        ids_by_unit.setdefault(r["unit"], []).append(r["id"])
    assert len(ids_by_unit) > 3
    for unit, ids in ids_by_unit.items():
        assert max(ids) - min(ids) + 1 == len(ids), unit
        cells = await ScoreCell.select(ScoreCell.id).where(ScoreCell.appraisee.is_in(ids)).output(as_list=True).run()
        assert max(cells) - min(cells) + 1 == len(cells) == len(ids) * 5, unit


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


async def test_submitting_over_the_good_quota_is_refused_with_the_people_and_then_frozen(office, clock):
    period = await open_quarter()
    chief = await as_user("chief")
    unit = (await appraisee_of(period["id"], "赵雪"))["unit"]
    await fill(period["id"], 0.92, only_unit=unit)  # everyone 好 (≥ 90): 4 people, 40% → 2 places
    grid = await appraisal.grid(chief, period["id"], unit)
    assert (grid["quota"].places, grid["quota"].used, grid["quota"].left) == (2, 4, -2)
    with pytest.raises(QuotaExceeded) as err:
        await appraisal.submit_unit(chief, period["id"], unit)
    assert "限 2 人，现有 4 人" in err.value.message and set(err.value.detail["people"]) == {"孙浩然", "吴磊", "赵雪", "周晓琳"}

    for name in ("孙浩然", "吴磊"):
        await appraisal.set_grade(chief, (await appraisee_of(period["id"], name))["id"], "fairly_good")
    done = await appraisal.submit_unit(chief, period["id"], unit)
    assert done["submitted"] and done["quota"].left == 0
    cell = await ScoreCell.select(ScoreCell.id, ScoreCell.version).where(
        ScoreCell.appraisee == (await appraisee_of(period["id"], "赵雪"))["id"]).first().run()
    with pytest.raises(Conflict, match="已提交"):
        await appraisal.save_cell(chief, cell["id"], 10, cell["version"])

    staff = await as_user("staff")
    zhao = (await appraisee_of(period["id"], "赵雪"))["id"]
    before = await appraisal.appraisal_detail(staff, zhao)
    assert before["hidden"] and before["total"] is None and before["grade"] is None and before["breakdown"] is None
    assert before["pending"] == "考核结果将在分管领导审核后公布", "submitted by her chief, not yet reviewed"
    director = await as_person("王建国")
    others = {u["unit"] for u in await appraisal.units(director, period["id"])} - {unit}
    for other in others:
        await fill(period["id"], 0.85, only_unit=other)
    await submit_everything(period["id"], only=others)
    await appraisal.advance(director, period["id"], "reviewed")
    mine = await appraisal.appraisal_detail(staff, zhao)
    assert not mine["hidden"] and mine["total"] == 92 and mine["grade"] == "good"
    assert [label for label, _why in mine["breakdown"]["excluded"]][:1] == ["目标完成度"]


async def test_the_period_is_submitted_when_its_last_unit_is_and_not_before(office, clock):
    period = await open_quarter()
    await fill(period["id"], 0.85)
    units = [u["unit"] for u in await appraisal.units(await as_person("王建国"), period["id"])]
    await submit_everything(period["id"], only=set(units[:-1]))
    assert await appraisal.submitted_units(period["id"]) == set(units[:-1])
    assert (await appraisal.get_period(period["id"]))["status"] == "scoring"
    await submit_everything(period["id"], only={units[-1]})
    assert (await appraisal.get_period(period["id"]))["status"] == "submitted"


async def test_units_submitted_at_the_same_moment_end_the_period_and_one_unit_is_submitted_once(office, clock):
    """At the deadline the last units come in together: whichever commits last sees the others
    and ends the period. Two submissions of one unit (two tabs) record it once."""
    director = await as_person("王建国")

    async def submit(unit: dict):
        return await appraisal.submit_unit(await scorer_of(unit, director), period["id"], unit["unit"])

    for attempt in range(3):  # a race: each try gives the submissions another chance to overlap
        if attempt:
            await appraisal.reopen(director, period["id"], "更正评分")
        else:
            period = await open_quarter()
            await fill(period["id"], 0.85)
        units = await appraisal.units(director, period["id"])
        outcomes = await asyncio.gather(*(submit(u) for u in units + units[:1]), return_exceptions=True)
        refused = [o for o in outcomes if isinstance(o, Exception)]
        assert len(refused) == 1 and isinstance(refused[0], Conflict), outcomes
        assert (await appraisal.get_period(period["id"]))["status"] == "submitted"
        assert await UnitSubmission.count().where(UnitSubmission.period == period["id"]).run() == len(units)


async def test_a_cell_written_as_its_unit_is_submitted_never_differs_from_the_frozen_total(office, clock):
    """A scorer corrects a cell in one tab while the unit is submitted from another (or a second
    leader corrects one in the leaders' unit). Either the write comes first and the submission,
    which computed its numbers before it, is refused; or the submission comes first and the write
    is refused. The frozen total is always the cells' total."""
    period = await open_quarter()
    await fill(period["id"], 0.8)
    for number, (scorer, unit) in enumerate(await section_units(period["id"])):
        grid = await appraisal.grid(scorer, period["id"], unit["unit"])
        person = grid["people"][0]
        cell = person["cells"]["ji"]
        submit = appraisal.submit_unit(scorer, period["id"], unit["unit"])
        write = appraisal.save_cell(scorer, cell["id"], cell["value"] - 1, cell["version"])
        outcomes = await asyncio.gather(*((submit, write) if number % 2 else (write, submit)), return_exceptions=True)
        refused = [o for o in outcomes if isinstance(o, Exception)]
        assert len(refused) <= 1 and all(isinstance(o, Conflict) for o in refused), outcomes
        if refused and refused[0].code == "changed_during_submit":
            await appraisal.submit_unit(scorer, period["id"], unit["unit"])  # the scorer looks and submits again
        frozen = await Appraisee.select(Appraisee.total).where(Appraisee.id == person["id"]).first().run()
        cells = await ScoreCell.select(ScoreCell.value).where(ScoreCell.appraisee == person["id"]).output(
            as_list=True).run()
        assert frozen["total"] == pytest.approx(sum(cells)), (outcomes, frozen, cells)


@pytest.mark.parametrize("step", ["cell", "summary"])
async def test_a_write_that_meets_a_submission_about_to_commit_waits_for_it_and_is_refused(
        office, clock, monkeypatch, step):
    """The narrowest moment: the submission has frozen the unit and made its last check, and a
    cell write of the unit (or the person's self-summary) arrives before it commits (on
    PostgreSQL the write cannot see the uncommitted submission). The write waits (on PostgreSQL
    for the person's row, on SQLite for the writer), then finds the unit submitted and applies
    nothing."""
    period = await open_quarter()
    await fill(period["id"], 0.8)
    chief = await as_user("chief")
    zhao = await appraisee_of(period["id"], "赵雪")
    cell = next(p for p in (await appraisal.grid(chief, period["id"], zhao["unit"]))["people"]
                if p["name"] == "赵雪")["cells"]["ji"]
    arrived, release = asyncio.Event(), asyncio.Event()
    last_check = closing._unit_unchanged

    async def held_before_commit(*args):
        await last_check(*args)
        arrived.set()
        await release.wait()

    monkeypatch.setattr(closing, "_unit_unchanged", held_before_commit)
    submission = asyncio.create_task(appraisal.submit_unit(chief, period["id"], zhao["unit"]))
    await asyncio.wait_for(arrived.wait(), 10)
    if step == "cell":
        write = asyncio.create_task(appraisal.save_cell(chief, cell["id"], cell["value"] - 1, cell["version"]))
    else:
        write = asyncio.create_task(appraisal.save_summary(await as_person("赵雪"), zhao["id"], "本季度工作总结"))
    try:
        await asyncio.sleep(0.3)
        assert not write.done(), "the write waits for the submission"
    finally:
        release.set()  # whatever happened, the submission commits and lets the database go
        await submission
    with pytest.raises(Conflict) as refused:
        await write
    assert refused.value.code == "unit_submitted"
    frozen = await Appraisee.select(Appraisee.total, Appraisee.self_summary).where(Appraisee.id == zhao["id"]).first().run()
    cells = await ScoreCell.select(ScoreCell.value).where(ScoreCell.appraisee == zhao["id"]).output(as_list=True).run()
    assert frozen["total"] == pytest.approx(sum(cells)) == 80 and frozen["self_summary"] == ""


async def test_a_grade_lowered_as_its_unit_is_submitted_is_frozen_or_refused(office, clock):
    """The same with a grade lowered at the moment of submission: either the choice is refused
    as too late, or the submission is (and, submitted again, freezes it)."""
    period = await open_quarter()
    await fill(period["id"], 0.85)
    for number, (scorer, unit) in enumerate(await section_units(period["id"])):
        person = (await appraisal.grid(scorer, period["id"], unit["unit"]))["people"][0]
        submit = appraisal.submit_unit(scorer, period["id"], unit["unit"])
        lower = appraisal.set_grade(scorer, person["id"], "average")
        outcomes = await asyncio.gather(*((submit, lower) if number % 2 else (lower, submit)), return_exceptions=True)
        refused = [o for o in outcomes if isinstance(o, Exception)]
        assert len(refused) <= 1 and all(isinstance(o, Conflict) for o in refused), outcomes
        if refused and refused[0].code == "changed_during_submit":
            await appraisal.submit_unit(scorer, period["id"], unit["unit"])
        stored = await Appraisee.select(Appraisee.grade, Appraisee.grade_choice).where(
            Appraisee.id == person["id"]).first().run()
        assert stored["grade"] == (stored["grade_choice"] or "fairly_good"), (outcomes, stored)


async def test_a_locked_period_refuses_every_write_until_a_leader_reopens_it_with_a_reason(office, clock):
    period = await open_quarter()
    await fill(period["id"], 0.85)  # everyone 较好: no quota question
    await submit_everything(period["id"])
    leader = await as_user("leader")
    assert (await appraisal.get_period(period["id"]))["status"] == "submitted"
    await appraisal.advance(leader, period["id"], "reviewed")
    await appraisal.advance(leader, period["id"], "locked")

    chief, staff = await as_user("chief"), await as_user("staff")
    zhao = await appraisee_of(period["id"], "赵雪")
    cell = await ScoreCell.select(ScoreCell.id, ScoreCell.version).where(ScoreCell.appraisee == zhao["id"]).first().run()
    for write in (appraisal.save_cell(chief, cell["id"], 10, cell["version"]),
                  appraisal.save_summary(staff, zhao["id"], "补充"),
                  appraisal.set_grade(chief, zhao["id"], "average"),
                  appraisal.add_bonus(chief, (await Person.select(Person.id).where(Person.name == "赵雪").first().run())["id"],
                                      "info_adopted", 1, "信息被市委办采用", dt.date(2026, 11, 2))):
        with pytest.raises(PeriodLocked) as locked:
            await write
        assert locked.value.status_code == 409 and "已锁定" in locked.value.message

    with pytest.raises(Forbidden):
        await appraisal.reopen(chief, period["id"], "更正")
    with pytest.raises(InvalidInput):
        await appraisal.reopen(leader, period["id"], " ")
    reopened = await appraisal.reopen(leader, period["id"], "赵雪的勤分录入有误")
    assert reopened["status"] == "scoring"
    entry = await AuditEntry.select(AuditEntry.note, AuditEntry.actor_name).where(
        AuditEntry.table_name == "appraisal_period", AuditEntry.note.like("%重新开启%")).first().run()
    assert entry == {"note": "重新开启：赵雪的勤分录入有误", "actor_name": "leader"}
    saved = await appraisal.save_cell(chief, cell["id"], 10, cell["version"])
    assert saved["value"] == 10


async def test_target_completion_accountability_and_bonuses_appear_with_their_sources(office, clock):
    leader, chief = await as_user("leader"), await as_user("chief")
    section = (await Person.select(Person.section).where(Person.name == "赵雪").first().run())["section"]
    zhao = (await Person.select(Person.id).where(Person.name == "赵雪").first().run())["id"]
    office_target = await targets.create(leader, 2026, None, targets.TargetData("办文办会质量", 100, "quality", quality="零差错"))
    sec = await targets.create(leader, 2026, office_target.id, targets.TargetData("公文处理", 100, "quantity", target_value=200, unit="件", section_id=section))
    mine = await targets.create(chief, 2026, sec.id, targets.TargetData("公文核稿", 100, "quantity", target_value=100, unit="件", owner_id=zhao))
    await targets.report(await as_user("staff"), mine.id, completion=None, actual=50, evidence="核稿登记本")
    await appraisal.add_bonus(chief, zhao, "info_adopted", 1, "信息被市委办采用", dt.date(2026, 11, 2))

    period = await open_quarter()
    zhao_row = await appraisee_of(period["id"], "赵雪")
    await fill(period["id"], 0.9, only_unit=zhao_row["unit"])
    detail = await appraisal.appraisal_detail(chief, zhao_row["id"])
    components = {c["code"]: c for c in detail["breakdown"]["components"]}
    assert components["target"]["sources"][0]["text"].startswith("公文核稿")
    ji = next(l for l in detail["breakdown"]["lines"] if l["code"] == "ji")
    assert ji["entered"] == 36 and ji["value"] == pytest.approx(0.7 * 36 + 0.3 * 40 * 0.5)
    assert components["bonus"]["points"] == 1
    colleague = await appraisal.appraisal_detail(chief, (await appraisee_of(period["id"], "孙浩然"))["id"])
    assert colleague["total"] == 90, "no targets: 绩 as entered, not blended with 0"


async def test_the_year_grades_from_the_quarters_and_an_ineligible_person_is_never_excellent(office, clock):
    for quarter, share in ((3, 0.8), (4, 0.8)):
        period = await open_quarter(2026, quarter)
        await fill(period["id"], share)
        zhao = await appraisee_of(period["id"], "周晓琳")
        if quarter == 4:  # 周晓琳 gets 好 once
            await ScoreCell.update({ScoreCell.value: 14.5}).where(ScoreCell.appraisee == zhao["id"]).run()
            await ScoreCell.update({ScoreCell.value: 38}).where(ScoreCell.appraisee == zhao["id"], ScoreCell.indicator == "ji").run()
        await submit_everything(period["id"])

    admin, chief = await as_user("admin"), await as_user("chief")
    year = await appraisal.create_period(admin, 2026, None)
    await appraisal.advance(admin, year["id"], "self_summary")
    await appraisal.advance(admin, year["id"], "scoring")
    unit = (await appraisee_of(year["id"], "赵雪"))["unit"]
    grid = await appraisal.grid(chief, year["id"], unit)
    people = {p["name"]: p for p in grid["people"]}
    assert people["赵雪"]["total"] == 80 and people["赵雪"]["grade"] == "competent"
    assert people["周晓琳"]["total"] == pytest.approx((80 + 96) / 2)
    with pytest.raises(InvalidInput, match="不能评为优秀：本年度季度考核“好”等次 0 次") as err:
        await appraisal.set_grade(chief, people["赵雪"]["id"], "excellent")
    assert err.value.detail["reasons"]
    await appraisal.set_grade(chief, people["周晓琳"]["id"], "excellent")
    grid = await appraisal.grid(chief, year["id"], unit)
    assert grid["quota"].places == 1 and grid["quota"].left == 0  # 4 people × 20% = 0.8 → 1
    await submit_everything(year["id"])

    leader = await as_user("leader")
    review = await commendation.review(leader, 2026)
    by_name = {p["name"]: p for p in review["people"]}
    assert by_name["周晓琳"]["eligible"] and not by_name["赵雪"]["eligible"]
    assert review["places"] == 7  # 36 appraised × 20%
    with pytest.raises(InvalidInput, match="不符合评优条件：赵雪"):
        await commendation.confirm(leader, 2026, [by_name["赵雪"]["person"]])
    confirmed = await commendation.confirm(leader, 2026, [by_name["周晓琳"]["person"]], "办公室会议研究")
    assert confirmed["confirmed"]["people"][0]["name"] == "周晓琳"
    assert await AuditEntry.exists().where(AuditEntry.table_name == "commendation").run()


async def test_a_matter_is_late_by_the_local_date_it_was_completed_and_an_open_one_once_its_day_has_passed(office, clock):
    """Late means completed on a later local (Shanghai) date than the due date, or still open
    after it: 23:30 on the due date is on time, 00:10 the next morning is late (16:10 UTC, the
    same UTC date)."""
    from appraisal.db.tables import Matter

    zhao = await Person.select(Person.id, Person.section).where(Person.name == "赵雪").first().run()

    def matter(subject: str, due: dt.date, completed: dt.datetime | None) -> Matter:
        return Matter(channel="visit", requester="来访人", subject=subject, limit_days=3, first_receiver=zhao["id"],
                      owner=zhao["id"], section=zhao["section"], status="completed" if completed else "open",
                      accepted_on=due - dt.timedelta(days=3), due_on=due, yellow_on=due - dt.timedelta(days=1),
                      completed_at=completed)

    due = dt.date(2026, 11, 10)
    await Matter.insert(
        matter("当日深夜办结", due, dt.datetime(2026, 11, 10, 23, 30, tzinfo=SHANGHAI)),
        matter("次日凌晨办结", due, dt.datetime(2026, 11, 11, 0, 10, tzinfo=SHANGHAI)),
        matter("提前办结", due, dt.datetime(2026, 11, 9, 10, 0, tzinfo=SHANGHAI)),
        matter("逾期未办", dt.date(2026, 12, 1), None),
        matter("尚未到期", dt.date(2026, 12, 30), None),
    ).run()

    period = await open_quarter()
    detail = await appraisal.appraisal_detail(await as_user("chief"), (await appraisee_of(period["id"], "赵雪"))["id"])
    overdue = next(c for c in detail["breakdown"]["components"] if c["code"] == "overdue")
    late = sorted(s["text"] for s in overdue["sources"])
    assert late == ["办件“次日凌晨办结”，2026-11-10 到期", "办件“逾期未办”，2026-12-01 到期"]
    assert overdue["points"] == -1.0, "0.5 for each of the two late matters"
    assert overdue["detail"] == "本期到期办件 5 件、督办事项 0 项，超期 2 件", "all five were due in the quarter"


async def test_a_whole_office_worked_out_in_a_worker_thread_has_the_same_numbers(office, clock, monkeypatch):
    """Past FORMULA_ON_THE_LOOP live appraisees (an export of 10,000) the formula runs in a
    worker thread; the numbers are the ones worked out in place."""
    period = await open_quarter()
    await fill(period["id"], 0.85)
    units = [u["unit"] for u in await appraisal.units(await as_person("王建国"), period["id"])]
    await submit_everything(period["id"], only={units[0]})
    admin = await as_user("admin")
    _period, in_place = await appraisal.period_results(admin, period["id"])
    monkeypatch.setattr(breakdown, "FORMULA_ON_THE_LOOP", 0)
    threads = []
    real = breakdown._live_numbers

    def recording(*args):
        import threading

        threads.append(threading.current_thread() is threading.main_thread())
        return real(*args)

    monkeypatch.setattr(breakdown, "_live_numbers", recording)
    _period, threaded = await appraisal.period_results(admin, period["id"])
    assert threads == [False], "worked out off the event loop's thread"
    assert threaded == in_place
    assert {r["frozen"] for r in in_place} == {True, False} and all(r["total"] for r in in_place)
