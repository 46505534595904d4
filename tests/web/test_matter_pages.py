"""Registering and handling a matter through the pages, as staff do at the counter."""

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


async def test_a_visitor_is_registered_transferred_accepted_and_completed(office, client):
    await browser_login(client, "staff")
    form = await client.get("/matters/new")
    assert "首问责任制" in form.text
    item = re.search(r'<option value="(\d+)" >法规科 · 群众来信办理答复（20 个工作日）</option>', form.text)
    assert item, "the catalogue items are offered with their limits"
    r = await client.post("/matters/new", data={
        "_csrf_token": csrf_from(form.text), "channel": "letter", "requester": "刘先生", "subject": "反映小区噪音",
        "commitment_id": item[1]}, follow_redirects=False)
    assert r.status_code == 302
    detail = await client.get(r.headers["location"])
    assert "反映小区噪音" in detail.text and "2026-12-21" in detail.text and "登记" in detail.text
    colleague = re.search(r'<option value="(\d+)">秘书科 · 孙浩然</option>', detail.text)[1]
    r = await client.post(r.headers["location"] + "/transfer",
                          data={"_csrf_token": csrf_from(detail.text), "to_person_id": colleague, "note": "请阅处"})
    assert r.status_code == 200 and "待签收" in r.text and "孙浩然" in r.text
    matter_path = str(r.url.path)

    await client.post("/logout", data={"_csrf_token": csrf_from(r.text)})
    await browser_login(client, "sunhaoran")
    mine = await client.get("/matters", params={"mine": "1"})
    assert "反映小区噪音" in mine.text
    page = await client.get(matter_path)
    r = await client.post(matter_path + "/accept", data={"_csrf_token": csrf_from(page.text)})
    assert "签收" in r.text and "办结" in r.text
    r = await client.post(matter_path + "/complete", data={"_csrf_token": csrf_from(r.text), "result": "已协调物业处理"})
    assert "已办结" in r.text and "已协调物业处理" in r.text


async def test_a_matter_is_sent_to_a_section_whose_chief_signs_for_it(office, client):
    await browser_login(client, "staff")
    form = await client.get("/matters/new")
    r = await client.post("/matters/new", data={"_csrf_token": csrf_from(form.text), "channel": "call",
                                                 "requester": "陈女士", "subject": "咨询档案查阅", "limit_days": "3"})
    detail = await client.get(r.headers["location"]) if r.status_code == 302 else r
    path = str(detail.url.path)
    sections = dict((name, value) for value, name in re.findall(
        r'<option value="(\d+)">([^<]+)</option>', detail.text.split('id="to_section_id"', 1)[1].split("</select>", 1)[0]))
    assert {"秘书科", "综合科", "信息科"} <= set(sections), "every section is offered"
    r = await client.post(path + "/transfer", data={"_csrf_token": csrf_from(detail.text), "to_person_id": "",
                                                    "to_section_id": sections["信息科"], "note": "请查档"})
    assert r.status_code == 200 and "转至信息科，由科长" in r.text and "请查档" in r.text
    r = await client.post(path + "/transfer", data={"_csrf_token": csrf_from(r.text), "to_person_id": "",
                                                    "to_section_id": ""})
    assert r.status_code == 422 and "请选择转办的人员或科室（二选一）" in r.text


async def test_the_register_form_keeps_input_and_explains_errors(office, client):
    await browser_login(client, "staff")
    form = await client.get("/matters/new")
    r = await client.post("/matters/new", data={"_csrf_token": csrf_from(form.text), "channel": "visit",
                                                 "requester": "张阿姨", "subject": "咨询"})
    assert r.status_code == 422
    assert "请选择服务事项" in r.text and 'value="张阿姨"' in r.text


async def test_the_section_board_shows_lights(office, client):
    await browser_login(client, "chief")
    form = await client.get("/matters/new")
    await client.post("/matters/new", data={"_csrf_token": csrf_from(form.text), "channel": "call", "requester": "甲",
                                             "subject": "加急事项", "limit_days": "0"})
    board = await client.get("/matters")
    assert "办件看板" in board.text and "加急事项" in board.text and "light-yellow" in board.text


async def test_a_leader_decides_from_the_queue_and_the_person_appeals_from_their_page(office, client):
    await browser_login(client, "leader")
    home = await client.get("/")
    assert "办件情况" in home.text and "秘书科" in home.text
    # A leader reports a case through the API, then handles it on the pages.
    token = client.cookies.get("csrftoken")
    people = (await client.get("/api/v1/people", params={"q": "赵雪"})).json()["items"]
    r = await client.post("/api/v1/accountability", json={"person_id": people[0]["id"], "trigger": "manual",
                                                          "description": "材料报送延误"}, headers={"x-csrftoken": token})
    record_id = r.json()["id"]
    queue = await client.get("/accountability", params={"status": "proposed"})
    assert "材料报送延误" in queue.text
    page = await client.get(f"/accountability/{record_id}")
    form_id = re.search(r'<option value="(\d+)">提醒谈话', page.text)[1]
    r = await client.post(f"/accountability/{record_id}/decide",
                          data={"_csrf_token": csrf_from(page.text), "form_id": form_id, "reason": "延误一天"})
    assert "已决定，申诉期内" in r.text and "扣 1 分" in r.text
    decided = await client.get("/accountability", params={"status": "decided"})
    row = re.search(r"<tr>(?:(?!</tr>).)*材料报送延误.*?</tr>", decided.text, re.S)[0]
    assert re.search(r'>提醒谈话</td>\s*<td data-label="扣分">1 分</td>', row)  # the points as the office writes them, not 1.0

    await client.post("/logout", data={"_csrf_token": csrf_from(r.text)})
    await browser_login(client, "staff")
    page = await client.get(f"/accountability/{record_id}")
    assert "提交申诉" in page.text
    r = await client.post(f"/accountability/{record_id}/appeal",
                          data={"_csrf_token": csrf_from(page.text), "reason": "当天系统故障"})
    assert "申诉中" in r.text


async def test_a_leader_registers_a_supervision_item_and_the_chief_reports_on_it(office, client):
    await browser_login(client, "leader")
    board = await client.get("/supervision")
    assert "立项" in board.text
    sections = dict((v, k) for k, v in re.findall(r'<option value="(\d+)">([^<·]+)</option>', board.text))
    person = re.search(r'<option value="(\d+)">秘书科 · 张伟</option>', board.text)[1]
    r = await client.post("/supervision", data={
        "_csrf_token": csrf_from(board.text), "source": "meeting", "title": "整改反馈问题",
        "lead_section_id": sections["秘书科"], "responsible_person_id": person, "deadline": "2026-12-10"},
        follow_redirects=False)
    assert r.status_code == 302
    item_path = r.headers["location"]
    page = await client.get(item_path)
    assert "督〔2026〕1号" in page.text and "整改反馈问题" in page.text

    await client.post("/logout", data={"_csrf_token": csrf_from(page.text)})
    await browser_login(client, "chief")
    page = await client.get(item_path)
    r = await client.post(item_path + "/progress", data={"_csrf_token": csrf_from(page.text), "note": "已完成整改", "submit": "1"})
    assert "待审结" in r.text and "已完成整改" in r.text


async def _registered(client, subject: str = "咨询社保转移", days: str = "5"):
    """A matter staff registered: its page."""
    form = await client.get("/matters/new")
    r = await client.post("/matters/new", data={"_csrf_token": csrf_from(form.text), "channel": "call",
                                                 "requester": "王先生", "subject": subject, "limit_days": days})
    return r


async def test_the_matter_page_tells_the_main_step_from_alternatives_and_labels_each_date(office, client):
    await browser_login(client, "staff")
    page = await _registered(client)
    assert "已登记办件 2026-" in page.text and "您是首问责任人，办结期限 2026-11-30" in page.text
    buttons = dict((label, cls) for cls, label in re.findall(
        r'<button type="submit"(?: class="(\w+)")?[^>]*>([^<]+)</button>', page.text))
    assert buttons["办结"] == "", "completing is the main step: a plain (primary) button"
    assert buttons["转办"] == buttons["中止计时"] == buttons["申请延期"] == "secondary"
    assert re.search(r"<dt>办结期限</dt><dd><strong>2026-11-30</strong>\s*（办理时限 5 个工作日）", page.text)

    colleague = re.search(r'<option value="(\d+)">秘书科 · 孙浩然</option>', page.text)[1]
    r = await client.post(str(page.url.path) + "/transfer", data={
        "_csrf_token": csrf_from(page.text), "to_person_id": colleague, "note": "请阅处"})
    assert "已转办给 孙浩然（秘书科），须于 2026-11-24 前签收" in r.text, "the message says to whom, not 已保存"
    assert "已保存" not in r.text
    assert "<dt>签收期限</dt><dd>2026-11-24 前签收" in r.text and "<dt>办结期限</dt>" in r.text
    assert "（签收期限 2026-11-24）" in r.text, "the timeline says the transfer's date is an accept-by date"

    await client.post("/logout", data={"_csrf_token": csrf_from(r.text)})
    await browser_login(client, "sunhaoran")
    page = await client.get(str(r.url.path))
    assert re.search(r'<button type="submit">签收并负责办理</button>', page.text)
    assert re.search(r'<button type="submit" class="danger">退回</button>', page.text)


async def test_a_refused_step_keeps_what_was_typed_under_the_field_it_concerns(office, client):
    await browser_login(client, "staff")
    page = await _registered(client)
    path = str(page.url.path)
    r = await client.post(path + "/extension", data={"_csrf_token": csrf_from(page.text), "new_due_on": "2026-12-31",
                                                      "reason": ""})
    assert r.status_code == 422
    field = re.search(r'<input id="ext-reason"[^>]*>', r.text)[0]
    assert 'aria-describedby="error-ext-reason"' in field and "autofocus" in field
    assert re.search(r'<p class="field-error" id="error-ext-reason" role="alert">延期理由不能为空</p>', r.text)
    assert 'value="2026-12-31"' in re.search(r'<input id="new_due_on"[^>]*>', r.text)[0], "the date typed is kept"
    assert "autofocus" not in re.search(r'<input id="pause-reason"[^>]*>', r.text)[0]

    r = await client.post(path + "/extension", data={"_csrf_token": csrf_from(page.text), "new_due_on": "明天",
                                                      "reason": "等待外单位函复"})
    assert r.status_code == 422 and 'id="error-new_due_on"' in r.text and 'value="等待外单位函复"' in r.text


async def test_the_register_form_puts_the_focus_on_the_field_refused(office, client):
    await browser_login(client, "staff")
    form = await client.get("/matters/new")
    r = await client.post("/matters/new", data={"_csrf_token": csrf_from(form.text), "channel": "visit",
                                                 "requester": "张阿姨", "subject": "咨询", "limit_days": "三"})
    assert r.status_code == 422
    field = re.search(r'<input id="limit_days"[^>]*>', r.text)[0]
    assert "autofocus" in field and 'aria-describedby="error-limit_days limit-help"' in field
    assert "autofocus" not in re.search(r'<select id="channel"[^>]*>', r.text)[0]


async def test_a_transfer_to_nobody_is_refused_under_the_person_field_with_the_note_kept(office, client):
    await browser_login(client, "staff")
    page = await _registered(client)
    r = await client.post(str(page.url.path) + "/transfer", data={
        "_csrf_token": csrf_from(page.text), "to_person_id": "", "to_section_id": "", "note": "请补充材料"})
    assert r.status_code == 422
    field = re.search(r'<select id="to_person_id"[^>]*>', r.text)[0]
    assert 'aria-describedby="error-to_person_id"' in field and "autofocus" in field
    assert re.search(r'id="error-to_person_id" role="alert">请选择转办的人员或科室（二选一）<', r.text)
    assert 'value="请补充材料"' in re.search(r'<input id="transfer-note"[^>]*>', r.text)[0]
