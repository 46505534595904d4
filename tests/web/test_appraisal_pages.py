"""The appraisal and target pages as people use them: the grid saving cells as typed, a stale
tab shown the current value, the places-left counter, self-summaries, the tree with bars."""

import re

from test_pages import browser_login, csrf_from


async def open_quarter(client) -> int:
    await browser_login(client, "admin")
    page = await client.get("/appraisal")
    assert page.status_code == 200 and "建立考核期" in page.text
    r = await client.post("/appraisal", data={"_csrf_token": csrf_from(page.text), "year": "2026", "quarter": "4"})
    assert r.status_code == 200 and "已建立2026 年第四季度考核" in r.text
    period_id = int(re.search(r'action="/appraisal/(\d+)/advance"', r.text)[1])
    for step in ("self_summary", "scoring"):
        r = await client.post(f"/appraisal/{period_id}/advance", data={"_csrf_token": csrf_from(r.text), "to": step})
        assert r.status_code == 200, r.text
    await client.post("/logout", data={"_csrf_token": csrf_from(r.text)})
    return period_id


async def test_the_chief_types_scores_into_the_grid_and_a_stale_tab_sees_the_current_value(office, client):
    period_id = await open_quarter(client)
    await browser_login(client, "chief")
    period = await client.get(f"/appraisal/{period_id}")
    unit = re.search(r'href="/appraisal/\d+/grid\?unit=([^"]+)">评分</a>', period.text)[1]
    grid = await client.get(f"/appraisal/{period_id}/grid", params={"unit": unit})
    assert grid.status_code == 200 and "“好”等次名额 2 人" in grid.text
    token = csrf_from(grid.text)
    cell = re.search(r'hx-put="/appraisal/cells/(\d+)".*?hx-vals=\'\{"version": "(\d+)", "appraisee_id": "(\d+)", "indicator": "de"\}',
                     grid.text, re.S)
    cell_id, version, appraisee_id = cell.groups()
    headers = {"x-csrftoken": token, "hx-request": "true"}
    r = await client.put(f"/appraisal/cells/{cell_id}", headers=headers,
                         data={"value": "14", "version": version, "appraisee_id": appraisee_id, "indicator": "de"})
    assert r.status_code == 200 and r.text.lstrip().startswith(f'<td class="num" id="c-{appraisee_id}-de"'), \
        "only the saved cell is swapped, so typing under way in the next cell is kept"
    assert 'value="14"' in r.text and f'"version": "{int(version) + 1}"' in r.text
    assert f'id="total-{appraisee_id}" hx-swap-oob="true"' in r.text, "the row's total follows out of band"
    assert 'id="quota-counter" hx-swap-oob="true"' in r.text

    stale = await client.put(f"/appraisal/cells/{cell_id}", headers=headers,
                             data={"value": "10", "version": version, "appraisee_id": appraisee_id, "indicator": "de"})
    assert stale.status_code == 409
    assert "已被他人改为 14" in stale.text and 'value="14"' in stale.text, "the row shows the current value, not the stale one"

    bad = await client.put(f"/appraisal/cells/{cell_id}", headers=headers,
                           data={"value": "99", "version": str(int(version) + 1), "appraisee_id": appraisee_id, "indicator": "de"})
    assert bad.status_code == 422 and "“德”的分数应在 0 到 15 之间" in bad.text


async def test_staff_write_their_summary_and_find_their_records_on_my_appraisal(office, client):
    period_id = await open_quarter(client)
    await browser_login(client, "staff")
    period = await client.get(f"/appraisal/{period_id}")
    own = re.search(r'href="/appraisal/people/(\d+)">个人总结与得分', period.text)[1]
    page = await client.get(f"/appraisal/people/{own}")
    assert "考核结果将在分管领导审核后公布" in page.text
    r = await client.post(f"/appraisal/people/{own}/summary", data={"_csrf_token": csrf_from(page.text), "text": "完成公文核稿 80 件"})
    assert r.status_code == 200 and "2026 年第四季度考核的个人总结已保存" in r.text and "完成公文核稿 80 件" in r.text
    mine = await client.get("/appraisal/mine")
    assert "2026 年第四季度考核" in mine.text and "已填写" in mine.text and "我的责任追究记录" in mine.text
    assert "考核结果将在分管领导审核后公布" in mine.text
    assert (await client.get(f"/appraisal/people/{int(own) + 1}")).status_code == 404


async def test_the_target_tree_shows_completion_bars_and_takes_progress(office, client):
    await browser_login(client, "leader")
    page = await client.get("/targets", params={"year": 2026})
    assert page.status_code == 200 and "新增单位目标" in page.text
    r = await client.post("/targets/create", data={"_csrf_token": csrf_from(page.text), "year": "2026",
                                                   "title": "信息报送", "weight": "100", "indicator_kind": "quantity",
                                                   "target_value": "120", "unit": "条"})
    assert r.status_code == 200 and "已添加单位目标「信息报送」" in r.text
    target_id = re.search(r'action="/targets/(\d+)/progress"', r.text)[1]
    r = await client.post(f"/targets/{target_id}/progress", data={"_csrf_token": csrf_from(r.text), "year": "2026",
                                                                  "actual": "30", "evidence": "报送台账"})
    assert r.status_code == 200 and "已报告「信息报送」的进展，完成度 25%" in r.text
    assert 'style="width: 25.0%"' in r.text and "单位目标总体完成度" in r.text
    r = await client.post("/targets/create", data={"_csrf_token": csrf_from(r.text), "year": "2026",
                                            "title": "超额", "weight": "10", "indicator_kind": "quality", "quality": "x"})
    assert r.status_code == 422 and "“2026 年单位目标”的下级目标权重合计将为 110，超过 100" in r.text


async def test_the_admin_changes_the_numbers_and_the_indicators(office, client):
    await browser_login(client, "admin")
    page = await client.get("/admin/appraisal")
    assert page.status_code == 200 and "考核指标（第 1 版）" in page.text and "政治品质:8；职业道德:7" in page.text
    r = await client.post("/admin/appraisal/policy", data={"_csrf_token": csrf_from(page.text),
                                                           "good_quota_pct": "30", "rounding": "down"})
    assert r.status_code == 200 and "考核参数已保存" in r.text and 'value="30"' in r.text
    r = await client.post("/admin/appraisal/template", data={
        "_csrf_token": csrf_from(page.text), "note": "绩调为 45",
        "code": ["de", "neng", "qin", "ji", "lian"], "name": ["德", "能", "勤", "绩", "廉"],
        "weight": ["15", "15", "15", "45", "15"], "sub_items": ["", "", "", "", ""]})
    assert r.status_code == 422
    assert "合计为 105" in r.text
    r = await client.post("/admin/appraisal/template", data={
        "_csrf_token": csrf_from(page.text), "note": "绩调为 45",
        "code": ["de", "neng", "qin", "ji", "lian"], "name": ["德", "能", "勤", "绩", "廉"],
        "weight": ["10", "15", "15", "45", "15"], "sub_items": ["", "", "", "", ""]})
    assert r.status_code == 200 and "已保存第 2 版考核指标" in r.text


async def test_staff_cannot_open_the_settings_or_confirm_commendations(office, client):
    await browser_login(client, "staff")
    assert (await client.get("/admin/appraisal")).status_code == 403
    page = await client.get("/appraisal/commendation")
    assert "只有领导或管理员可以查看评优名单" in page.text


async def test_a_tie_for_the_last_commendation_place_is_left_to_the_leaders_to_decide(office, client):
    """In the demo's 2025 review, with 蒋欣怡's annual score raised to the 90.7 of 韩立新 and 薛志刚,
    all three 优秀 compete for the last two of 7 places: none is proposed by the order of their
    names; the leader checks two and confirms seven."""
    from appraisal.db.tables import Appraisee, Period
    from appraisal.demo.appraisal import load_demo_appraisal

    await load_demo_appraisal()
    await Appraisee.update({Appraisee.total: 90.7}).where(
        Appraisee.person.name == "蒋欣怡", Appraisee.period.is_in(Period.select(Period.id).where(Period.code == "2025"))).run()
    await browser_login(client, "leader")
    page = await client.get("/appraisal/commendation", params={"year": "2025"})
    assert "3 人同为 90.7 分，竞争最后 2 个名额：韩立新、蒋欣怡、薛志刚" in page.text
    checked = dict(re.findall(r'value="(\d+)" aria-label="([^"]+)" checked', page.text))
    assert len(checked) == 5 and not {"韩立新", "蒋欣怡", "薛志刚"} & set(checked.values())
    rows = {name: row for row in re.findall(r"<tr>(.*?)</tr>", page.text, re.S)
            for name in re.findall(r'aria-label="([^"]+)"', row)}
    assert all("同分待定" in rows[n] for n in ("韩立新", "蒋欣怡", "薛志刚")) and "同分待定" not in rows["孙浩然"]

    han = re.search(r'value="(\d+)" aria-label="韩立新"', page.text)[1]
    xue = re.search(r'value="(\d+)" aria-label="薛志刚"', page.text)[1]
    r = await client.post("/appraisal/commendation", data={
        "_csrf_token": csrf_from(page.text), "year": "2025", "person_ids": [*checked, han, xue], "note": "主任办公会研究"})
    assert r.status_code == 200 and "已确认名单" in r.text and "韩立新" in r.text
    assert "竞争最后" not in r.text and "· <strong class=\"warn\">同分待定" not in r.text  # decided
    ticked = set(re.findall(r'aria-label="([^"]+)" checked disabled', r.text))
    assert ticked == {*checked.values(), "韩立新", "薛志刚"}, "exactly the confirmed seven are ticked"


async def test_the_target_tree_offers_each_person_only_the_steps_they_may_take(office, client):
    """A chief breaks their section's target down and reports on its people's; the office's
    targets and other sections' are theirs to read only. A leader breaks the office's down."""
    from appraisal.demo.appraisal import _targets

    await _targets()

    def actions(page: str) -> dict[str, set[str]]:
        rows = re.findall(r'<tr id="target-\d+"[^>]*>(.*?)</tr>', page.split("<tbody>", 1)[1], re.S)
        found = {}
        for row in rows:
            title = re.sub(r"<[^>]+>", "", re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[0]).strip()
            found[title] = {a for a, marker in (("分解", f"<summary>分解「{title}」</summary>"),
                                                ("报告进展", f"<summary>报告「{title}」的进展</summary>"),
                                                ("归档", "/archive")) if marker in page and (a != "归档" or marker in row)}
        return found

    await browser_login(client, "chief")  # 张伟, chief of 秘书科
    chief = actions((await client.get("/targets", params={"year": 2026})).text)
    assert chief["办文办会服务质量"] == set(), "an office target: read only"
    assert chief["公文处理"] == {"分解"}, "his section's target: he breaks it down to people"
    assert chief["公文核稿"] == {"报告进展", "归档"}, "a person of his section"
    assert "会务保障" not in chief or chief["会务保障"] == set(), "another section's target"
    client.cookies.clear()
    await browser_login(client, "leader")  # 李红梅, over 秘书科 and 综合科
    leader = actions((await client.get("/targets", params={"year": 2026})).text)
    assert leader["办文办会服务质量"] == {"分解", "归档"}
    assert leader["公文处理"] == {"分解", "归档"}
