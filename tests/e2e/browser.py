"""Browser journeys: a real server process on a fresh copy of the demo office, driven by
Playwright in Debian's Chromium (these machines cannot download a browser of Playwright's own).

The demo database is built once per run (migrate + demo, as `make run` does) and copied for
each journey, so every journey starts from the same office."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from conftest import IN_CI, TMP
from test_cli_and_processes import free_port, run_cli, server

CHROMIUM = os.environ.get("APPRAISAL_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--lang=zh-CN"]
SCREENSHOTS = Path(__file__).parent / "screenshots"
VIEWPORT = {"width": 1366, "height": 768}  # the office PC the users have


def _unavailable() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM} (make test installs Debian's chromium where it can)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


@pytest.fixture(scope="session")
def demo_database() -> Path:
    path = TMP / "e2e-demo.sqlite3"
    env = {"APPRAISAL_DATABASE_URL": f"sqlite:///{path}"}
    for args in (("migrate",), ("demo", "--if-empty")):
        result = run_cli(*args, env=env, timeout=300)
        assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def site(demo_database: Path, tmp_path: Path, request):
    """A server on a fresh copy of the demo office: its base URL. A test marked
    `large_office` gets one whose person fields are searched, as past 300 people."""
    database = tmp_path / "site.sqlite3"
    shutil.copyfile(demo_database, database)
    env = {"APPRAISAL_VAR_DIR": str(tmp_path / "var")}
    if request.node.get_closest_marker("large_office"):
        env["APPRAISAL_PICKER_LIST_ALL"] = "3"
    with server(f"sqlite:///{database}", free_port(), env=env) as base:
        yield base


@pytest.fixture
async def browser():
    problem = _unavailable()
    if problem and IN_CI:
        pytest.fail(f"CI=true and {problem}")
    if problem:
        pytest.skip(problem)
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield chromium
        await chromium.close()


class Journey:
    """Opens logged-in pages for people of the demo office and keeps the last page's screenshot."""

    def __init__(self, browser, base: str, name: str) -> None:
        self.browser, self.base, self.name = browser, base, name
        self.contexts = []

    async def as_user(self, username: str, password: str = "demo123456"):
        context = await self.browser.new_context(base_url=self.base, viewport=VIEWPORT, locale="zh-CN",
                                                 timezone_id="Asia/Shanghai", accept_downloads=True)
        self.contexts.append(context)
        page = await context.new_page()
        page.set_default_timeout(15000)
        await page.goto("/login")
        await page.get_by_label("用户名").fill(username)
        await page.get_by_label("密码").fill(password)
        await page.get_by_role("button", name="登录").click()
        await page.wait_for_url(lambda url: "/login" not in url)
        return page

    async def finish(self, page) -> None:
        SCREENSHOTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(SCREENSHOTS / f"{self.name}.png"), full_page=True)
        for context in self.contexts:
            await context.close()


@pytest.fixture
def journey(request, browser, site):
    return Journey(browser, site, request.node.name.removeprefix("test_"))
