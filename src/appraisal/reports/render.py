"""HTML → PDF with WeasyPrint: one Jinja environment, one font configuration and one parsed
stylesheet per process, and a disk cache of finished PDFs keyed by a hash of the template
sources and the data, so an unchanged report is never rendered twice."""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import gc
import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, TypeVar

import jinja2
import msgspec
from anyio import BrokenWorkerProcess, CapacityLimiter, to_process
from anyio.lowlevel import RunVar

from appraisal.domain.appraisal import GRADE_LABELS, INDICATOR_NAMES, POOL_LABELS
from appraisal.domain.people import GENDERS
from appraisal.domain.periods import QUARTER_NAMES, STATUS_LABELS as PERIOD_STATUS_LABELS, quarter_name
from appraisal.errors import Unavailable
from appraisal.i18n import _, ngettext
from appraisal.reports.fonts import report_fonts
from appraisal.settings import _templates_dir

# WeasyPrint announces every step and every page it lays out at INFO, which the server's log
# (INFO) would print: a line per page of each report, 900 for a large bulletin.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

TEMPLATES_DIR = Path(os.environ["APPRAISAL_TEMPLATES_DIR"]) if os.environ.get("APPRAISAL_TEMPLATES_DIR") else _templates_dir()
REPORTS_DIR = TEMPLATES_DIR / "reports"
RENDER_VERSION = "1"  # bump when the rendering code changes what the same data looks like
_lock = threading.Lock()
T = TypeVar("T")


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(REPORTS_DIR)), autoescape=True,
                             extensions=["jinja2.ext.i18n"], undefined=jinja2.StrictUndefined)
    env.install_gettext_callables(_, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.filters["num"] = lambda v: "—" if v is None else f"{v:g}"
    # The labels of coded values, the same dictionaries the pages read (see web.common.code_labels).
    env.globals.update(GRADE_LABELS=GRADE_LABELS, POOL_LABELS=POOL_LABELS, QUARTER_NAMES=QUARTER_NAMES,
                       quarter_name=quarter_name, PERIOD_STATUS_LABELS=PERIOD_STATUS_LABELS, GENDERS=GENDERS,
                       INDICATOR_NAMES=INDICATOR_NAMES)
    return env


def _weasy() -> tuple[Any, Any]:
    """The font configuration and the parsed stylesheet, built once per process and again when
    the stylesheet changes: the cache key of a PDF names the stylesheet as it is on disk
    (`_sources_digest`), so a worker process that went on with the one it parsed at its start
    would file PDFs of the old look under the new key, to be served until the cache was cleared."""
    stat = (REPORTS_DIR / "report.css").stat()
    return _weasy_for(stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=1)
def _weasy_for(_mtime_ns: int, _size: int) -> tuple[Any, Any]:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    config = FontConfiguration()
    css_text = report_fonts().css() + "\n" + (REPORTS_DIR / "report.css").read_text(encoding="utf-8")
    return config, CSS(string=css_text, font_config=config)


@atexit.register
def _release_fonts() -> None:
    """Drop the font configuration before interpreter teardown: its finalizer calls into
    Pango through cffi, which is gone by then."""
    if _weasy_for.cache_info().currsize:
        _weasy_for.cache_clear()
        import gc

        gc.collect()


def _sources_digest(template: str) -> str:
    """A digest of every report template and the stylesheet: any edit invalidates the cache.
    The files are read again only when one's size or modification time changes."""
    files = []
    for path in sorted(REPORTS_DIR.glob("*")):
        if path.is_file():
            stat = path.stat()
            files.append((path.name, stat.st_mtime_ns, stat.st_size))
    return _digest_of(tuple(files), template)


@cache
def _digest_of(files: tuple[tuple[str, int, int], ...], template: str) -> str:
    digest = hashlib.sha256(RENDER_VERSION.encode())
    for name, _mtime, _size in files:
        digest.update(name.encode())
        digest.update((REPORTS_DIR / name).read_bytes())
    digest.update(template.encode())
    return digest.hexdigest()


def cache_dir() -> Path:
    return Path(os.environ.get("APPRAISAL_VAR_DIR", "var")) / "pdf-cache"


# The data of a report as canonical JSON (keys sorted; a date, a Decimal as msgspec writes them,
# anything else as its str()), for its cache key and its size. msgspec, not json.dumps: it runs on
# the event loop, and for the ranking of 10,000 people json.dumps took 85 ms, msgspec 16 ms.
_canonical = msgspec.json.Encoder(enc_hook=str, order="sorted")


def cache_key(template: str, data: Any) -> str:
    return _key_of(template, _canonical.encode(data))


def _key_of(template: str, payload: bytes) -> str:
    return hashlib.sha256(_sources_digest(template).encode() + payload).hexdigest()


def cached_path(key: str, directory: Path | None = None) -> Path:
    return (directory or cache_dir()) / key[:2] / f"{key}.pdf"


def load_cached(key: str, directory: Path | None = None) -> bytes | None:
    """The cached PDF of `key`, or None. A hit marks the file used (its modification time), so
    that pruning the cache removes what has gone unread longest."""
    path = cached_path(key, directory)
    try:
        pdf = path.read_bytes()
    except FileNotFoundError:
        return None
    with contextlib.suppress(OSError):
        _touch(path)
    return pdf


def _touch(path: Path) -> None:
    """Mark a cached file used now (the clock pruning reads, not the file system's)."""
    now = time.time()
    os.utime(path, (now, now))


def mark_used(key: str, directory: Path | None = None) -> bool:
    """Whether `key` is cached; if it is, mark it used, so that pruning spares it for a while
    (a bundle counts on the parts it found until it has joined them)."""
    try:
        _touch(cached_path(key, directory))
    except FileNotFoundError:
        return False
    return True


def store(key: str, pdf: bytes, directory: Path | None = None) -> None:
    """Write a finished PDF to the cache atomically: a concurrent reader sees all or nothing."""
    path = cached_path(key, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    partial.write_bytes(pdf)
    _touch(partial)
    os.replace(partial, path)


@dataclass(frozen=True)
class Pruned:
    files: int  # removed
    bytes: int  # removed
    kept: int  # bytes left in the cache


# A file used this recently is never pruned: a bundle's parts wait in the cache to be joined.
PRUNE_SPARES_SECONDS = 3600


def prune_cache(limit_bytes: int, directory: Path | None = None, now: float | None = None) -> Pruned:
    """Keep the cache under `limit_bytes`: when it is over, remove the PDFs unused longest until
    it is at nine tenths of the limit (so that it is not pruned again at the next store). The
    partial files of a writer that died are removed too. Files used in the last
    PRUNE_SPARES_SECONDS stay whatever the size. Safe beside other processes storing, reading
    and pruning: a file removed meanwhile is a miss, rendered again."""
    root = directory or cache_dir()
    now = time.time() if now is None else now
    pdfs: list[tuple[float, int, Path]] = []
    files = removed = 0
    for folder in (root.iterdir() if root.is_dir() else ()):
        if not folder.is_dir():
            continue
        for entry in os.scandir(folder):
            try:
                stat = entry.stat()
            except FileNotFoundError:
                continue
            path = Path(entry.path)
            if path.suffix == ".pdf":
                pdfs.append((stat.st_mtime, stat.st_size, path))
            elif path.suffix == ".tmp" and now - stat.st_mtime > PRUNE_SPARES_SECONDS:
                files, removed = files + 1, removed + stat.st_size
                path.unlink(missing_ok=True)
    total = sum(size for _mtime, size, _path in pdfs)
    if total > limit_bytes:
        target = limit_bytes * 9 // 10
        for mtime, size, path in sorted(pdfs):
            if total <= target or now - mtime < PRUNE_SPARES_SECONDS:
                break
            path.unlink(missing_ok=True)
            total, files, removed = total - size, files + 1, removed + size
    return Pruned(files, removed, total)


def html_of(template: str, data: dict[str, Any]) -> str:
    return environment().get_template(template).render(**data)


def warm() -> None:
    """Load WeasyPrint, the fonts and the stylesheet in this process, and lay out one line with
    them (what the first report would wait for)."""
    render_uncached("page_numbers.html", {"pages": 1})


def warmed() -> bool:
    """Whether this process has WeasyPrint, the fonts and the stylesheet set up."""
    return _weasy_for.cache_info().currsize > 0


def render_uncached(template: str, data: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    config, css = _weasy()
    with _lock:  # a FontConfiguration is not meant to be shared by threads at once
        return HTML(string=html_of(template, data), base_url=str(REPORTS_DIR)).write_pdf(
            stylesheets=[css], font_config=config)


def render(template: str, data: dict[str, Any], directory: Path | None = None) -> bytes:
    """The PDF for `data` through `template`, from the cache when nothing changed, laid out in
    the calling thread: for the command line and a worker process, not for the server's own
    process (see `render_async`)."""
    key = cache_key(template, data)
    if (pdf := load_cached(key, directory)) is not None:
        return pdf
    return _render_and_store(key, template, data, directory)


def _render_and_store(key: str, template: str, data: dict[str, Any], directory: Path | None = None) -> bytes:
    """Lay out and store under `directory` (the caller's cache: a worker process started
    earlier may have been started with another)."""
    pdf = render_uncached(template, data)
    store(key, pdf, directory)
    return pdf


def render_to_cache(template: str, data: dict[str, Any], directory: Path | None = None) -> None:
    """Render into the cache: what a bundle's worker process does, so no PDF crosses back to
    the parent, which reads the parts from the cache when it joins them."""
    key = cache_key(template, data)
    if not cached_path(key, directory).exists():
        _render_and_store(key, template, data, directory)


# Layouts run in anyio's worker processes (`anyio.to_process`), never in the server's own
# process: WeasyPrint holds the interpreter's lock in stretches while it lays out (about 0.1 s
# for a report card, 0.45 s for a large office's bulletin), and every request the server
# process answered meanwhile would wait for it. A worker is a child of the process that started
# it and reads its work from a pipe: it ends with that process however that ends (a SIGTERM, a
# SIGKILL), and anyio ends a worker left idle for five minutes when it next hands out work.
#
# Each lane is a limiter of how many of its layouts run at once. Reports and sheets go one at a
# time (each takes a fraction of a second); a large one, in a lane of its own, so that the
# report cards asked for meanwhile do not wait the minute a ranking of 10,000 people takes.
REPORTS, LARGE = "reports", "large"
_lanes: RunVar[dict[str, CapacityLimiter]] = RunVar("appraisal_report_lanes")


def _limiter(name: str, at_once: int) -> CapacityLimiter:
    """The limiter of the lane `name` in this event loop: at most `at_once` of its layouts at once."""
    try:
        lanes = _lanes.get()
    except LookupError:
        lanes = {}
        _lanes.set(lanes)
    if (limiter := lanes.get(name)) is None:
        limiter = lanes[name] = CapacityLimiter(at_once)
    elif limiter.total_tokens != at_once:
        limiter.total_tokens = at_once
    return limiter


async def in_process(function: Callable[..., T], *args: Any, lane: str = REPORTS, at_once: int = 1) -> T:
    """`function(*args)` in a worker process, in `lane` (at most `at_once` of its calls at
    once). A worker that dies (a crash, the out-of-memory killer) fails only what it was doing:
    that is tried once more in another process. Cancelled, the caller does not wait for the
    layout: its worker is ended."""
    limiter = _limiter(lane, at_once)
    if lane == LARGE:
        function, args = _giving_memory_back, (function, *args)
    try:
        return await to_process.run_sync(function, *args, cancellable=True, limiter=limiter)
    except BrokenWorkerProcess:
        try:
            return await to_process.run_sync(function, *args, cancellable=True, limiter=limiter)
        except BrokenWorkerProcess:
            raise Unavailable(_("报表生成进程意外停止，请稍后再试")) from None


def _giving_memory_back(function: Callable[..., T], *args: Any) -> T:
    """`function(*args)`, then the memory its layout took given back to the system. A worker
    process goes on after a large report (anyio ends it once idle for five minutes, when it
    next hands out work); without this it held 320 MB after a 2,500-page layout, with it 100 MB
    (1.2 GB after a ranking of 10,000 people, before)."""
    try:
        return function(*args)
    finally:
        gc.collect()
        with contextlib.suppress(OSError, AttributeError):  # glibc's; elsewhere the memory stays
            ctypes.CDLL("libc.so.6").malloc_trim(0)


# A report whose data is this large (its JSON, in bytes; a ranking of about 900 people) is laid
# out in the lane of large ones. WeasyPrint lays out about five pages a second here.
LARGE_REPORT = 200_000


async def render_async(template: str, data: dict[str, Any]) -> bytes:
    """`render` without holding up the server: from the cache, or laid out in a worker process
    (a large report in the lane of large ones). The data is serialized once, for its key and
    its size."""
    payload = _canonical.encode(data)
    key = _key_of(template, payload)
    if (pdf := load_cached(key)) is not None:
        return pdf
    return await in_process(_render_and_store, key, template, data, cache_dir(),
                            lane=REPORTS if len(payload) < LARGE_REPORT else LARGE)
