"""The target tree through the API: breakdown with weights, progress rolled up by weight,
scopes, copying a year and importing a tree from Excel."""

import io

from openpyxl import Workbook

from helpers import login, person_id_of


async def section_id(client, name: str) -> int:
    sections = (await client.get("/api/v1/sections")).json()
    items = sections["items"] if isinstance(sections, dict) else sections
    return next(s["id"] for s in items if s["name"] == name)


async def build_tree(client) -> dict:
    """An office target split 60/40 to 秘书科 and 综合科, 秘书科's part split to two people."""
    await login(client, "leader")
    office = (await client.post("/api/v1/targets", json={
        "year": 2026, "title": "办文办会服务质量", "weight": 100, "indicator_kind": "quality", "quality": "零差错"})).json()["id"]
    mishu = (await client.post("/api/v1/targets", json={
        "parent_id": office, "title": "公文处理", "weight": 60, "indicator_kind": "quantity", "target_value": 200,
        "unit": "件", "section_id": await section_id(client, "秘书科")})).json()["id"]
    zonghe = (await client.post("/api/v1/targets", json={
        "parent_id": office, "title": "会务保障", "weight": 40, "indicator_kind": "deadline", "due_on": "2026-12-31",
        "section_id": await section_id(client, "综合科")})).json()["id"]
    await client.post("/api/v1/auth/logout")
    await login(client, "chief")
    zhao = (await client.post("/api/v1/targets", json={
        "parent_id": mishu, "title": "公文核稿", "weight": 50, "indicator_kind": "quantity", "target_value": 100,
        "unit": "件", "owner_id": await person_id_of(client, "赵雪")})).json()["id"]
    sun = (await client.post("/api/v1/targets", json={
        "parent_id": mishu, "title": "来文登记", "weight": 50, "indicator_kind": "quantity", "target_value": 400,
        "unit": "件", "owner_id": await person_id_of(client, "孙浩然")})).json()["id"]
    return {"office": office, "mishu": mishu, "zonghe": zonghe, "zhao": zhao, "sun": sun}


async def test_progress_rolls_up_by_weight_and_an_archived_target_is_left_out(office, client):
    ids = await build_tree(client)
    r = await client.post(f"/api/v1/targets/{ids['zhao']}/progress", json={"actual": 80, "evidence": "核稿登记本第 3 册"})
    assert r.status_code == 201 and r.json() == {"completion": 80}
    r = await client.post(f"/api/v1/targets/{ids['sun']}/progress", json={"completion": 40, "evidence": "登记台账"})
    assert "会务保障" not in str((await client.get("/api/v1/targets", params={"year": 2026})).json()), \
        "the chief of 秘书科 does not see 综合科's targets"
    await client.post("/api/v1/auth/logout")
    await login(client, "leader")  # over 秘书科 and 综合科
    tree = (await client.get("/api/v1/targets", params={"year": 2026})).json()
    rolled = {t["title"]: t["rolled"] for t in tree["targets"]}
    assert rolled["公文处理"] == 60  # (80 + 40) / 2
    assert rolled["会务保障"] == 0, "not started counts 0"
    assert tree["office"] == 36  # 0.6 × 60 + 0.4 × 0

    r = await client.patch(f"/api/v1/targets/{ids['sun']}", json={"archived": True})
    assert r.status_code == 204, "archiving needs nothing else"
    tree = (await client.get("/api/v1/targets", params={"year": 2026})).json()
    assert {t["title"]: t["rolled"] for t in tree["targets"]}["公文处理"] == 80, "archived: excluded, not 0"


async def test_weights_over_or_under_100_are_refused_naming_the_parent_and_the_sum(office, client):
    ids = await build_tree(client)
    r = await client.post("/api/v1/targets", json={
        "parent_id": ids["mishu"], "title": "档案整理", "weight": 10, "indicator_kind": "quality", "quality": "规范",
        "owner_id": await person_id_of(client, "吴磊")})
    assert r.status_code == 422 and r.json()["message"] == "“公文处理”的下级目标权重合计将为 110，超过 100"
    r = await client.put(f"/api/v1/targets/{ids['mishu']}/weights", json={"weights": {str(ids["zhao"]): 50, str(ids["sun"]): 40}})
    assert r.status_code == 422
    assert r.json()["message"] == "“公文处理”的下级目标权重合计为 90，应为 100"
    assert r.json()["detail"] == {"parent": "公文处理", "sum": 90}
    r = await client.put(f"/api/v1/targets/{ids['mishu']}/weights", json={"weights": {str(ids["zhao"]): 70, str(ids["sun"]): 30}})
    assert r.status_code == 204
    tree = (await client.get("/api/v1/targets", params={"year": 2026})).json()
    assert {t["title"]: t["weight"] for t in tree["targets"]}["公文核稿"] == 70


async def test_a_chief_breaks_down_only_their_section_and_staff_see_only_their_own(office, client):
    ids = await build_tree(client)  # logged in as chief of 秘书科
    r = await client.post("/api/v1/targets", json={
        "parent_id": ids["zonghe"], "title": "会场布置", "weight": 100, "indicator_kind": "quality", "quality": "无差错",
        "owner_id": await person_id_of(client, "赵雪")})
    assert r.status_code == 404, "综合科's section target is outside the chief's scope: not found, like any such record"
    r = await client.post("/api/v1/targets", json={
        "parent_id": ids["mishu"], "title": "x", "weight": 1, "indicator_kind": "quality", "quality": "y",
        "owner_id": await person_id_of(client, "吴磊")})
    assert r.status_code == 422  # the room is used up, but the chief may try: the rule answers, not the scope
    await client.post("/api/v1/auth/logout")
    await login(client, "staff")
    titles = [t["title"] for t in (await client.get("/api/v1/targets", params={"year": 2026})).json()["targets"]]
    assert "公文核稿" in titles and "来文登记" not in titles, "a colleague's target is not shown"
    assert (await client.get(f"/api/v1/targets/{ids['sun']}/progress")).status_code == 404
    r = await client.post(f"/api/v1/targets/{ids['sun']}/progress", json={"completion": 100, "evidence": "x"})
    assert r.status_code == 404
    mine = (await client.get("/api/v1/targets/mine", params={"year": 2026})).json()
    assert [t["title"] for t in mine] == ["公文核稿"]
    assert mine[0]["parent_title"] == "公文处理" and mine[0]["reports"] == []
    r = await client.post(f"/api/v1/targets/{ids['zhao']}/progress", json={"completion": 40, "evidence": "核稿台账"})
    assert r.status_code == 201 and r.json() == {"completion": 40}
    reports = (await client.get("/api/v1/targets/mine", params={"year": 2026})).json()[0]["reports"]
    assert [(p["completion"], p["evidence"], p["author_name"]) for p in reports] == [(40, "核稿台账", "赵雪")]
    r = await client.post(f"/api/v1/targets/{ids['mishu']}/progress", json={"completion": 10, "evidence": "x"})
    assert r.status_code == 403 and r.json()["message"] == "只有责任人或其上级可以报告进展", r.text


async def test_a_year_is_copied_to_the_next_with_progress_reset(office, client):
    ids = await build_tree(client)
    await client.post(f"/api/v1/targets/{ids['zhao']}/progress", json={"completion": 100, "evidence": "完成"})
    await client.post("/api/v1/auth/logout")
    await login(client, "leader")
    r = await client.post("/api/v1/targets/copy", json={"from_year": 2026, "to_year": 2027})
    assert r.status_code == 201 and r.json() == {"copied": 5}
    tree = (await client.get("/api/v1/targets", params={"year": 2027})).json()
    assert {t["title"]: t["rolled"] for t in tree["targets"]}["公文核稿"] == 0
    assert next(t for t in tree["targets"] if t["title"] == "会务保障")["due_on"] == "2027-12-31"
    assert (await client.post("/api/v1/targets/copy", json={"from_year": 2026, "to_year": 2027})).status_code == 409


def sheet(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["编号", "上级编号", "目标名称", "权重", "指标类型", "目标值", "计量单位", "完成时限", "质量要求", "科室", "责任人"])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


async def test_a_tree_is_imported_from_excel_all_or_nothing(office, client):
    await login(client, "admin")
    bad = sheet([
        ["1", "", "信息工作", 100, "数量", 120, "条", "", "", "", ""],
        ["1.1", "1", "信息报送", 70, "数量", 80, "条", "", "", "信息科", ""],
        ["1.2", "1", "信息采用", 20, "数量", "四十", "条", "", "", "信息科", ""],
        ["1.1.1", "1.1", "报送信息", 100, "数量", 30, "条", "", "", "信息科", "查无此人"],
    ])
    r = await client.post("/api/v1/targets/import", data={"year": "2026"}, files={"file": ("targets.xlsx", bad)})
    assert r.status_code == 422
    errors = r.json()["detail"]["errors"]
    assert "第 4 行：目标值“四十”不是数字" in errors
    assert "第 5 行：责任人“查无此人”不存在或重名" in errors
    assert (await client.get("/api/v1/targets", params={"year": 2026})).json()["targets"] == []

    good = sheet([
        ["1", "", "信息工作", 100, "数量", 120, "条", "", "", "", ""],
        ["1.1", "1", "信息报送", 70, "数量", 80, "条", "", "", "信息科", ""],
        ["1.2", "1", "信息采用", 30, "时限", "", "", "2026-12-20", "", "信息科", ""],
        ["1.1.1", "1.1", "报送信息", 100, "数量", 30, "条", "", "", "信息科", "罗佳怡"],
    ])
    r = await client.post("/api/v1/targets/import", data={"year": "2026"}, files={"file": ("targets.xlsx", good)})
    assert r.status_code == 200 and r.json() == {"rows": 4}
    tree = (await client.get("/api/v1/targets", params={"year": 2026})).json()["targets"]
    assert [(t["title"], t["depth"]) for t in tree] == [("信息工作", 0), ("信息报送", 1), ("报送信息", 2), ("信息采用", 1)]
    assert next(t for t in tree if t["title"] == "报送信息")["owner_name"] == "罗佳怡"


async def test_a_patch_changes_only_the_fields_it_sends(office, client):
    ids = await build_tree(client)
    r = await client.patch(f"/api/v1/targets/{ids['zhao']}", json={"unit": "篇"})
    assert r.status_code == 204
    zhao = next(t for t in (await client.get("/api/v1/targets", params={"year": 2026})).json()["targets"]
                if t["id"] == ids["zhao"])
    assert (zhao["title"], zhao["weight"], zhao["indicator_kind"], zhao["target_value"], zhao["unit"],
            zhao["owner_name"]) == ("公文核稿", 50, "quantity", 100, "篇", "赵雪")
    r = await client.patch(f"/api/v1/targets/{ids['zhao']}", json={"weight": 60})
    assert r.status_code == 422 and r.json()["message"] == "“公文处理”的下级目标权重合计将为 110，超过 100"
