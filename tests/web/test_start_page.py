"""The start page's 待我处理: what waits for each person, linked to where it is done."""

import datetime as dt
import html
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine

from helpers import login
from test_appraisal_pages import open_quarter
from test_pages import browser_login

SHANGHAI = ZoneInfo("Asia/Shanghai")


def todo_of(page: str) -> list[tuple[str, str]]:
    """(link, text) of each entry of the start page's 待我处理."""
    section = re.search(r"<h2>待我处理</h2>(.*?)</section>", page, re.S)
    assert section, "the start page has a 待我处理 section"
    return [(html.unescape(href), html.unescape(text).strip())
            for href, text in re.findall(r'<li><a href="([^"]+)"[^>]*>([^<]+)</a></li>', section[1])]


@pytest.fixture
def monday():
    """Monday 23 November 2026, 08:30 in Shanghai, with the demo's matters told up to then."""
    with time_machine.travel(dt.datetime(2026, 11, 23, 8, 30, tzinfo=SHANGHAI), tick=False) as traveller:
        yield traveller


async def test_staff_see_the_transfer_to_accept_and_their_late_and_due_matters(office, client, monday):
    from appraisal.demo.matters import load_demo_matters

    await load_demo_matters()
    await browser_login(client, "staff")
    todo = todo_of((await client.get("/")).text)
    transfer = next((href, text) for href, text in todo if text.startswith("待签收："))
    assert transfer[1] == "待签收：咨询政府信息公开申请流程（孙浩然转办，请于 2026-11-23 前签收）"
    assert ("/matters?mine=1&light=red", "我的超期办件 1 件") in todo
    assert ("/matters?mine=1&light=yellow", "我的即将到期办件 2 件") in todo, "hers and the one to accept"
    # The links lead to exactly those matters.
    red = await client.get("/matters", params={"mine": "1", "light": "red"})
    assert "反映幸福小区路灯长期不亮" in red.text and "咨询区级先进集体表彰申报材料要求" not in red.text
    for href, text in todo:
        if href.startswith("/matters?"):
            listed = (await client.get(href)).text
            assert f"共 {text.split()[-2]} 条" in listed, (href, text)
    # Accepting the transfer takes it off the list.
    matter_id = int(transfer[0].rsplit("/", 1)[1])
    await login(client, "staff")
    assert (await client.post(f"/api/v1/matters/{matter_id}/accept")).status_code == 201
    assert not any(text.startswith("待签收：") for _h, text in todo_of((await client.get("/")).text))


async def test_a_leader_sees_the_supervision_result_to_review_in_her_sections_only(office, client, monday):
    from appraisal.demo.matters import load_demo_matters

    await load_demo_matters()
    await browser_login(client, "liuhaitao")  # over 行政科, whose item waits for 审结
    todo = todo_of((await client.get("/")).text)
    assert any(text == "督办事项待审结：督〔2026〕4号“区长批示：做好冬季机关安全生产检查”" and href.startswith("/supervision/")
               for href, text in todo), todo
    client.cookies.clear()
    await browser_login(client, "leader")  # 李红梅, over 秘书科 and 综合科
    assert not any("待审结" in text for _h, text in todo_of((await client.get("/")).text))


async def test_scorers_see_their_unit_until_it_is_submitted_and_staff_their_self_summary(office, client):
    period_id = await open_quarter(client)
    await browser_login(client, "chief")
    todo = todo_of((await client.get("/")).text)
    grid = next(href for href, text in todo if text == "2026 年第四季度考核：请为本科室人员评分并提交")
    assert (await client.get(grid)).status_code == 200, "the link opens the chief's grid"
    assert ("/appraisal/mine", "2026 年第四季度考核：请填写个人总结") in todo, "a chief is appraised too"
    client.cookies.clear()

    await browser_login(client, "staff")
    assert ("/appraisal/mine", "2026 年第四季度考核：请填写个人总结") in todo_of((await client.get("/")).text)
    assert not any("评分" in text for _h, text in todo_of((await client.get("/")).text)), "staff score nobody"
    await login(client, "staff")
    mine = (await client.get("/api/v1/appraisal/mine")).json()
    r = await client.put(f"/api/v1/appraisal/appraisees/{mine[0]['id']}/summary", json={"text": "本季度完成核稿 80 件。"})
    assert r.status_code == 204
    assert todo_of((await client.get("/")).text) == [], "nothing left for her"
    assert "暂无待处理事项。" in (await client.get("/")).text
    assert period_id


async def test_a_count_on_the_dashboard_opens_exactly_those_matters_of_that_section(office, client, monday):
    from appraisal.demo.matters import load_demo_matters

    await load_demo_matters()
    await browser_login(client, "leader")
    start = (await client.get("/")).text
    rows = re.findall(r"<tr><td>([^<]+)</td>(.*?)</tr>", start, re.S)
    links = {(name, html.unescape(href)): int(n) for name, cells in rows
             for href, n in re.findall(r'<a[^>]*href="(/matters\?[^"]+)"[^>]*>(\d+)</a>', cells)}
    assert {name for name, _h in links} == {"秘书科", "综合科"}, "her two sections"
    for (name, href), n in links.items():
        listed = (await client.get(href)).text
        table = re.findall(r"<tr>\s*(<td>.*?)</tr>", listed, re.S)
        owners = [re.findall(r'<td data-label="责任人">(.*?)</td>', row, re.S)[0].rsplit("（", 1)[1].rstrip("）")
                  for row in table]
        assert len(owners) == n and set(owners) == {name}, (href, owners)
        assert '<select id="section" name="section">' in listed, "the list offers her sections to filter by"

    await login(client, "leader")
    sections = {s["name"]: s["id"] for s in (await client.get("/api/v1/sections")).json()}
    items = (await client.get("/api/v1/matters", params={"section": sections["综合科"]})).json()["items"]
    assert items and {i["section_name"] for i in items} == {"综合科"}


async def test_a_supervision_item_offers_its_progress_form_only_to_those_who_may_report(office, client, monday):
    """督〔2026〕1号 is led by 督查科 (曹敏 responsible) with 综合科 assisting: 综合科's chief
    reads it but reports nothing on it; 曹敏 and her chief do."""
    from appraisal.db.tables import SupervisionItem
    from appraisal.demo.matters import load_demo_matters

    await load_demo_matters()
    item = await SupervisionItem.select(SupervisionItem.id).where(SupervisionItem.seq == 1).first().run()
    for username, offered in (("zhenglijuan", False), ("caomin", True), ("hanlixin", True)):
        client.cookies.clear()
        assert (await browser_login(client, username)).status_code == 302, username
        page = await client.get(f"/supervision/{item['id']}")
        assert page.status_code == 200, username
        assert (f'action="/supervision/{item["id"]}/progress"' in page.text) is offered, username


async def test_a_matter_offers_its_steps_only_to_those_who_may_take_them(office, client, monday):
    """区委常委会议题材料起草 was registered by 周晓琳 and accepted by 冯建军: he handles it and
    she, its first receiver, records the follow-up; neither is offered the other's step."""
    from appraisal.db.tables import Matter
    from appraisal.demo.matters import load_demo_matters

    await load_demo_matters()
    matter = (await Matter.select(Matter.id).where(Matter.subject == "区委常委会议题材料起草").first().run())["id"]
    path, base = f"/matters/{matter}", f'action="/matters/{matter}/'

    async def offered(username: str) -> set[str]:
        client.cookies.clear()
        client.headers.pop("x-csrftoken", None)  # the API login's, which a form does not send
        assert (await browser_login(client, username)).status_code == 302, username
        page = await client.get(path)
        assert page.status_code == 200, username
        return {step for step in ("complete", "pause", "resume", "follow-up") if f'{base}{step}"' in page.text}

    await login(client, "fengjianjun")
    assert (await client.post(f"/api/v1/matters/{matter}/pause", json={"reason": "等待材料"})).status_code == 201
    assert await offered("fengjianjun") == {"resume"}
    assert await offered("zhouxiaolin") == set(), "the first receiver only reads it while someone else has it"
    await login(client, "fengjianjun")
    assert (await client.post(f"/api/v1/matters/{matter}/resume", json={})).status_code == 201
    assert await offered("fengjianjun") == {"complete", "pause"}
    await login(client, "fengjianjun")
    assert (await client.post(f"/api/v1/matters/{matter}/complete", json={"result": "已起草完成"})).status_code == 201
    assert await offered("fengjianjun") == set(), "the handler does not record the requester's satisfaction"
    assert await offered("zhouxiaolin") == {"follow-up"}


async def test_the_self_summary_leaves_the_list_once_the_unit_is_submitted(office, client):
    """Once a unit is submitted its summaries can no longer be written, so none is asked for."""
    from services.test_appraisal_flow import as_user, fill, open_quarter as open_period

    from appraisal.services import appraisal, todo

    period = await open_period(2026, 4)
    await fill(period["id"], 0.8)
    staff, chief = await as_user("staff"), await as_user("chief")
    asked = "2026 年第四季度考核：请填写个人总结"
    assert asked in [t.text for t in await todo.for_person(staff)]
    await appraisal.submit_unit(chief, period["id"], f"section:{chief.section_id}")
    assert asked not in [t.text for t in await todo.for_person(staff)]
    assert "2026 年第四季度考核：请为本科室人员评分并提交" not in [t.text for t in await todo.for_person(chief)]


async def test_the_appraisal_office_is_told_of_next_years_missing_holidays_from_october(office, client):
    """Due dates that run into a year without holiday data cannot be worked out: from October
    the admin's start page asks for next year's, at once when this year's are missing, and
    names a year the demo counts by its weekends only."""
    from appraisal.db.tables import CalendarYear
    from appraisal.services import todo
    from services.test_appraisal_flow import as_user

    admin, staff = await as_user("admin"), await as_user("staff")
    assert not await CalendarYear.exists().where(CalendarYear.year == 2027).run()
    asked = "工作日历缺少 2027 年的节假日数据，届时的办件期限将无法计算，请添加"
    with time_machine.travel(dt.datetime(2026, 6, 1, 9, tzinfo=SHANGHAI), tick=False):
        assert [t.text for t in await todo.for_admin(admin)] == [], "in June, nothing yet"
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, tzinfo=SHANGHAI), tick=False):
        entries = await todo.for_admin(admin)
        assert [(t.text, t.href, t.urgent) for t in entries] == [(asked, "/calendar?year=2027", False)]
        assert await todo.for_admin(staff) == [], "the appraisal office's alone"
        await browser_login(client, "admin")
        assert ("/calendar?year=2027", asked) in todo_of((await client.get("/")).text)
    with time_machine.travel(dt.datetime(2026, 12, 14, 9, tzinfo=SHANGHAI), tick=False):
        assert [t.urgent for t in await todo.for_admin(admin)] == [True], "in December, urgent"
        await CalendarYear.insert(CalendarYear(year=2027, source="demo")).run()
        assert [t.text for t in await todo.for_admin(admin)] == ["2027 年工作日历为演示数据，仅按周末计算，请录入节假日和调休"]


async def test_a_leader_is_asked_to_confirm_the_commendation_list_once_the_year_is_reviewed(office, client):
    """The demo's 2025 appraisal is submitted: nothing yet. Reviewed, it waits for her; confirmed,
    it is gone."""
    from appraisal.db.tables import Period
    from appraisal.services import commendation
    from appraisal.demo.appraisal import _principal, load_demo_appraisal

    await load_demo_appraisal()
    await browser_login(client, "leader")
    ask = ("/appraisal/commendation?year=2025", "2025 年评优选先名单待确认")
    assert ask not in todo_of((await client.get("/")).text)
    await Period.update({Period.status: "reviewed"}).where(Period.code == "2025").run()
    assert ask in todo_of((await client.get("/")).text)
    leader = await _principal("leader")
    review = await commendation.review(leader, 2025)
    await commendation.confirm(leader, 2025, [p["person"] for p in review["people"] if p["candidate"]])
    assert ask not in todo_of((await client.get("/")).text)
