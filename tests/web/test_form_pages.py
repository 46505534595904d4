"""Forms in a user's terms: a refused form comes back with what was typed, the message under
the field it concerns and the focus there; a success says what happened; a person field starts
at 请选择 and finds people by their pinyin initials; 目标管理 and 服务承诺 pages."""

import html
import re

import pytest

from appraisal.web import picker
from test_pages import browser_login, csrf_from


def field(page: str, field_id: str) -> str:
    """The tag of the input, select or textarea with this id."""
    return re.search(rf'<(?:input|select|textarea)[^>]*\bid="{re.escape(field_id)}"[^>]*>', page)[0]


def error_under(page: str, field_id: str) -> str:
    """The message shown for a field (the one its aria-describedby names)."""
    tag = field(page, field_id)
    assert 'aria-invalid="true"' in tag and "autofocus" in tag, tag
    described = re.search(r'aria-describedby="([^"]+)"', tag)[1]
    return html.unescape(re.search(rf'<p class="field-error" id="{described}" role="alert">(.*?)</p>', page, re.S)[1])


@pytest.fixture
async def tree(office):
    from appraisal.demo.appraisal import _targets

    await _targets()


async def _tree(client) -> str:
    return (await client.get("/targets", params={"year": 2026})).text


def target_id(page: str, title: str) -> str:
    return re.search(rf'<tr id="target-(\d+)"[^>]*>\s*<td[^>]*>{re.escape(title)}\b', page)[1]


async def test_a_refused_breakdown_comes_back_open_with_what_was_typed(tree, client):
    await browser_login(client, "chief")  # 张伟, chief of 秘书科
    page = await _tree(client)
    parent = target_id(page, "公文处理")
    people = dict((name, pid) for pid, name in re.findall(r'<option value="(\d+)">秘书科 · (\S+)</option>', page))
    typed = {"_csrf_token": csrf_from(page), "year": "2026", "parent_id": parent, "title": "会议材料校核",
             "weight": "20", "indicator_kind": "quantity", "target_value": "", "unit": "件", "owner_id": people["周晓琳"]}
    r = await client.post("/targets/create", data=typed)
    assert r.status_code == 422
    prefix = f"n{parent}"
    assert error_under(r.text, f"{prefix}-target_value") == "数量指标需要填写大于 0 的目标值"
    assert re.search(rf'<details id="breakdown-{parent}" open>', r.text), "the refused form is open"
    assert 'value="会议材料校核"' in field(r.text, f"{prefix}-title") and 'value="20"' in field(r.text, f"{prefix}-weight")
    assert 'value="件"' in field(r.text, f"{prefix}-unit")
    owner = re.search(rf'<select id="{prefix}-owner_id".*?</select>', r.text, re.S)[0]
    assert re.search(rf'<option value="{people["周晓琳"]}" selected>秘书科 · 周晓琳</option>', owner)
    assert r.text.count('aria-invalid="true"') == 1, "only the field at fault is marked"

    # Over 100 with the shares as they are: the message goes under 权重.
    r = await client.post("/targets/create", data={**typed, "target_value": "200"})
    assert r.status_code == 422 and "超过 100" in error_under(r.text, f"{prefix}-weight")

    # The two existing shares re-balanced in the same step: done, and the message says to whom.
    kids = re.findall(r'name="(w_\d+)"', r.text.split(f'id="breakdown-{parent}"', 1)[1].split("</details>", 1)[0])
    r = await client.post("/targets/create", data={**typed, "target_value": "200", **{k: "40" for k in kids}})
    assert r.status_code == 200 and "已将「会议材料校核」分解给 周晓琳（秘书科）" in r.text


async def test_an_office_target_breaks_down_to_a_chosen_section(tree, client):
    await browser_login(client, "admin")
    page = await _tree(client)
    parent = target_id(page, "信息督查工作")
    form = page.split(f'id="breakdown-{parent}"', 1)[1].split("</details>", 1)[0]
    section = re.search(rf'<select id="n{parent}-section_id"[^>]*><option value="">请选择</option>', form)
    assert section, "no section is chosen until the leader chooses one"
    r = await client.post("/targets/create", data={
        "_csrf_token": csrf_from(page), "year": "2026", "parent_id": parent, "title": "舆情报告", "weight": "10",
        "indicator_kind": "quality", "quality": "每月一期", "section_id": ""})
    assert r.status_code == 422 and error_under(r.text, f"n{parent}-section_id") == "科室目标需要选择一个有效的科室"
    assert 'value="每月一期"' in field(r.text, f"n{parent}-quality")
    sections = dict((name, sid) for sid, name in re.findall(r'<option value="(\d+)">([^<·]+)</option>', form))
    kids = re.findall(r'name="(w_\d+)"', form)
    r = await client.post("/targets/create", data={
        "_csrf_token": csrf_from(page), "year": "2026", "parent_id": parent, "title": "舆情报告", "weight": "10",
        "indicator_kind": "quality", "quality": "每月一期", "section_id": sections["信息科"], **{k: "45" for k in kids}})
    assert r.status_code == 200 and "已将「舆情报告」分解给 信息科" in r.text


async def test_progress_archive_and_restore_have_a_route_each_and_say_what_happened(tree, client):
    await browser_login(client, "chief")
    page = await _tree(client)
    leaf = target_id(page, "公文核稿")
    r = await client.post(f"/targets/{leaf}/progress", data={"_csrf_token": csrf_from(page), "year": "2026",
                                                             "completion": "80", "evidence": ""})
    assert r.status_code == 422 and "请填写进展情况" in error_under(r.text, f"p{leaf}-evidence")
    assert 'value="80"' in field(r.text, f"p{leaf}-completion")
    r = await client.post(f"/targets/{leaf}/progress", data={"_csrf_token": csrf_from(page), "year": "2026",
                                                             "completion": "abc", "evidence": "台账"})
    assert r.status_code == 422 and error_under(r.text, f"p{leaf}-completion") == "完成度“abc”不是数字"
    assert ">台账</textarea>" in r.text
    r = await client.post(f"/targets/{leaf}/progress", data={"_csrf_token": csrf_from(page), "year": "2026",
                                                             "completion": "80", "evidence": "台账"})
    assert r.status_code == 200 and "已报告「公文核稿」的进展，完成度 80%" in r.text
    r = await client.post(f"/targets/{leaf}/archive", data={"_csrf_token": csrf_from(page), "year": "2026"})
    assert r.status_code == 200 and "目标「公文核稿」已归档，不再计入完成度" in r.text
    assert f'action="/targets/{leaf}/restore"' in r.text
    r = await client.post(f"/targets/{leaf}/restore", data={"_csrf_token": csrf_from(page), "year": "2026"})
    assert r.status_code == 200 and "目标「公文核稿」已恢复" in r.text
    assert (await client.post("/targets", data={"_csrf_token": csrf_from(page), "action": "archive"})).status_code == 405


async def test_the_shares_of_a_parents_targets_are_changed_together(tree, client):
    await browser_login(client, "chief")
    page = await _tree(client)
    parent = target_id(page, "公文处理")
    form = re.search(rf'<details id="weights-{parent}">(.*?)</details>', page, re.S)[1]
    shares = dict(re.findall(r'<label for="[^"]+">([^<（]+)（[^）]+）</label>\s*<input id="[^"]+" name="(w_\d+)"', form))
    assert set(shares) == {"公文核稿", "来文登记分办"}
    data = {"_csrf_token": csrf_from(page), "year": "2026", "parent_id": parent}
    r = await client.post("/targets/weights", data={**data, shares["公文核稿"]: "70", shares["来文登记分办"]: "20"})
    assert r.status_code == 422 and f'<details id="weights-{parent}" open>' in r.text
    first = f"w{parent}-{shares['公文核稿']}"
    assert "合计" in error_under(r.text, first) and 'value="70"' in field(r.text, first)
    assert 'value="20"' in field(r.text, f"w{parent}-{shares['来文登记分办']}")
    r = await client.post("/targets/weights", data={**data, shares["公文核稿"]: "70", shares["来文登记分办"]: "30"})
    assert r.status_code == 200 and "「公文处理」下级目标的权重已保存" in r.text


async def test_the_leaders_tree_keeps_its_forms_out_of_the_table_cells(tree, client):
    await browser_login(client, "leader")
    page = await _tree(client)
    for row in re.findall(r'<tr id="target-\d+"[^>]*>(.*?)</tr>', page, re.S):
        assert "<form" not in row or "/archive" in row or "/restore" in row, "only 归档/恢复 stays in the row"
        assert "<details" not in row and "<textarea" not in row
    assert re.search(r'<tr class="row-forms"><td colspan="7"', page)
    help_text = re.search(r"<details[^>]*><summary>导入文件的格式</summary>(.*?)</details>", page, re.S)
    assert help_text and "上级编号" in help_text[1], "the import help is folded away"


async def test_a_refused_import_names_the_file_field_and_lists_the_rows(tree, client):
    await browser_login(client, "leader")
    page = (await client.get("/targets", params={"year": 2031})).text
    sheet = "编号,目标名称,权重,指标类型\n1,甲,60,数量\n".encode()
    r = await client.post("/targets/import", data={"_csrf_token": csrf_from(page), "year": "2031"},
                          files={"file": ("目标.csv", sheet, "text/csv")})
    assert r.status_code == 422 and "导入失败" in error_under(r.text, "import-file")
    assert "第 2 行：数量指标需要填写大于 0 的目标值" in r.text
    r = await client.post("/targets/import", data={"_csrf_token": csrf_from(page), "year": "2031"})
    assert r.status_code == 422 and error_under(r.text, "import-file") == "请选择要导入的 .xlsx 或 .csv 文件"


async def test_my_targets_show_the_indicator_the_share_and_the_reports(tree, client):
    await browser_login(client, "staff")  # 赵雪: 公文核稿, 50 of 公文处理, 600 件
    page = await client.get("/targets/mine", params={"year": 2026})
    card = re.search(r'<section class="card" id="target-(\d+)".*?</section>', page.text, re.S)
    leaf, text = card[1], re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", card[0]))
    assert "公文核稿" in text and "数量：600 件" in text and "占「公文处理」的 50%" in text
    assert "420 件 截至 11 月完成 420 件，台账备查 赵雪" in text, "the report the demo made"
    r = await client.post(f"/targets/{leaf}/progress", data={
        "_csrf_token": csrf_from(page.text), "year": "2026", "back": "/targets/mine?year=2026",
        "actual": "480", "evidence": "已核稿 480 件，台账备查"})
    assert r.status_code == 200 and "已报告「公文核稿」的进展，完成度 80%" in r.text and "我的目标" in r.text
    card = re.search(r'<section class="card" id="target-\d+".*?</section>', r.text, re.S)[0]
    report = re.search(r"<tbody>\s*<tr>(.*?)</tr>", card, re.S)[1]  # the newest first
    assert "80%" in report and "480 件" in report and "已核稿 480 件，台账备查" in report and "赵雪" in report
    refused = await client.post(f"/targets/{leaf}/progress", data={
        "_csrf_token": csrf_from(page.text), "year": "2026", "back": "/targets/mine?year=2026",
        "completion": "120", "evidence": "多报"})
    assert refused.status_code == 422 and "我的目标" in refused.text
    assert error_under(refused.text, f"p{leaf}-completion") == "完成度应在 0 到 100 之间"
    assert ">多报</textarea>" in refused.text


async def test_a_person_field_starts_at_nobody_and_lists_ones_own_section_first(tree, client):
    await browser_login(client, "chief")
    page = await _tree(client)
    parent = target_id(page, "公文处理")
    owner = re.search(rf'<select id="n{parent}-owner_id"[^>]*>(.*?)</select>', page, re.S)[1]
    options = re.findall(r"<option[^>]*>([^<]*)</option>", owner)
    assert options[0] == "请选择" and " selected" not in owner, "nobody is chosen in advance"
    assert options[1].startswith("秘书科 · ")
    client.cookies.clear()
    await browser_login(client, "luojiayi")  # 罗佳怡 of 信息科
    found = await client.get("/people/choices", params={"source": "directory", "q": "科"})
    first = re.findall(r'<option value="\d+">([^<]+)</option>', found.text)[:3]
    assert all(name.startswith("信息科 · ") for name in first), first


async def test_pinyin_initials_find_a_person(office, client, monkeypatch):
    monkeypatch.setattr(picker, "LIST_ALL", 3)
    await browser_login(client, "staff")
    found = await client.get("/people/choices", params={"source": "directory", "q": "wjg"})
    assert re.findall(r'<option value="\d+">([^<]+)</option>', found.text) == ["办领导 · 王建国"]
    assert "找到 1 人" in found.text
    two = await client.get("/people/choices", params={"source": "directory", "q": "WJ"})
    assert "办领导 · 王建国" in two.text, "initials typed in capitals, or only the first ones, find him too"
    assert "王建国" not in (await client.get("/people/choices", params={"source": "directory", "q": "wjx"})).text


async def test_the_public_catalogue_shows_the_logged_in_header(office, client):
    anonymous = await client.get("/commitments")
    assert anonymous.status_code == 200 and 'href="/login"' in anonymous.text
    await browser_login(client, "staff")
    mine = await client.get("/commitments")
    assert mine.status_code == 200 and "赵雪" in mine.text and "服务承诺事项" in mine.text
    assert 'action="/logout"' in mine.text and 'href="/login"' not in mine.text


async def test_changing_a_promise_opens_with_the_promise_in_force_and_keeps_what_was_typed(office, client):
    await browser_login(client, "admin")
    page = await client.get("/admin/commitments")
    item, name = re.search(r'<tr id="item-(\d+)">\s*<td>[^<]+</td><td>([^<]+)</td>', page.text).groups()
    form = page.text.split(f'<summary>修改「{name}」的承诺</summary>', 1)[1].split("</form>", 1)[0]
    from appraisal.services import commitments
    from appraisal.domain.calendar import today_local

    current = next(i for i in await commitments.catalogue(today_local()) if i["id"] == int(item))
    assert f'<option value="{current["limit_kind"]}" selected>' in form
    if current["standard"]:
        assert f">{html.escape(current['standard'])}</textarea>" in form, "the standard in force, not a blank"

    r = await client.post("/admin/commitments", data={
        "_csrf_token": csrf_from(page.text), "action": "version", "commitment_id": item, "limit_kind": "working_days",
        "limit_days": "0", "effective_from": "2027-02-01", "standard": "材料齐全当场受理"})
    assert r.status_code == 422
    assert error_under(r.text, f"v{item}-limit_days") == "承诺时限应为 1 至 365 个工作日"
    assert 'value="2027-02-01"' in field(r.text, f"v{item}-effective_from")
    assert ">材料齐全当场受理</textarea>" in r.text and f'<details open><summary>修改「{name}」的承诺' in r.text

    r = await client.post("/admin/commitments", data={
        "_csrf_token": csrf_from(page.text), "action": "create", "section_id": "", "name": "档案查阅",
        "limit_kind": "immediate", "effective_from": "2026-12-01"})
    assert r.status_code == 422 and error_under(r.text, "new-section_id") == "所选科室不存在或已停用"
    assert 'value="档案查阅"' in field(r.text, "new-name")


async def test_a_refused_section_and_person_keep_what_was_typed(office, client):
    await browser_login(client, "admin")
    page = await client.get("/admin/sections")
    r = await client.post("/admin/sections", data={"_csrf_token": csrf_from(page.text), "name": "档案科",
                                                   "sort_order": "九"})
    assert r.status_code == 422 and error_under(r.text, "new-sort_order") == "排序应为整数，而不是“九”"
    assert 'value="档案科"' in field(r.text, "new-name")
    r = await client.post("/admin/sections", data={"_csrf_token": csrf_from(page.text), "name": "档案科", "sort_order": "9"})
    assert r.status_code == 200 and "已添加科室「档案科」" in r.text

    from appraisal.db.tables import Person

    person = await Person.select(Person.id, Person.name).where(Person.name == "赵雪").first().run()
    edit = await client.get(f"/admin/people/{person['id']}")
    r = await client.post(f"/admin/people/{person['id']}", data={
        "_csrf_token": csrf_from(edit.text), "action": "save", "name": "赵雪", "gender": "female",
        "birth_date": "1990-02-30", "post_rank": "一级主任科员", "duties": "核稿"})
    assert r.status_code == 422 and "不是有效日期" in error_under(r.text, "birth_date")
    assert 'value="一级主任科员"' in field(r.text, "post_rank") and 'value="核稿"' in field(r.text, "duties")


async def test_login_and_password_messages_stand_under_their_field(office, client):
    r = await browser_login(client, "staff", "wrong-password")
    assert r.status_code == 401 and error_under(r.text, "password") == "用户名或密码错误"
    assert 'value="staff"' in field(r.text, "username") and "wrong-password" not in r.text
    await browser_login(client, "staff")
    page = await client.get("/account/password")
    r = await client.post("/account/password", data={"_csrf_token": csrf_from(page.text), "old_password": "nope-nope",
                                                     "new_password": "new-pass-123", "new_password_again": "new-pass-123"})
    assert r.status_code == 422 and error_under(r.text, "old_password") == "原密码不正确"
    r = await client.post("/account/password", data={"_csrf_token": csrf_from(page.text), "old_password": "x",
                                                     "new_password": "new-pass-123", "new_password_again": "new-pass-124"})
    assert r.status_code == 422 and error_under(r.text, "new_password_again") == "两次输入的新密码不一致"


async def test_a_refused_roster_names_the_file_and_keeps_the_check_only_choice(office, client):
    await browser_login(client, "admin")
    page = await client.get("/admin/roster")
    r = await client.post("/admin/roster", data={"_csrf_token": csrf_from(page.text), "dry_run": "on"},
                          files={"file": ("名册.csv", "姓名,性别\n张三,男\n".encode(), "text/csv")})
    assert r.status_code == 422
    tag = field(r.text, "file")
    assert 'aria-invalid="true"' in tag and 'aria-describedby="roster-problems"' in tag and "autofocus" in tag
    problems = re.search(r'id="roster-problems" role="alert">(.*?)</div>', r.text, re.S)[1]
    assert "名册.csv" in problems and "科室" in problems
    assert re.search(r'name="dry_run" checked', r.text)
