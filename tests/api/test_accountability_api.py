"""责任追究 end to end: proposed by the sweep or a leader, decided, appealed, final, and read by appraisal."""

import datetime as dt

import pytest
import time_machine

from helpers import login, person_id_of

from appraisal.services.sweep import sweep

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def clock():
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI), tick=True) as traveller:
        yield traveller


async def forms(client) -> dict[str, dict]:
    return {f["name"]: f for f in (await client.get("/api/v1/accountability/forms")).json()}


async def test_an_overdue_matter_is_proposed_once_decided_appealed_and_upheld(office, client, clock):
    me = await login(client, "staff")
    r = await client.post("/api/v1/matters", json={"channel": "call", "requester": "李女士", "subject": "咨询",
                                                   "limit_days": 1})
    matter_id = r.json()["id"]
    first = await sweep(dt.date(2026, 11, 25))
    assert first.proposals == 1
    assert (await sweep(dt.date(2026, 11, 26))).proposals == 0, "proposed once, however often the sweep runs"

    records = (await client.get("/api/v1/accountability")).json()
    assert records["total"] == 1
    record = records["items"][0]
    assert record["status"] == "proposed" and record["trigger"] == "overdue" and record["matter"] == matter_id
    assert (await client.post(f"/api/v1/accountability/{record['id']}/decision",
                              json={"form_id": 1, "reason": "x"})).status_code == 403

    client.cookies.clear()
    await login(client, "leader")
    talk = (await forms(client))["提醒谈话"]
    r = await client.post(f"/api/v1/accountability/{record['id']}/decision",
                          json={"form_id": talk["id"], "reason": "办件超期一个工作日"})
    assert r.status_code == 201
    decided = r.json()
    assert decided["status"] == "decided" and decided["points"] == 1.0
    assert decided["appeal_deadline"] == "2026-11-30", "5 working days to appeal"

    client.cookies.clear()
    await login(client, "staff")
    inbox = (await client.get("/api/v1/inbox")).json()
    told = next(n for n in inbox["items"] if n["title"] == "责任追究决定：提醒谈话")
    assert told["body"] == "扣 1 分。理由：办件超期一个工作日。如有异议，请于 2026-11-30 前申诉。", "the person is notified"
    r = await client.post(f"/api/v1/accountability/{record['id']}/appeal", json={"reason": "来电人未留联系方式"})
    assert r.status_code == 201 and r.json()["status"] == "appealed"

    client.cookies.clear()
    await login(client, "leader")
    r = await client.post(f"/api/v1/accountability/{record['id']}/appeal-decision",
                          json={"result": "upheld", "note": "超期属实"})
    assert r.json()["status"] == "final"
    effects = (await client.get(f"/api/v1/people/{me['person']['id']}/accountability-effects",
                                params={"year": 2026})).json()
    assert effects["deduction"] == 1.0 and effects["eligible_for_excellent"] is False
    assert effects["record_ids"] == [record["id"]]


async def test_an_appeal_after_the_window_is_refused_and_the_record_counts_as_final(office, client, clock):
    await login(client, "admin")
    pid = await person_id_of(client, "孙浩然")
    client.cookies.clear()
    await login(client, "leader")
    r = await client.post("/api/v1/accountability", json={"person_id": pid, "trigger": "manual",
                                                          "description": "会议通知未按时送达"})
    assert r.status_code == 201
    record = r.json()
    admonish = (await forms(client))["诫勉谈话"]
    await client.post(f"/api/v1/accountability/{record['id']}/decision", json={"form_id": admonish["id"], "reason": "情节较重"})

    clock.move_to(dt.datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI))  # after 30 November
    client.cookies.clear()
    await login(client, "sunhaoran")
    r = await client.post(f"/api/v1/accountability/{record['id']}/appeal", json={"reason": "不服"})
    assert r.status_code == 422 and "申诉期已于 2026-11-30 届满" in r.json()["message"]
    effects = (await client.get(f"/api/v1/people/{pid}/accountability-effects", params={"year": 2026})).json()
    assert effects["deduction"] == 5.0
    assert any("诫勉" in reason for reason in effects["reasons"])


async def test_a_revoked_appeal_leaves_nothing_for_appraisal(office, client, clock):
    await login(client, "admin")
    pid = await person_id_of(client, "赵雪")
    r = await client.post("/api/v1/accountability", json={"person_id": pid, "trigger": "complaint",
                                                           "description": "群众投诉态度生硬"})
    record = r.json()
    check = (await forms(client))["书面检查"]
    await client.post(f"/api/v1/accountability/{record['id']}/decision", json={"form_id": check["id"], "reason": "投诉"})
    client.cookies.clear()
    await login(client, "staff")
    await client.post(f"/api/v1/accountability/{record['id']}/appeal", json={"reason": "投诉经核实不属实"})
    client.cookies.clear()
    await login(client, "admin")
    r = await client.post(f"/api/v1/accountability/{record['id']}/appeal-decision", json={"result": "revoked", "note": "不属实"})
    assert r.json()["status"] == "dismissed"
    effects = (await client.get(f"/api/v1/people/{pid}/accountability-effects", params={"year": 2026})).json()
    assert effects["deduction"] == 0 and effects["eligible_for_excellent"] is True


async def test_staff_see_only_their_own_records_and_chiefs_cannot_decide(office, client, clock):
    await login(client, "admin")
    other = await person_id_of(client, "孙浩然")
    r = await client.post("/api/v1/accountability", json={"person_id": other, "trigger": "manual", "description": "情况"})
    record_id = r.json()["id"]
    client.cookies.clear()
    await login(client, "staff")
    assert (await client.get(f"/api/v1/accountability/{record_id}")).status_code == 404
    assert (await client.get("/api/v1/accountability")).json()["total"] == 0
    client.cookies.clear()
    await login(client, "chief")
    assert (await client.get(f"/api/v1/accountability/{record_id}")).status_code == 200
    forms_ = await forms(client)
    r = await client.post(f"/api/v1/accountability/{record_id}/decision",
                          json={"form_id": forms_["提醒谈话"]["id"], "reason": "x"})
    assert r.status_code == 403
    r = await client.post("/api/v1/accountability", json={"person_id": other, "trigger": "manual", "description": "y"})
    assert r.status_code == 403
