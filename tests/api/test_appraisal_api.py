"""The appraisal API as the pages and an office's own scripts use it."""

import io

from openpyxl import load_workbook

from helpers import login


async def open_quarter(client) -> int:
    await login(client, "admin")
    period = (await client.post("/api/v1/appraisal/periods", json={"year": 2026, "quarter": 4})).json()
    for step in ("self_summary", "scoring"):
        r = await client.post(f"/api/v1/appraisal/periods/{period['id']}/advance", json={"to": step})
        assert r.status_code == 200, r.text
    await client.post("/api/v1/auth/logout")
    return period["id"]


async def test_a_second_period_for_the_same_quarter_is_a_conflict(office, client):
    await open_quarter(client)
    await login(client, "admin")
    r = await client.post("/api/v1/appraisal/periods", json={"year": 2026, "quarter": 4})
    assert r.status_code == 409 and r.json()["message"] == "2026 年第四季度考核已存在"
    r = await client.post("/api/v1/appraisal/periods", json={"year": 2026, "quarter": 5})
    assert r.status_code == 422 and "季度应为 1 至 4" in r.json()["message"]


async def test_the_grid_saves_a_cell_and_a_stale_write_answers_409_with_the_current_value(office, client):
    period_id = await open_quarter(client)
    await login(client, "chief")
    period = (await client.get(f"/api/v1/appraisal/periods/{period_id}")).json()
    unit = next(u for u in period["units"] if u["may_score"])
    assert unit["label"] == "秘书科" and unit["people"] == 4
    grid = (await client.get(f"/api/v1/appraisal/periods/{period_id}/grid", params={"unit": unit["unit"]})).json()
    assert grid["quota"] == {"places": 2, "used": 0, "left": 2, "over": False}
    cell = grid["people"][0]["cells"]["de"]
    r = await client.put(f"/api/v1/appraisal/cells/{cell['id']}", json={"value": 14, "version": cell["version"]})
    assert r.status_code == 200 and r.json()["version"] == cell["version"] + 1
    # With the row's numbers as they now stand (one cell scored: no total yet) and the places left.
    assert (r.json()["total"], r.json()["quota"]) == (None, {"places": 2, "used": 0, "left": 2, "over": False})
    r = await client.put(f"/api/v1/appraisal/cells/{cell['id']}", json={"value": 12, "version": cell["version"]})
    assert r.status_code == 409
    assert r.json()["code"] == "stale_write" and r.json()["detail"] == {"value": 14, "version": cell["version"] + 1}
    r = await client.put(f"/api/v1/appraisal/cells/{cell['id']}", json={"value": 16, "version": cell["version"] + 1})
    assert r.status_code == 422 and r.json()["message"] == "“德”的分数应在 0 到 15 之间"
    r = await client.put(f"/api/v1/appraisal/cells/{cell['id']}", json={"value": "十四", "version": 1})
    assert r.status_code == 400


async def test_staff_write_their_summary_and_see_nobody_elses_appraisal(office, client):
    period_id = await open_quarter(client)
    await login(client, "chief")
    grid = (await client.get(f"/api/v1/appraisal/periods/{period_id}/grid",
                             params={"unit": next(u["unit"] for u in (await client.get(f"/api/v1/appraisal/periods/{period_id}")).json()["units"] if u["may_score"])})).json()
    ids = {p["name"]: p["id"] for p in grid["people"]}
    await client.post("/api/v1/auth/logout")
    await login(client, "staff")
    assert (await client.get(f"/api/v1/appraisal/appraisees/{ids['孙浩然']}")).status_code == 404
    assert (await client.put(f"/api/v1/appraisal/appraisees/{ids['孙浩然']}/summary", json={"text": "x"})).status_code == 404
    r = await client.put(f"/api/v1/appraisal/appraisees/{ids['赵雪']}/summary", json={"text": "本季度完成公文核稿 80 件。"})
    assert r.status_code == 204
    mine = (await client.get("/api/v1/appraisal/mine")).json()
    assert [(m["name"], m["self_summary"], m["total"]) for m in mine] == [("2026 年第四季度考核", "本季度完成公文核稿 80 件。", None)]
    grid_r = await client.get(f"/api/v1/appraisal/periods/{period_id}/grid", params={"unit": "leaders"})
    assert grid_r.status_code == 404


async def test_the_export_is_a_printable_sheet_of_the_callers_scope(office, client):
    period_id = await open_quarter(client)
    await login(client, "chief")
    r = await client.get(f"/api/v1/appraisal/periods/{period_id}/export.xlsx")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws["A1"].value == "2026 年第四季度考核结果"
    assert [c.value for c in ws[2]][:6] == ["序号", "科室", "姓名", "职务职级", "德（15）", "能（15）"]
    names = [row[2].value for row in ws.iter_rows(min_row=3)]
    assert "赵雪" in names and "冯建军" not in names, "a chief exports their own section only"
    assert ws.print_title_rows == "$2:$2" and ws.page_setup.orientation == "landscape"


async def test_the_sheet_is_built_in_a_report_process_the_large_one_in_its_own(office, client, monkeypatch):
    """The server's process builds no sheet (openpyxl holds the interpreter's lock for seconds
    in a large office); past LARGE_SHEET people it is built in the lane of large reports."""
    from appraisal.reports import render, workbook
    from appraisal.services import appraisal_export

    period_id = await open_quarter(client)
    await login(client, "admin")
    built_here: list[int] = []
    monkeypatch.setattr(workbook, "Workbook", lambda: built_here.append(1))  # the report process has its own
    lanes: list[str] = []
    in_process = render.in_process
    monkeypatch.setattr(render, "in_process", lambda *a, lane=render.REPORTS, **k: lanes.append(lane) or in_process(
        *a, lane=lane, **k))
    small = await client.get(f"/api/v1/appraisal/periods/{period_id}/export.xlsx")
    assert small.status_code == 200
    monkeypatch.setattr(appraisal_export, "LARGE_SHEET", 0)
    large = await client.get(f"/api/v1/appraisal/periods/{period_id}/export.xlsx")
    assert large.status_code == 200 and lanes == [render.REPORTS, render.LARGE]
    assert built_here == [], "nothing was built in the server's process"
    sheets = [[[c.value for c in row] for row in load_workbook(io.BytesIO(r.content)).active.iter_rows()]
              for r in (small, large)]
    assert sheets[0] == sheets[1] and len(sheets[0]) > 3, "both lanes build the same sheet of the office"


async def test_text_that_looks_like_a_formula_is_exported_as_text(office, client):
    """A 职务职级 or a section name typed (or imported) as a formula is not run by Excel."""
    import zipfile

    from appraisal.db.tables import Person, Section

    formula = '=HYPERLINK("http://evil.example","点击查看")'
    await Person.update({Person.post_rank: formula}).where(Person.name == "赵雪").run()
    await Section.update({Section.name: "=1+1"}).where(Section.name == "秘书科").run()
    period_id = await open_quarter(client)
    await login(client, "chief")
    r = await client.get(f"/api/v1/appraisal/periods/{period_id}/export.xlsx")
    assert r.status_code == 200
    sheet = zipfile.ZipFile(io.BytesIO(r.content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet, "no cell of the export is a formula"
    ws = load_workbook(io.BytesIO(r.content)).active
    row = next(row for row in ws.iter_rows(min_row=3) if row[2].value == "赵雪")
    assert (row[1].value, row[1].data_type) == ("=1+1", "s")
    assert (row[3].value, row[3].data_type) == (formula, "s")


async def test_the_policy_is_admin_only_and_validated(office, client):
    await login(client, "chief")
    assert (await client.put("/api/v1/appraisal/policy", json={"rounding": "up"})).status_code == 403
    await client.post("/api/v1/auth/logout")
    await login(client, "admin")
    r = await client.put("/api/v1/appraisal/policy", json={"rounding": "up", "excellent_quota_pct": 15})
    assert r.status_code == 200 and r.json()["rounding"] == "up"
    assert (await client.put("/api/v1/appraisal/policy", json={"good_min": 50})).status_code == 422
    r = await client.post("/api/v1/appraisal/template", json={"indicators": [
        {"code": "de", "name": "德", "weight": 20}, {"code": "ji", "name": "绩", "weight": 70}]})
    assert r.status_code == 422 and r.json()["message"] == "考核指标分值合计为 90，应为 100"


async def test_before_results_are_published_a_person_learns_none_of_their_scores_through_the_api(office, client):
    from services.test_appraisal_flow import appraisee_of, as_person, fill, submit_everything
    from appraisal.services import appraisal

    period_id = await open_quarter(client)
    zhao = await appraisee_of(period_id, "赵雪")
    await fill(period_id, 0.8)
    await fill(period_id, 0.92, only_unit=zhao["unit"])  # 秘书科's four at 92: 好
    await login(client, "staff")
    grid = (await client.get(f"/api/v1/appraisal/periods/{period_id}/grid", params={"unit": zhao["unit"]})).json()
    [own] = grid["people"]
    assert (own["name"], own["total"], own["grade"], own["breakdown"], own["hidden"]) == ("赵雪", None, None, None, True)
    assert {c["value"] for c in own["cells"].values()} == {None} and grid["quota"] is None
    detail = (await client.get(f"/api/v1/appraisal/appraisees/{zhao['id']}")).json()
    assert detail["total"] is None and detail["pending"] == "考核结果将在分管领导审核后公布"
    assert [m["total"] for m in (await client.get("/api/v1/appraisal/mine")).json()] == [None]
    await client.post("/api/v1/auth/logout")

    await login(client, "chief")  # 张伟: scores 秘书科, is scored in the leaders' pool
    leaders = (await client.get(f"/api/v1/appraisal/periods/{period_id}/grid", params={"unit": "leaders"})).json()
    assert [p["total"] for p in leaders["people"]] == [None] and leaders["quota"] is None
    section = (await client.get(f"/api/v1/appraisal/periods/{period_id}/grid", params={"unit": zhao["unit"]})).json()
    assert section["quota"] == {"places": 2, "used": 4, "left": -2, "over": True}
    ws = load_workbook(io.BytesIO((await client.get(f"/api/v1/appraisal/periods/{period_id}/export.xlsx")).content)).active
    total = [c.value for c in ws[2]].index("总分")
    totals = {row[2].value: row[total].value for row in ws.iter_rows(min_row=3)}
    assert totals["张伟"] is None and totals["赵雪"] == 92, "his own total is blank in his export, his staff's are there"
    await client.post("/api/v1/auth/logout")

    for name in ("孙浩然", "吴磊"):
        await appraisal.set_grade(await as_person("张伟"), (await appraisee_of(period_id, name))["id"], "fairly_good")
    await submit_everything(period_id)
    await login(client, "staff")
    r = await client.get(f"/api/v1/reports/report-card/{zhao['id']}")
    assert r.status_code == 409 and r.json() == {**r.json(), "code": "not_published", "message": "考核结果将在分管领导审核后公布"}
    await appraisal.advance(await as_person("王建国"), period_id, "reviewed")
    assert (await client.get(f"/api/v1/reports/report-card/{zhao['id']}")).status_code == 200
    assert [m["total"] for m in (await client.get("/api/v1/appraisal/mine")).json()] == [92]


async def test_the_registration_form_of_ones_own_annual_appraisal_waits_for_the_review(office, client):
    from services.test_appraisal_flow import appraisee_of, as_person
    from appraisal.services import appraisal
    from appraisal.demo.appraisal import load_demo_appraisal

    await load_demo_appraisal()  # 2025: every unit submitted, not yet reviewed
    year = next(p for p in await appraisal.list_periods() if p["code"] == "2025")
    zhao = await appraisee_of(year["id"], "赵雪")
    await login(client, "staff")
    r = await client.get(f"/api/v1/reports/registration/{zhao['id']}")
    assert r.status_code == 409 and r.json()["message"] == "考核结果将在分管领导审核后公布"
    await appraisal.advance(await as_person("王建国"), year["id"], "reviewed")
    r = await client.get(f"/api/v1/reports/registration/{zhao['id']}")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
