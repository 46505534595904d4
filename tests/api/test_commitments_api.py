"""The public service-commitment catalogue and its versions."""

from helpers import login

from appraisal.domain.calendar import today_local


async def test_anyone_reads_the_catalogue_without_logging_in(office, client):
    r = await client.get("/api/v1/commitments")
    assert r.status_code == 200
    items = {i["name"]: i for i in r.json()}
    assert items["规范性文件合法性审查"]["limit_label"] == "13 个工作日"
    assert items["机要文件收发"]["limit_label"] == "即办"
    assert items["来文登记与分办"]["limit_label"] == "当日办结"
    page = await client.get("/commitments")
    assert page.status_code == 200 and "规范性文件合法性审查" in page.text and "13 个工作日" in page.text


async def test_a_new_limit_applies_from_its_effective_date_only(office, client):
    await login(client, "admin")
    items = {i["name"]: i for i in (await client.get("/api/v1/commitments")).json()}
    item = items["公务用车申请"]
    r = await client.post(f"/api/v1/commitments/{item['id']}/versions",
                          json={"limit_kind": "working_days", "limit_days": 3, "effective_from": "2099-01-01"})
    assert r.status_code == 201 and r.json()["limit_days"] == 3
    today = {i["name"]: i for i in (await client.get("/api/v1/commitments")).json()}["公务用车申请"]
    assert today["limit_days"] == 1 and today["version_id"] == item["version_id"]
    later = {i["name"]: i for i in (await client.get("/api/v1/commitments", params={"on": "2099-06-01"})).json()}
    assert later["公务用车申请"]["limit_days"] == 3


async def test_an_admin_adds_an_item_and_bad_limits_are_refused(office, client):
    await login(client, "admin")
    sections = {s["name"]: s["id"] for s in (await client.get("/api/v1/sections")).json()}
    body = {"section_id": sections["信息科"], "name": "政务信息公开申请答复", "limit_kind": "working_days",
            "limit_days": 20, "materials": "申请表", "complaint_channel": "12345"}
    r = await client.post("/api/v1/commitments", json=body)
    assert r.status_code == 201 and r.json()["effective_from"] == str(today_local())
    for bad in ({**body, "limit_days": 0}, {**body, "limit_kind": "immediate", "limit_days": 2},
                {**body, "limit_kind": "someday"}, {**body, "section_id": 99999}):
        r = await client.post("/api/v1/commitments", json=bad)
        assert r.status_code == 422, bad
        assert r.json()["message"]


async def test_a_withdrawn_item_leaves_the_public_catalogue(office, client):
    await login(client, "admin")
    item = (await client.get("/api/v1/commitments")).json()[0]
    assert (await client.patch(f"/api/v1/commitments/{item['id']}", json={"is_active": False})).status_code == 204
    assert item["id"] not in {i["id"] for i in (await client.get("/api/v1/commitments")).json()}


async def test_only_admins_edit_the_catalogue(office, client):
    await login(client, "chief")
    r = await client.post("/api/v1/commitments", json={"section_id": 1, "name": "x", "limit_kind": "immediate"})
    assert r.status_code == 403
