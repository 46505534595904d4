"""The pages in a browser's terms: Chinese text, forms with CSRF tokens, navigation by role."""

import html
import re

from helpers import DEMO_PASSWORD, login, person_id_of


async def browser_login(client, username: str, password: str = DEMO_PASSWORD):
    page = await client.get("/login")
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert token, "the login form carries a CSRF token"
    return await client.post(
        "/login", data={"username": username, "password": password, "_csrf_token": token[1], "next": "/"},
        follow_redirects=False,
    )


def csrf_from(html: str) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', html)[1]


async def test_the_login_page_speaks_chinese(db, client):
    page = await client.get("/login")
    assert page.status_code == 200
    assert '<html lang="zh-CN">' in page.text
    assert "用户名" in page.text and "密码" in page.text


async def test_pages_send_anonymous_visitors_to_the_login_page(db, client):
    r = await client.get("/people", follow_redirects=False)
    assert r.status_code == 302
    assert r.headers["location"] == "/login?next=/people"


async def test_logging_in_goes_back_to_a_page_of_this_site_and_nowhere_else(office, client):
    """?next= is kept through the login form; a target a browser would take to another site
    (`//host`, `/\\host`, a tab or line break that browsers drop, a scheme) goes home instead."""
    for target, lands in (("/matters?mine=1", "/matters?mine=1"), ("/people", "/people"),
                          ("//evil.example", "/"), ("/\\evil.example", "/"), ("/\t/evil.example", "/"),
                          ("/\n/evil.example", "/"), ("https://evil.example/", "/"), ("javascript:alert(1)", "/"),
                          ("/ok path", "/")):
        page = await client.get("/login", params={"next": target})
        assert page.status_code == 200
        kept = re.search(r'name="next" value="([^"]*)"', page.text)[1]
        assert html.unescape(kept) == lands, (target, kept)
        r = await client.post("/login", data={"username": "staff", "password": DEMO_PASSWORD, "next": target,
                                              "_csrf_token": csrf_from(page.text)}, follow_redirects=False)
        assert r.status_code == 302 and r.headers["location"] == lands, (target, r.headers.get("location"))
        await client.post("/logout", data={"_csrf_token": client.cookies.get("csrftoken", "")}, follow_redirects=False)


async def test_a_wrong_password_shows_the_error_on_the_form(office, client):
    r = await browser_login(client, "staff", "wrong-password")
    assert r.status_code == 401
    assert "用户名或密码错误" in r.text
    assert 'value="staff"' in r.text, "the username stays filled in"


async def test_a_form_post_without_csrf_token_is_refused(office, client):
    r = await client.post("/login", data={"username": "staff", "password": DEMO_PASSWORD})
    assert r.status_code == 403
    assert "刷新页面" in r.text


async def test_navigation_follows_the_role(office, client):
    r = await browser_login(client, "staff")
    assert r.status_code == 302 and r.headers["location"] == "/"
    home = await client.get("/")
    assert "赵雪" in home.text and "秘书科" in home.text
    assert "审计日志" not in home.text and 'href="/people"' not in home.text
    assert (await client.get("/admin/audit")).status_code == 403

    await client.post("/logout", data={"_csrf_token": csrf_from(home.text)})
    await browser_login(client, "admin")
    home = await client.get("/")
    assert "审计日志" in home.text and "名册导入" in home.text


async def test_the_admin_pages_render(office, client):
    await browser_login(client, "admin")
    for path, text in (("/people", "林晓峰"), ("/admin/sections", "秘书科"), ("/admin/roster", "姓名、性别、科室"),
                       ("/admin/audit", "审计日志"), ("/admin/people/new", "添加人员"), ("/account/password", "原密码")):
        r = await client.get(path)
        assert r.status_code == 200, path
        assert text in r.text, path


async def test_the_people_list_searches_by_name_and_pinyin(office, client):
    await browser_login(client, "admin")
    assert "张伟" in (await client.get("/people", params={"q": "张伟"})).text
    r = await client.get("/people", params={"q": "zhang"})
    assert "张伟" in r.text and "赵雪" not in r.text


async def test_the_roster_page_lists_every_bad_row(office, client):
    await browser_login(client, "admin")
    page = await client.get("/admin/roster")
    csv = "姓名,性别,出生日期,科室\n张三,男,1990-13-01,秘书科\n李四,男,,无此科\n".encode()
    r = await client.post("/admin/roster", data={"_csrf_token": csrf_from(page.text)}, files={"file": ("r.csv", csv)})
    assert r.status_code == 422
    assert "第 2 行：出生日期“1990-13-01”不是有效日期" in r.text
    assert "第 3 行：科室“无此科”不存在" in r.text


async def test_the_audit_filter_answers_htmx_with_just_the_rows(office, client):
    await browser_login(client, "admin")
    r = await client.get("/admin/audit", params={"table": "section"}, headers={"hx-request": "true"})
    assert r.status_code == 200
    assert "<html" not in r.text and "秘书科" in r.text


async def test_the_inbox_links_each_message_to_what_it_is_about(office, client):
    from appraisal.db.tables import AccountabilityRecord
    from appraisal.demo.appraisal import load_demo_appraisal

    await load_demo_appraisal()
    await login(client, "staff")
    decided = await AccountabilityRecord.select(AccountabilityRecord.id).where(
        AccountabilityRecord.status == "decided").first().run()
    notes = (await client.get("/api/v1/inbox", params={"limit": 200})).json()["items"]
    links = {n["title"]: n["link"] for n in notes}
    assert links["2025 年度考核的评分已提交，考核结果将在分管领导审核后公布"] == "/appraisal/mine"
    assert {n["link"] for n in notes if n["kind"] == "accountability"} == {f"/accountability/{decided['id']}"}
    page = await client.get("/inbox")
    assert '<a href="/appraisal/mine">2025 年度考核的评分已提交，考核结果将在分管领导审核后公布</a>' in html.unescape(page.text)


async def test_the_messages_shown_on_the_inbox_page_are_read_and_the_badge_counts_what_is_unseen(office, client):
    from appraisal.demo.appraisal import load_demo_appraisal

    await load_demo_appraisal()
    await login(client, "staff")
    unread = (await client.get("/api/v1/inbox")).json()["unread"]
    assert unread > 0
    assert (await client.get("/api/v1/inbox")).json()["unread"] == unread, "reading through the API marks nothing"
    assert (await client.get("/inbox/badge")).text == f'<span class="badge">{unread}</span>'
    first = await client.get("/inbox")
    assert first.text.count('class="unread"') == unread, "shown in bold as new"
    assert (await client.get("/inbox/badge")).text == "" and (await client.get("/api/v1/inbox")).json()["unread"] == 0
    again = await client.get("/inbox")
    assert 'class="unread"' not in again.text


def test_every_table_the_audit_log_names_has_a_chinese_name():
    """A new table is named on the audit page, or listed here as one no entry is written for."""
    from appraisal.db.tables import ALL_TABLES
    from appraisal.web.audit import TABLE_LABELS

    not_audited = {"audit_entry", "web_session", "login_failure", "notification"}
    assert {t._meta.tablename for t in ALL_TABLES} - not_audited == set(TABLE_LABELS)


def test_every_field_the_audit_log_shows_has_a_chinese_name():
    """Every column of an audited table, and the fields of the entries written by hand (a
    person's led sections, an account's roles, a period's people)."""
    from appraisal.db.tables import ALL_TABLES
    from appraisal.web.audit import CODED_VALUES, FIELD_LABELS, TABLE_LABELS

    columns = {c._meta.name for t in ALL_TABLES if t._meta.tablename in TABLE_LABELS for c in t._meta.columns}
    assert columns | {"sections", "roles", "people"} == set(FIELD_LABELS)
    assert all(key.split(".")[0] in TABLE_LABELS and key.split(".")[1] in FIELD_LABELS for key in CODED_VALUES)


def test_audited_values_read_as_words_local_times_and_cut_texts():
    from appraisal.web.audit import audit_value

    assert audit_value(None) == audit_value("") == "（空）"
    assert (audit_value(True), audit_value(False)) == ("是", "否")
    assert (audit_value(1.0), audit_value(87.64), audit_value(0)) == ("1", "87.64", "0")
    assert audit_value("2026-11-18T02:00:00+00:00") == "2026-11-18 10:00:00"  # Asia/Shanghai
    assert audit_value("2026-11-18T02:00:00 is not a time") == "2026-11-18T02:00:00 is not a time"
    assert audit_value({"sections": ["秘书科"]}) == '{"sections": ["秘书科"]}'
    codes = {"decided": "已决定", "chief": "科长", "staff": "科员"}
    assert audit_value("decided", codes) == "已决定" and audit_value("unknown", codes) == "unknown"
    assert audit_value(["chief", "staff"], codes) == "科长、科员"
    assert audit_value(["chief", "other"], codes) == '["chief", "other"]'
    cut = audit_value("办" * 10_000)
    assert cut.startswith("办" * 200) and cut.endswith("…（共 10000 字）") and len(cut) < 300


async def test_an_admin_edits_a_person_and_gives_them_an_account(office, client):
    await browser_login(client, "admin")
    page = await client.get("/admin/people/new")
    sections = dict(re.findall(r'<option value="(\d+)" >([^<]+)</option>', page.text))
    section_id = next(k for k, v in sections.items() if v == "法规科")
    r = await client.post("/admin/people/new", data={
        "_csrf_token": csrf_from(page.text), "name": "欧阳娜娜", "gender": "female", "birth_date": "1995-02-03",
        "section_id": section_id, "political_status": "群众", "post_rank": "一级科员",
    }, follow_redirects=False)
    assert r.status_code == 302
    edit = await client.get(r.headers["location"])
    assert "欧阳娜娜" in edit.text and "开通账号" in edit.text
    r = await client.post(r.headers["location"], data={
        "_csrf_token": csrf_from(edit.text), "action": "create_account", "username": "ouyangnana",
        "password": "start-pass-1", "roles": "staff",
    })
    assert r.status_code == 200 and "已开通账号 ouyangnana" in r.text


async def test_a_section_that_is_not_an_id_is_refused_and_leaves_the_person_in_theirs(office, client):
    """An edited <option> value used to read as "no section" and took the person out of theirs."""
    from appraisal.db.tables import Person

    await browser_login(client, "admin")
    person = await Person.select(Person.id, Person.name, Person.section).where(Person.section.is_not_null()).first().run()
    edit = await client.get(f"/admin/people/{person['id']}")
    r = await client.post(f"/admin/people/{person['id']}", data={
        "_csrf_token": csrf_from(edit.text), "action": "save", "name": person["name"], "gender": "male",
        "section_id": "秘书科", "political_status": "群众"})
    assert r.status_code == 422 and "科室应为整数" in r.text
    after = await Person.select(Person.section).where(Person.id == person["id"]).first().run()
    assert after["section"] == person["section"]


async def test_an_admin_changes_a_promise_from_a_date_and_withdraws_an_item(office, client):
    await browser_login(client, "admin")
    page = await client.get("/admin/commitments")
    assert page.status_code == 200 and "承诺事项管理" in page.text
    token = csrf_from(page.text)
    sections = re.findall(r'<option value="(\d+)">([^<]+)</option>', page.text)
    section_id = next(sid for sid, name in sections if name == "秘书科")
    r = await client.post("/admin/commitments", data={
        "_csrf_token": token, "action": "create", "section_id": section_id, "name": "会议室预约",
        "limit_kind": "working_days", "limit_days": "2", "effective_from": "2026-11-01"})
    assert r.status_code == 200 and "已添加服务事项「会议室预约」" in r.text
    public = await client.get("/commitments")
    assert "会议室预约" in public.text and "2 个工作日" in public.text

    item_id = re.search(r'<tr id="item-(\d+)">\s*<td>秘书科</td><td>会议室预约</td>', r.text)[1]
    r = await client.post("/admin/commitments", data={
        "_csrf_token": token, "action": "version", "commitment_id": item_id, "limit_kind": "same_day",
        "limit_days": "2", "effective_from": "2027-01-04"})
    assert r.status_code == 200 and "「会议室预约」的新承诺自 2027-01-04 起执行" in r.text
    assert "2027-01-04 起：当日办结" in r.text, "the announced promise shows next to the one in force"
    assert "2 个工作日" in (await client.get("/commitments")).text.split("会议室预约", 1)[1][:200]

    r = await client.post("/admin/commitments", data={
        "_csrf_token": token, "action": "version", "commitment_id": item_id, "limit_kind": "working_days",
        "limit_days": "0", "effective_from": "2027-02-01"})
    assert r.status_code == 422 and "承诺时限应为 1 至 365 个工作日" in r.text

    r = await client.post("/admin/commitments", data={"_csrf_token": token, "action": "withdraw", "commitment_id": item_id})
    assert r.status_code == 200 and "承诺事项「会议室预约」已停用，不再公开" in r.text
    assert "会议室预约" not in (await client.get("/commitments")).text


async def test_staff_cannot_open_the_commitment_admin_page(office, client):
    await browser_login(client, "staff")
    assert (await client.get("/admin/commitments")).status_code == 403
