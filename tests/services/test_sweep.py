"""The sweep writes the chase ladder once, returns unaccepted transfers, and fills inboxes."""

import datetime as dt

import pytest
import time_machine

from appraisal.db.tables import Notification, Person, UserAccount
from appraisal.services import accounts, inbox, matters
from appraisal.services.sweep import sweep

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
D = dt.date


async def principal(username: str):
    row = await UserAccount.select(UserAccount.id).where(UserAccount.username == username).first().run()
    return await accounts.load_principal(row["id"])


@pytest.fixture
def clock():
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI), tick=False) as traveller:
        yield traveller


async def test_the_ladder_runs_reminder_then_chase_then_bulletin_and_never_twice(office, clock):
    staff = await principal("staff")
    matter = await matters.register(staff, matters.Registration("call", "李女士", "咨询社保", limit_days=2))
    assert matter.due_on == D(2026, 11, 25)

    assert (await sweep(D(2026, 11, 23))).total == 0, "two working days left: nothing yet"
    first = await sweep(D(2026, 11, 24))
    assert first.reminders == 1
    assert (await sweep(D(2026, 11, 24))).total == 0, "running it again the same day writes nothing"

    chase = await sweep(D(2026, 11, 26))  # the working day after due
    assert chase.chases == 3, "the owner and both leaders over 秘书科 (the director and 李红梅)"
    assert (await sweep(D(2026, 11, 27))).chases == 0

    bulletin = await sweep(D(2026, 12, 3))  # 6 working days late
    assert bulletin.bulletins == 3
    kinds = await Notification.select(Notification.kind).where(Notification.recipient == staff.person_id).output(as_list=True).run()
    assert sorted(kinds) == ["bulletin", "chase", "reminder"]
    assert await inbox.unread_count(staff) == 3


async def test_an_unaccepted_transfer_warns_the_receiver_and_returns_to_the_first_receiver(office, clock):
    staff = await principal("staff")
    colleague = await Person.select(Person.id).where(Person.name == "孙浩然").first().run()
    matter = await matters.register(staff, matters.Registration("visit", "王先生", "反映问题", limit_days=5))
    await matters.transfer(staff, matter.id, colleague["id"], "请办理")
    receiver = await principal("sunhaoran")
    assert await inbox.unread_count(receiver) == 1, "the receiver is told at once"

    assert (await sweep(D(2026, 11, 24))).returned_transfers == 0, "the receiver has until the end of the 24th"
    assert (await sweep(D(2026, 11, 25))).returned_transfers == 1
    detail = await matters.get_matter(staff, matter.id)
    assert detail["pending_to"] is None and detail["owner"] == staff.person_id
    assert detail["timeline"][-1]["kind"] == "return" and detail["timeline"][-1]["actor"] is None
    assert (await sweep(D(2026, 11, 25))).returned_transfers == 0


async def test_completed_and_paused_matters_are_not_chased(office, clock):
    staff = await principal("staff")
    done = await matters.register(staff, matters.Registration("call", "甲", "已办", limit_days=1))
    await matters.complete(staff, done.id, "当场答复")
    paused = await matters.register(staff, matters.Registration("call", "乙", "中止", limit_days=1))
    await matters.pause(staff, paused.id, "等待材料")
    assert (await sweep(D(2026, 11, 30))).total == 0


async def test_the_sweep_deletes_expired_sessions_and_month_old_failed_logins(office, client, clock):
    from appraisal.db.tables import LoginFailure, WebSession

    from helpers import login

    await login(client, "staff")  # a live session, renewed as it is used
    now = dt.datetime.now(dt.timezone.utc)
    await WebSession.insert(WebSession(key="7:left-behind", data=b'{"uid": 7}',
                                       expires_at=now - dt.timedelta(hours=1))).run()
    await LoginFailure.insert(LoginFailure(username="staff", address="10.0.0.9", at=now - dt.timedelta(days=31)),
                              LoginFailure(username="staff", address="10.0.0.9", at=now - dt.timedelta(days=29))).run()
    result = await sweep(D(2026, 11, 23))
    assert (result.expired_sessions, result.old_login_failures) == (1, 1)
    assert result.total == 0, "housekeeping is not the office's work"
    from appraisal.db.session_store import stored_key

    live = [r["key"] for r in await WebSession.select(WebSession.key).run()]
    assert live == [stored_key(client.cookies.get("appraisal_session"))]
    assert await LoginFailure.select(LoginFailure.at).output(as_list=True).run() == [now - dt.timedelta(days=29)]
    assert (await client.get("/api/v1/me")).status_code == 200, "the live session still works"
    assert (await sweep(D(2026, 11, 23))).expired_sessions == 0


async def test_a_sweep_with_nothing_new_asks_nothing_per_matter(office, clock, monkeypatch):
    """The sweep runs every 15 minutes in the server. With 30,000 open overdue matters it spent
    45 s (on SQLite holding the one write lock) asking, notice by notice and matter by matter,
    whether each was written already; now the notices go in a few set-based inserts and the
    proposals made before are read at once."""
    from appraisal.services import accountability
    from appraisal.services import sweep as sweep_module

    staff = await principal("staff")
    for i in range(12):
        await matters.register(staff, matters.Registration("call", "李女士", f"咨询{i}", limit_days=1))
    first = await sweep(D(2026, 12, 3))
    assert first.bulletins == 12 * 3 and first.proposals == 12, first

    proposed, inserts = [], []
    real_propose, real_insert = accountability.propose_automatic, sweep_module.insert_values

    async def counting_propose(actor, proposals):
        proposed.extend(proposals)
        return await real_propose(actor, proposals)

    async def counting_insert(table, rows, unique=None):
        inserts.append(len(rows))
        return await real_insert(table, rows, unique=unique)

    monkeypatch.setattr(accountability, "propose_automatic", counting_propose)
    monkeypatch.setattr(sweep_module, "insert_values", counting_insert)
    again = await sweep(D(2026, 12, 3))
    assert again.total == 0
    assert proposed == [], "no proposal is asked for again"
    assert inserts == [36], "the ladder's notices in one insert, not one per notice"


async def test_the_first_sweep_of_a_backlog_proposes_in_one_set_with_an_audit_entry_each(office, clock, monkeypatch):
    """The first sweep of 30,000 overdue matters took over a minute making the proposals one by
    one. They are made together now, each once, each with its audit entry in the sweep's name,
    the owner's section on the record."""
    from appraisal.db.tables import AccountabilityRecord, AuditEntry
    from appraisal.services import accountability

    staff = await principal("staff")
    registered = [await matters.register(staff, matters.Registration("call", "李女士", f"咨询{i}", limit_days=1))
                  for i in range(30)]

    async def one_by_one(*args, **kwargs):
        raise AssertionError("the sweep proposes one by one")

    monkeypatch.setattr(accountability, "propose", one_by_one)
    assert (await sweep(D(2026, 12, 3))).proposals == 30
    records = await AccountabilityRecord.select().where(AccountabilityRecord.trigger == "overdue").run()
    section = await Person.select(Person.section).where(Person.id == staff.person_id).first().run()
    assert sorted(r["matter"] for r in records) == sorted(m.id for m in registered)
    assert {(r["person"], r["section"], r["status"]) for r in records} == {
        (staff.person_id, section["section"], "proposed")}
    assert all("超过办结期限 2026-11-24" in r["description"] for r in records), records[0]["description"]

    audits = await AuditEntry.select().where(AuditEntry.table_name == "accountability_record").run()
    assert sorted(int(a["record_id"]) for a in audits) == sorted(r["id"] for r in records)
    assert {(a["actor_name"], a["action"]) for a in audits} == {("sweep", "create")}
    assert all(f'"matter":{r["matter"]}' in next(a["new_values"] for a in audits if a["record_id"] == str(r["id"]))
               for r in records)
    assert (await sweep(D(2026, 12, 4))).proposals == 0, "made once"
