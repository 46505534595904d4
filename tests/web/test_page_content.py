"""What the pages say to the person reading them: links back to where they came from, only the
steps they may take, words instead of blanks or codes, and lists in the order people expect."""

import datetime as dt
import re

import pytest
import time_machine

from test_pages import browser_login, csrf_from

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI), tick=True):
        yield


async def logout(client, page_text: str) -> None:
    await client.post("/logout", data={"_csrf_token": csrf_from(page_text)})


def back_link(page: str) -> tuple[str, str]:
    href, text = re.search(r'<p><a href="([^"]+)">← ([^<]+)</a></p>', page).groups()
    return href, text


async def test_a_matter_page_links_back_and_offers_handling_only_to_the_person_handling_it(office, client):
    await browser_login(client, "staff")  # 赵雪, 秘书科
    form = await client.get("/matters/new")
    r = await client.post("/matters/new", data={"_csrf_token": csrf_from(form.text), "channel": "call",
                                                 "requester": "陈女士", "subject": "咨询档案查阅", "limit_days": "5"},
                          follow_redirects=False)
    path = r.headers["location"]
    mine = await client.get(path)
    assert back_link(mine.text) == ("/matters?mine=1", "我的办件")
    assert f'action="{path}/complete"' in mine.text and f'action="{path}/transfer"' in mine.text
    assert "<h2>办理</h2>" not in mine.text, "no heading above the 办结 heading that says nothing more"
    r = await client.post(path + "/extension", data={"_csrf_token": csrf_from(mine.text), "new_due_on": "2026-12-03",
                                                     "reason": "等待档案馆回复"})
    assert r.status_code == 200 and "已申请延期至 2026-12-03" in r.text
    assert r.text.index("延期申请：延至 2026-12-03") < r.text.index("<h2>办结</h2>"), \
        "the pending request stands first among the actions"
    await logout(client, r.text)

    await browser_login(client, "leader")  # 李红梅, over 秘书科: reached it from 办件看板
    board = await client.get("/matters")
    assert f'href="{path}"' in board.text
    page = await client.get(path)
    assert back_link(page.text) == ("/matters", "办件看板")
    for step in ("complete", "transfer", "pause", "extension"):
        assert f'action="{path}/{step}"' not in page.text, step
    assert "<h2>办结</h2>" not in page.text and "<h2>申请延期</h2>" not in page.text
    approval = page.text.split("延期申请：延至 2026-12-03", 1)[1].split("</section>", 1)[0]
    assert f'action="{path}/decide"' in approval and "同意" in approval


async def test_pending_accountability_rows_say_pending_and_the_record_opens_from_its_cause(office, client):
    await browser_login(client, "leader")
    listing = await client.get("/accountability")
    person = re.search(r'<option value="(\d+)">秘书科 · 赵雪</option>', listing.text)[1]
    r = await client.post("/accountability", data={"_csrf_token": csrf_from(listing.text), "person_id": person,
                                                   "trigger": "manual", "description": "材料报送延误"},
                          follow_redirects=False)
    record = r.headers["location"]
    listing = await client.get("/accountability")
    row = re.search(r"<tr>(?:(?!</tr>).)*材料报送延误.*?</tr>", listing.text, re.S)[0]
    assert re.search(r'data-label="形式">待定</td>', row) and re.search(r'data-label="扣分">待定</td>', row)
    assert re.search(rf'data-label="事由"><a href="{record}">[^<]+</a>', row), "the cause opens the record"

    page = await client.get(record)
    form_id = re.search(r'<option value="(\d+)">提醒谈话', page.text)[1]
    await client.post(record + "/decide", data={"_csrf_token": csrf_from(page.text), "form_id": form_id,
                                                "points": "", "reason": "延误一天"})
    row = re.search(r"<tr>(?:(?!</tr>).)*材料报送延误.*?</tr>", (await client.get("/accountability")).text, re.S)[0]
    assert 'data-label="形式">提醒谈话</td>' in row and 'data-label="扣分">1 分</td>' in row


@pytest.mark.parametrize("username, chips", [
    ("leader", ["分管领导"]), ("chief", ["科长"]), ("admin", ["考核办（管理员）"]), ("staff", ["科员"]),
])
async def test_the_home_page_names_roles_without_the_base_staff_role(office, client, username, chips):
    await browser_login(client, username)
    home = await client.get("/")
    roles = home.text.split("<dt>角色</dt>", 1)[1].split("</dd>", 1)[0]
    assert re.findall(r'<span class="tag">([^<]+)</span>', roles) == chips


async def test_periods_are_listed_newest_year_first_with_the_annual_appraisal_before_its_quarters(office, client):
    await browser_login(client, "admin")
    page = await client.get("/appraisal")
    for year, quarter in (("2025", "4"), ("2026", "1"), ("2026", ""), ("2026", "2"), ("2025", "")):
        page = await client.post("/appraisal", data={"_csrf_token": csrf_from(page.text), "year": year,
                                                     "quarter": quarter})
        assert page.status_code == 200, page.text
    listing = await client.get("/appraisal")
    names = re.findall(r'<a href="/appraisal/\d+">([^<]+)</a>', listing.text)
    assert names == ["2026 年度考核", "2026 年第二季度考核", "2026 年第一季度考核", "2025 年度考核", "2025 年第四季度考核"]
    assert "建立时间" not in listing.text


async def open_quarter(client) -> int:
    await browser_login(client, "admin")
    page = await client.get("/appraisal")
    r = await client.post("/appraisal", data={"_csrf_token": csrf_from(page.text), "year": "2026", "quarter": "4"})
    period_id = int(re.search(r'action="/appraisal/(\d+)/advance"', r.text)[1])
    for step in ("self_summary", "scoring"):
        r = await client.post(f"/appraisal/{period_id}/advance", data={"_csrf_token": csrf_from(r.text), "to": step})
        assert r.status_code == 200, r.text
    return period_id


async def test_staff_see_their_own_appraisal_on_the_period_page_and_nothing_to_score(office, client):
    period_id = await open_quarter(client)
    client.cookies.clear()
    await browser_login(client, "staff")
    page = await client.get(f"/appraisal/{period_id}")
    assert re.search(r'href="/appraisal/people/\d+">个人总结与得分</a>', page.text)
    assert "导出 Excel" not in page.text and "/grid?unit=" not in page.text
    assert "<h2>流程</h2>" not in page.text and "考核单元" not in page.text
    client.cookies.clear()
    await browser_login(client, "chief")
    page = await client.get(f"/appraisal/{period_id}")
    assert "导出 Excel" in page.text and "/grid?unit=" in page.text and "<h2>流程</h2>" in page.text


async def test_the_grid_says_whose_quota_it_counts_and_who_scores_a_unit_the_viewer_cannot(office, client):
    period_id = await open_quarter(client)
    page = await client.get(f"/appraisal/{period_id}")
    secretariat = re.search(r'<tr><td>秘书科</td>.*?grid\?unit=([^"]+)"', page.text, re.S)[1]
    leaders = await client.get(f"/appraisal/{period_id}/grid", params={"unit": "leaders"})
    assert "本单元由分管领导评分，您只能查看。" in leaders.text, "the admin reads; the leaders score"
    section = await client.get(f"/appraisal/{period_id}/grid", params={"unit": secretariat})
    assert "本单元由科长评分，您只能查看。" in section.text
    client.cookies.clear()
    await browser_login(client, "leader")
    leaders = await client.get(f"/appraisal/{period_id}/grid", params={"unit": "leaders"})
    assert "名额按全体科室负责人计算（含其他分管领导评分的人员）" in leaders.text
    assert "您只能查看" not in leaders.text


async def test_a_chief_finds_the_targets_of_his_section_among_his_own(office, client):
    from appraisal.demo.appraisal import _targets

    await _targets()
    await browser_login(client, "chief")  # 张伟, chief of 秘书科
    page = await client.get("/targets/mine", params={"year": 2026})
    card = page.text.split("公文处理", 1)[1].split("</section>", 1)[0]
    assert '<span class="tag">科室目标</span>' in card
    assert "该目标已分解，完成度由下级目标汇总" in card and 'action="/targets/' not in card
    assert "还没有报告过进展" not in card, "a broken-down target is reported on below it"
    assert "会务保障" not in page.text, "another section's target"
    assert ">目标管理</a>" in page.text and "目标树" not in page.text
    client.cookies.clear()
    await browser_login(client, "staff")  # 赵雪 owns 公文核稿, a share of 公文处理
    page = await client.get("/targets/mine", params={"year": 2026})
    assert "公文核稿" in page.text and "科室目标" not in page.text


async def test_a_new_person_gets_a_section_or_the_office_leader_choice_on_purpose(office, client):
    await browser_login(client, "admin")
    page = await client.get("/admin/people/new")
    select = re.search(r'<select id="section_id".*?</select>', page.text, re.S)[0]
    assert " required" in select.split(">", 1)[0]
    assert re.search(r'<option value="">请选择</option>\s*<option value="none">（办领导，不属于科室）</option>', select)
    assert "selected" not in select
    r = await client.post("/admin/people/new", data={"_csrf_token": csrf_from(page.text), "name": "欧阳娜娜",
                                                     "gender": "female", "section_id": ""})
    assert r.status_code == 422 and "请选择科室；办领导请选“办领导，不属于科室”" in r.text
    assert 'value="欧阳娜娜"' in r.text
    r = await client.post("/admin/people/new", data={"_csrf_token": csrf_from(page.text), "name": "欧阳娜娜",
                                                     "gender": "female", "section_id": "none"}, follow_redirects=False)
    assert r.status_code in (302, 303)
    edit = await client.get(r.headers["location"])
    assert '<option value="none" selected>（办领导，不属于科室）</option>' in edit.text


async def test_messages_show_their_content_under_the_title_and_mark_unread_ones_in_words(office, client):
    from appraisal.db.tables import Person
    from appraisal.services import inbox

    me = await Person.select(Person.id).where(Person.name == "赵雪").first().run()
    await inbox.notify(me["id"], "test:1", "reminder", "请于本周五前报送材料", "材料请交综合科")
    await browser_login(client, "staff")
    page = await client.get("/inbox")
    assert "<th>内容</th>" not in page.text
    row = re.search(r"<tr class=\"unread\">.*?</tr>", page.text, re.S)[0]
    assert '<span class="tag">未读</span> <strong>请于本周五前报送材料</strong>' in row
    assert '<div class="muted">材料请交综合科</div>' in row
    page = await client.post("/inbox/read", data={"_csrf_token": csrf_from(page.text)})
    page = await client.get("/inbox")
    assert "请于本周五前报送材料" in page.text and "未读" not in page.text.split("<tbody>", 1)[1]


async def test_the_commendation_bundle_defaults_to_the_latest_year_with_an_annual_appraisal(office, client):
    await browser_login(client, "admin")
    page = await client.get("/appraisal")
    await client.post("/appraisal", data={"_csrf_token": csrf_from(page.text), "year": "2025", "quarter": ""})
    await client.post("/appraisal", data={"_csrf_token": csrf_from(page.text), "year": "2026", "quarter": "4"})
    reports = await client.get("/reports")
    assert re.search(r'<input id="bundle-year" name="year" type="number"[^>]* value="2025"', reports.text)


async def test_the_commendation_page_of_an_office_without_an_annual_appraisal_says_so(db, client):
    from appraisal.scopes import Role
    from appraisal.services import accounts

    await accounts.create_account(None, "kaohe", "Passw0rd!2026", [Role.ADMIN])
    await browser_login(client, "kaohe", "Passw0rd!2026")
    page = await client.get("/appraisal/commendation")
    assert page.status_code == 200
    assert "还没有年度考核期。" in page.text
