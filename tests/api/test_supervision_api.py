"""督查督办 through the API: numbering, progress, review, 督办 and the sweep."""

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


async def new_item(client, **extra) -> dict:
    sections = {s["name"]: s["id"] for s in (await client.get("/api/v1/sections")).json()}
    body = {"source": "instruction", "title": "落实区委常委会议定事项", "lead_section_id": sections["秘书科"],
            "responsible_person_id": await person_id_of(client, "张伟"), "deadline": "2026-12-04",
            "assisting_section_ids": [sections["督查科"]], "requirement": "按期报送落实情况", **extra}
    r = await client.post("/api/v1/supervision", json=body)
    assert r.status_code == 201, r.text
    return r.json()


async def test_items_are_numbered_per_year_and_reviewed_to_completion(office, client, clock):
    await login(client, "admin")
    first, second = await new_item(client), await new_item(client, title="第二项")
    assert (first["number"], second["number"]) == ("督〔2026〕1号", "督〔2026〕2号")
    assert first["assisting"] == ["督查科"] and first["light"] == "green"

    client.cookies.clear()
    await login(client, "chief")  # 张伟, the responsible person
    r = await client.post(f"/api/v1/supervision/{first['id']}/progress", json={"note": "已召开专题会"})
    assert r.status_code == 201 and r.json()["status"] == "open"
    r = await client.post(f"/api/v1/supervision/{first['id']}/progress", json={"note": "已全部落实", "submit": True})
    assert r.json()["status"] == "review"
    assert (await client.post(f"/api/v1/supervision/{first['id']}/review", json={"accept": True})).status_code == 403

    client.cookies.clear()
    await login(client, "leader")
    r = await client.post(f"/api/v1/supervision/{first['id']}/review", json={"accept": False})
    assert r.status_code == 422, "sending back needs a reason"
    r = await client.post(f"/api/v1/supervision/{first['id']}/review", json={"accept": False, "note": "缺少佐证材料"})
    assert r.json()["status"] == "open" and r.json()["reports"][-1]["kind"] == "send_back"


async def test_an_overdue_item_is_pressed_chased_and_proposed_for_accountability(office, client, clock):
    await login(client, "admin")
    item = await new_item(client, deadline="2026-11-25")
    assert (await sweep(dt.date(2026, 11, 24))).reminders == 1
    late = await sweep(dt.date(2026, 11, 26))
    assert late.chases == 1 and late.proposals == 1
    records = (await client.get("/api/v1/accountability", params={"status": "proposed"})).json()["items"]
    assert records[0]["trigger"] == "supervision" and "督〔2026〕1号" in records[0]["description"]

    clock.move_to(dt.datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI))
    client.cookies.clear()
    await login(client, "leader")
    assert (await client.get(f"/api/v1/supervision/{item['id']}")).json()["light"] == "red"
    r = await client.post(f"/api/v1/supervision/{item['id']}/press", json={"new_deadline": "2026-12-02", "note": "限期办结"})
    assert r.json()["deadline"] == "2026-12-02" and r.json()["light"] != "red"


async def test_supervision_is_scoped_and_only_leaders_register(office, client, clock):
    await login(client, "admin")
    item = await new_item(client)
    client.cookies.clear()
    await login(client, "staff")
    assert (await client.get(f"/api/v1/supervision/{item['id']}")).status_code == 404
    r = await client.post("/api/v1/supervision", json={"source": "meeting", "title": "x", "lead_section_id": 1,
                                                       "responsible_person_id": 1, "deadline": "2026-12-31"})
    assert r.status_code == 403
    client.cookies.clear()
    await login(client, "hanlixin")  # chief of 督查科, an assisting section
    assert (await client.get(f"/api/v1/supervision/{item['id']}")).status_code == 200
    client.cookies.clear()
    await login(client, "admin")
    assert (await client.post("/api/v1/supervision", json={**{"source": "meeting", "title": "过期", "lead_section_id": 1,
            "responsible_person_id": 5, "deadline": "2026-01-01"}})).status_code == 422


async def test_staff_of_an_assisting_section_see_the_item_marked_as_assisting(office, client, clock):
    await login(client, "admin")
    sections = {s["name"]: s["id"] for s in (await client.get("/api/v1/sections")).json()}
    item = await new_item(client, lead_section_id=sections["督查科"], assisting_section_ids=[sections["秘书科"]],
                          responsible_person_id=await person_id_of(client, "韩立新"))
    client.cookies.clear()
    await login(client, "staff")  # 赵雪 of 秘书科, which assists
    listed = (await client.get("/api/v1/supervision")).json()["items"]
    assert [i["number"] for i in listed] == [item["number"]]
    assert (await client.get(f"/api/v1/supervision/{item['id']}")).status_code == 200
    r = await client.post(f"/api/v1/supervision/{item['id']}/progress", json={"note": "协办意见"})
    assert r.status_code == 403, "an assisting section reads the item; the lead reports on it"
