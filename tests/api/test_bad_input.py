"""Bad input answers a clear 4xx with a message a person understands, and stores nothing:
out-of-range scores, weights off 100, a year without calendar data, broken and oversized
spreadsheets, 10,000-character text, emoji in names (rare characters are real names and are
kept), duplicate usernames, control characters (NUL above all) in cookies, parameters and
bodies, JSON nested thousands deep."""

import io
import json

from openpyxl import Workbook

from helpers import login
from appraisal.db.tables import Matter, Person, ScoreCell, Target, UserAccount
from appraisal.services import appraisal
from services.test_appraisal_flow import as_user, open_quarter


def readable(r) -> str:
    body = r.json()
    assert body["code"] and body["message"], body
    assert any("\u4e00" <= c <= "\u9fff" for c in body["message"]), f"not a message for people: {body['message']}"
    return body["message"]


async def test_an_out_of_range_score_is_refused_and_the_cell_keeps_its_value(office, client):
    period = await open_quarter()
    grid = await appraisal.grid(await as_user("chief"), period["id"], "section:1")
    cell = grid["people"][0]["cells"]["de"]
    await login(client, "chief")
    for value in (99, -1, 15.0001e3):
        r = await client.put(f"/api/v1/appraisal/cells/{cell['id']}", json={"value": value, "version": cell["version"]})
        assert r.status_code == 422, (value, r.text)
        readable(r)
    r = await client.put(f"/api/v1/appraisal/cells/{cell['id']}", json={"value": "十五", "version": cell["version"]})
    assert r.status_code == 400 and readable(r)
    stored = await ScoreCell.select(ScoreCell.value, ScoreCell.version).where(ScoreCell.id == cell["id"]).first().run()
    assert stored == {"value": None, "version": 0}


async def test_weights_off_100_and_a_year_without_calendar_data_are_explained(office, client):
    await login(client, "admin")
    r = await client.post("/api/v1/targets", json={"title": "办文", "weight": 60, "year": 2026, "indicator_kind": "quality",
                                                   "quality": "零差错"})
    top = r.json()["id"]
    r = await client.post("/api/v1/targets", json={"title": "办会", "weight": 30, "year": 2026, "indicator_kind": "quality",
                                                   "quality": "零失误"})
    other = r.json()["id"]
    r = await client.put("/api/v1/targets/weights", json={"year": 2026, "weights": {str(top): 60, str(other): 30}})
    assert r.status_code == 422 and readable(r) == "“2026 年单位目标”的下级目标权重合计为 90，应为 100"
    assert {t["weight"] for t in await Target.select(Target.weight).run()} == {60, 30}
    r = await client.get("/api/v1/calendar/working-days", params={"start": "2031-03-02", "days": 3})
    assert r.status_code == 422 and "2031" in readable(r)


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_broken_oversized_and_emoji_rosters_store_nothing(office, client):
    await login(client, "admin")
    before = await Person.count().run()
    r = await client.post("/api/v1/roster/import", files={"file": ("名册.xlsx", b"PK\x03\x04 this is not a workbook")})
    assert r.status_code == 422, r.text
    readable(r)
    r = await client.post("/api/v1/roster/import", files={"file": ("名册.xlsx", b"0" * (6 * 1024 * 1024))})
    assert r.status_code == 422 and readable(r) == "文件超过 5 MB，请拆分后导入", r.text
    r = await client.post("/api/v1/roster/import", files={"file": ("名册.xlsx", b"0" * (11 * 1024 * 1024))})
    assert r.status_code == 413 and readable(r) == "上传内容过大"
    rows = [["姓名", "性别", "科室"], ["吉𠮷", "男", "秘书科"], ["王😀", "女", "秘书科"]]
    r = await client.post("/api/v1/roster/import", files={"file": ("名册.xlsx", xlsx(rows))})
    assert r.status_code == 422
    assert r.json()["detail"]["errors"] == ["第 3 行：姓名含有不能使用的字符“😀”"], "the rare character is a name; the emoji is not"
    assert await Person.count().run() == before, "all or nothing"
    r = await client.post("/api/v1/roster/import", files={"file": ("名册.xlsx", xlsx(rows[:2]))})
    assert r.status_code == 200
    assert await Person.exists().where(Person.name == "吉𠮷").run()


def unpacking_to(megabytes: int, row: list[str]) -> bytes:
    """A small .xlsx whose one sheet unpacks to `megabytes` MB of the same row, as a zip bomb
    does (or a sheet formatted down to its last row)."""
    import zipfile

    book = io.BytesIO(xlsx([row]))
    out = io.BytesIO()
    cells = "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in row)
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info, source.read(info))
        with target.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            chunk = (f"<row>{cells}</row>" * 1000).encode()
            for _ in range(megabytes * 1024 * 1024 // len(chunk) + 1):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


async def test_a_sheet_that_unpacks_huge_or_runs_long_is_refused_quickly_and_stores_nothing(office, client):
    """A 5 MB .xlsx can unpack to gigabytes: a million rows took 28 s and 290 MB to read, on the
    server's event loop. The unpacked size is checked before reading, reading stops after the
    row limit, and trailing blank rows (formatting down the sheet) are not rows."""
    import time

    from appraisal.db.tables import Target

    await login(client, "admin")
    people = await Person.count().run()
    bomb = unpacking_to(30, ["王某", "男", "秘书科"])
    assert len(bomb) < 1024 * 1024, "a small upload"
    started = time.perf_counter()
    r = await client.post("/api/v1/roster/import", files={"file": ("名册.xlsx", bomb)})
    assert r.status_code == 422 and "解压后超过 20 MB" in readable(r), r.text
    r = await client.post("/api/v1/targets/import", data={"year": "2026"}, files={"file": ("目标.xlsx", bomb)})
    assert r.status_code == 422 and "解压后超过 20 MB" in readable(r), r.text
    assert time.perf_counter() - started < 5, "refused without reading the sheet"

    many = xlsx([["姓名", "性别", "科室"]] + [["王某", "男", "秘书科"]] * 5001)
    r = await client.post("/api/v1/roster/import", files={"file": ("名册.xlsx", many)})
    assert r.status_code == 422 and readable(r) == "一次最多导入 5000 行"
    tree = xlsx([["编号", "上级编号", "目标名称", "权重", "指标类型"]] + [[str(i), "", "目标", 1, "数量"] for i in range(5001)])
    r = await client.post("/api/v1/targets/import", data={"year": "2026"}, files={"file": ("目标.xlsx", tree)})
    assert r.status_code == 422 and readable(r) == "一次最多导入 5000 行"
    assert await Person.count().run() == people and await Target.count().run() == 0

    trailing = xlsx([["姓名", "性别", "科室"], ["吉安", "男", "秘书科"]] + [[None, None, " "]] * 6000)
    r = await client.post("/api/v1/roster/import", files={"file": ("名册.xlsx", trailing)})
    assert r.status_code == 200 and r.json()["rows"] == 1, r.text


async def test_control_characters_in_imported_sheets_are_listed_by_row_and_store_nothing(office, client):
    """A sheet is not a form body, so the request check does not see into it: the imports look
    at every cell themselves. A CSV can carry NUL (PostgreSQL refuses it; SQLite stored it)."""
    from appraisal.db.tables import Target

    await login(client, "admin")
    before = await Person.count().run()
    roster = "姓名,性别,科室,职务职级\n吉安,男,秘书科,科\x00员\n周宁,女,秘书科,\u202e科员\n何平,男,秘书科,科员\x07\n"
    r = await client.post("/api/v1/roster/import", files={"file": ("名册.csv", roster.encode("utf-8"))})
    assert r.status_code == 422, r.text
    assert r.json()["detail"]["errors"] == ["第 2 行：职务职级含有不可见的控制字符（U+0000）",
                                            "第 3 行：职务职级含有不可见的控制字符（U+202E）",
                                            "第 4 行：职务职级含有不可见的控制字符（U+0007）"]
    assert await Person.count().run() == before, "all or nothing"
    tree = "编号,上级编号,目标名称,权重,指标类型\n1,,信息\x00工作,100,数量\n"
    r = await client.post("/api/v1/targets/import", data={"year": "2026"},
                          files={"file": ("目标.csv", tree.encode("utf-8"))})
    assert r.status_code == 422, r.text
    assert r.json()["detail"]["errors"] == ["第 2 行：目标名称含有不可见的控制字符（U+0000）"]
    assert await Target.count().run() == 0


async def test_long_text_emoji_names_and_duplicate_usernames_are_refused(office, client):
    await login(client, "admin")
    matters_before = await Matter.count().run()
    r = await client.post("/api/v1/matters", json={"channel": "visit", "requester": "刘女士", "subject": "长" * 10000,
                                                   "limit_days": 3})
    assert r.status_code == 400 and readable(r)
    r = await client.post("/api/v1/matters", json={"channel": "visit", "requester": "刘女士", "subject": "查询",
                                                   "content": "长" * 10001, "limit_days": 3})
    assert r.status_code == 400 and readable(r)
    assert await Matter.count().run() == matters_before
    r = await client.post("/api/v1/people", json={"name": "李😀", "gender": "male"})
    assert r.status_code == 422 and readable(r) == "姓名含有不能使用的字符“😀”"
    assert r.json()["detail"] == {"field": "name"}
    r = await client.post("/api/v1/people", json={"name": "喆𠮷", "gender": "male"})
    assert r.status_code == 201 and r.json()["name"] == "喆𠮷"
    accounts = await UserAccount.count().run()
    r = await client.post("/api/v1/accounts", json={"username": "staff", "password": "another-pass-1", "roles": ["staff"]})
    assert r.status_code == 409 and "已被使用" in readable(r)
    assert await UserAccount.count().run() == accounts


async def test_control_characters_are_refused_wherever_they_come_and_store_nothing(office, client):
    """PostgreSQL cannot store NUL in text (the driver's error was a 500, even for a visitor's
    cookie); SQLite stored it, and pages, spreadsheets and PDFs break on such characters."""
    from appraisal.db.tables import Section

    for cookie in ("1:a\x00b", "%00", "x" * 5000, "1:" + "0" * 63 + "\x01"):
        client.cookies.set("appraisal_session", cookie, domain="testserver.local")
        r = await client.get("/api/v1/me")
        assert r.status_code == 401, (cookie, r.text)
    client.cookies.clear()
    await login(client, "admin")
    sections = await Section.count().run()
    # The bidirectional overrides and isolates show text in another order than it is written.
    for name in ("财务\x00科", "财务\x1b科", "财务科\u202e", "\u2066财务科\u2069"):
        r = await client.post("/api/v1/sections", json={"name": name})
        assert r.status_code == 422 and r.json()["code"] == "control_character", r.text
        assert "控制字符" in readable(r)
    for name in ("财务科\u202e", "\u2066财务科\u2069"):  # as UTF-8 in the body, not escaped
        raw = json.dumps({"name": name}, ensure_ascii=False).encode()
        r = await client.post("/api/v1/sections", content=raw, headers={"content-type": "application/json"})
        assert r.status_code == 422 and r.json()["code"] == "control_character", r.text
    matter = {"channel": "visit", "requester": "王先生", "subject": "退费\u202e申请", "limit_days": 3}
    r = await client.post("/api/v1/matters", json=matter)
    assert r.status_code == 422 and r.json()["code"] == "control_character", r.text
    assert await Section.count().run() == sections, "nothing stored"
    r = await client.get("/api/v1/people", params={"q": "张\x00"})
    assert r.status_code == 422 and "参数 q" in readable(r)
    # Text that only looks like an escape is text: a backslash typed before "u0000".
    r = await client.post("/api/v1/sections", json={"name": "财务科\\u0000"})
    assert r.status_code == 201 and r.json()["name"] == "财务科\\u0000"
    # Line breaks and tabs are text too.
    r = await client.post("/api/v1/matters", json={"channel": "visit", "requester": "王先生",
                                                   "subject": "咨询社保\n\t补缴", "limit_days": 3})
    assert r.status_code == 201 and r.json()["subject"] == "咨询社保\n\t补缴", r.text
    # A form of the pages, percent-encoded.
    page = await client.get("/matters/new")
    token = client.cookies.get("csrftoken")
    r = await client.post("/matters/new", data={"_csrf_token": token, "channel": "visit", "requester": "刘\x00女士",
                                                "subject": "咨询", "limit_days": "3"})
    assert r.status_code == 422 and "控制字符" in r.text
    r = await client.post("/matters/new", data={"_csrf_token": token, "channel": "visit", "requester": "刘女士",
                                                "subject": "咨询\u202e", "limit_days": "3"})
    assert r.status_code == 422 and "控制字符" in r.text
    r = await client.get("/api/v1/people", params={"q": "张\u202e"})
    assert r.status_code == 422 and "参数 q" in readable(r)
    assert page.status_code == 200 and await Matter.count().where(Matter.requester.like("刘%")).run() == 0


async def test_a_json_body_nested_too_deep_is_malformed_not_a_failure(office, client):
    await login(client, "admin")
    r = await client.post("/api/v1/sections", content="[" * 10_000 + "]" * 10_000,
                          headers={"content-type": "application/json"})
    assert r.status_code == 400 and readable(r) == "请求格式有误"


async def test_office_dates_outside_the_calendars_years_are_refused(office, client):
    """A bonus or a service promise dated in year 1 (a typo for 2026) was stored as given."""
    from appraisal.db.tables import Bonus, Commitment

    await login(client, "admin")
    person = (await client.get("/api/v1/people", params={"q": "张伟"})).json()["items"][0]["id"]
    bonus = {"person_id": person, "kind": "commendation", "points": 1, "note": "市级表彰", "awarded_on": "0001-11-01"}
    r = await client.post("/api/v1/appraisal/bonuses", json=bonus)
    assert r.status_code == 422 and readable(r) == "年份应在 2000 至 2100 之间"
    sections = {s["name"]: s["id"] for s in (await client.get("/api/v1/sections")).json()}
    item = {"section_id": sections["信息科"], "name": "政务信息公开申请答复", "limit_kind": "working_days",
            "limit_days": 20, "effective_from": "1900-01-01"}
    r = await client.post("/api/v1/commitments", json=item)
    assert r.status_code == 422 and readable(r) == "年份应在 2000 至 2100 之间"
    assert await Bonus.count().run() == 0
    assert not await Commitment.exists().where(Commitment.name == "政务信息公开申请答复").run()
    r = await client.post("/api/v1/appraisal/bonuses", json={**bonus, "awarded_on": "2026-11-01"})
    assert r.status_code == 201, r.text


def _with_huge(body: dict, huge: int) -> list[tuple[str, dict]]:
    """The body once per whole-number field (or list of them), that field set to `huge`."""
    out = []
    for name, value in body.items():
        if isinstance(value, bool):
            continue
        if isinstance(value, int) or value in ("OWN_PERSON", "OWN_SECTION", "OWN_STAFF"):
            out.append((name, {**body, name: huge}))
        elif isinstance(value, list) and all(isinstance(v, int) for v in value):
            out.append((name, {**body, name: [huge]}))
        elif isinstance(value, dict) and name == "weights":
            out.append((name, {**body, name: {str(huge): 10}}))
    return out


def _with_long_text(body: dict) -> list[tuple[str, dict]]:
    """The body once per text field (ids and dates included), that field 10,001 characters."""
    return [(name, {**body, name: "长" * 10_001}) for name, value in body.items() if isinstance(value, str)]


async def test_text_too_long_for_any_field_is_refused_and_stores_nothing(client, office):
    """Every text field of every JSON body in the route table, 10,001 characters long: a 4xx with
    a message and no audit entry. PostgreSQL refuses text longer than a varchar column, where
    SQLite stores it, so a length the service did not check would be a 500 on one engine only."""
    await _each_body_field(client, _with_long_text)


async def test_numbers_too_large_for_the_database_are_refused_and_store_nothing(client, office):
    """Every whole number of every JSON body in the route table, set beyond PostgreSQL's 32-bit
    integer columns and beyond both engines' 64 bits: a 4xx with a message, no audit entry.
    (asyncpg's error for the 32-bit columns was a 500 on PostgreSQL, where SQLite's 64-bit
    integers took the same value.)"""
    await _each_body_field(client, lambda body: _with_huge(body, 2**31) + _with_huge(body, 2**63))


async def _each_body_field(client, variants) -> None:
    """Send every JSON body of the route table's API routes as each of `variants(body)` (name,
    body), as a caller the route allows, and check each is refused with a message and that the
    refusal wrote nothing."""
    import datetime as dt

    import time_machine

    from api.test_authorization_matrix import MATRIX, _call, _records
    from appraisal.db.tables import AuditEntry

    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=True):
        ids = await _records()
        tried, failures = 0, []
        caller = None
        for route, rule in MATRIX.items():
            if not route.split(" ", 1)[1].startswith("/api/") or not rule.body:
                continue
            roles = rule.roles if isinstance(rule.roles, tuple) else ("admin",)
            role = "admin" if "admin" in roles else roles[0]
            if role != caller:
                await login(client, role)
                caller = role
            for name, body in variants(rule.body):
                entries = await AuditEntry.count().run()
                r = await _call(client, route, type(rule)(rule.roles, rule.record, body, rule.query), ids, side="own")
                tried += 1
                where = f"{role} {route} {name}={str(body[name])[:12]}"
                if r.status_code >= 500 or r.status_code < 400:
                    failures.append(f"{where}: {r.status_code} {r.text[:120]}")
                elif (message := r.json().get("message")) is None or not message.strip():
                    failures.append(f"{where}: {r.status_code} without a message")
                elif await AuditEntry.count().run() != entries:
                    failures.append(f"{where}: refused with {r.status_code}, yet something was written")
    assert tried > 40, tried
    assert not failures, "\n".join(failures)
