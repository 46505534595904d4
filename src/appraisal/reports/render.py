"""HTML → PDF with WeasyPrint: one Jinja environment, one font configuration and one parsed
stylesheet per process, and a disk cache of finished PDFs keyed by a hash of the template
sources and the data, so an unchanged report is never rendered twice."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import hashlib
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, TypeVar

import jinja2
import msgspec

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
    return env


def _weasy() -> tuple[Any, Any]:
    """The font configuration and the parsed stylesheet, built once per process and again when
    the stylesheet changes: the cache key of a PDF names the stylesheet as it is on disk
    (`_sources_digest`), so a report process that went on with the one it parsed at its start
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


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes that lay out reports. Started with spawn, not fork: the server process
    holds an event loop, threads and connections. Each ends when the process that started it is
    gone (see `_end_with_parent`)."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_end_with_parent, initargs=(os.getpid(),))


def _end_with_parent(parent: int) -> None:
    """In a worker process: exit once `parent` is gone. A pool's worker waits on a queue whose
    both ends it holds, so it never notices on its own; the pool stops its workers from the
    interpreter's exit handlers, which a server never runs when it is killed, nor when uvicorn
    ends it on SIGTERM (it shuts down, then raises the signal again). Such orphans held 130 MB
    each, and 1.2 GB after a ranking of 10,000 people, for as long as the machine ran."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()


class ReportProcess:
    """A worker process that lays out reports one at a time, started when first asked for and
    started again when it has died.

    The server's own process lays out no report: WeasyPrint holds the interpreter's lock in
    stretches while it lays out (about 0.1 s for a report card, 0.45 s for a large office's
    bulletin), and every request the server process answers meanwhile would wait for it. When
    the process dies (a crash, the kernel's out-of-memory killer) its pool is broken and would
    fail every later report, so a broken pool is replaced and the report tried once more in a
    new process."""

    def __init__(self, stay: bool = True) -> None:
        # stay=False: the process ends as soon as it has nothing left to lay out, and gives back
        # the memory its last report took (1.2 GB for the ranking of 10,000 people).
        self._stay = stay
        self._pool: ProcessPoolExecutor | None = None
        self._busy = 0  # reports submitted to the current pool and not finished
        self._guard = threading.Lock()

    @property
    def started(self) -> bool:
        return self._pool is not None

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        with self._guard:
            if self._pool is pool:
                self._pool, self._busy = None, 0
        pool.shutdown(wait=False, cancel_futures=True)

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` in the process; once more in a new one if the process died."""
        try:
            return await self._run_once(function, *args)
        except BrokenProcessPool:
            try:
                return await self._run_once(function, *args)
            except BrokenProcessPool:
                raise Unavailable(_("报表生成进程意外停止，请稍后再试")) from None

    async def _run_once(self, function: Callable[..., T], *args: Any) -> T:
        with self._guard:
            if self._pool is None:
                self._pool = worker_pool(1)
            pool = self._pool
            self._busy += 1
        try:
            return await asyncio.wrap_future(pool.submit(function, *args))
        except BrokenProcessPool:
            self._discard(pool)
            raise
        finally:
            with self._guard:
                idle = False
                if self._pool is pool:  # not replaced meanwhile
                    self._busy -= 1
                    idle = not self._stay and self._busy == 0
            if idle:
                self._discard(pool)

    def stop(self) -> None:
        if (pool := self._pool) is not None:
            self._discard(pool)


# A report whose data is this large (its JSON, in bytes; a ranking of about 900 people)
# is laid out in a process of its own. WeasyPrint lays out about five pages a second here: a
# ranking of 10,000 people takes most of a minute, and every report card asked for meanwhile
# would wait behind it in the process of the small ones.
LARGE_REPORT = 200_000
reports = ReportProcess()
large_reports = ReportProcess(stay=False)


@atexit.register
def _stop_report_processes() -> None:
    reports.stop()
    large_reports.stop()


async def render_async(template: str, data: dict[str, Any]) -> bytes:
    """`render` without holding up the server: from the cache, or laid out in the report
    process, or for a large report in a process of its own (one at a time). The data is
    serialized once, for its key and its size."""
    payload = _canonical.encode(data)
    key = _key_of(template, payload)
    if (pdf := load_cached(key)) is not None:
        return pdf
    lane = reports if len(payload) < LARGE_REPORT else large_reports
    return await lane.run(_render_and_store, key, template, data, cache_dir())
