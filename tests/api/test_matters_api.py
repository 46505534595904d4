"""First-inquiry matters end to end through the API, on a pinned date (Mon 2026-11-23)."""

import datetime as dt

import pytest
import time_machine

from helpers import login, person_id_of

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def clock():
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI), tick=True) as traveller:
        yield traveller


async def catalogue_id(client, name: str) -> int:
    return next(i["id"] for i in (await client.get("/api/v1/commitments")).json() if i["name"] == name)


async def register(client, **extra) -> dict:
    body = {"channel": "visit", "requester": "王大爷", "subject": "咨询公务用车", "content": "来访咨询",
            "commitment_id": await catalogue_id(client, "公务用车申请"), **extra}
    r = await client.post("/api/v1/matters", json=body)
    assert r.status_code == 201, r.text
    return r.json()


async def test_registering_makes_the_caller_first_receiver_with_the_promised_due_date(office, client, clock):
    me = await login(client, "staff")
    matter = await register(client)
    assert matter["first_receiver_name"] == "赵雪" and matter["owner"] == me["person"]["id"]
    assert matter["accepted_on"] == "2026-11-23" and matter["due_on"] == "2026-11-24"  # 1 working day
    assert matter["light"] == "yellow", "one working day left"
    assert [e["kind"] for e in matter["timeline"]] == ["register"]
    assert matter["number"].startswith("2026-")


async def test_a_transfer_stays_with_the_first_receiver_until_accepted(office, client, clock):
    await login(client, "admin")
    colleague = await person_id_of(client, "孙浩然")
    client.cookies.clear()
    me = await login(client, "staff")
    matter = await register(client)
    r = await client.post(f"/api/v1/matters/{matter['id']}/transfer", json={"to_person_id": colleague, "note": "请办理"})
    assert r.status_code == 201
    assert r.json()["owner"] == me["person"]["id"] and r.json()["pending_to"] == colleague
    assert r.json()["pending_due_on"] == "2026-11-24"
    # The staff member cannot accept on the colleague's behalf.
    assert (await client.post(f"/api/v1/matters/{matter['id']}/accept")).status_code == 403

    client.cookies.clear()
    await login(client, "sunhaoran")
    inbox = (await client.get("/api/v1/matters", params={"mine": "true"})).json()
    assert [m["id"] for m in inbox["items"]] == [matter["id"]]
    r = await client.post(f"/api/v1/matters/{matter['id']}/accept")
    assert r.status_code == 201 and r.json()["owner"] == colleague and r.json()["pending_to"] is None
    assert [e["kind"] for e in r.json()["timeline"]] == ["register", "transfer", "accept"]
    r = await client.post(f"/api/v1/matters/{matter['id']}/complete", json={"result": "已派车"})
    assert r.json()["status"] == "completed" and r.json()["light"] == "done"

    client.cookies.clear()
    await login(client, "staff")  # the first receiver still sees it and records the follow-up
    r = await client.post(f"/api/v1/matters/{matter['id']}/follow-up", json={"satisfaction": "satisfied"})
    assert r.status_code == 201 and r.json()["satisfaction"] == "satisfied"


async def test_a_transfer_to_a_section_waits_for_its_chief_to_sign(office, client, clock):
    await login(client, "admin")
    sections = {s["name"]: s["id"] for s in (await client.get("/api/v1/sections")).json()}
    chief = await person_id_of(client, "张伟")
    archive = (await client.post("/api/v1/sections", json={"name": "档案科"})).json()["id"]  # no chief yet
    client.cookies.clear()
    await login(client, "staff")
    matter = await register(client)
    path = f"/api/v1/matters/{matter['id']}/transfer"
    for body, message in (({"to_section_id": archive}, "档案科没有可以签收的科长，请转办给具体人员"),
                          ({"to_section_id": sections["秘书科"], "to_person_id": chief}, "二选一"),
                          ({"note": "请办理"}, "二选一")):
        r = await client.post(path, json=body)
        assert r.status_code == 422 and message in r.json()["message"], r.text
    assert (await client.get(f"/api/v1/matters/{matter['id']}")).json()["pending_to"] is None

    r = await client.post(path, json={"to_section_id": sections["秘书科"], "note": "请补充身份证复印件"})
    assert r.status_code == 201, r.text
    assert r.json()["pending_to"] == chief and r.json()["owner"] == matter["owner"]
    assert r.json()["timeline"][-1]["note"] == "转至秘书科，由科长张伟签收。请补充身份证复印件"
    client.cookies.clear()
    await login(client, "chief")
    assert (await client.post(f"/api/v1/matters/{matter['id']}/accept")).json()["owner"] == chief


async def test_a_declined_transfer_returns_to_the_first_receiver(office, client, clock):
    await login(client, "admin")
    colleague = await person_id_of(client, "孙浩然")
    client.cookies.clear()
    me = await login(client, "staff")
    matter = await register(client)
    await client.post(f"/api/v1/matters/{matter['id']}/transfer", json={"to_person_id": colleague})
    client.cookies.clear()
    await login(client, "sunhaoran")
    assert (await client.post(f"/api/v1/matters/{matter['id']}/return", json={"note": ""})).status_code == 422
    r = await client.post(f"/api/v1/matters/{matter['id']}/return", json={"note": "不属于本人职责"})
    assert r.status_code == 204
    assert (await client.get(f"/api/v1/matters/{matter['id']}")).status_code == 404, "no longer theirs to see"
    client.cookies.clear()
    await login(client, "staff")
    back = (await client.get(f"/api/v1/matters/{matter['id']}")).json()
    assert back["owner"] == me["person"]["id"] and back["pending_to"] is None
    assert back["timeline"][-1]["kind"] == "return" and back["timeline"][-1]["note"] == "不属于本人职责"


async def test_a_pause_across_days_moves_the_due_date(office, client, clock):
    await login(client, "chief")
    matter = await register(client, commitment_id=None, limit_days=3)
    assert matter["due_on"] == "2026-11-26"
    paused_at = dt.datetime.now(SHANGHAI)  # Mon 23 Nov, 09:00 and the moments the test took so far
    r = await client.post(f"/api/v1/matters/{matter['id']}/pause", json={"reason": "等待来件人补充材料"})
    assert r.json()["status"] == "paused" and r.json()["light"] == "paused"
    # Resumed a minute short of two days later. The clock ticks, and any part of a working day
    # paused gives that day back: resuming at 09:00 on the dot came a few milliseconds after
    # 48 hours whenever the second login took longer than the first, which counted a third day.
    clock.move_to(paused_at + dt.timedelta(days=2, minutes=-1))
    client.cookies.clear()
    await login(client, "chief")  # the 12-hour session has expired meanwhile
    r = await client.post(f"/api/v1/matters/{matter['id']}/resume", json={})
    body = r.json()
    assert body["status"] == "open" and body["paused_days"] == 2  # Mon 09:00 → Wed 08:59: two working days
    assert body["due_on"] == "2026-11-30"  # Thu 26 + 2 working days
    assert body["timeline"][-1]["note"] == "中止 2 个工作日"


async def test_an_extension_asked_after_due_is_refused_and_one_in_time_goes_to_a_leader(office, client, clock):
    await login(client, "chief")
    matter = await register(client, commitment_id=None, limit_days=2)  # due Wed 25 Nov
    r = await client.post(f"/api/v1/matters/{matter['id']}/extensions",
                          json={"new_due_on": "2026-11-30", "reason": "需征求相关单位意见"})
    assert r.status_code == 422 and "最多 2 个工作日" in r.json()["message"]
    r = await client.post(f"/api/v1/matters/{matter['id']}/extensions",
                          json={"new_due_on": "2026-11-27", "reason": "需征求相关单位意见"})
    assert r.status_code == 201
    request_id = r.json()["extension_requests"][0]["id"]
    assert (await client.post(f"/api/v1/extensions/{request_id}/decision", json={"approve": True})).status_code == 403

    client.cookies.clear()
    await login(client, "leader")
    assert (await client.post(f"/api/v1/extensions/{request_id}/decision", json={"approve": True})).status_code == 204
    assert (await client.get(f"/api/v1/matters/{matter['id']}")).json()["due_on"] == "2026-11-27"

    client.cookies.clear()
    await login(client, "chief")
    other = await register(client, commitment_id=None, limit_days=1)
    clock.move_to(dt.datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI))
    client.cookies.clear()
    await login(client, "chief")
    r = await client.post(f"/api/v1/matters/{other['id']}/extensions",
                          json={"new_due_on": "2026-11-27", "reason": "来不及"})
    assert r.status_code == 422 and r.json()["code"] == "extension_too_late"
    assert (await client.get("/api/v1/matters", params={"light": "red"})).json()["total"] == 1


async def test_staff_cannot_see_another_persons_matters_and_chiefs_cannot_act_on_other_sections(office, client, clock):
    await login(client, "chief")
    matter = await register(client)
    client.cookies.clear()
    await login(client, "staff")
    assert (await client.get(f"/api/v1/matters/{matter['id']}")).status_code == 404
    assert (await client.get("/api/v1/matters")).json()["total"] == 0
    client.cookies.clear()
    await login(client, "majunjie")  # chief of 信息科
    assert (await client.get(f"/api/v1/matters/{matter['id']}")).status_code == 404
    r = await client.post(f"/api/v1/matters/{matter['id']}/complete", json={"result": "x"})
    assert r.status_code == 404


async def test_bad_registrations_get_a_message_and_store_nothing(office, client, clock):
    await login(client, "staff")
    cases = [
        {"channel": "visit", "requester": "甲", "subject": "事由", "commitment_id": 99999},
        {"channel": "pigeon", "requester": "甲", "subject": "事由", "limit_days": 1},
        {"channel": "visit", "requester": "", "subject": "事由", "limit_days": 1},
        {"channel": "visit", "requester": "甲", "subject": "事由"},
    ]
    for body in cases:
        r = await client.post("/api/v1/matters", json=body)
        assert r.status_code == 422, body
        assert r.json()["message"]
    await login(client, "admin")
    assert (await client.get("/api/v1/matters")).json()["total"] == 0


async def test_a_transfer_to_an_inactive_person_is_refused(office, client, clock):
    await login(client, "admin")
    pid = await person_id_of(client, "吴磊")
    p = (await client.get(f"/api/v1/people/{pid}")).json()
    body = {k: p[k] for k in ("name", "gender", "birth_date", "political_status", "post_rank", "section_id")}
    await client.patch(f"/api/v1/people/{pid}", json={**body, "is_active": False})
    client.cookies.clear()
    await login(client, "staff")
    matter = await register(client)
    r = await client.post(f"/api/v1/matters/{matter['id']}/transfer", json={"to_person_id": pid})
    assert r.status_code == 422 and "不在职" in r.json()["message"]
    assert (await client.get(f"/api/v1/matters/{matter['id']}")).json()["pending_to"] is None


async def test_the_timeline_cannot_be_rewritten(office, clock):
    from appraisal.db.tables import MatterEvent, UserAccount
    from appraisal.services import accounts, matters

    staff = await UserAccount.select(UserAccount.id).where(UserAccount.username == "staff").first().run()
    principal = await accounts.load_principal(staff["id"])
    await matters.register(principal, matters.Registration("call", "李女士", "咨询", limit_days=1))
    assert await MatterEvent.count().run() == 1
    with pytest.raises(Exception, match="append-only"):
        await MatterEvent.update({MatterEvent.note: "edited"}, force=True).run()
    with pytest.raises(Exception, match="append-only"):
        await MatterEvent.delete(force=True).run()


async def test_the_inbox_counts_and_clears(office, client, clock):
    await login(client, "admin")
    colleague = await person_id_of(client, "孙浩然")
    client.cookies.clear()
    await login(client, "staff")
    matter = await register(client)
    await client.post(f"/api/v1/matters/{matter['id']}/transfer", json={"to_person_id": colleague})
    client.cookies.clear()
    await login(client, "sunhaoran")
    box = (await client.get("/api/v1/inbox")).json()
    assert box["unread"] == 1 and box["items"][0]["kind"] == "transfer" and box["items"][0]["matter"] == matter["id"]
    assert "待签收" in box["items"][0]["title"]
    assert (await client.post("/api/v1/inbox/read", json={})).status_code == 204
    assert (await client.get("/api/v1/inbox")).json()["unread"] == 0
    assert (await client.post("/api/v1/inbox/read", json={"id": 999999})).status_code == 404


async def test_the_dashboard_counts_open_matters_by_light_per_section(office, client, clock):
    await login(client, "staff")
    await register(client, commitment_id=None, limit_days=10)  # green
    await register(client, commitment_id=None, limit_days=0)  # due today: yellow
    client.cookies.clear()
    await login(client, "leader")
    rows = {r["section_name"]: r for r in (await client.get("/api/v1/dashboard/matters")).json()}
    assert set(rows) == {"秘书科", "综合科"}, "only the sections the leader oversees"
    assert (rows["秘书科"]["green"], rows["秘书科"]["yellow"], rows["秘书科"]["red"]) == (1, 1, 0)
    clock.move_to(dt.datetime(2026, 11, 24, 9, 0, tzinfo=SHANGHAI))
    client.cookies.clear()
    await login(client, "leader")
    assert (await client.get("/api/v1/dashboard/matters")).json()[0]["red"] == 1


async def test_the_dashboard_counts_each_light_exactly_as_the_list_filtered_by_that_light(office, client, clock):
    """The dashboard counts in SQL what the list filters by light: the two must never disagree."""
    await login(client, "staff")
    for days in (10, 5, 1, 0, 0):
        await register(client, commitment_id=None, limit_days=days)
    paused = await register(client, commitment_id=None, limit_days=3)
    assert (await client.post(f"/api/v1/matters/{paused['id']}/pause", json={"reason": "等待补充材料"})).status_code == 201
    clock.move_to(dt.datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI))  # the 0- and 1-day ones are now late
    client.cookies.clear()
    await login(client, "leader")
    rows = (await client.get("/api/v1/dashboard/matters")).json()
    counted = {light: sum(r[light] for r in rows) for light in ("green", "yellow", "red", "paused")}
    listed = {light: (await client.get("/api/v1/matters", params={"light": light})).json()["total"]
              for light in ("green", "yellow", "red")}
    listed["paused"] = (await client.get("/api/v1/matters", params={"status": "paused"})).json()["total"]
    assert counted == listed
    assert counted["red"] == 3 and counted["paused"] == 1 and counted["green"] + counted["yellow"] == 2
