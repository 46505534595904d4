"""The page census: every page a person of each role can reach, at the three widths people use
(the office PC, a tablet, a phone), with what a person would notice checked on each view.

Shared by tests/e2e/test_census.py (which asserts that no view has a problem) and
tests/e2e/screenshots.py (`make screenshots`, a PNG of every view). Only GETs are made, so a
single server on a copy of the demo office serves every role.

Which pages: the links of the page header (the navigation, its menus and the user's own links)
as each role sees them, and as a visitor who is not logged in sees them (the login page); then,
from every page reached, the first link of each address shape not seen yet (digits stand for any
id: /matters/N, /appraisal/N/grid, /appraisal/people/N, …), one and two links deep (two, so that
a person's appraisal behind a period's page is reached). A record is looked at in each state its
list shows (a period 评分中, 已提交, 已锁定; a matter 办理中 or 已办结), up to three of a kind, and
a record behind another record's page once per such page (a person of a quarterly period and of
the annual one). A new page is therefore covered as soon
as some page links to it. Files (PDF, Excel), the API and logging out are left out.

What is checked on each view (the rules of CHECK below):
- the document never scrolls sideways (documentElement.scrollWidth <= clientWidth);
- no visible table column is narrower than four characters of its cells' font (content box)
  where a text in it has to wrap (a column of one-character marks fits and is not squeezed);
- <title> holds no markup;
- every visible button, link, summary, input, select and textarea that is enabled reaches a
  contrast of 4.5:1 (WCAG AA) between its text colour and the background behind it (the first
  opaque background up the tree, translucent ones composited on it);
- every visible input, select and textarea (but hidden, submit, button, reset and image inputs)
  has a label: label[for], a wrapping label, aria-label or aria-labelledby;
- no <form> is rendered hidden (neither it nor any of its fields visible), unless it sits in a
  closed <details> or a <dialog>, or in a part of the page that the summary of a closed
  <details> names with aria-controls (the phone's 菜单 folds the navigation so);
- no visible text is smaller than 12 px; on the phone (390 px) no visible text is smaller than
  14 px, with one exception: a count inside a .badge (the unread count in the navigation), which
  may stay at 12 px. Text drawn in SVG charts is left out (its size depends on how the chart is
  scaled, not on its font-size).
"""

from __future__ import annotations

import asyncio
import collections
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

ROLES = ("admin", "leader", "chief", "staff", "visitor")  # a visitor is not logged in
WIDTHS = (1280, 768, 390)
HEIGHTS = {1280: 800, 768: 1024, 390: 844}
PASSWORD = "demo123456"
DEPTH = 2  # links followed beyond the header's
VARIANTS = 3  # records of one kind looked at, each in another state

# Addresses that are not pages to look at: files, the API, leaving the session.
SKIP = re.compile(r"^/(api|static|logout)(/|$)|\.(pdf|csv|xlsx|docx|zip|png|json)$|/(download|export|file)(/|$)")

CHECK = r"""(width) => {
  const problems = [];
  const say = (what) => problems.push(what);
  const short = (el) => {
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().replace(/\s+/g, " ").slice(0, 30);
    const cls = el.classList.length ? "." + [...el.classList].join(".") : "";
    return `<${el.tagName.toLowerCase()}${cls}>${text ? " “" + text + "”" : ""}`;
  };
  const visible = (el) => {
    if (!el.getClientRects().length) return false;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.opacity === "0") return false;
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  };
  const doc = document.documentElement;
  if (doc.scrollWidth > doc.clientWidth) say(`the page scrolls sideways: ${doc.scrollWidth}px wide in ${doc.clientWidth}px`);

  const title = document.querySelector("title");
  if (title && title.textContent.includes("<")) say(`markup in the title: ${title.textContent.slice(0, 60)}`);

  // Table columns: at least four characters of their font where a text of theirs has to wrap
  // (reported once per column). A column whose every text fits on its line is not squeezed: a
  // month grid's 一 … 日 or a column of single marks is narrow by nature.
  const wraps = (cell) => {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      if (tops.size > 1) return true;
    }
    return false;
  };
  // Table columns: at least four characters of their font (reported once per column).
  document.querySelectorAll("table").forEach((table) => {
    if (!visible(table)) return;
    const narrow = new Map();
    for (const row of table.rows) {
      for (const cell of row.cells) {
        if (cell.colSpan > 1 || !visible(cell) || narrow.has(cell.cellIndex)) continue;
        const style = getComputedStyle(cell);
        const size = parseFloat(style.fontSize);
        const inner = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        if (inner < 4 * size - 1 && wraps(cell)) narrow.set(cell.cellIndex, `${Math.round(inner)}px, under 4 characters (${4 * size}px), its text wrapping`);
      }
    }
    for (const [index, what] of narrow) {
      const head = table.rows[0] && table.rows[0].cells[index];
      say(`a table column is ${what}: column ${index + 1}${head ? " " + short(head) : ""}`);
    }
  });

  // Contrast of controls against what is behind them.
  const parse = (color) => {
    const m = color.match(/rgba?\(([^)]+)\)/);
    if (!m) return [0, 0, 0, 1];
    const parts = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  };
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
  const background = (el) => {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const color = parse(getComputedStyle(node).backgroundColor);
      if (color[3] > 0) layers.push(color);
      if (color[3] >= 1) break;
    }
    let result = [255, 255, 255, 1];
    for (const layer of layers.reverse()) result = over(layer, result);
    return result;
  };
  const luminance = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  for (const el of document.querySelectorAll("a[href], button, summary, input:not([type=hidden]), select, textarea")) {
    if (el.disabled || !visible(el)) continue;
    if (el.matches("input[type=checkbox], input[type=radio], input[type=range], input[type=color], input[type=file]")) continue;
    const back = background(el);
    const fore = over(parse(getComputedStyle(el).color), back);
    const r = ratio(fore, back);
    if (r < 4.5) say(`contrast ${r.toFixed(2)}:1 under 4.5:1: ${short(el)}`);
  }

  // Every field has a label.
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (el.matches("input[type=hidden], input[type=submit], input[type=button], input[type=reset], input[type=image]")) continue;
    if (!visible(el)) continue;
    const labelled = (el.labels && el.labels.length) || (el.getAttribute("aria-label") || "").trim()
      || (el.getAttribute("aria-labelledby") || "").split(/\s+/).some((id) => id && document.getElementById(id));
    if (!labelled) say(`a field without a label: ${el.outerHTML.slice(0, 90)}`);
  }

  // No form rendered hidden but in a closed <details> or a <dialog> (a form whose fields are
  // outside it, tied to it by the parser or a form= attribute, shows through its fields).
  for (const form of document.forms) {
    if (form.getClientRects().length && getComputedStyle(form).visibility !== "hidden") continue;
    if ([...form.elements].some((el) => el.type !== "hidden" && visible(el))) continue;
    const closedDetails = form.closest("details:not([open])");
    const dialog = form.closest("dialog");
    // A part of the page folded behind a closed <details> elsewhere that names it (the phone's 菜单).
    let folded = false;
    for (let node = form; node && !folded; node = node.parentElement) {
      folded = !!node.id && [...document.querySelectorAll("details:not([open]) > summary[aria-controls]")]
        .some((summary) => summary.getAttribute("aria-controls").split(/\s+/).includes(node.id));
    }
    if (!closedDetails && !dialog && !folded) say(`a form is rendered hidden: ${form.outerHTML.slice(0, 90)}`);
  }

  // Text size.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (!el || el.closest("svg, script, style, template") || !visible(el)) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    const least = width <= 480 && !el.closest(".badge") ? 14 : 12;
    if (size < least) say(`text of ${size}px, under ${least}px: ${short(el)}`);
  }

  // Each problem once, with how often it occurs.
  const counts = new Map();
  for (const p of problems) counts.set(p, (counts.get(p) || 0) + 1);
  return [...counts].map(([p, n]) => (n > 1 ? `${p} (×${n})` : p));
}"""

@dataclass
class View:
    role: str
    path: str
    width: int
    problems: list[str] = field(default_factory=list)


def shape(path: str) -> str:
    """The kind of page an address shows: its path with every id replaced by N."""
    return re.sub(r"/\d+(?=/|$)", "/N", urlsplit(path).path)


def slug(path: str) -> str:
    """A file-name-safe form of an address: /appraisal/7/grid?unit=section:1 → appraisal-7-grid-unit-section-1."""
    return re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-") or "home"


async def log_in(context, role: str):
    page = await context.new_page()
    page.set_default_timeout(20000)
    await page.goto("/login")
    if role == "visitor":
        return page
    await page.get_by_label("用户名").fill(role)
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(lambda url: "/login" not in url)
    return page


async def open_page(page, path: str):
    """Opens an address: its response, or None when it is not an HTML page (a file)."""
    try:
        response = await page.goto(path, wait_until="load")
    except Exception as exc:  # a download starts instead of a page
        if "Download is starting" in str(exc):
            return None
        raise
    if response is None or "text/html" not in (response.headers.get("content-type") or ""):
        return None
    return response


class _Links(HTMLParser):
    """The links of a page's <header> and of its <main>, as written, in order; a link of <main>
    with the text of the table row it stands in (its record's state: 已锁定, 超期 …)."""

    def __init__(self) -> None:
        super().__init__()
        self.inside: list[str] = []
        self.header: list[str] = []
        self.main: list[tuple[str, str]] = []
        self._row: list[str] | None = None  # the text of the <tr> being read
        self._row_links: list[int] = []  # indexes into main of the links in it

    def handle_starttag(self, tag, attrs):
        if tag in ("header", "main"):
            self.inside.append(tag)
        if tag == "tr":
            self._row, self._row_links = [], []
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href") and "download" not in attrs and self.inside:
            if self.inside[-1] == "header":
                self.header.append(attrs["href"])
            else:
                if self._row is not None:
                    self._row_links.append(len(self.main))
                self.main.append((attrs["href"], ""))

    def handle_data(self, data):
        if self._row is not None:
            self._row.append(data)

    def handle_endtag(self, tag):
        if tag in ("header", "main") and self.inside and self.inside[-1] == tag:
            self.inside.pop()
        if tag == "tr" and self._row is not None:
            text = "".join(self._row)
            for index in self._row_links:
                self.main[index] = (self.main[index][0], text)
            self._row = None


def _local(href: str) -> str | None:
    """A link of this site as path and query; None for another site, a fragment or mailto."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


async def _links(context, path: str) -> _Links | None:
    """The links of the page at `path`; None when it is not an HTML page (a file, an error)."""
    response = await context.request.get(path)
    if not response.ok or "text/html" not in response.headers.get("content-type", ""):
        return None
    links = _Links()
    links.feed(await response.text())
    return links


async def pages_of(context) -> list[str]:
    """The addresses a role reaches: the header's links, then the first link of each new shape
    (for a record, of each state) found on the pages reached, up to DEPTH links deep. Read over HTTP (no rendering); a link
    that leads to a file or an error is left out."""
    start = await _links(context, "/")
    pages: dict[str, _Links] = {}
    for href in start.header if start else []:
        path = _local(href)
        if path and path not in pages and not SKIP.search(urlsplit(path).path):
            links = await _links(context, path)
            if links is not None:
                pages[path] = links
    # A page is known by its kind and, for a record, its state: one record of each state a list
    # shows in its rows (a period 评分中, 已提交, 已锁定; a matter 办理中, 超期, 已办结 …), at most
    # VARIANTS of a kind; a record reached from another record's page is known by that page (the
    # first person of each period, so a quarterly and an annual appraisal are both seen).
    known = {path: shape(path) for path in pages}
    variants = collections.Counter(known.values())
    frontier = list(pages)
    for _ in range(DEPTH):
        deeper = []
        for path in frontier:
            for href, row in pages[path].main:
                link = _local(href)
                if not link or SKIP.search(urlsplit(link).path) or link.startswith("/login") or link in pages:
                    continue
                kind = shape(link)
                if "/N" in kind:
                    state = known[path] if "/N" in shape(path) else re.sub(r"[\d\s:./-]+", " ", row).strip()
                    key = f"{kind} [{state}]"
                else:
                    key = kind
                if key in known.values() or variants[kind] >= (VARIANTS if "/N" in kind else 1):
                    continue
                links = await _links(context, link)
                if links is not None:
                    pages[link], known[link] = links, key
                    variants[kind] += 1
                    deeper.append(link)
        frontier = deeper
    return list(pages)


async def census(browser, base: str, roles=ROLES, widths=WIDTHS, on_view=None) -> list[View]:
    """Every view of every role: the problems found on each. The roles are crawled side by side,
    each in its own browser page. `on_view(page, view, index, total)` is awaited after each view
    is checked (the screenshots script takes its picture there)."""

    async def plan(role: str):
        context = await browser.new_context(base_url=base, locale="zh-CN", timezone_id="Asia/Shanghai",
                                            viewport={"width": widths[0], "height": HEIGHTS.get(widths[0], 900)})
        page = await log_in(context, role)
        return role, context, page, await pages_of(context)

    plans = await asyncio.gather(*(plan(role) for role in roles))
    total = sum(len(paths) * len(widths) for *_, paths in plans)
    done: list[View] = []

    async def look(role: str, context, page, paths: list[str]) -> list[View]:
        views = []
        for width in widths:
            await page.set_viewport_size({"width": width, "height": HEIGHTS.get(width, 900)})
            for path in paths:
                view = View(role, path, width)
                response = await open_page(page, path)
                if response is None:
                    view.problems = ["not an HTML page"]
                else:
                    view.problems = await page.evaluate(CHECK, width)
                    if response.status != 200:
                        view.problems.insert(0, f"HTTP {response.status}")
                views.append(view)
                done.append(view)
                if on_view is not None:
                    await on_view(page, view, len(done), total)
        await context.close()
        return views

    results = await asyncio.gather(*(look(*p) for p in plans))
    return [view for views in results for view in views]


def report(views: list[View]) -> str:
    """The problems of every view, one per line: role, page, width, what."""
    lines = []
    for view in views:
        for problem in view.problems:
            lines.append(f"{view.role:<6} {view.path} @{view.width}px: {problem}")
    return "\n".join(lines)
