"""Scopes through the API: outside one's scope is 404, a forbidden action on a visible record 403."""

from helpers import login, person_id_of


async def test_staff_reading_another_persons_record_gets_404(office, client):
    await login(client, "admin")
    colleague = await person_id_of(client, "孙浩然")  # same section as `staff`
    client.cookies.clear()
    me = await login(client, "staff")
    assert (await client.get(f"/api/v1/people/{me['person']['id']}")).status_code == 200
    r = await client.get(f"/api/v1/people/{colleague}")
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"
    assert (await client.get("/api/v1/people/999999")).status_code == 404


async def test_staff_list_only_themselves(office, client):
    await login(client, "staff")
    page = (await client.get("/api/v1/people")).json()
    assert [p["name"] for p in page["items"]] == ["赵雪"] and page["total"] == 1


async def test_a_chief_sees_their_section_and_nothing_else(office, client):
    await login(client, "admin")
    outsider = await person_id_of(client, "罗佳怡")  # 信息科
    client.cookies.clear()
    await login(client, "chief")
    page = (await client.get("/api/v1/people", params={"limit": 500})).json()
    assert {p["section_name"] for p in page["items"]} == {"秘书科"}
    assert page["total"] == 5
    assert (await client.get(f"/api/v1/people/{outsider}")).status_code == 404


async def test_a_leader_sees_the_sections_they_oversee(office, client):
    await login(client, "leader")
    page = (await client.get("/api/v1/people", params={"limit": 500})).json()
    assert {p["section_name"] for p in page["items"] if p["section_name"]} == {"秘书科", "综合科"}


async def test_a_visible_record_that_only_admin_may_edit_answers_403(office, client):
    me = await login(client, "staff")
    person = me["person"]
    body = {"name": "赵雪", "gender": "female", "section_id": person["section_id"]}
    r = await client.patch(f"/api/v1/people/{person['id']}", json=body)
    assert r.status_code == 403
    assert r.json()["message"] == "您没有权限执行此操作"


async def test_admin_only_endpoints_refuse_other_roles(office, client):
    await login(client, "chief")
    assert (await client.get("/api/v1/audit")).status_code == 403
    assert (await client.get("/api/v1/accounts")).status_code == 403
    assert (await client.post("/api/v1/sections", json={"name": "新科室"})).status_code == 403


async def test_anonymous_callers_are_asked_to_log_in(office, client):
    r = await client.get("/api/v1/people")
    assert r.status_code == 401 and r.json()["code"] == "not_authenticated"
