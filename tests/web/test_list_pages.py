"""Lists that grow are searchable and paged: matters, accountability records, supervision items
and bonuses; an unknown address answers the error page, not a failure."""

import datetime as dt

import pytest
import time_machine

from test_pages import browser_login
from services.test_appraisal_flow import as_user
from appraisal.db.tables import Section
from appraisal.services import accountability, appraisal, matters, supervision
from appraisal.services.matters import Registration


@pytest.fixture(autouse=True)
def clock():
    """A day well inside the years with holiday data: deadlines a month out stay in that year
    (on the real clock, from December they fell in a year not yet published)."""
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=True):
        yield


async def test_searching_the_matter_board_finds_by_subject_or_requester(office, client):
    zhao = await as_user("staff")
    for subject, requester in (("档案查询", "刘女士"), ("会议室预约", "区档案馆"), ("文件印制", "王先生")):
        await matters.register(zhao, Registration(channel="visit", requester=requester, subject=subject, limit_days=3))
    await browser_login(client, "chief")
    page = await client.get("/matters", params={"q": "档案"})
    assert "档案查询" in page.text and "会议室预约" in page.text, "subject or requester"
    assert "文件印制" not in page.text and "共 2 条" in page.text
    page = await client.get("/matters", params={"q": "档案%"})
    assert "档案查询" in page.text, "a typed % is not a wildcard: 档案% searches for 档案"
    page = await client.get("/matters", params={"q": "没有这件事"})
    assert page.status_code == 200 and "没有符合条件的办件" in page.text


async def test_accountability_supervision_and_bonus_lists_filter_by_what_is_typed(office, client):
    leader = await as_user("leader")
    people = {p["name"]: p["id"] for p in await accountability.reportable_people(leader)}
    await accountability.propose(leader, people["孙浩然"], "manual", "会议通知漏发")
    await accountability.propose(leader, people["赵雪"], "manual", "材料未一次性告知")
    mishu = await Section.select(Section.id).where(Section.name == "秘书科").first().run()
    for title in ("全会精神落实", "防汛检查"):
        await supervision.create(leader, supervision.NewItem(
            source="meeting", title=title, lead_section_id=mishu["id"], responsible_person_id=people["赵雪"],
            deadline=dt.date.today() + dt.timedelta(days=30)))
    await appraisal.add_bonus(leader, people["孙浩然"], "info_adopted", 0.5, "信息被市委办采用", dt.date.today())

    await browser_login(client, "leader")
    page = await client.get("/accountability", params={"q": "孙浩然"})
    assert "会议通知漏发" in page.text and "材料未一次性告知" not in page.text
    page = await client.get("/supervision", params={"q": "防汛"})
    assert "防汛检查" in page.text and "全会精神落实" not in page.text
    page = await client.get("/appraisal/bonuses", params={"q": "市委办"})
    assert "孙浩然" in page.text and "共 1 条" in page.text
    page = await client.get("/appraisal/bonuses", params={"q": "没有这个人"})
    assert "本年度没有加分记录" in page.text


async def test_an_unknown_address_shows_the_not_found_page(office, client):
    await browser_login(client, "staff")
    page = await client.get("/no-such-page")
    assert page.status_code == 404 and "页面或记录不存在" in page.text
    # A record outside her scope: the same page, and she is still shown as signed in.
    hidden = await client.get("/matters/999999")
    assert hidden.status_code == 404 and "办件不存在或无权查看" in hidden.text
    assert "赵雪" in hidden.text and "退出" in hidden.text and ">登录<" not in hidden.text, "her menu, not a login link"


async def test_a_bad_value_is_explained_next_to_its_field_and_the_form_keeps_what_was_typed(office, client):
    from test_pages import csrf_from

    await browser_login(client, "staff")
    page = await client.get("/matters/new")
    r = await client.post("/matters/new", data={"_csrf_token": csrf_from(page.text), "channel": "visit", "requester": "刘女士",
                                                "subject": "", "limit_days": "3"})
    assert r.status_code == 422
    assert 'id="subject" aria-invalid="true" aria-describedby="error-subject"' in r.text
    assert '<p class="field-error" id="error-subject" role="alert">事由不能为空</p>' in r.text
    assert 'value="刘女士"' in r.text, "what was typed stays"
    api = await client.post("/api/v1/matters", json={"channel": "visit", "requester": "刘女士", "subject": " ", "limit_days": 3},
                            headers={"x-csrftoken": client.cookies.get("csrftoken")})
    assert api.status_code == 422 and api.json()["detail"] == {"field": "subject"}


async def test_pages_carry_security_headers_and_a_policy_of_this_site_only(db, client):
    page = await client.get("/login")
    headers = page.headers
    policy = headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy.replace("style-src-attr 'unsafe-inline'", ""), "no inline script or style element"
    assert headers["x-frame-options"] == "DENY" and headers["referrer-policy"] == "same-origin"
    assert headers["x-content-type-options"] == "nosniff"
    assert "strict-transport-security" not in headers, "HSTS only behind HTTPS (APPRAISAL_COOKIE_SECURE)"
    for path in ("/api/v1/commitments", "/healthz", "/no-such-page"):
        assert "content-security-policy" in (await client.get(path)).headers, path
