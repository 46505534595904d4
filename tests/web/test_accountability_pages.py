"""责任追究 pages: a refused decision or appeal keeps what was typed, with the message under the
field; the appeal reason is a paragraph, not a line."""

import re

from test_pages import browser_login, csrf_from


async def _reported(client, description: str = "材料报送延误") -> str:
    """A case the leader reported on 赵雪: its page's path."""
    listing = await client.get("/accountability")
    person = re.search(r'<option value="(\d+)">秘书科 · 赵雪</option>', listing.text)[1]
    r = await client.post("/accountability", data={"_csrf_token": csrf_from(listing.text), "person_id": person,
                                                   "trigger": "manual", "description": description},
                          follow_redirects=False)
    assert r.status_code in (302, 303)
    return r.headers["location"]


async def test_a_refused_report_keeps_the_person_and_text_with_the_message_under_the_field(office, client):
    await browser_login(client, "leader")
    listing = await client.get("/accountability")
    person = re.search(r'<option value="(\d+)">秘书科 · 赵雪</option>', listing.text)[1]
    r = await client.post("/accountability", data={"_csrf_token": csrf_from(listing.text), "person_id": person,
                                                   "trigger": "manual", "description": "   "})
    assert r.status_code == 422
    field = re.search(r'<textarea id="report-description"[^>]*>', r.text)[0]
    assert 'aria-describedby="error-report-description"' in field and "autofocus" in field
    assert f'<option value="{person}" selected>秘书科 · 赵雪</option>' in r.text


async def test_a_decision_refused_for_its_points_keeps_the_reason_typed(office, client):
    await browser_login(client, "leader")
    path = await _reported(client)
    page = await client.get(path)
    assert "已报告 赵雪 的责任追究线索" in page.text
    form_id = re.search(r'<option value="(\d+)">提醒谈话', page.text)[1]
    r = await client.post(path + "/decide", data={"_csrf_token": csrf_from(page.text), "form_id": form_id,
                                                  "points": "很多", "reason": "延误一天"})
    assert r.status_code == 422
    points = re.search(r'<input id="points"[^>]*>', r.text)[0]
    assert 'value="很多"' in points and "autofocus" in points and 'aria-describedby="error-points"' in points
    assert ">延误一天</textarea>" in r.text and f'<option value="{form_id}" selected>' in r.text
    r = await client.post(path + "/decide", data={"_csrf_token": csrf_from(page.text), "form_id": form_id,
                                                  "points": "", "reason": "延误一天"})
    assert "已决定：赵雪 提醒谈话，扣 1 分；已通知本人，申诉期至" in r.text and "已保存" not in r.text


async def test_the_appeal_is_a_paragraph_and_a_blank_one_is_refused_under_it(office, client):
    await browser_login(client, "leader")
    path = await _reported(client)
    page = await client.get(path)
    form_id = re.search(r'<option value="(\d+)">提醒谈话', page.text)[1]
    r = await client.post(path + "/decide", data={"_csrf_token": csrf_from(page.text), "form_id": form_id,
                                                  "reason": "延误一天"})
    await client.post("/logout", data={"_csrf_token": csrf_from(r.text)})
    await browser_login(client, "staff")
    page = await client.get(path)
    assert re.search(r'<textarea id="appeal-reason" name="reason" rows="5"', page.text), "a textarea, not a line"
    r = await client.post(path + "/appeal", data={"_csrf_token": csrf_from(page.text), "reason": " "})
    assert r.status_code == 422
    assert re.search(r'id="error-appeal-reason" role="alert">请填写申诉理由', r.text)
    assert "autofocus" in re.search(r'<textarea id="appeal-reason"[^>]*>', r.text)[0]
    r = await client.post(path + "/appeal", data={"_csrf_token": csrf_from(page.text), "reason": "当天系统故障\n有截图为证"})
    assert "申诉已提交，等待分管领导处理" in r.text and "当天系统故障" in r.text
