"""The demo office is realistic and loading it twice changes nothing."""

from appraisal.db.tables import AuditEntry, LeaderSection, Person, RoleGrant, Section, UserAccount
from appraisal.demo import load_demo


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
    duties = {r["name"]: r["duties"] for r in await Person.select(Person.name, Person.duties).run()}
    assert all(duties.values()), "everyone's 从事或分管的工作 is there for the registration form"
    assert duties["王建国"] == "主持区委办公室全面工作" and duties["张伟"].startswith("主持秘书科全面工作")


async def test_loading_the_demo_twice_changes_nothing(office):
    before = await counts()
    created = await load_demo("demo123456")
    assert created == {"sections": 0, "people": 0, "accounts": 0, "commitments": 0}
    assert await counts() == before


async def test_the_demo_appraisal_has_a_closed_year_locked_quarters_within_quota_and_one_being_scored(office):
    from appraisal.db.tables import AccountabilityRecord, Appraisee, Period, Target
    from appraisal.services import commendation
    from appraisal.demo.appraisal import _principal, load_demo_appraisal

    await load_demo_appraisal()
    await load_demo_appraisal()  # a second run adds nothing
    periods = {p["code"]: p["status"] for p in await Period.select(Period.code, Period.status).run()}
    assert periods == {"2025Q1": "locked", "2025Q2": "locked", "2025Q3": "locked", "2025Q4": "locked",
                       "2025": "submitted", "2026Q3": "locked", "2026Q4": "scoring"}
    review = await commendation.review(await _principal("leader"), 2025)
    assert review["places"] == 7 and review["tie"] is None
    assert {p["grade"] for p in review["people"] if p["candidate"]} == {"excellent"}, \
        "the seven places go to people graded 优秀 (eight are), not to a 称职 with a higher score"
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
    unwritten = await Appraisee.select(Appraisee.period.code.as_alias("code"), Appraisee.person.name.as_alias("name")
                                       ).where(Appraisee.self_summary == "").run()
    assert unwritten and {r["code"] for r in unwritten} == {"2026Q4"}, "closed periods have every self-summary"
    assert {"code": "2026Q4", "name": "赵雪"} in unwritten, "the staff login still has hers to write"
    annual = await Appraisee.select(Appraisee.self_summary).where(Appraisee.period.code == "2025").first().run()
    assert annual["self_summary"].startswith("2025 年，本人坚持学习"), "the registration form has a summary to print"
    comments = await Appraisee.select(Appraisee.comment, Appraisee.grade).where(Appraisee.period.code == "2025").run()
    assert all(c["comment"].endswith("建议评为优秀。" if c["grade"] == "excellent" else "建议评为称职。")
               for c in comments), "the chief's comment on every form, agreeing with the grade"


async def test_the_demo_loads_in_late_december_before_next_years_holidays_are_published(office):
    """The demo's open accountability record can be appealed for some working days: on
    28 December they run into a year the calendar package has no holidays for. The demo office
    counts that year by its weekends (marked as the demo's), where a real office is refused."""
    import datetime as dt

    import time_machine

    from appraisal.db.tables import AccountabilityRecord, CalendarYear
    from appraisal.demo.appraisal import load_demo_appraisal

    assert not await CalendarYear.exists().where(CalendarYear.year == 2027).run()
    with time_machine.travel(dt.datetime(2026, 12, 28, 9, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        await load_demo_appraisal()
    assert await CalendarYear.select(CalendarYear.source).where(CalendarYear.year == 2027).first().run() == \
        {"source": "demo"}
    decided = await AccountabilityRecord.select(AccountabilityRecord.appeal_deadline).where(
        AccountabilityRecord.decided_on == dt.date(2026, 12, 28)).run()
    assert decided and all(r["appeal_deadline"].year == 2027 for r in decided)


SHANGHAI = __import__("zoneinfo").ZoneInfo("Asia/Shanghai")


async def test_the_demo_matters_show_every_light_and_step_as_of_the_day_they_are_loaded(office):
    """Loaded on Monday 23 November 2026, the stories end that morning: each light, a transfer
    waiting for 赵雪 to accept, an extension waiting for 李红梅, the chase ladder and the
    accountability proposals of today's sweep; every step dated on a working day before today."""
    import datetime as dt

    import time_machine

    from appraisal.db.tables import AccountabilityRecord, Matter, MatterEvent, Notification, SupervisionItem
    from appraisal.services import matters, supervision, todo
    from appraisal.demo.appraisal import _principal
    from appraisal.demo.matters import MATTERS, load_demo_matters

    with time_machine.travel(dt.datetime(2026, 11, 23, 8, 30, tzinfo=SHANGHAI), tick=False):
        await load_demo_matters()
        await load_demo_matters()  # a second run adds nothing
        today = dt.date(2026, 11, 23)
        staff, leader = await _principal("staff"), await _principal("leader")
        director = await _principal(person_name="王建国")
        rows, total = await matters.list_matters(director, matters.MatterQuery(limit=100))
        assert total == len(MATTERS) == await Matter.count().run()
        lights = {r["light"] for r in rows}
        assert {"green", "yellow", "red", "paused", "done"} <= lights, lights
        mine, _n = await matters.list_matters(staff, matters.MatterQuery(limit=100, mine=True))
        assert {r["light"] for r in mine} >= {"green", "yellow", "red"}, "赵雪 has one of each light"
        pending = await Matter.select(Matter.subject).where(Matter.pending_to.name == "赵雪").run()
        assert pending == [{"subject": "咨询政府信息公开申请流程"}], "a transfer waits for her to accept it"
        waiting = await todo.for_leader(leader)
        assert [e["subject"] for e in waiting["extensions"]] == ["起草区优化营商环境工作汇报材料"]
        late = await Matter.select(Matter.due_on, Matter.completed_at).where(
            Matter.subject == "《区农贸市场管理办法（送审稿）》合法性审查").first().run()
        assert late["completed_at"].astimezone(SHANGHAI).date() > late["due_on"], "completed late"

        events = await MatterEvent.select(MatterEvent.matter, MatterEvent.at, MatterEvent.kind).order_by(
            MatterEvent.id).run()
        days = [e["at"].astimezone(SHANGHAI).date() for e in events]
        assert all(d < today and d.weekday() < 5 for d in days), "told over the working days before today"
        for matter in {e["matter"] for e in events}:
            at = [e["at"] for e in events if e["matter"] == matter]
            assert at == sorted(at), "each timeline in the order of its steps"
        kinds = {e["kind"] for e in events}
        assert {"register", "transfer", "accept", "return", "pause", "extension_request", "complete",
                "follow_up"} <= kinds

        overdue = await Matter.count().where(Matter.status == "open", Matter.due_on < today).run()
        proposals = await AccountabilityRecord.count().where(AccountabilityRecord.trigger == "overdue").run()
        assert overdue >= 3 and proposals == overdue, "today's sweep proposed each overdue matter"
        ladder = set(await Notification.select(Notification.kind).output(as_list=True).run())
        assert {"reminder", "chase", "bulletin", "transfer", "extension"} <= ladder

        items = await supervision.list_items(director, year=2026)
        assert {i["status"] for i in items[0]} == {"open", "review", "completed"}
        assert any(i["light"] == "red" for i in items[0]), "one item is past its deadline"
        assert await SupervisionItem.count().run() == len(items[0])


async def test_the_demo_matters_load_in_late_december_before_next_years_holidays_are_published(office):
    """On 28 December the deadlines of the demo's matters run into a year the calendar package
    has no holidays for: the demo office counts that year by its weekends, as for its appeal."""
    import datetime as dt

    import time_machine

    from appraisal.db.tables import CalendarYear, Matter
    from appraisal.demo.matters import MATTERS, load_demo_matters

    assert not await CalendarYear.exists().where(CalendarYear.year == 2027).run()
    with time_machine.travel(dt.datetime(2026, 12, 28, 9, tzinfo=SHANGHAI), tick=False):
        await load_demo_matters()
    assert await Matter.count().run() == len(MATTERS)
    assert await CalendarYear.select(CalendarYear.source).where(CalendarYear.year == 2027).first().run() == \
        {"source": "demo"}
    assert await Matter.exists().where(Matter.due_on >= dt.date(2027, 1, 1)).run()


async def test_the_demo_inbox_holds_what_is_new_and_dates_each_message_when_it_was_sent(office):
    """The closed periods' messages are read; a transfer's message is dated when it was made."""
    import datetime as dt

    import time_machine

    from appraisal.db.tables import Notification
    from appraisal.demo.appraisal import load_demo_appraisal
    from appraisal.demo.matters import load_demo_matters

    with time_machine.travel(dt.datetime(2026, 11, 23, 8, 30, tzinfo=SHANGHAI), tick=False):
        await load_demo_appraisal()
        await load_demo_matters()
    unread = await Notification.select(Notification.title).where(
        Notification.recipient.name == "赵雪", Notification.read_at.is_null()).output(as_list=True).run()
    assert not any("2025" in t or "第三季度" in t for t in unread), unread
    assert "2026 年第四季度考核已开始，请填写个人总结" in unread and "待签收：咨询政府信息公开申请流程" in unread
    sent = await Notification.select(Notification.created_at).where(
        Notification.title == "待签收：咨询政府信息公开申请流程").first().run()
    assert sent["created_at"].astimezone(SHANGHAI) == dt.datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI), \
        "sent when the transfer was made, the working day before"


async def test_the_demo_matters_load_in_a_year_the_calendar_package_does_not_know(office):
    """`make run` in March 2027, with chinese-calendar's data ending in 2026: the demo office
    counts 2027 by its weekends and its stories end as on any other day."""
    import datetime as dt

    import time_machine

    from appraisal.db.tables import CalendarYear, Matter
    from appraisal.demo.matters import MATTERS, load_demo_matters

    assert not await CalendarYear.exists().where(CalendarYear.year == 2027).run()
    with time_machine.travel(dt.datetime(2027, 3, 10, 9, tzinfo=SHANGHAI), tick=False):
        await load_demo_matters()
    assert await Matter.count().run() == len(MATTERS)
    assert await Matter.count().where(Matter.due_on < dt.date(2027, 3, 10), Matter.status == "open").run() >= 3
