"""The page census: every page each demo role (admin, leader, chief, staff, and a visitor not
logged in) reaches from its navigation, and one and two links deeper, at 1280, 768 and 390
pixels, checked for what a person would notice. A new page is covered as soon as some page links
to it. The rules, in full, are in tests/e2e/census.py; in short, on every view:

- the document does not scroll sideways; tables scroll inside their own box;
- no visible table column is narrower than 4 characters of its font;
- <title> holds no markup;
- every visible, enabled control (button, link, summary, field) has a contrast of at least 4.5:1
  against its effective background;
- every visible field has a label (label[for], a wrapping label, aria-label, aria-labelledby);
- no form is rendered hidden, unless in a closed <details>, a <dialog>, or a part of the page
  that a closed <details> folds (aria-controls: the phone's 菜单);
- no visible text under 12 px; on the 390 px phone none under 14 px, but for the unread count
  in a .badge (12 px); SVG chart text is left out (its drawn size follows the chart's scale).

All the problems of all views are collected and reported at once, one line each: role, page,
width, what. `make screenshots` draws the same views to var/screenshots/."""

from __future__ import annotations

import time

from playwright.async_api import expect

from browser import browser, demo_database, site  # noqa: F401  (fixtures)
from census import WIDTHS, census, log_in, report


async def test_every_page_of_every_role_reads_well_on_a_pc_a_tablet_and_a_phone(browser, site):
    started = time.monotonic()
    views = await census(browser, site)
    seen = {(view.role, view.path) for view in views}
    # The crawl found the pages: each role's navigation and the detail pages behind the lists.
    for role in ("admin", "leader", "chief", "staff"):
        paths = {path for r, path in seen if r == role}
        assert "/" in paths and "/matters?mine=1" in paths, (role, sorted(paths))
        assert any(path.startswith("/matters/") and path[9:].isdigit() for path in paths), (role, sorted(paths))
    assert any(path.startswith("/admin/") for role, path in seen if role == "admin")
    assert ("visitor", "/login") in seen
    assert len(views) == len(seen) * len(WIDTHS)
    problems = report(views)
    print(f"census: {len(views)} views in {time.monotonic() - started:.0f}s")
    assert not problems, f"{problems.count(chr(10)) + 1} problems:\n{problems}"


async def test_a_phone_folds_the_navigation_behind_a_menu_button_that_escape_closes(browser, site):
    context = await browser.new_context(base_url=site, viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = await log_in(context, "admin")
    nav = page.get_by_role("navigation", name="主导航")
    menu = page.get_by_text("菜单", exact=True)
    await expect(nav).to_be_hidden()
    await menu.focus()
    await page.keyboard.press("Enter")
    await expect(nav).to_be_visible()
    box = await nav.get_by_role("link", name="办件看板").bounding_box()
    assert box["height"] >= 44, box  # a finger's target
    await page.keyboard.press("Tab")  # into the navigation: 工作台
    await page.keyboard.press("Escape")
    await expect(nav).to_be_hidden()
    await expect(menu).to_be_focused()
    # The office PC shows the navigation and no menu button.
    await page.set_viewport_size({"width": 1280, "height": 800})
    await expect(nav).to_be_visible()
    await expect(menu).to_be_hidden()
    await context.close()
