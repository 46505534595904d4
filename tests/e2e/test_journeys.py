"""The daily jobs of each role, done in a real browser against a real server on the demo
office, asserting what the person sees. A screenshot of each journey's last page is written to
tests/e2e/screenshots/ for review."""

from __future__ import annotations

import asyncio
import datetime as dt
import re

import pytest
from playwright.async_api import expect

from browser import browser, demo_database, journey, site  # noqa: F401  (fixtures)


async def register_matter(page, requester: str, subject: str, days: str) -> None:
    """登记 a visitor's matter with a limit in working days; the page ends on the matter."""
    await page.goto("/matters/new")
    await page.get_by_label("来件人").fill(requester)
    await page.get_by_label("事由").fill(subject)
    await page.get_by_label("办理时限（工作日）").fill(days)
    await page.get_by_role("button", name="登记").click()


ROW_VALUES = {"de": "13", "neng": "13", "qin": "13", "ji": "34", "lian": "13"}  # 德能勤绩廉: 86 in all


async def open_unscored_grid(page):
    """Opens the Q4 2026 grid of 秘书科 (the demo leaves half of it unscored): its rows, and the
    indexes of the rows without a total."""
    await page.goto("/appraisal")
    await page.get_by_role("link", name="2026 年第四季度考核").first.click()
    await page.get_by_role("row", name=re.compile("秘书科")).get_by_role("link", name="评分").click()
    await expect(page.get_by_text("输入后离开单元格即自动保存")).to_be_visible()
    rows = page.locator("table.scores tbody tr")
    unscored = [i for i in range(await rows.count()) if (await rows.nth(i).locator("td[id^=total]").inner_text()).strip() == "—"]
    assert unscored, "the demo leaves part of 秘书科 unscored"
    return rows, unscored


async def type_row(page, row, values: dict[str, str]) -> None:
    """Types a row from its first cell with the keyboard, Tab after each value; each cell saves as
    it is left."""
    await row.locator("input[data-col=de]").click()
    for value in values.values():
        await page.keyboard.type(value)
        await page.keyboard.press("Tab")


async def test_staff_registers_a_visitor_transfers_it_reports_progress_and_reads_their_appraisal(journey):
    page = await journey.as_user("staff")  # 赵雪, 秘书科
    await expect(page.get_by_role("heading", name="工作台")).to_be_visible()

    # Her start page lists what waits for her: she opens the transfer and accepts it.
    await expect(page.get_by_role("heading", name="待我处理")).to_be_visible()
    await expect(page.get_by_role("link", name=re.compile("^我的超期办件 1 件"))).to_be_visible()
    await page.get_by_role("link", name=re.compile("^待签收：咨询政府信息公开申请流程")).click()
    await page.get_by_role("button", name="签收并负责办理").click()
    await expect(page.locator(".timeline")).to_contain_text("签收")
    await page.get_by_role("link", name="工作台").click()
    await expect(page.get_by_role("link", name=re.compile("^待签收："))).to_have_count(0)

    # The inbox holds the accountability decision made about her.
    await page.get_by_role("link", name=re.compile("^消息")).click()
    await expect(page.get_by_text("责任追究决定：提醒谈话")).to_be_visible()

    # A visitor comes to her first: she registers the matter and owns it.
    await page.get_by_role("link", name="登记", exact=True).click()
    await page.get_by_label("来源").select_option(label="来访")
    await page.get_by_label("来件人").fill("刘女士")
    await page.get_by_label("事由").fill("查询退休人员档案材料")
    await page.get_by_label("办理时限（工作日）").fill("3")
    await page.get_by_role("button", name="登记").click()
    await expect(page.get_by_role("heading", name=re.compile("查询退休人员档案材料"))).to_be_visible()
    matter_url = page.url

    # It belongs to a colleague: she transfers it, telling him what is missing.
    await page.get_by_label("转办给").select_option(label="秘书科 · 孙浩然")
    await page.get_by_label("一次性告知事项").fill("请补充身份证复印件")
    await page.get_by_role("button", name="转办").click()
    await expect(page.get_by_text(re.compile("待.*孙浩然.*签收"))).to_be_visible()

    # 孙浩然 accepts it from his inbox …
    colleague = await journey.as_user("sunhaoran")
    await colleague.goto(matter_url)
    await colleague.get_by_role("button", name="签收并负责办理").click()
    await expect(colleague.locator(".timeline")).to_contain_text("签收")
    # … and she sees it accepted: he is now responsible.
    await page.goto(matter_url)
    await expect(page.locator(".timeline")).to_contain_text("签收")
    await expect(page.get_by_text("孙浩然（秘书科）")).to_be_visible()

    # Her targets, with a progress report.
    await page.goto("/targets/mine")
    card = page.get_by_role("region", name="公文核稿")
    await card.get_by_label("完成度（%）").fill("80")
    await card.get_by_label("进展与佐证").fill("已核稿 480 件，台账备查")
    await card.get_by_role("button", name="报告").click()
    await expect(page.get_by_role("region", name="公文核稿")).to_contain_text("已核稿 480 件，台账备查")

    # The self-summary of the open quarter.
    await page.goto("/appraisal/mine")
    await page.get_by_role("link", name="2026 年第四季度考核").click()
    await page.get_by_label("提交评分前可以修改。").fill("本季度完成公文核稿 480 件，无差错。")
    await page.get_by_role("button", name="保存总结").click()
    await expect(page.get_by_text("总结已保存")).to_be_visible()

    # Last quarter's scores with the full breakdown.
    await page.goto("/appraisal/mine")
    await page.get_by_role("link", name="2026 年第三季度考核").click()
    await expect(page.get_by_text("自动计分")).to_be_visible()
    await expect(page.get_by_text(re.compile(r"总分：\d+"))).to_be_visible()

    # She appeals the accountability decision.
    await page.goto("/appraisal/mine")
    await page.get_by_role("link", name=re.compile("群众来电反映")).click()
    await page.get_by_label("申诉理由").fill("当日已电话告知所缺材料，有通话记录为证。")
    await page.get_by_role("button", name="提交申诉").click()
    await expect(page.get_by_text("当日已电话告知所缺材料，有通话记录为证。")).to_be_visible()
    await expect(page.get_by_text("申诉中", exact=True)).to_be_visible()

    # And downloads her report card of the last quarter.
    await page.goto("/appraisal/mine")
    link = page.get_by_role("row", name=re.compile("2026 年第三季度考核")).get_by_role("link", name="成绩单（PDF）")
    response = await page.context.request.get(await link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert (await response.body()).startswith(b"%PDF")
    await journey.finish(page)


@pytest.mark.large_office
async def test_in_a_large_office_staff_find_the_colleague_to_transfer_to_by_typing(journey):
    page = await journey.as_user("staff")  # 赵雪, 秘书科
    await register_matter(page, "刘女士", "咨询公积金提取", "3")
    await expect(page.get_by_role("heading", name=re.compile("咨询公积金提取"))).to_be_visible()
    search = page.get_by_label("查找人员")
    await expect(search).to_be_visible()
    await expect(page.get_by_label("转办给").locator("option")).to_have_count(1)  # nobody before a search

    await search.fill("sun")  # the pinyin finds 孙浩然
    await expect(page.get_by_label("转办给")).to_contain_text("秘书科 · 孙浩然")
    await search.fill("秘书科")
    await search.press("Enter")  # searches; it does not submit the transfer with nobody chosen
    await expect(page.get_by_label("转办给")).to_contain_text("秘书科 · 孙浩然")
    await expect(page.get_by_label("转办给")).not_to_contain_text("赵雪")  # the owner is left out
    await expect(page.get_by_role("alert")).to_have_count(0)

    await page.get_by_label("转办给").select_option(label="秘书科 · 孙浩然")
    await page.get_by_role("button", name="转办").click()
    await expect(page.get_by_text(re.compile("待.*孙浩然.*签收"))).to_be_visible()
    await journey.finish(page)


async def test_a_row_typed_quickly_shows_its_total_even_when_an_early_save_answers_late(journey):
    """The saves of a row are answered in the order they were made. The network holds back the
    answer to the row's first save until the row's last save has been answered (or 2 s have
    passed): were the saves sent side by side, that answer, computed before the later cells were
    written, would land last and leave the row's total at "—" although every cell is filled."""
    page = await journey.as_user("chief")
    rows, unscored = await open_unscored_grid(page)
    row = rows.nth(unscored[0])
    last_answered = asyncio.Event()
    saves = []

    async def hold_the_first_answer(route):
        saves.append(route.request.url)
        number = len(saves)
        response = await route.fetch()  # the server has saved the cell and answered
        if number == 1:
            try:
                await asyncio.wait_for(last_answered.wait(), timeout=2)
            except asyncio.TimeoutError:
                pass  # the later saves waited for this answer, as they should
        await route.fulfill(response=response)
        if number == len(ROW_VALUES):
            last_answered.set()

    await page.route("**/appraisal/cells/*", hold_the_first_answer)
    await type_row(page, row, ROW_VALUES)
    await expect(row.locator("td[id^=total]")).to_have_text(re.compile(r"\d"))
    await page.wait_for_timeout(500)  # nothing older lands afterwards
    await expect(row.locator("td[id^=total]")).to_have_text(re.compile(r"\d"))
    assert len(saves) == len(ROW_VALUES)
    await page.unroute("**/appraisal/cells/*")
    shown = await row.locator("td[id^=total]").inner_text()
    await page.reload()
    await expect(rows.nth(unscored[0]).locator("td[id^=total]")).to_have_text(shown)
    await journey.finish(page)


async def test_chief_handles_matters_breaks_down_a_target_scores_with_the_keyboard_and_submits(journey):
    # A colleague passes a matter to the chief.
    staff = await journey.as_user("staff")
    await register_matter(staff, "区档案馆", "会议纪要归档", "5")
    await staff.get_by_label("转办给").select_option(label="秘书科 · 张伟")
    await staff.get_by_role("button", name="转办").click()

    page = await journey.as_user("chief")  # 张伟, chief of 秘书科
    page.on("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))  # he confirms what he asked for
    await page.get_by_role("link", name="办件看板").click()
    await expect(page.get_by_role("row", name=re.compile("会议纪要归档"))).to_contain_text("正常")
    await page.get_by_role("link", name="会议纪要归档").click()
    await page.get_by_role("button", name="签收并负责办理").click()
    await page.get_by_label("办理结果").fill("已整理归档，移交区档案馆")
    await page.get_by_role("button", name="办结").click()  # asks first: a completed matter is final
    await expect(page.locator(".timeline")).to_contain_text("办结")

    # He breaks 公文处理 down to 周晓琳, re-balancing the two existing shares at once.
    await page.goto("/targets")
    await page.get_by_text("分解「公文处理」").click()
    row = page.locator("details", has_text="分解「公文处理」")
    await row.get_by_label("目标名称").fill("会议材料校核")
    await row.get_by_label("权重").first.fill("20")
    await row.get_by_label("目标值 / 单位").fill("200")
    await row.get_by_label("计量单位").fill("件")
    await row.get_by_label("责任人").select_option(label="秘书科 · 周晓琳")
    await row.get_by_label(re.compile("公文核稿")).fill("40")
    await row.get_by_label(re.compile("来文登记分办")).fill("40")
    await row.get_by_role("button", name="添加下级目标").click()
    await expect(page.get_by_text("已将「会议材料校核」分解给 周晓琳（秘书科）")).to_be_visible()
    await expect(page.get_by_role("row", name=re.compile("会议材料校核"))).to_contain_text("周晓琳")
    await expect(page.get_by_text("下级权重合计")).to_have_count(0)

    # The score grid of Q4: half of it is scored; he types the rest with the keyboard.
    rows, unscored = await open_unscored_grid(page)
    for i in unscored:
        await type_row(page, rows.nth(i), ROW_VALUES)
        await expect(rows.nth(i).locator("td[id^=total]")).to_have_text(re.compile(r"\d"))
    # Enter moves down the column, like a spreadsheet.
    top = rows.nth(0).locator("input[data-col=lian]")
    await top.click()
    await page.keyboard.press("Enter")
    await expect(rows.nth(1).locator("input[data-col=lian]")).to_be_focused()
    await expect(page.locator("#quota-counter")).to_have_text(re.compile(r"^剩余 \d+ 人$"))

    # Another tab changed a cell meanwhile: his stale save is refused and shows the current value.
    other = await page.context.new_page()
    await other.goto(page.url)
    cell = other.locator("table.scores tbody tr").nth(0).locator("input[data-col=de]")
    await cell.fill("12")
    await cell.press("Tab")
    await expect(other.locator("table.scores tbody tr").nth(0).locator("td[id^=total]")).not_to_have_text("—")
    stale = rows.nth(0).locator("input[data-col=de]")
    await stale.fill("11")
    await stale.press("Tab")
    await expect(page.get_by_role("alert").filter(has_text="已被他人改为 12")).to_be_visible()
    await expect(rows.nth(0).locator("input[data-col=de]")).to_have_value("12")
    await other.close()

    # Every value survived the keyboard entry; he submits the unit.
    await page.reload()
    for i in unscored:
        await expect(rows.nth(i).locator("input[data-col=ji]")).to_have_value("34")
    await page.get_by_role("button", name="提交本单元评分").click()
    await expect(page.get_by_text("评分已提交")).to_be_visible()
    await expect(page.get_by_text("已提交").first).to_be_visible()
    await journey.finish(page)


async def test_leader_approves_an_extension_decides_a_case_locks_the_year_and_builds_the_bundle(journey):
    # 赵雪 asks for more time on a matter of 秘书科, which 李红梅 oversees.
    staff = await journey.as_user("staff")
    await register_matter(staff, "王先生", "申请查阅会议记录", "2")
    due = (await staff.locator("dd strong").first.inner_text()).strip()
    later = (await (await staff.context.request.get(f"/api/v1/calendar/working-days?start={due}&days=1")).json())["due"]
    await staff.get_by_label("申请延期至").fill(later)
    await staff.get_by_label("理由", exact=True).fill("需调取档案室存档，等待审批")
    await staff.get_by_role("button", name="申请延期").click()
    await expect(staff.get_by_text(f"延期申请：延至 {later}")).to_be_visible()

    page = await journey.as_user("leader")
    page.on("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))
    # The start page: open matters by light per section, drawn and counted, and what waits for her.
    await expect(page.get_by_role("heading", name="办件情况（办理中）")).to_be_visible()
    await expect(page.locator("figure.chart svg rect")).not_to_have_count(0)
    await expect(page.get_by_role("row", name=re.compile("^秘书科"))).to_be_visible()
    await page.get_by_role("link", name=re.compile("延期申请：申请查阅会议记录")).click()
    await page.get_by_label("审批意见").fill("同意")
    await page.get_by_role("button", name="同意", exact=True).click()
    await expect(page.locator(".timeline")).to_contain_text(later)

    # She reports a case and decides it.
    await page.goto("/accountability")
    await page.get_by_text("报告责任追究").click()
    await page.get_by_label("人员").select_option(label="秘书科 · 孙浩然")
    await page.get_by_label("情况说明").fill("会议通知漏发一个单位，影响会议召开。")
    await page.get_by_role("button", name="报告").click()
    await expect(page.get_by_text("待决定")).to_be_visible()
    await page.get_by_label("追究形式").select_option(label="书面检查（扣 2 分）")
    await page.get_by_label("理由", exact=True).fill("经核实属实。")
    await page.get_by_role("button", name="决定").click()
    await expect(page.get_by_text("已决定，申诉期内")).to_be_visible()

    # 2025: every unit has submitted; she reviews and locks the annual appraisal.
    await page.goto("/")
    await page.get_by_role("link", name="2025 年度考核各单元已提交，待审核").click()
    await page.get_by_role("button", name="审核通过").click()
    await expect(page.get_by_text("已审核").first).to_be_visible()
    await page.get_by_role("button", name="锁定").click()
    await expect(page.get_by_text("已锁定：所有数据只读。")).to_be_visible()

    # The commendation review of 2025: the seven places go to the best of those graded 优秀,
    # checked; she confirms them.
    await page.goto("/appraisal/commendation?year=2025")
    checked = page.locator("input[name=person_ids]:checked")
    await expect(checked).to_have_count(7)
    await page.get_by_label("说明（如会议研究情况）").fill("2026 年 1 月主任办公会研究")
    await page.get_by_role("button", name="确认名单").click()
    await expect(page.get_by_role("heading", name="已确认名单")).to_be_visible()

    # The bundle: a progress bar that moves to 100%, then the download.
    await page.get_by_role("button", name="生成评优材料").click()
    await expect(page.locator("progress#job-bar")).to_be_visible()
    await expect(page.get_by_role("link", name="下载 PDF")).to_be_visible(timeout=120000)
    await expect(page.locator("progress#job-bar")).to_have_attribute("value", "100")
    async with page.expect_download() as info:
        await page.get_by_role("link", name="下载 PDF").click()
    download = await info.value
    path = await download.path()
    with open(path, "rb") as f:
        assert f.read(5) == b"%PDF-"
    assert download.suggested_filename == "2025年度评优选先材料.pdf"
    await journey.finish(page)


def roster_file(path, rows) -> str:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "性别", "科室", "出生日期", "政治面貌"])
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return str(path)


async def admin_page(page, name: str) -> None:
    """Opens one of the admin's pages from the 系统管理 menu of the navigation."""
    menu = page.get_by_role("navigation", name="主导航").get_by_text("系统管理")
    link = page.get_by_role("link", name=name)
    await menu.click()
    await page.keyboard.press("Escape")  # the menu closes without going anywhere
    await expect(link).to_be_hidden()
    await menu.click()
    await link.click()


async def test_admin_imports_a_roster_edits_the_calendar_catalogue_and_template_and_reads_the_audit_log(journey, tmp_path):
    page = await journey.as_user("admin")

    # A roster with a bad date: every bad row is listed and nothing is imported.
    await admin_page(page, "名册导入")
    bad = roster_file(tmp_path / "bad.xlsx", [("陈思远", "男", "信息科", "1992-04-05", "中共党员"),
                                              ("林小雨", "女", "秘书科", "1990-13-01", "共青团员")])
    await page.get_by_label("名册文件（.xlsx 或 .csv）").set_input_files(bad)
    await page.get_by_role("button", name="导入").click()
    await expect(page.get_by_text("第 3 行：出生日期“1990-13-01”不是有效日期")).to_be_visible()
    good = roster_file(tmp_path / "good.xlsx", [("陈思远", "男", "信息科", "1992-04-05", "中共党员"),
                                                ("林小雨", "女", "秘书科", "1990-12-01", "共青团员")])
    await page.get_by_label("名册文件（.xlsx 或 .csv）").set_input_files(good)
    await page.get_by_role("button", name="导入").click()
    await expect(page.get_by_text(re.compile("导入 2 人"))).to_be_visible()
    await page.goto("/people?q=陈思远")
    await expect(page.get_by_role("row", name=re.compile("陈思远"))).to_contain_text("信息科")

    # The calendar: the year after next has no data yet (the demo may have added next year in
    # late December); she adds the year and its New Year holiday.
    gap = dt.date.today().year + 2
    await page.goto(f"/calendar?year={gap}")
    await page.get_by_role("button", name=f"添加 {gap} 年日历").click()
    await page.get_by_label("日期").fill(f"{gap}-01-01")
    await page.get_by_label("类型").select_option(label="节假日")
    await page.get_by_label("名称").fill("元旦")
    await page.get_by_role("button", name="保存").click()
    await expect(page.get_by_role("row", name=re.compile(f"{gap}-01-01"))).to_contain_text("元旦")

    # The service catalogue: a new item, public at once.
    await admin_page(page, "承诺事项管理")
    await page.get_by_label("科室").last.select_option(label="信息科")
    await page.get_by_label("事项名称").fill("政府信息公开申请答复")
    await page.locator("#new-limit_days").fill("15")
    await page.locator("#new-complaint_channel").fill("区委办公室 0571-12345678")
    await page.get_by_role("button", name="添加").click()
    await expect(page.get_by_text("政府信息公开申请答复").first).to_be_visible()
    public = await page.context.request.get("/api/v1/commitments")
    assert "政府信息公开申请答复" in await public.text()

    # The indicator template: a total off 100 is refused with the sum; a correct one is a new version.
    await admin_page(page, "考核设置")
    await page.get_by_role("row", name=re.compile("政治品质")).get_by_label("分值").fill("20")
    await page.get_by_role("button", name="保存为新版本").click()
    await expect(page.get_by_role("alert")).to_contain_text("应为")
    await page.get_by_role("row", name=re.compile("政治品质")).get_by_label("分值").fill("20")
    await page.get_by_role("row", name=re.compile("政治品质")).get_by_label("细项").fill("政治品质:12；职业道德:8")
    await page.get_by_role("row", name=re.compile("廉洁自律")).get_by_label("分值").fill("10")
    await page.get_by_role("row", name=re.compile("廉洁自律")).get_by_label("细项").fill("廉洁自律:10")
    await page.get_by_label("修订说明").fill("加重“德”的分值")
    await page.get_by_role("button", name="保存为新版本").click()
    await expect(page.get_by_text("已保存第 2 版考核指标")).to_be_visible()

    # The audit log, filtered to the template: her change with the new values.
    await admin_page(page, "审计日志")
    await page.get_by_label("对象", exact=True).select_option(label="考核指标")
    await expect(page.locator("#audit-rows")).to_contain_text("加重“德”的分值")
    await expect(page.locator("#audit-rows .audit-entry").first).to_contain_text("林晓峰")
    await expect(page).to_have_url(re.compile("table=indicator_template"))
    await journey.finish(page)


PAGES = {
    "staff": ["/", "/inbox", "/matters?mine=1", "/matters/new", "/targets", "/targets/mine", "/appraisal",
              "/appraisal/mine", "/accountability", "/supervision", "/calendar", "/commitments"],
    "chief": ["/matters", "/people", "/targets", "/appraisal/7", "/appraisal/7/grid?unit=section:1", "/appraisal/bonuses",
              "/reports"],
    "leader": ["/", "/appraisal/commendation?year=2025", "/accountability", "/reports"],
    "admin": ["/admin/sections", "/admin/commitments", "/admin/appraisal", "/admin/roster", "/admin/audit", "/admin/people/1", "/no-such-page"],
}
CHECK = """() => {
  const problems = [];
  const width = document.documentElement.scrollWidth;
  if (width > window.innerWidth + 1) problems.push(`the page is ${width}px wide in a ${window.innerWidth}px window`);
  for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea, button")) {
    const named = el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") || el.closest("label")
      || (el.id && document.querySelector(`label[for="${el.id}"]`)) || (el.tagName === "BUTTON" && el.textContent.trim());
    if (!named) problems.push(`no label: ${el.outerHTML.slice(0, 80)}`);
  }
  if (!document.querySelector("h1")) problems.push("no h1");
  if (!document.documentElement.lang) problems.push("no lang");
  return problems;
}"""


async def test_every_page_fits_an_office_pc_and_a_tablet_and_labels_its_controls(journey):
    for role, paths in PAGES.items():
        page = await journey.as_user(role)
        for viewport in ({"width": 1366, "height": 768}, {"width": 768, "height": 1024}):
            await page.set_viewport_size(viewport)
            for path in paths:
                response = await page.goto(path)
                expected = 404 if path == "/no-such-page" else 200  # an unknown address is a page too
                assert response.status == expected, (role, path, response.status)
                problems = await page.evaluate(CHECK)
                assert not problems, (role, path, viewport["width"], problems)
                if viewport["width"] == 1366:  # the navigation on one line on the office PC
                    nav = await page.get_by_role("navigation", name="主导航").bounding_box()
                    assert nav["height"] < 40, (role, path, nav)
    await page.goto("/appraisal/commendation?year=2025")
    await journey.finish(page)
