"""A quarter opened and locked, as the appraisal office runs it, and the helpers of the appraisal
tests (the grid's writes: test_appraisal_scoring.py; submission and quotas:
test_appraisal_closing.py; the numbers and their sources: test_appraisal_numbers.py)."""

import datetime as dt

import pytest
import time_machine

from appraisal.db.tables import Appraisee, AuditEntry, Person, ScoreCell, UserAccount
from appraisal.domain.appraisal import DEFAULT_TEMPLATE
from appraisal.errors import Forbidden, InvalidInput
from appraisal.services import accounts, appraisal
from appraisal.services.appraisal import PeriodLocked

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
