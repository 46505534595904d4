"""The numbers and where they come from: targets, accountability, bonuses and late matters with
their sources, the annual grade from the quarters, and the whole office worked out off the loop."""

import datetime as dt

import pytest

from appraisal.db.tables import AuditEntry, Person, ScoreCell
from appraisal.errors import InvalidInput
from appraisal.services import appraisal, commendation, targets
from appraisal.services.appraisal import breakdown

from test_appraisal_flow import (  # noqa: F401 (clock: a fixture)
    SHANGHAI, appraisee_of, as_person, as_user, clock, fill, open_quarter, submit_everything,
)


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
    ji = next(line for line in detail["breakdown"]["lines"] if line["code"] == "ji")
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
