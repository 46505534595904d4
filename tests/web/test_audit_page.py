"""The audit log page as the assessor reads it: per entry, the record it concerns (linked to its
page) and each changed field as 原值 → 新值 in the forms' words; no JSON or hashes in sight."""

import datetime as dt
import html
import re

import pytest
import time_machine

from helpers import login, person_id_of
from test_pages import browser_login, csrf_from


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=True):
        yield


def entries_of(page: str) -> list[str]:
    """The entries shown, newest first, each as its HTML."""
    return re.findall(r'<li class="audit-entry card">(.*?)</li>', html.unescape(page), re.S)


def changes_of(entry: str) -> dict[str, list[str]]:
    """An entry's change rows: field label → the cells' texts (原值, 新值)."""
    rows = {}
    for label, cells in re.findall(r'<th scope="row">([^<]+)</th>(.*?)</tr>', entry, re.S):
        rows[label] = [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)]
    return rows


def visible_part(entry: str) -> str:
    """What the entry shows without opening its 技术详情."""
    return entry.split('<details class="audit-technical">', 1)[0]


async def test_the_audit_log_reads_in_the_offices_words(office, client):
    await login(client, "admin")
    pid = await person_id_of(client, "吴磊")
    assert (await client.patch(f"/api/v1/people/{pid}", json={"post_rank": "四级调研员"})).status_code == 200
    r = await client.get("/admin/audit", params={"table": "person", "record_id": str(pid)})
    assert r.status_code == 200
    edit, created = entries_of(r.text)[0], entries_of(r.text)[-1]
    head = " ".join(re.sub(r"<[^>]+>", " ", edit.split("</div>", 1)[0]).split())
    assert "林晓峰 （账号 admin） 修改 人员： 吴磊" in head
    assert f'<a href="/admin/people/{pid}">吴磊</a>' in edit, "the record is linked to its page"
    admin_person = await person_id_of(client, "林晓峰")
    assert f'<a href="/admin/people/{admin_person}">林晓峰</a>' in edit, "so is the person who did it"
    assert changes_of(edit) == {"职务职级": ["一级主任科员", "→ 四级调研员"]}
    assert "{" not in edit  # fields, not JSON
    assert "新增" in created and changes_of(created)["名称"] == ["吴磊"] and changes_of(created)["性别"] == ["男"]
    from appraisal.db.tables import Person
    section = await Person.select(Person.section.name).where(Person.id == pid).first().run()
    assert changes_of(created)["科室"] == [section["section.name"]]  # a reference by name
    assert "name_pinyin" not in visible_part(created) and "name_pinyin" in created, "kept in the collapsed details"

    # A leader's sections, a list of references, by their names.
    leader = await person_id_of(client, "李红梅")
    sections = {s["name"]: s["id"] for s in (await client.get("/api/v1/sections")).json()}
    led = await client.put(f"/api/v1/people/{leader}/led-sections", json={"section_ids": [sections["秘书科"], sections["信息科"]]})
    assert led.status_code == 200, led.text
    led = await client.get("/admin/audit", params={"table": "leader_section"}, headers={"hx-request": "true"})
    assert changes_of(entries_of(led.text)[0])["分管科室"] == ["秘书科、综合科", "→ 秘书科、信息科"]
    assert "系统" in created  # loaded by no account (the demo)
    # The filter offers the records by their Chinese names.
    assert '<option value="person" selected>人员</option>' in r.text
    assert '<option value="create" >新增</option>' in r.text


async def test_a_matter_step_in_the_audit_log_links_the_matter_and_the_people_it_names(office, client):
    await browser_login(client, "staff")
    form = await client.get("/matters/new")
    r = await client.post("/matters/new", data={"_csrf_token": csrf_from(form.text), "channel": "call",
                                                 "requester": "王先生", "subject": "咨询社保转移", "limit_days": "5"})
    path = str(r.url.path)
    colleague = re.search(r'<option value="(\d+)">秘书科 · 孙浩然</option>', r.text)[1]
    r = await client.post(path + "/extension", data={"_csrf_token": csrf_from(r.text), "new_due_on": "2026-12-04",
                                                     "reason": "等待外单位函复"})
    r = await client.post(path + "/transfer", data={"_csrf_token": csrf_from(r.text), "to_person_id": colleague})
    await client.post("/logout", data={"_csrf_token": csrf_from(r.text)})

    await browser_login(client, "admin")
    page = await client.get("/admin/audit", params={"table": "matter"})
    transfer = entries_of(page.text)[0]
    assert f'<a href="{path}">咨询社保转移</a>' in transfer
    rows = changes_of(transfer)
    assert rows["待签收人"] == ["（空）", "→ 孙浩然"] and rows["签收期限"][0] == "（空）"
    assert f'<a href="/admin/people/{colleague}">孙浩然</a>' in transfer, "the person named is linked"
    asked = entries_of((await client.get("/admin/audit", params={"table": "extension_request"})).text)[0]
    assert f'<a href="{path}">办件 咨询社保转移</a>' in asked, "a request links the matter it belongs to"
    assert changes_of(asked)["申请延至"] == ["2026-12-04"]
    created = entries_of(page.text)[-1]
    assert changes_of(created)["来源"] == ["来电"] and "记录号" not in visible_part(created)
