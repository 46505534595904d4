"""Bundles: many parts rendered across all cores into the part cache, then joined into one PDF
whose pages carry the bundle's own numbers (第 N 页 / 共 M 页).

Each part (a cover, one candidate's form and record) is an ordinary cached report rendered
without a footer. A part whose data did not change comes from the cache, so after one score
changes only that person's part is rendered again. The joined bundle is cached too, keyed by
its parts' keys: a bundle of unchanged data is read from disk, not rebuilt.

The page numbers cannot come from each part's own layout, since a part does not know where it
starts; after joining, a one-line-per-page document of the footers is rendered and laid over
the pages.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import anyio

from appraisal.reports import render
from appraisal.reports.fonts import report_fonts
from appraisal.settings import whole_number

Part = tuple[str, dict[str, Any]]  # (template, data)
Progress = Callable[[int, int], Awaitable[None]]
# Fewer parts than this to render are laid out one after another in the reports' lane: starting
# more worker processes (each loads WeasyPrint and the fonts) costs more than it saves.
PARALLEL_FROM = 4
PARTS = "bundle-parts"  # the lane of a bundle's parts: `workers()` at once


def workers() -> int:
    return whole_number("APPRAISAL_REPORT_WORKERS", os.cpu_count() or 1, minimum=1)


def bundle_key(parts: Sequence[Part]) -> str:
    return _joined_key([render.cache_key(template, data) for template, data in parts])


def _joined_key(part_keys: Sequence[str]) -> str:
    """The joined bundle's cache key, from its parts' keys."""
    digest = hashlib.sha256(b"bundle-1")
    for part_key in part_keys:
        digest.update(part_key.encode())
    return digest.hexdigest()


async def _nothing(done: int, total: int) -> None:
    return None


async def build(parts: Sequence[Part], on_progress: Progress = _nothing) -> bytes:
    """The joined PDF of `parts`, from the cache when nothing changed. `on_progress(done, total)`
    is awaited as parts finish; the last step is the joining."""
    total = len(parts) + 1
    keys = [render.cache_key(t, d) for t, d in parts]  # each part's data encoded once
    key = _joined_key(keys)
    if (pdf := render.load_cached(key)) is not None:
        await on_progress(total, total)
        return pdf
    missing = [i for i, k in enumerate(keys) if not render.mark_used(k)]
    done = len(parts) - len(missing)
    await on_progress(done, total)
    directory = render.cache_dir()
    if len(missing) < PARALLEL_FROM or workers() == 1:
        for i in missing:
            await render.in_process(render.render_to_cache, *parts[i], directory)
            done += 1
            await on_progress(done, total)
    else:
        # Build the prepared fonts once here, so the workers do not all start building them.
        await anyio.to_thread.run_sync(report_fonts)
        tasks = [asyncio.ensure_future(render.in_process(render.render_to_cache, *parts[i], directory,
                                                         lane=PARTS, at_once=workers())) for i in missing]
        try:
            for finished in asyncio.as_completed(tasks):
                await finished
                done += 1
                await on_progress(done, total)
        finally:  # a part failed, or the job was cancelled: the other parts are not waited for
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    # The footers are laid out too, so the joining runs in a worker process as well.
    await render.in_process(join_into_cache, keys, key, directory)
    await on_progress(total, total)
    if (pdf := render.load_cached(key)) is None:  # pragma: no cover - stored just before
        raise RuntimeError("the joined bundle is missing from the report cache")
    return pdf


def join_into_cache(keys: Sequence[str], key: str, directory: Path) -> None:
    """Join the cached parts `keys` and store the bundle under `key` (in a worker process, so
    that neither the parts nor the bundle cross between processes)."""
    render.store(key, join([render.load_cached(k, directory) for k in keys], directory), directory)


def join(pdfs: Sequence[bytes | None], directory: Path | None = None) -> bytes:
    """One PDF of `pdfs` in order, each page stamped 第 N 页 / 共 M 页.

    pikepdf (qpdf) copies pages and lays one page over another without parsing their content
    streams, which keeps joining a 900-page bundle to a second or two."""
    import pikepdf

    out = pikepdf.new()
    sources = []
    for pdf in pdfs:
        if pdf is None:  # pragma: no cover - every part was rendered into the cache just before
            raise RuntimeError("a bundle part is missing from the report cache")
        source = pikepdf.open(io.BytesIO(pdf))
        sources.append(source)  # a source must stay open until the joined file is written
        out.pages.extend(source.pages)
    # The footers depend on the page count only, so they come from the report cache.
    numbers = pikepdf.open(io.BytesIO(render.render("page_numbers.html", {"pages": len(out.pages)}, directory)))
    for page, footer in zip(out.pages, numbers.pages, strict=True):
        page.add_overlay(footer)
    buffer = io.BytesIO()
    out.save(buffer)
    for source in sources:
        source.close()
    return buffer.getvalue()
