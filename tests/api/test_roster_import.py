"""Roster import: every bad row reported, nothing stored unless every row is good."""

import io

from openpyxl import Workbook

from helpers import login

HEADER = ["姓名", "性别", "出生日期", "政治面貌", "职务职级", "科室", "用户名", "角色"]


def xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


async def people_total(client) -> int:
    return (await client.get("/api/v1/people", params={"limit": 1})).json()["total"]


async def test_a_roster_with_bad_rows_is_refused_whole_with_every_error(office, client):
    await login(client, "admin")
    before = await people_total(client)
    content = xlsx([
        HEADER,
        ["钱多多", "女", "1991-04-01", "中共党员", "一级科员", "秘书科", "qianduoduo", "科员"],
        ["孙一", "男", "1990-13-01", "群众", "", "秘书科", "", ""],
        ["李二", "未知", "", "", "", "不存在科", "", ""],
    ])
    r = await client.post("/api/v1/roster/import", files={"file": ("名册.xlsx", content)})
    assert r.status_code == 422
    body = r.json()
    assert body["code"] == "roster_rows_invalid"
    assert "未导入任何人员" in body["message"]
    assert body["detail"]["errors"] == [
        "第 3 行：出生日期“1990-13-01”不是有效日期",
        "第 4 行：性别“未知”应为“男”或“女”",
        "第 4 行：科室“不存在科”不存在",
    ]
    assert await people_total(client) == before, "the good row was not stored either"


async def test_a_clean_csv_roster_creates_people_and_accounts(office, client):
    await login(client, "admin")
    before = await people_total(client)
    csv_text = "姓名,性别,出生日期,科室,用户名,角色\n钱多多,女,1991/4/1,秘书科,qianduoduo,科员\n周全,男,,信息科,,\n"
    r = await client.post("/api/v1/roster/import",
                          files={"file": ("roster.csv", csv_text.encode("gb18030"))}, data={"password": "init-pass-1"})
    assert r.status_code == 200, r.text
    assert r.json() == {"rows": 2, "created_people": 2, "created_accounts": 1}
    assert await people_total(client) == before + 2
    client.cookies.clear()
    me = await login(client, "qianduoduo", "init-pass-1")
    assert me["person"]["section_name"] == "秘书科"


async def test_a_dry_run_checks_without_importing(office, client):
    await login(client, "admin")
    before = await people_total(client)
    r = await client.post("/api/v1/roster/import", files={"file": ("r.xlsx", xlsx([HEADER, ["甲乙", "男", "", "", "", "综合科", "", ""]]))},
                          data={"dry_run": "true"})
    assert r.status_code == 200 and r.json()["rows"] == 1
    assert await people_total(client) == before


async def test_files_that_are_not_rosters_get_a_clear_error(office, client):
    await login(client, "admin")
    r = await client.post("/api/v1/roster/import", files={"file": ("r.xlsx", b"not a zip file")})
    assert r.status_code == 422 and ".xlsx" in r.json()["message"]
    r = await client.post("/api/v1/roster/import", files={"file": ("r.pdf", b"%PDF")})
    assert r.status_code == 422 and r.json()["code"] == "bad_file_type"
    r = await client.post("/api/v1/roster/import", files={"file": ("r.csv", "姓名,性别\n张三,男\n".encode())})
    assert r.status_code == 422 and "科室" in r.json()["message"]


async def test_only_admins_import_rosters(office, client):
    await login(client, "chief")
    r = await client.post("/api/v1/roster/import", files={"file": ("r.csv", b"x")})
    assert r.status_code == 403
