"""The appraisal pages a reviewer and a scorer work on: the committee's box on the annual
appraisal, one's own row hidden in the grid, the places-left counter when it overruns, the
grade summary of the review screen, the settings' indicator names, the 评优选先 list, and
forms that keep what was typed and say what was saved."""

import html
import re

from test_pages import browser_login, csrf_from
from services.test_appraisal_flow import appraisee_of, as_user, fill, submit_everything
from appraisal.services import appraisal


def text_of(page: str) -> str:
    """What a person reads: the tags out, the entities resolved, the spaces folded."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def title_of(page: str) -> str:
    return re.search(r"<title>(.*?)</title>", page, re.S)[1]


async def open_quarter(share: float | None = None) -> dict:
    admin = await as_user("admin")
    period = await appraisal.create_period(admin, 2026, 4)
    await appraisal.advance(admin, period["id"], "self_summary")
    period = await appraisal.advance(admin, period["id"], "scoring")
    if share is not None:
        await fill(period["id"], share)
    return period


async def annual_submitted() -> dict:
    """The demo's 2025 annual appraisal: every unit submitted, awaiting the leader's review."""
    from appraisal.demo.appraisal import load_demo_appraisal

    await load_demo_appraisal()
    return next(p for p in await appraisal.list_periods() if p["code"] == "2025")


async def test_the_committee_opinion_box_is_on_the_annual_page_and_not_in_its_title(office, client):
    period = await annual_submitted()
    zhao = await appraisee_of(period["id"], "赵雪")
    await browser_login(client, "leader")  # 李红梅, over 秘书科
    page = await client.get(f"/appraisal/people/{zhao['id']}")
    title = title_of(page.text)
    assert "<" not in html.unescape(title) and "csrf" not in title.lower() and "考核委员会意见" not in title
    body = page.text.split("</title>", 1)[1]
    assert f'action="/appraisal/people/{zhao["id"]}/registration"' in body and 'id="committee_opinion"' in body

    r = await client.post(f"/appraisal/people/{zhao['id']}/registration", data={
        "_csrf_token": csrf_from(page.text), "committee_opinion": "同意确定为称职", "remarks": "已谈话",
        "notified_on": "2026-13-01"})
    assert r.status_code == 422
    assert re.search(r'<input id="notified_on" name="notified_on" type="date" value="2026-13-01" '
                     r'aria-invalid="true" aria-describedby="error-notified_on" autofocus>', r.text)
    assert '<p class="field-error" id="error-notified_on" role="alert">通知日期“2026-13-01”不是有效日期</p>' in r.text
    assert ">同意确定为称职</textarea>" in r.text and ">已谈话</textarea>" in r.text, "what was typed is kept"


async def test_a_chief_sees_his_own_row_of_the_leaders_grid_blank_without_places_or_the_hint_to_edit(office, client):
    period = await open_quarter(0.92)
    await browser_login(client, "chief")  # 张伟, appraised in the leaders' pool
    page = await client.get(f"/appraisal/{period['id']}/grid", params={"unit": "leaders"})
    assert page.status_code == 200
    row = re.search(r'<tr id="row-\d+">(.*?)</tr>', page.text, re.S)[1]
    assert "张伟" in row and "考核结果将在分管领导审核后公布" in row
    assert "92" not in text_of(row) and "<input" not in row and "<select" not in row
    assert "输入后离开单元格即自动保存" not in page.text and "quota-counter" not in page.text
    assert "等次名额" not in page.text and "提交本单元评分" not in page.text

    own = await client.get(re.search(r'href="(/appraisal/people/\d+)"', row)[1])
    assert "考核结果将在分管领导审核后公布" in own.text and "自动计分" not in own.text


async def test_the_counter_warns_of_an_overrun_instead_of_counting_places_below_zero(office, client):
    period = await open_quarter(0.92)  # all four of 秘书科 at 92: 好, for 2 places
    zhao = await appraisee_of(period["id"], "赵雪")
    await browser_login(client, "chief")
    page = await client.get(f"/appraisal/{period['id']}/grid", params={"unit": zhao["unit"]})
    counter = re.search(r'<span id="quota-counter"[^>]*>(.*?)</span>', page.text, re.S)
    assert counter[1] == "超出名额 2 人，提交前请调整等次" and 'class="counter over"' in counter[0]
    assert "剩余 -" not in page.text

    r = await client.post(f"/appraisal/{period['id']}/submit", data={"_csrf_token": csrf_from(page.text), "unit": zhao["unit"]})
    assert r.status_code == 409 and "“好”等次限 2 人，现有 4 人" in r.text
    for name in ("孙浩然", "吴磊"):
        await appraisal.set_grade(await as_user("chief"), (await appraisee_of(period["id"], name))["id"], "fairly_good")
    page = await client.get(f"/appraisal/{period['id']}/grid", params={"unit": zhao["unit"]})
    assert re.search(r'<span id="quota-counter"[^>]*>剩余 0 人</span>', page.text)
    r = await client.post(f"/appraisal/{period['id']}/submit", data={"_csrf_token": csrf_from(page.text), "unit": zhao["unit"]})
    assert r.status_code == 200 and "秘书科的2026 年第四季度考核评分已提交审核" in r.text


async def test_the_review_screen_counts_each_grade_per_section(office, client):
    period = await open_quarter(0.85)
    zhao = await appraisee_of(period["id"], "赵雪")
    await appraisal.set_grade(await as_user("chief"), zhao["id"], "average")
    await submit_everything(period["id"], only={zhao["unit"]})
    await browser_login(client, "leader")
    page = await client.get(f"/appraisal/{period['id']}")
    summary = page.text.split("<h2>等次汇总</h2>", 1)[1].split("</section>", 1)[0]
    assert "<th>好</th>" not in summary and re.search(r'<th class="num">好</th><th class="num">较好</th>', summary)
    mishu = re.search(r'<tr><th scope="row">秘书科</th>(.*?)</tr>', summary)[1]
    # 秘书科: its 4 staff submitted (3 较好, 赵雪 lowered to 一般), its chief 张伟 in the leaders' pool not yet.
    assert re.findall(r'<td class="num"[^>]*>(\d+)</td>', mishu) == ["5", "0", "3", "1", "0", "1"]


async def test_the_settings_show_indicator_names_and_keep_a_refused_template_as_typed(office, client):
    await browser_login(client, "admin")
    page = await client.get("/admin/appraisal")
    heads = re.findall(r'<th scope="row">(.*?)<input type="hidden" name="code"', page.text)
    assert heads == ["德", "能", "勤", "绩", "廉"]
    assert not re.search(r">\s*(de|neng|qin|ji|lian)\s*<", page.text), "no code is shown as text"
    r = await client.post("/admin/appraisal/template", data={
        "_csrf_token": csrf_from(page.text), "note": "绩调为 45",
        "code": ["de", "neng", "qin", "ji", "lian"], "name": ["德", "能", "勤", "绩", "廉"],
        "weight": ["15", "15", "15", "45", "15"], "sub_items": ["", "", "", "", ""]})
    assert r.status_code == 422 and 'id="error-template"' in r.text and "合计为 105" in r.text
    assert 'value="45" style="width:5em" aria-label="绩的分值"' in r.text and 'value="绩调为 45"' in r.text

    r = await client.post("/admin/appraisal/policy", data={
        "_csrf_token": csrf_from(page.text), "good_min": "85", "fairly_good_min": "88", "bonus_cap": "4"})
    assert r.status_code == 422
    assert '<p class="field-error" id="error-good_min" role="alert">等次分数线应满足 好 &gt; 较好 &gt; 一般</p>' in r.text
    assert 'value="88" aria-invalid' not in r.text and 'name="fairly_good_min" type="number" step="any" min="0" value="88"' in r.text
    assert 'name="bonus_cap" type="number" step="any" min="0" value="4"' in r.text


async def test_refused_forms_keep_what_was_typed_under_the_field_and_success_says_what_was_saved(office, client):
    period = await open_quarter(0.8)
    zhao = await appraisee_of(period["id"], "赵雪")
    await browser_login(client, "chief")
    page = await client.get(f"/appraisal/people/{zhao['id']}")
    long = "评" * 2001
    r = await client.post(f"/appraisal/people/{zhao['id']}/comment", data={"_csrf_token": csrf_from(page.text), "comment": long})
    assert r.status_code == 422 and f">{long}</textarea>" in r.text
    assert 'aria-describedby="error-comment" autofocus' in r.text and 'id="error-comment" role="alert">评语不超过 2000 字' in r.text
    r = await client.post(f"/appraisal/people/{zhao['id']}/comment", data={"_csrf_token": csrf_from(page.text), "comment": "工作细致"})
    assert r.status_code == 200 and "已保存赵雪的评语" in r.text

    client.cookies.clear()
    await browser_login(client, "admin")
    page = await client.get("/appraisal")
    r = await client.post("/appraisal", data={"_csrf_token": csrf_from(page.text), "year": "1999", "quarter": ""})
    assert r.status_code == 422 and 'value="1999"' in r.text and 'id="error-year" role="alert">年度无效' in r.text
    assert '<option value="" selected>年度考核</option>' in r.text

    page = await client.get("/appraisal/bonuses")
    zhao_person = (await appraisal.appraisee_row(zhao["id"]))["person"]
    r = await client.post("/appraisal/bonuses", data={
        "_csrf_token": csrf_from(page.text), "person_id": str(zhao_person),
        "kind": "info_adopted", "points": "11", "note": "信息被市委办采用", "awarded_on": "2026-11-20"})
    assert r.status_code == 422 and 'id="error-points" role="alert">加分应大于 0 且不超过 10' in r.text
    assert 'value="信息被市委办采用"' in r.text and 'value="11"' in r.text and '<option value="info_adopted" selected>' in r.text
    r = await client.post("/appraisal/bonuses", data={
        "_csrf_token": csrf_from(page.text), "person_id": str(zhao_person), "kind": "info_adopted", "points": "1",
        "note": "信息被市委办采用", "awarded_on": "2026-11-20"})
    assert r.status_code == 200 and "已为赵雪登记信息采用 1 分" in r.text


async def test_the_commendation_page_opens_on_the_latest_annual_year_ranked_by_grade_then_score(office, client):
    await annual_submitted()
    await browser_login(client, "leader")
    page = await client.get("/appraisal/commendation")  # today is in 2026, which has no annual period
    assert "<h1>评优选先 · 2025</h1>" in page.text and "尚未建立" not in page.text
    assert "排序规则：按年度等次排序（优秀在前，称职在后），同一等次内按年度得分从高到低" in page.text
    assert '<th class="num">名次</th>' in page.text
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in re.findall(r"<tr>(.*?)</tr>", page.text, re.S)[1:]]
    ranked = [(r[1], r[2], r[4], r[5]) for r in rows]
    assert ranked[:8] == [("1", "曾庆华", "优秀", "93.18"), ("2", "程亮", "优秀", "92.65"), ("3", "唐国栋", "优秀", "92.52"),
                          ("4", "周晓琳", "优秀", "92.05"), ("5", "冯建军", "优秀", "90.9"), ("6", "韩立新", "优秀", "90.7"),
                          ("6", "薛志刚", "优秀", "90.7"), ("8", "蒋欣怡", "优秀", "89.63")]
    assert ranked[8] == ("9", "宋雨欣", "称职", "91.05"), "a 称职 with a higher score comes after every 优秀"
    song = rows[8][6]
    assert "符合条件" in song and "名额外" in song
    assert "不符合：本年度季度考核“好”等次 0 次，少于 1 次" in text_of(page.text)
