"""Two steps on the same record at the same moment: a double click, two browser tabs, two
people. Each step reads the record inside its transaction with its row locked, so the second
sees what the first did: one succeeds, the other gets a 409 naming the state it found, and the
record, its timeline and its audit agree. On PostgreSQL the transactions really overlap
(READ COMMITTED, one connection each); on SQLite they take turns."""

import asyncio
import datetime as dt

import pytest
import time_machine

from appraisal.db.tables import (
    AccountabilityForm, AccountabilityRecord, Appraisee, AuditEntry, Matter, MatterEvent, Person, Section,
    RoleGrant, SupervisionItem, Target, UserAccount,
)
from appraisal.errors import Conflict, InvalidInput
from appraisal.scopes import Role
from appraisal.services import accountability, accounts, appraisal, matters, org, supervision, targets

from test_appraisal_flow import as_user

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def clock():
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI), tick=True) as traveller:
        yield traveller


async def at_once(*steps) -> tuple[list, list[Exception]]:
    """Run the steps concurrently: what succeeded, and what was refused. On PostgreSQL the pool
    first opens a connection for each (opening one takes longer than a short step, which would
    then be done before the next one started)."""
    await asyncio.gather(*[Person.count().run() for _ in steps])
    outcomes = await asyncio.gather(*steps, return_exceptions=True)
    return [o for o in outcomes if not isinstance(o, BaseException)], [o for o in outcomes if isinstance(o, BaseException)]


async def timeline(matter_id: int) -> list[str]:
    return await MatterEvent.select(MatterEvent.kind).where(MatterEvent.matter == matter_id).order_by(
        MatterEvent.id).output(as_list=True).run()


async def new_matter(who):
    return await matters.register(who, matters.Registration(channel="visit", requester="王大爷", subject="咨询",
                                                            limit_days=3))


async def test_a_matter_completed_three_times_at_once_is_completed_once(office, clock):
    staff = await as_user("staff")
    matter = await new_matter(staff)
    done, refused = await at_once(*[matters.complete(staff, matter.id, f"已答复{i}") for i in range(3)])
    assert len(done) == 1 and len(refused) == 2
    assert all(isinstance(e, Conflict) and e.code == "bad_state" for e in refused), refused
    assert await timeline(matter.id) == ["register", "complete"]
    audited = await AuditEntry.count().where(AuditEntry.table_name == "matter", AuditEntry.record_id == str(matter.id),
                                             AuditEntry.action == "update").run()
    assert audited == 1, "one completion, audited once"


async def test_completing_and_pausing_at_once_leave_the_matter_as_its_timeline_says(office, clock):
    staff = await as_user("staff")
    for first, second in [(matters.complete, matters.pause), (matters.pause, matters.complete)] * 2:
        matter = await new_matter(staff)
        done, refused = await at_once(first(staff, matter.id, "说明"), second(staff, matter.id, "说明"))
        assert len(done) == 1 and len(refused) == 1 and isinstance(refused[0], Conflict)
        status = (await Matter.select(Matter.status).where(Matter.id == matter.id).first().run())["status"]
        steps = await timeline(matter.id)
        assert len(steps) == 2 and (status, steps[-1]) in {("completed", "complete"), ("paused", "pause")}


async def test_a_transfer_accepted_twice_at_once_is_accepted_once(office, clock):
    staff = await as_user("staff")
    colleague = await as_user("sunhaoran")
    matter = await new_matter(staff)
    await matters.transfer(staff, matter.id, colleague.person_id, "请办理")
    done, refused = await at_once(matters.accept(colleague, matter.id), matters.accept(colleague, matter.id))
    assert len(done) == 1 and [e.code for e in refused] == ["no_transfer"]
    assert await timeline(matter.id) == ["register", "transfer", "accept"]
    owner = (await Matter.select(Matter.owner).where(Matter.id == matter.id).first().run())["owner"]
    assert owner == colleague.person_id


async def test_an_accountability_record_decided_twice_at_once_is_decided_once(office, clock):
    admin = await as_user("admin")
    person = await Person.select(Person.id).where(Person.name == "赵雪").first().run()
    record = await accountability.propose(admin, person["id"], "manual", "材料未一次性告知")
    forms = await AccountabilityForm.select(AccountabilityForm.id, AccountabilityForm.deduction).order_by(
        AccountabilityForm.sort_order).limit(2).run()
    done, refused = await at_once(accountability.decide(admin, record.id, forms[0]["id"], "属实"),
                                  accountability.decide(admin, record.id, forms[1]["id"], "属实，从重"))
    assert len(done) == 1 and [e.code for e in refused] == ["already_decided"]
    stored = await AccountabilityRecord.select(AccountabilityRecord.status, AccountabilityRecord.form).where(
        AccountabilityRecord.id == record.id).first().run()
    assert stored["status"] == "decided" and stored["form"] in {f["id"] for f in forms}
    decisions = await AuditEntry.count().where(AuditEntry.table_name == "accountability_record",
                                               AuditEntry.record_id == str(record.id), AuditEntry.action == "update").run()
    assert decisions == 1


async def test_supervision_items_registered_at_once_get_consecutive_numbers(office, clock):
    leader = await as_user("leader")
    section = await Section.select(Section.id).first().run()
    person = await Person.select(Person.id).where(Person.section == section["id"], Person.is_active == True).first().run()  # noqa: E712
    items, refused = await at_once(*[supervision.create(leader, supervision.NewItem(
        source="meeting", title=f"督办{i}", lead_section_id=section["id"], responsible_person_id=person["id"],
        deadline=dt.date(2026, 12, 15))) for i in range(4)])
    assert refused == []
    numbers = await SupervisionItem.select(SupervisionItem.number).order_by(SupervisionItem.seq).output(as_list=True).run()
    assert numbers == [f"督〔2026〕{n}号" for n in range(1, 5)]


async def test_one_name_for_two_new_sections_at_once_makes_one_section(office, clock):
    admin = await as_user("admin")
    done, refused = await at_once(*[org.create_section(admin, "新设科室") for _ in range(3)])
    assert len(done) == 1 and [e.code for e in refused] == ["duplicate_section"] * 2
    assert await Section.count().where(Section.name == "新设科室").run() == 1


async def test_one_username_for_two_new_accounts_at_once_makes_one_account(office, clock):
    admin = await as_user("admin")
    done, refused = await at_once(*[accounts.create_account(admin, "zhangsan", "Passw0rd!2026", []) for _ in range(3)])
    assert len(done) == 1 and [e.code for e in refused] == ["duplicate_username"] * 2
    assert await UserAccount.count().where(UserAccount.username == "zhangsan").run() == 1


async def test_a_period_opened_twice_at_once_fixes_its_people_once(office, clock):
    admin = await as_user("admin")
    period = await appraisal.create_period(admin, 2026, 4)
    done, refused = await at_once(appraisal.advance(admin, period["id"], "self_summary"),
                                  appraisal.advance(admin, period["id"], "self_summary"))
    assert len(done) == 1 and [e.code for e in refused] == ["bad_transition"]
    people = await Appraisee.select(Appraisee.person).where(Appraisee.period == period["id"]).output(as_list=True).run()
    assert people and len(people) == len(set(people)), "each person appraised once"


async def test_two_shares_of_one_parent_added_at_once_cannot_pass_100(office, clock):
    leader = await as_user("leader")
    parent = await targets.create(leader, 2026, None, targets.TargetData("办文办会质量", 100, "quality", quality="零差错"))
    sections = sorted(leader.led_section_ids)[:2]
    assert len(sections) == 2
    done, refused = await at_once(*[targets.create(leader, 2026, parent.id, targets.TargetData(
        f"分解{s}", 60, "quality", quality="零差错", section_id=s)) for s in sections * 2])
    assert len(done) == 1 and len(refused) == 3 and all(isinstance(e, InvalidInput) for e in refused), refused
    shares = await Target.select(Target.weight).where(Target.parent == parent.id).output(as_list=True).run()
    assert shares == [60]


async def test_two_role_changes_at_once_leave_one_of_them_not_both(office, clock):
    admin = await as_user("admin")
    account = await accounts.create_account(admin, "lisi", "Passw0rd!2026", [Role.STAFF])
    done, refused = await at_once(accounts.update_account(admin, account.id, roles=[Role.CHIEF]),
                                  accounts.update_account(admin, account.id, roles=[Role.LEADER]))
    assert len(done) == 2 and refused == []
    held = await RoleGrant.select(RoleGrant.role).where(RoleGrant.account == account.id).output(as_list=True).run()
    assert held in (["chief"], ["leader"]), held


async def test_two_changes_of_a_leaders_sections_at_once_leave_one_of_them(office, clock):
    admin, leader = await as_user("admin"), await as_user("leader")
    sections = await Section.select(Section.id).order_by(Section.id).output(as_list=True).run()
    done, refused = await at_once(org.set_led_sections(admin, leader.person_id, sections[:2]),
                                  org.set_led_sections(admin, leader.person_id, sections[2:4]))
    assert len(done) == 2 and refused == []
    assert await org.led_section_ids(leader.person_id) in (sections[:2], sections[2:4])
