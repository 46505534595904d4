"""The matter page, the audit log, the working calendar and the lists, in a real browser on
the office PC (1280 px) and on a phone (390 px): what a person sees, and that nothing scrolls
sideways. A screenshot of each is written to tests/e2e/screenshots/ for review."""

from __future__ import annotations

import re

from playwright.async_api import expect

from browser import SCREENSHOTS, browser, demo_database, journey, site  # noqa: F401  (fixtures)
from test_journeys import register_matter

WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
SIDEWAYS = "() => document.documentElement.scrollWidth - window.innerWidth"


async def shoot(page, name: str) -> None:
    """A full-page screenshot at each width, checking at each that the page does not scroll sideways."""
    SCREENSHOTS.mkdir(exist_ok=True)
    for label, viewport in WIDTHS.items():
        await page.set_viewport_size(viewport)
        assert await page.evaluate(SIDEWAYS) <= 1, (name, label, "the page scrolls sideways")
        await page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
        await page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}-top.png"))  # the first screen, to review
    await page.set_viewport_size(WIDTHS["desktop"])


async def test_staff_handle_a_matter_whose_steps_and_dates_say_what_they_are(journey):
    page = await journey.as_user("staff")  # 赵雪, 秘书科
    await register_matter(page, "刘女士", "查询退休人员档案材料", "3")
    await expect(page.get_by_role("status")).to_contain_text("您是首问责任人，办结期限")
    await expect(page.locator("dl.facts")).to_contain_text("办理时限 3 个工作日")
    assert await page.get_by_role("button", name="办结").get_attribute("class") is None, "the main step is primary"
    for alternative in ("转办", "中止计时", "申请延期"):
        assert await page.get_by_role("button", name=alternative).get_attribute("class") == "secondary"
    await shoot(page, "matter-page-open")

    # A refused step keeps the date typed and puts the message, and the focus, under the reason.
    await page.get_by_label("申请延期至").fill("2030-01-04")
    await page.get_by_label("理由", exact=True).evaluate("el => el.removeAttribute('required')")
    await page.get_by_role("button", name="申请延期").click()
    reason = page.get_by_label("理由", exact=True)
    await expect(reason).to_be_focused()
    await expect(reason).to_have_attribute("aria-describedby", "error-ext-reason")
    await expect(page.locator("#error-ext-reason")).to_have_text("延期理由不能为空")
    await expect(page.get_by_label("申请延期至")).to_have_value("2030-01-04")

    await page.get_by_label("转办给").select_option(label="秘书科 · 孙浩然")
    await page.get_by_role("button", name="转办").click()
    await expect(page.get_by_role("status")).to_contain_text(re.compile(r"已转办给 孙浩然（秘书科），须于 \S+ 前签收"))
    await expect(page.locator("dl.facts")).to_contain_text("签收期限")
    await shoot(page, "matter-page")
    await journey.finish(page)


async def test_the_admin_reads_the_audit_log_in_words_with_links_to_the_records(journey):
    page = await journey.as_user("admin")
    await page.goto("/admin/audit?table=person")
    entry = page.locator(".audit-entry").first
    await expect(entry.locator(".audit-record a")).to_have_attribute("href", re.compile(r"^/admin/people/\d+$"))
    await expect(entry.locator(".audit-technical")).not_to_have_attribute("open", "")
    technical = entry.locator(".audit-technical dl")
    await expect(technical).to_be_hidden()  # keys and hashes stay folded away
    await page.goto("/admin/audit?table=matter")
    await expect(page.locator(".audit-entry").first.locator(".audit-record a")).to_have_attribute(
        "href", re.compile(r"^/matters/\d+$"))
    await expect(page.locator("#audit-rows")).not_to_contain_text('{"')
    await shoot(page, "audit-page")
    await journey.finish(page)


async def test_everyone_reads_the_working_calendar_by_month(journey):
    page = await journey.as_user("staff")
    await page.goto("/calendar?year=2026&month=10")
    await expect(page.get_by_role("heading", name="2026 年 10 月")).to_be_visible()
    national_day = page.locator('td:has(time[datetime="2026-10-01"])')
    await expect(national_day).to_contain_text("休")
    await expect(national_day).to_contain_text("国庆节")
    await expect(page.locator('td:has(time[datetime="2026-10-10"])')).to_contain_text("班")
    await page.get_by_role("link", name="下月 →").click()
    await expect(page.get_by_role("heading", name="2026 年 11 月")).to_be_visible()
    await page.get_by_label("月份").select_option(label="2 月")
    await page.get_by_role("button", name="查看").click()
    await expect(page.get_by_role("heading", name="2026 年 2 月")).to_be_visible()
    await expect(page.locator('td:has(time[datetime="2026-02-17"])')).to_contain_text("春节")
    await shoot(page, "calendar-page")
    await journey.finish(page)


async def test_the_start_page_inbox_and_reports_read_on_a_phone(journey):
    for user, paths in (("staff", ["/", "/inbox", "/matters?mine=1", "/supervision", "/accountability"]),
                        ("leader", ["/", "/reports", "/matters"])):
        page = await journey.as_user(user)
        await page.set_viewport_size(WIDTHS["phone"])
        for path in paths:
            await page.goto(path)
            assert await page.evaluate(SIDEWAYS) <= 1, (user, path, "the page scrolls sideways at 390 px")
        name = "phone-" + user
        await page.goto("/inbox" if user == "staff" else "/reports")
        await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    await journey.finish(page)
