"""Admin edits of the organisation, each leaving an audit entry with old and new values."""

import pytest

from helpers import login, person_id_of


async def test_editing_a_person_is_audited_with_who_old_and_new(office, client):
    await login(client, "admin")
    pid = await person_id_of(client, "吴磊")
    person = (await client.get(f"/api/v1/people/{pid}")).json()
    body = {"name": "吴磊", "gender": "male", "birth_date": person["birth_date"], "post_rank": "四级调研员",
            "political_status": person["political_status"], "section_id": person["section_id"]}
    r = await client.patch(f"/api/v1/people/{pid}", json=body)
    assert r.status_code == 200 and r.json()["post_rank"] == "四级调研员"

    entries = (await client.get("/api/v1/audit", params={"table": "person", "record_id": str(pid)})).json()
    latest = entries["items"][0]
    assert latest["actor_name"] == "admin" and latest["actor_person"] == "林晓峰"
    assert latest["action"] == "update"
    assert latest["old_values"] == {"post_rank": "一级主任科员"}
    assert latest["new_values"] == {"post_rank": "四级调研员"}


async def test_the_audit_log_is_searched_by_the_actors_name_or_username(office, client):
    await login(client, "admin")
    pid = await person_id_of(client, "吴磊")
    assert (await client.patch(f"/api/v1/people/{pid}", json={"post_rank": "四级调研员"})).status_code == 200
    by_name = (await client.get("/api/v1/audit", params={"actor": "林晓峰", "limit": 200})).json()
    by_username = (await client.get("/api/v1/audit", params={"actor": "admin", "limit": 200})).json()
    assert by_name["total"] > 0 and by_name == by_username
    assert {(e["actor_name"], e["actor_person"]) for e in by_name["items"]} == {("admin", "林晓峰")}
    # The demo was loaded by no account: its entries are found by the name they were written with.
    system = (await client.get("/api/v1/audit", params={"actor": "system"})).json()
    assert system["total"] > 0 and {e["actor_person"] for e in system["items"]} == {None}
    assert (await client.get("/api/v1/audit", params={"actor": "无此人"})).json()["total"] == 0


async def test_an_edit_that_changes_nothing_writes_no_audit_entry(office, client):
    await login(client, "admin")
    pid = await person_id_of(client, "吴磊")
    before = (await client.get("/api/v1/audit")).json()["total"]
    p = (await client.get(f"/api/v1/people/{pid}")).json()
    body = {k: p[k] for k in ("name", "gender", "birth_date", "political_status", "post_rank", "section_id")}
    assert (await client.patch(f"/api/v1/people/{pid}", json=body)).status_code == 200
    assert (await client.get("/api/v1/audit")).json()["total"] == before


async def test_the_audit_log_cannot_be_changed_even_from_inside(office):
    from appraisal.db.tables import AuditEntry

    assert await AuditEntry.count().run() > 0
    with pytest.raises(Exception, match="append-only"):
        await AuditEntry.delete(force=True).run()
    with pytest.raises(Exception, match="append-only"):
        await AuditEntry.update({AuditEntry.note: "tampered"}, force=True).run()


async def test_password_hashes_never_reach_the_audit_log(office, client):
    await login(client, "admin")
    r = await client.post("/api/v1/accounts", json={"username": "newbie", "password": "s3cret-pass", "roles": ["staff"]})
    assert r.status_code == 201
    entries = (await client.get("/api/v1/audit", params={"table": "user_account", "record_id": str(r.json()["id"])})).json()
    assert entries["items"][0]["new_values"]["password_hash"] == "***"


async def test_bad_input_is_refused_with_a_message_and_stores_nothing(office, client):
    await login(client, "admin")
    before = (await client.get("/api/v1/people", params={"limit": 1})).json()["total"]
    cases = [
        ({"name": "", "gender": "male"}, 400),
        ({"name": "测试", "gender": "unknown"}, 422),
        ({"name": "测试", "gender": "male", "section_id": 9999}, 422),
        ({"name": "测试", "gender": "male", "birth_date": "1990-13-01"}, 400),
        ({"name": "测" * 51, "gender": "male"}, 400),
    ]
    for body, status in cases:
        r = await client.post("/api/v1/people", json=body)
        assert r.status_code == status, (body, r.text)
        assert r.json()["message"], body
    assert (await client.get("/api/v1/people", params={"limit": 1})).json()["total"] == before


async def test_duplicate_usernames_and_section_names_conflict(office, client):
    await login(client, "admin")
    r = await client.post("/api/v1/accounts", json={"username": "chief", "password": "s3cret-pass", "roles": ["staff"]})
    assert r.status_code == 409 and "chief" in r.json()["message"]
    r = await client.post("/api/v1/sections", json={"name": "秘书科"})
    assert r.status_code == 409


async def test_a_leaders_sections_can_be_reassigned(office, client):
    await login(client, "admin")
    pid = await person_id_of(client, "刘海涛")
    sections = {s["name"]: s["id"] for s in (await client.get("/api/v1/sections")).json()}
    r = await client.put(f"/api/v1/people/{pid}/led-sections", json={"section_ids": [sections["信息科"]]})
    assert r.status_code == 200 and r.json()["led_section_ids"] == [sections["信息科"]]
    assert (await client.put(f"/api/v1/people/{pid}/led-sections", json={"section_ids": [424242]})).status_code == 422


async def test_a_person_who_leaves_can_no_longer_log_in(office, client):
    await login(client, "staff")
    staff_session = client.cookies.get("appraisal_session")
    client.cookies.clear()
    await login(client, "admin")
    pid = await person_id_of(client, "赵雪")
    p = (await client.get(f"/api/v1/people/{pid}")).json()
    body = {k: p[k] for k in ("name", "gender", "birth_date", "political_status", "post_rank", "section_id")}
    assert (await client.patch(f"/api/v1/people/{pid}", json={**body, "is_active": False})).status_code == 200
    entries = (await client.get("/api/v1/audit", params={"table": "user_account"})).json()["items"]
    assert entries[0]["new_values"] == {"is_active": False}, "the account change is audited too"
    client.cookies.clear()
    client.cookies.set("appraisal_session", staff_session, domain="testserver.local")
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_a_patch_changes_only_the_fields_it_sends(office, client):
    """A client that leaves a field out (one written before 从事或分管的工作 existed, say) does not
    clear it, nor make someone who has left the office active again."""
    await login(client, "admin")
    pid = await person_id_of(client, "吴磊")
    before = (await client.get(f"/api/v1/people/{pid}")).json()
    assert before["duties"], "the demo gives everyone their duties"
    r = await client.patch(f"/api/v1/people/{pid}", json={"is_active": False})
    assert r.status_code == 200 and r.json()["is_active"] is False
    r = await client.patch(f"/api/v1/people/{pid}", json={"post_rank": "四级调研员"})
    after = r.json()
    assert r.status_code == 200 and after["post_rank"] == "四级调研员"
    assert after["duties"] == before["duties"] and after["is_active"] is False and after["name"] == "吴磊"
    assert after["section_id"] == before["section_id"] and after["birth_date"] == before["birth_date"]
    r = await client.patch(f"/api/v1/people/{pid}", json={"section_id": None, "duties": ""})
    assert r.status_code == 200 and r.json()["section_id"] is None and r.json()["duties"] == "", "null and empty are sent values"
    r = await client.patch(f"/api/v1/people/{pid}", json={"gender": "其他"})
    assert r.status_code == 422 and r.json()["message"] == "性别只能是“男”或“女”"
