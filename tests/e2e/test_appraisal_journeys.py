"""The appraisal office's year-end work in a real browser on the demo office: the committee's
opinion recorded on an annual appraisal and printed on the 年度考核登记表, and the 评优选先
list confirmed and still there, as confirmed, the next time it is opened."""

from __future__ import annotations

import asyncio
import re

from playwright.async_api import expect

from browser import SCREENSHOTS, browser, demo_database, journey, site  # noqa: F401  (fixtures)
from reports.pdfcheck import text_of


async def test_a_leader_records_the_committee_opinion_and_finds_it_on_the_registration_form(journey):
    page = await journey.as_user("leader")  # 李红梅, over 秘书科 and 综合科: may record it
    await page.goto("/appraisal")
    await page.get_by_role("link", name="2025 年度考核", exact=True).click()
    await page.get_by_role("row", name=re.compile("秘书科")).get_by_role("link", name="查看").click()
    await page.get_by_role("link", name="赵雪").click()
    await expect(page.get_by_role("heading", name="赵雪 · 2025 年度考核")).to_be_visible()
    title = await page.title()
    assert title.startswith("赵雪 · 2025 年度考核") and "<" not in title and "考核委员会意见" not in title, title

    opinion = "经考核委员会审议，同意确定为称职。"
    await page.get_by_label("考核委员会意见").fill(opinion)
    await page.get_by_label("备注").fill("已当面反馈")
    await page.get_by_label("通知本人日期").fill("2026-01-15")
    await page.get_by_role("button", name="保存登记表信息").click()
    await expect(page.get_by_text("已保存赵雪的登记表信息")).to_be_visible()
    await expect(page.get_by_label("考核委员会意见")).to_have_value(opinion)

    link = page.get_by_role("link", name="下载年度考核登记表（PDF）")
    response = await page.context.request.get(await link.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = text_of(await response.body()).replace(" ", "").replace("\n", "")
    for expected in ("公务员年度考核登记表", "赵雪", opinion, "已当面反馈", "通知日期：2026-01-15"):
        assert expected in text, expected
    assert not re.search(r"<[a-z]", await page.evaluate("document.title")), "no markup in the tab's title"
    await journey.finish(page)


async def test_a_leader_confirms_the_commendation_list_and_finds_it_confirmed_after_a_reload(journey):
    page = await journey.as_user("leader")
    page.on("dialog", lambda dialog: asyncio.ensure_future(dialog.accept()))  # she confirms what she asked for
    await page.goto("/appraisal/commendation")  # opens on 2025, the latest year with an annual appraisal
    await expect(page.get_by_role("heading", name="评优选先 · 2025")).to_be_visible()
    await expect(page.get_by_text("排序规则：按年度等次排序（优秀在前，称职在后）")).to_be_visible()
    checked = page.locator("input[name=person_ids]:checked")
    await expect(checked).to_have_count(7)
    proposed = set(await checked.evaluate_all("boxes => boxes.map(b => b.getAttribute('aria-label'))"))
    await page.get_by_label("说明（如会议研究情况）").fill("2026 年 1 月主任办公会研究")
    await page.get_by_role("button", name="确认名单").click()
    await expect(page.get_by_text("2025 年评优名单已确认")).to_be_visible()

    await page.reload()
    await expect(page.get_by_role("heading", name="已确认名单")).to_be_visible()
    confirmed = page.locator("input[name=person_ids]:checked")
    await expect(confirmed).to_have_count(7)
    assert set(await confirmed.evaluate_all("boxes => boxes.map(b => b.getAttribute('aria-label'))")) == proposed
    for name in proposed:
        row = page.get_by_role("row", name=re.compile(name))
        await expect(row.locator("td").nth(1)).to_have_text(re.compile(r"^[1-7]$"))
        await expect(row).to_contain_text("已确认")
        await expect(row).to_contain_text("优秀")
    await expect(page.get_by_role("button", name="确认名单")).to_have_count(0)
    await journey.finish(page)


async def test_the_appraisal_pages_fit_an_office_pc_and_a_phone(journey):
    """Screenshots of each page at 1280 and 390 px wide, for review; nothing wider than the window."""
    pages = {"chief": ["/appraisal/7", "/appraisal/7/grid?unit=section:1", "/appraisal/7/grid?unit=leaders",
                       "/appraisal/mine"],
             "leader": ["/appraisal/commendation", "/appraisal/5"], "admin": ["/admin/appraisal", "/appraisal"]}
    SCREENSHOTS.mkdir(exist_ok=True)
    for role, paths in pages.items():
        page = await journey.as_user(role)
        for width in (1280, 390):
            await page.set_viewport_size({"width": width, "height": 900})
            for path in paths:
                response = await page.goto(path)
                assert response.status == 200, (role, path)
                name = re.sub(r"\W+", "-", path.strip("/"))
                await page.screenshot(path=str(SCREENSHOTS / f"appraisal-{role}-{name}-{width}.png"), full_page=True)
                wide = await page.evaluate("document.documentElement.scrollWidth")
                assert wide <= width + 1, (role, path, width, wide)
    await journey.finish(page)
