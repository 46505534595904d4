"""The working calendar page: a month grid with holidays and 调休 make-up working days marked in
words as well as colour, navigable by month, and the year's list that admins edit."""

import datetime as dt
import re

import pytest
import time_machine

from test_pages import browser_login, csrf_from


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=True):
        yield


def cell(page: str, day: str) -> tuple[str, str]:
    """The grid cell of a day: its classes and its words."""
    found = re.search(r'<td class="([^"]*)"[^>]*>\s*<time class="date" datetime="' + day + r'">(.*?)</td>', page, re.S)
    return found[1], " ".join(re.sub(r"<[^>]+>", " ", found[2]).split())


async def test_the_calendar_page_shows_holidays_and_lets_an_admin_add_one(office, client):
    await browser_login(client, "admin")
    page = await client.get("/calendar", params={"year": 2026})
    assert page.status_code == 200 and "2026-10-01" in page.text and "2026-10-10" in page.text
    assert "数据来源：国务院办公厅公布的节假日安排（随系统更新）" in page.text, "where the year's data came from, in words"
    r = await client.post("/calendar", data={"_csrf_token": csrf_from(page.text), "action": "set_day",
                                              "day": "2026-12-31", "kind": "holiday", "name": "测试假日"})
    assert r.status_code == 200 and "测试假日" in r.text and "2026-12-31 已设为节假日（测试假日）" in r.text
    assert "2026 年 12 月" in r.text and cell(r.text, "2026-12-31") == ("holiday", "31 休 测试假日")


async def test_a_refused_calendar_edit_keeps_the_values_under_the_field(office, client):
    await browser_login(client, "admin")
    page = await client.get("/calendar", params={"year": 2026})
    r = await client.post("/calendar", data={"_csrf_token": csrf_from(page.text), "action": "set_day", "year": "2026",
                                              "day": "2026-12-30", "kind": "workday", "name": "补班"})
    assert r.status_code == 422
    assert re.search(r'<p class="field-error" id="error-kind" role="alert">2026-12-30 本来就是工作日，只有周末才能设为调休上班</p>', r.text)
    kind = re.search(r'<select id="kind"[^>]*>', r.text)[0]
    assert 'aria-describedby="error-kind"' in kind and "autofocus" in kind
    assert 'value="2026-12-30"' in re.search(r'<input id="day"[^>]*>', r.text)[0]
    assert 'value="补班"' in re.search(r'<input id="name"[^>]*>', r.text)[0]
    assert '<option value="workday" selected>' in r.text
    assert "2026 年 12 月" in r.text, "the month of the day typed is shown"


async def test_the_month_grid_runs_monday_to_sunday_and_marks_days_in_words(office, client):
    await browser_login(client, "staff")
    page = await client.get("/calendar")
    assert "2026 年 11 月" in page.text, "this month by default"
    assert re.findall(r'<th scope="col">(.)</th>', page.text) == list("一二三四五六日")
    classes, words = cell(page.text, "2026-11-23")
    assert "today" in classes and "今天" in words
    october = await client.get("/calendar", params={"year": 2026, "month": 10})
    assert cell(october.text, "2026-10-01") == ("holiday", "1 休 国庆节")
    assert cell(october.text, "2026-10-10")[0] == "workday" and cell(october.text, "2026-10-10")[1].startswith("10 班")
    assert cell(october.text, "2026-10-18") == ("weekend", "18")
    assert cell(october.text, "2026-10-20") == ("working", "20")
    weeks = re.findall(r"<tr>\s*<td", october.text.split('<table class="month">', 1)[1].split("</table>", 1)[0])
    assert len(weeks) == 5 and cell(october.text, "2026-09-28")[0].endswith("outside"), "weeks start on Monday"
    assert "休 = 节假日" in october.text and "班 = 调休上班" in october.text, "the legend names the marks"
    assert 'href="/calendar?year=2026&amp;month=9"' in october.text and 'href="/calendar?year=2026&amp;month=11"' in october.text
    january = await client.get("/calendar", params={"year": 2026, "month": 1})
    assert 'href="/calendar?year=2025&amp;month=12"' in january.text, "the month before January is last December"
