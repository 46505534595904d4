"""A write that the database refuses for a constraint, after the service's own checks passed
(what a concurrent write does between the check and the insert), answers 409 with a message a
person understands, as JSON and as a page, and stores nothing; on both engines. Here the
service is replaced by one that skips its checks, so the real driver's error reaches the app."""

import re

from appraisal.db.tables import Person, Section
from appraisal.services import org

from helpers import login


async def test_a_duplicate_refused_by_the_database_answers_409(office, client, monkeypatch):
    await login(client, "admin")
    existing = (await Section.select(Section.name).first().run())["name"]
    before = await Section.count().run()

    async def create_without_checks(actor, name, sort_order=0):
        await Section.insert(Section(name=existing)).run()

    monkeypatch.setattr(org, "create_section", create_without_checks)
    r = await client.post("/api/v1/sections", json={"name": existing})
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "conflict" and "刷新" in r.json()["message"]
    assert await Section.count().run() == before


async def test_a_reference_to_a_missing_record_refused_by_the_database_answers_409(office, client, monkeypatch):
    await login(client, "admin")
    before = await Person.count().run()

    async def create_without_checks(actor, name, sort_order=0):
        await Person.insert(Person(name="新同事", section=987654)).run()

    monkeypatch.setattr(org, "create_section", create_without_checks)
    r = await client.post("/api/v1/sections", json={"name": "任意"})
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "conflict" and "删除" in r.json()["message"]
    assert await Person.count().run() == before


async def test_on_a_page_the_refusal_is_a_page_that_says_what_to_do(office, client, monkeypatch):
    existing = (await Section.select(Section.name).first().run())["name"]

    async def create_without_checks(actor, name, sort_order=0):
        await Section.insert(Section(name=existing)).run()

    monkeypatch.setattr(org, "create_section", create_without_checks)
    await login(client, "admin")
    form = await client.get("/admin/sections")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', form.text)[1]
    page = await client.post("/admin/sections", data={"_csrf_token": token, "name": existing})
    assert page.status_code == 409 and page.headers["content-type"].startswith("text/html")
    assert "该记录刚被他人添加或修改，请刷新页面后查看" in page.text
