"""The demo office is realistic and loading it twice changes nothing."""

from appraisal.db.tables import AuditEntry, LeaderSection, Person, RoleGrant, Section, UserAccount
from appraisal.services.demo import load_demo


async def counts() -> dict[str, int]:
    return {t.__name__: await t.count().run() for t in (Section, Person, UserAccount, RoleGrant, LeaderSection, AuditEntry)}


async def test_the_demo_office_has_leaders_sections_and_people(office):
    assert await Section.count().run() == 7
    assert await Person.count().run() == 40
    assert await UserAccount.count().run() == 40, "one account per person"
    leaders = await LeaderSection.select(LeaderSection.leader.name).distinct().output(as_list=True).run()
    assert len(leaders) == 4, "a director and three deputies"
    names = set(await UserAccount.select(UserAccount.username).output(as_list=True).run())
    assert {"admin", "leader", "chief", "staff", "wangjianguo"} <= names


async def test_loading_the_demo_twice_changes_nothing(office):
    before = await counts()
    created = await load_demo("demo123456")
    assert created == {"sections": 0, "people": 0, "accounts": 0, "commitments": 0}
    assert await counts() == before


async def test_the_demo_appraisal_has_a_closed_year_locked_quarters_within_quota_and_one_being_scored(office):
    from appraisal.db.tables import AccountabilityRecord, Appraisee, Period, Target
    from appraisal.services import commendation
    from appraisal.services.demo_appraisal import _principal, load_demo_appraisal

    await load_demo_appraisal()
    await load_demo_appraisal()  # a second run adds nothing
    periods = {p["code"]: p["status"] for p in await Period.select(Period.code, Period.status).run()}
    assert periods == {"2025Q1": "locked", "2025Q2": "locked", "2025Q3": "locked", "2025Q4": "locked",
                       "2025": "submitted", "2026Q3": "locked", "2026Q4": "scoring"}
    review = await commendation.review(await _principal("leader"), 2025)
    assert review["places"] == 7 and sum(p["candidate"] for p in review["people"]) == 7
    excellent = await Appraisee.count().where(Appraisee.period.code == "2025", Appraisee.grade == "excellent").run()
    assert 0 < excellent <= 8, "优秀 within each unit's 20%"
    assert await AccountabilityRecord.count().where(AccountabilityRecord.status == "decided").run() == 1
    q3 = await Appraisee.select(Appraisee.unit, Appraisee.grade, Appraisee.total).where(Appraisee.period.code == "2026Q3").run()
    assert all(r["total"] is not None for r in q3)
    by_unit: dict[str, list[str]] = {}
    for r in q3:
        by_unit.setdefault(r["unit"], []).append(r["grade"])
    assert all(grades.count("good") <= round(len(grades) * 0.4 + 1e-9) for grades in by_unit.values())
    assert await Target.count().where(Target.year == 2026).run() == 12


async def test_the_demo_loads_in_late_december_before_next_years_holidays_are_published(office):
    """The demo's open accountability record can be appealed for some working days: on
    28 December they run into a year the calendar package has no holidays for. The demo office
    counts that year by its weekends (marked as the demo's), where a real office is refused."""
    import datetime as dt

    import time_machine

    from appraisal.db.tables import AccountabilityRecord, CalendarYear
    from appraisal.services.demo_appraisal import load_demo_appraisal

    assert not await CalendarYear.exists().where(CalendarYear.year == 2027).run()
    with time_machine.travel(dt.datetime(2026, 12, 28, 9, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        await load_demo_appraisal()
    assert await CalendarYear.select(CalendarYear.source).where(CalendarYear.year == 2027).first().run() == \
        {"source": "demo"}
    decided = await AccountabilityRecord.select(AccountabilityRecord.appeal_deadline).where(
        AccountabilityRecord.decided_on == dt.date(2026, 12, 28)).run()
    assert decided and all(r["appeal_deadline"].year == 2027 for r in decided)
