"""督查督办 pages: a staff member's board lists what they lead and what their section assists
on, marked as such; the 立项 and step forms keep what was typed when refused."""

import datetime as dt
import re

import pytest
import time_machine

from test_pages import browser_login, csrf_from


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=True):
        yield


def rows_of(board: str) -> list[str]:
    body = board.split('<table class="stack">', 1)[1].split("</table>", 1)[0].split("<tbody>", 1)[1]
    return [" ".join(re.sub(r"<[^>]+>", " ", r).split()) for r in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


async def _item(client, board: str, title: str, lead: str, person: str, assisting: list[str]):
    sections = dict((v, k) for k, v in re.findall(r'<option value="(\d+)">([^<·]+)</option>', board))
    person_id = re.search(r'<option value="(\d+)">[^<]* · ' + person + "</option>", board)[1]
    data = {"_csrf_token": csrf_from(board), "source": "meeting", "title": title, "lead_section_id": sections[lead],
            "responsible_person_id": person_id, "deadline": "2026-12-10",
            "assisting_section_ids": [sections[s] for s in assisting]}
    return await client.post("/supervision", data=data, follow_redirects=False)


async def test_staff_see_the_items_they_lead_and_those_their_section_assists_on(office, client):
    await browser_login(client, "leader")
    board = await client.get("/supervision")
    assert (await _item(client, board.text, "整改反馈问题", "秘书科", "赵雪", [])).status_code in (302, 303)
    assert (await _item(client, board.text, "督查年度重点工作", "督查科", "韩立新", ["秘书科"])).status_code in (302, 303)
    assert (await _item(client, board.text, "信息化建设", "信息科", "韩立新", [])).status_code in (302, 303)
    await client.post("/logout", data={"_csrf_token": csrf_from(board.text)})

    await browser_login(client, "staff")  # 赵雪, 秘书科
    rows = rows_of((await client.get("/supervision")).text)
    assert len(rows) == 2, "the item of 信息科 alone is not hers"
    assert "督查年度重点工作 协办" in rows[0] and "督查科 秘书科 韩立新" in rows[0]
    assert "整改反馈问题 牵头" in rows[1]
    page = await client.get("/supervision/2")
    assert re.search(r"<dt>我的分工</dt><dd><span class=\"tag part-assist\">协办</span>", page.text)
    assert "进展情况" not in page.text, "the lead reports; an assisting section reads"


async def test_a_refused_item_keeps_what_was_typed_under_the_field(office, client):
    await browser_login(client, "leader")
    board = await client.get("/supervision")
    sections = dict((v, k) for k, v in re.findall(r'<option value="(\d+)">([^<·]+)</option>', board.text))
    person = re.search(r'<option value="(\d+)">秘书科 · 张伟</option>', board.text)[1]
    r = await client.post("/supervision", data={
        "_csrf_token": csrf_from(board.text), "source": "meeting", "title": "整改反馈问题", "requirement": "逐条销号",
        "lead_section_id": sections["秘书科"], "responsible_person_id": person, "deadline": "2026-11-01",
        "assisting_section_ids": [sections["督查科"]]})
    assert r.status_code == 422
    deadline = re.search(r'<input id="deadline"[^>]*>', r.text)[0]
    assert 'value="2026-11-01"' in deadline and "autofocus" in deadline and 'aria-describedby="error-deadline"' in deadline
    assert re.search(r'id="error-deadline" role="alert">办理期限不能早于今天<', r.text)
    assert 'value="整改反馈问题"' in r.text and ">逐条销号</textarea>" in r.text
    assert f'<option value="{person}" selected>秘书科 · 张伟</option>' in r.text
    assert re.search(rf'value="{sections["督查科"]}" checked> 督查科', r.text)

    r = await _item(client, board.text, "整改反馈问题", "秘书科", "张伟", [])
    page = await client.get(r.headers["location"])
    r = await client.post(r.headers["location"] + "/press", data={"_csrf_token": csrf_from(page.text),
                                                                 "new_deadline": "2026-11-20", "note": "限期办结"})
    assert r.status_code == 422 and 'id="error-new_deadline"' in r.text and 'value="限期办结"' in r.text
