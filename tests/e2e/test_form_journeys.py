"""Forms in a real browser: the leader's 目标管理 page fits the screen, a refused form comes back
with what was typed and the focus on the field at fault, and a person is found by the initials
of their name. Screenshots of the leader's tree go to tests/e2e/screenshots/."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from browser import SCREENSHOTS, browser, demo_database, journey, site  # noqa: F401  (fixtures)

WIDTH = "document.documentElement.scrollWidth"


@pytest.mark.parametrize("width", [1280, 390])
async def test_the_leaders_target_page_fits_the_screen_without_sideways_scrolling(journey, width):
    page = await journey.as_user("leader")
    await page.set_viewport_size({"width": width, "height": 900})
    await page.goto("/targets")
    await expect(page.get_by_role("heading", name=re.compile("目标管理"))).to_be_visible()
    assert await page.evaluate(WIDTH) <= width, "no sideways scroll on the page"
    # Opening a breakdown form does not widen it either: the form has the table's full width.
    await page.get_by_text("分解「信息督查工作」").click()
    await expect(page.locator("details[open]").get_by_label("目标名称")).to_be_visible()
    assert await page.evaluate(WIDTH) <= width
    SCREENSHOTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"targets-leader-{width}.png"), full_page=True)
    await journey.finish(page)


async def test_a_refused_breakdown_keeps_what_was_typed_and_focuses_the_field_at_fault(journey):
    page = await journey.as_user("chief")  # 张伟, 秘书科
    await page.goto("/targets")
    await page.get_by_text("分解「公文处理」").click()
    form = page.locator("details", has_text="分解「公文处理」")
    await form.get_by_label("目标名称").fill("会议材料校核")
    await form.get_by_label("权重").first.fill("20")
    await form.get_by_label("计量单位").fill("件")  # no target value: refused
    owner = form.get_by_label("责任人")
    await expect(owner).to_have_value("")  # nobody is chosen in advance
    await owner.select_option(label="秘书科 · 周晓琳")
    await form.get_by_role("button", name="添加下级目标").click()

    form = page.locator("details[open]", has_text="分解「公文处理」")
    value = form.get_by_label("目标值 / 单位")
    await expect(value).to_be_focused()
    await expect(value).to_have_accessible_description("数量指标需要填写大于 0 的目标值")
    await expect(form.get_by_label("目标名称")).to_have_value("会议材料校核")
    await expect(form.get_by_label("计量单位")).to_have_value("件")
    await expect(form.get_by_label("责任人")).to_have_value(re.compile(r"\d+"))

    await value.fill("200")
    await form.get_by_label(re.compile("公文核稿")).fill("40")
    await form.get_by_label(re.compile("来文登记分办")).fill("40")
    await form.get_by_role("button", name="添加下级目标").click()
    await expect(page.get_by_text("已将「会议材料校核」分解给 周晓琳（秘书科）")).to_be_visible()
    await journey.finish(page)


@pytest.mark.large_office
async def test_a_colleague_is_found_by_the_initials_of_their_name(journey):
    page = await journey.as_user("staff")
    await page.goto("/matters/new")
    await page.get_by_label("来件人").fill("刘先生")
    await page.get_by_label("事由").fill("请主任阅示")
    await page.get_by_label("办理时限（工作日）").fill("3")
    await page.get_by_role("button", name="登记").click()
    await page.get_by_label("查找人员").fill("wjg")
    await expect(page.get_by_label("转办给").locator("option")).to_have_count(2)
    await page.get_by_label("转办给").select_option(label="办领导 · 王建国")
    await page.get_by_role("button", name="转办").click()
    await expect(page.locator(".timeline")).to_contain_text("王建国")
    await journey.finish(page)


@pytest.mark.large_office
async def test_a_search_answer_that_arrives_after_the_choice_keeps_the_chosen_person(journey):
    """In a large office the transfer field is searched. A slow answer to an earlier search must
    not undo the person chosen meanwhile (the transfer would go out with nobody)."""
    import asyncio

    from test_journeys import register_matter

    page = await journey.as_user("staff")  # 赵雪, 秘书科
    await register_matter(page, "王先生", "咨询档案查询", "3")
    search = page.get_by_label("查找人员")
    await search.fill("sun")
    await expect(page.get_by_label("转办给")).to_contain_text("秘书科 · 孙浩然")

    held: list = []

    async def hold(route):  # the next answer is held back until the person is chosen
        held.append(route)

    await page.route(re.compile(r"/people/choices\?.*q=%E7%A7%98"), hold)  # q=秘…
    await search.fill("秘书科")
    await search.press("Enter")
    for _ in range(50):
        if held:
            break
        await asyncio.sleep(0.1)
    assert held, "the search for 秘书科 was sent"
    await page.get_by_label("转办给").select_option(label="秘书科 · 孙浩然")
    await held[0].continue_()
    await expect(page.get_by_label("转办给").locator("option")).not_to_have_count(2)  # the late answer came in
    await expect(page.get_by_label("转办给")).to_have_value(re.compile(r"\d+"))
    assert await page.get_by_label("转办给").evaluate("s => s.selectedOptions[0].textContent") == "秘书科 · 孙浩然"
    await page.get_by_role("button", name="转办").click()
    await expect(page.get_by_text(re.compile("待.*孙浩然.*签收")).first).to_be_visible()
    await journey.finish(page)
