"""`make screenshots`: a full-page PNG of every page each demo role reaches, at 1280, 768 and 390
pixels, in var/screenshots/ (role-page-width.png), with a contact sheet var/screenshots/index.html.

It builds its own demo office in a temporary directory and starts its own server on it, so the
database of a running `make run` is never touched. The pages are those of the census
(tests/e2e/census.py), and each view's census problems are listed on the contact sheet.

    python tests/e2e/screenshots.py [--roles admin,staff] [--widths 390] [--out var/screenshots]
"""

from __future__ import annotations

import argparse
import asyncio
import html
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from census import ROLES, WIDTHS, View, census, slug  # noqa: E402

APPRAISAL = str(Path(sys.executable).parent / "appraisal")
CHROMIUM = os.environ.get("APPRAISAL_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--lang=zh-CN"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def demo_server(workdir: Path):
    """A server on a fresh demo office in `workdir`: its base URL."""
    env = {**os.environ, "APPRAISAL_DATABASE_URL": f"sqlite:///{workdir / 'demo.sqlite3'}",
           "APPRAISAL_VAR_DIR": str(workdir / "var")}
    for args in (("migrate",), ("demo", "--if-empty")):
        print(f"preparing the demo office: appraisal {' '.join(args)}", flush=True)
        subprocess.run([APPRAISAL, *args], env=env, check=True, capture_output=True, text=True, timeout=600)
    port = free_port()
    log = (workdir / "server.log").open("w")
    process = subprocess.Popen([APPRAISAL, "serve", "--port", str(port), "--log-level", "warning"], env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start: {(workdir / 'server.log').read_text()}")
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def file_name(view: View) -> str:
    return f"{view.role}-{slug(view.path)}-{view.width}.png"


def contact_sheet(views: list[View]) -> str:
    """index.html: per role, per page, the thumbnails of its widths, each linking to its PNG."""
    parts = ["<!doctype html><html lang='zh-CN'><meta charset='utf-8'><title>Screenshots</title><style>",
             "body{font-family:sans-serif;margin:16px} section{margin-bottom:24px} .page{display:flex;gap:12px;",
             "align-items:flex-start;margin:8px 0 16px;flex-wrap:wrap} figure{margin:0} img{border:1px solid #ccc;",
             "width:240px;height:180px;object-fit:cover;object-position:top} figcaption{font-size:13px}",
             ".problems{color:#b42318;font-size:13px;max-width:760px} nav a{margin-right:12px}</style>",
             "<h1>Every page as a person sees it</h1><nav>"]
    roles = list(dict.fromkeys(v.role for v in views))
    parts += [f"<a href='#{role}'>{role}</a>" for role in roles]
    parts.append("</nav>")
    for role in roles:
        parts.append(f"<section id='{role}'><h2>{role}</h2>")
        paths = list(dict.fromkeys(v.path for v in views if v.role == role))
        for path in paths:
            shown = [v for v in views if v.role == role and v.path == path]
            parts.append(f"<h3>{html.escape(path)}</h3><div class='page'>")
            for view in shown:
                name = html.escape(file_name(view))
                parts.append(f"<figure><a href='{name}'><img src='{name}' alt='{name}' loading='lazy'></a>"
                             f"<figcaption>{view.width}px · {len(view.problems)} problem(s)</figcaption></figure>")
            parts.append("</div>")
            problems = [f"{v.width}px: {p}" for v in shown for p in v.problems]
            if problems:
                parts.append("<ul class='problems'>" + "".join(f"<li>{html.escape(p)}</li>" for p in problems) + "</ul>")
        parts.append("</section>")
    return "".join(parts) + "</html>\n"


async def take(base: str, out: Path, roles, widths) -> list[View]:
    from playwright.async_api import async_playwright

    async def shoot(page, view: View, index: int, total: int) -> None:
        await page.screenshot(path=str(out / file_name(view)), full_page=True)
        print(f"{index}/{total} {view.role} {view.path} {view.width}px"
              + (f"  ({len(view.problems)} problem(s))" if view.problems else ""), flush=True)

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        try:
            return await census(browser, base, roles=roles, widths=widths, on_view=shoot)
        finally:
            await browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="var/screenshots", type=Path)
    parser.add_argument("--roles", default=",".join(ROLES))
    parser.add_argument("--widths", default=",".join(map(str, WIDTHS)))
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium not found at {CHROMIUM} (set APPRAISAL_TEST_CHROMIUM)")
    out: Path = args.out
    if out.exists():
        for old in out.glob("*.png"):
            old.unlink()
    out.mkdir(parents=True, exist_ok=True)
    roles = [r for r in args.roles.split(",") if r]
    widths = [int(w) for w in args.widths.split(",") if w]
    workdir = Path(tempfile.mkdtemp(prefix="appraisal-screenshots-"))
    try:
        with demo_server(workdir) as base:
            views = asyncio.run(take(base, out, roles, widths))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    (out / "index.html").write_text(contact_sheet(views), encoding="utf-8")
    problems = sum(len(v.problems) for v in views)
    print(f"{len(views)} screenshots and {out / 'index.html'}; census problems: {problems}")


if __name__ == "__main__":
    main()
