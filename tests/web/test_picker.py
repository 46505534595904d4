"""Person fields: a drop-down of everyone in a small office, a searched one in a large office
(in an office of 10,000 every matter's page carried 500 KB of names)."""

import re

import pytest

from appraisal.web import picker
from test_pages import browser_login, csrf_from


async def _new_matter(client) -> str:
    form = await client.get("/matters/new")
    item = re.search(r'<option value="(\d+)" >法规科 · ', form.text)[1]
    r = await client.post("/matters/new", data={
        "_csrf_token": csrf_from(form.text), "channel": "visit", "requester": "刘先生", "subject": "咨询",
        "commitment_id": item}, follow_redirects=False)
    return r.headers["location"]


async def test_a_small_office_lists_everyone_to_transfer_to_except_the_owner(office, client):
    await browser_login(client, "staff")
    detail = await client.get(await _new_matter(client))
    transfer = re.search(r'<select id="to_person_id".*?</select>', detail.text, re.S)[0]
    assert "秘书科 · 孙浩然" in transfer and "请选择" in transfer
    assert "秘书科 · 赵雪" not in transfer, "the owner (staff, 赵雪) is not offered"
    assert 'id="to_person_id-search"' not in detail.text


@pytest.fixture
def large_office(monkeypatch):
    """The demo office counts as large: more people than a drop-down lists."""
    monkeypatch.setattr(picker, "LIST_ALL", 3)


async def test_a_large_office_searches_for_the_person_and_still_transfers(office, client, large_office):
    await browser_login(client, "staff")
    path = await _new_matter(client)
    detail = await client.get(path)
    transfer = re.search(r'<select id="to_person_id".*?</select>', detail.text, re.S)[0]
    assert "·" not in transfer, "nobody is listed before a search"
    search = re.search(r'<input type="search" id="to_person_id-search"[^>]*>', detail.text, re.S)[0]
    assert 'hx-get="/people/choices"' in search and 'hx-target="#to_person_id"' in search
    owner = re.search(r'"exclude": "(\d+)"', search)[1]

    found = await client.get("/people/choices", params={"source": "directory", "q": "孙", "exclude": owner},
                             headers={"hx-request": "true"})
    assert found.status_code == 200 and "<html" not in found.text
    colleague = re.search(r'<option value="(\d+)">秘书科 · 孙浩然</option>', found.text)[1]
    assert "找到 1 人" in found.text
    by_pinyin = await client.get("/people/choices", params={"source": "directory", "q": "sun"})
    assert f'value="{colleague}"' in by_pinyin.text, "pinyin finds the name too"
    by_section = await client.get("/people/choices", params={"source": "directory", "q": "秘书科", "exclude": owner})
    assert "孙浩然" in by_section.text and f'value="{owner}"' not in by_section.text, "the owner stays left out"
    nobody = await client.get("/people/choices", params={"source": "directory", "q": "不存在的人"})
    assert "没有找到" in nobody.text and "·" not in nobody.text

    r = await client.post(path + "/transfer", data={"_csrf_token": csrf_from(detail.text), "to_person_id": colleague,
                                                    "q": "孙", "note": ""})
    assert r.status_code == 200 and "待签收" in r.text and "孙浩然" in r.text


async def test_a_search_answers_at_most_a_screenful_and_says_there_are_more(office, client, monkeypatch):
    monkeypatch.setattr(picker, "SHOWN", 2)
    await browser_login(client, "admin")
    r = await client.get("/people/choices", params={"source": "directory", "q": "科"})
    assert len(re.findall(r'<option value="\d+">', r.text)) == 2
    assert "只列出前 2 人" in r.text


async def test_a_search_finds_only_whom_the_form_may_choose(office, client, large_office):
    """Staff may not report accountability cases: the leader's source answers them nobody."""
    await browser_login(client, "staff")
    r = await client.get("/people/choices", params={"source": "reportable", "q": "科"})
    assert r.status_code == 200 and not re.search(r'<option value="\d+">', r.text)
    bad = await client.get("/people/choices", params={"source": "everyone", "q": "孙"})
    assert bad.status_code == 422 and "人员范围不正确" in bad.text


async def test_the_leaders_report_form_searches_within_their_sections(office, client, large_office):
    await browser_login(client, "leader")
    page = await client.get("/accountability")
    assert 'id="report-person-search"' in page.text and '"source": "reportable"' in page.text
    mine = await client.get("/people/choices", params={"source": "reportable", "q": "秘书科"})
    assert "秘书科 · 孙浩然" in mine.text
    everyone = await client.get("/people/choices", params={"source": "directory", "q": "科"})
    outside = set(re.findall(r'>(\S+) · ', everyone.text)) - set(re.findall(r'>(\S+) · ', (
        await client.get("/people/choices", params={"source": "reportable", "q": "科"})).text))
    assert outside, "the leader's reportable people are the sections they oversee, not the office"
