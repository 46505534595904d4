"""Submitting units: quotas checked with the people named, numbers frozen, the period ended by its
last unit, and writes meeting a submission either frozen with it or refused."""

import asyncio

import pytest

from appraisal.db.tables import Appraisee, ScoreCell, UnitSubmission
from appraisal.errors import Conflict
from appraisal.services import appraisal
from appraisal.services.appraisal import QuotaExceeded, closing

from test_appraisal_flow import (  # noqa: F401 (clock: a fixture)
    appraisee_of, as_person, as_user, clock, fill, open_quarter, scorer_of, section_units, submit_everything,
)


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

    period = await open_quarter()
    await fill(period["id"], 0.85)
    for attempt in range(3):  # a race: each try gives the submissions another chance to overlap
        if attempt:
            await appraisal.reopen(director, period["id"], "更正评分")
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
