"""The quarterly report card as a person downloads it: their name, scores and grade, page
numbers, a page that renders to an image, the cache, and nobody else's card."""

import asyncio
import io
import os
import shutil
import signal
import subprocess

import pytest
from pypdf import PdfReader

from helpers import login, process_alive
from reports.pdfcheck import text_of
from services.test_appraisal_flow import appraisee_of, as_person, as_user, fill, open_quarter, submit_everything
from appraisal.errors import Unavailable
from appraisal.reports import render
from appraisal.services import appraisal


async def submitted_quarter() -> dict:
    period = await open_quarter()
    unit = (await appraisee_of(period["id"], "赵雪"))["unit"]
    await fill(period["id"], 0.8, only_unit=unit)
    await appraisal.submit_unit(await as_user("chief"), period["id"], unit)
    return period


async def published_quarter() -> dict:
    """Every unit submitted and the quarter reviewed: its people see their own results."""
    period = await open_quarter()
    await fill(period["id"], 0.8)
    await submit_everything(period["id"])
    return await appraisal.advance(await as_person("王建国"), period["id"], "reviewed")


async def test_a_person_downloads_their_report_card_with_name_scores_grade_and_page_numbers(office, client, tmp_path, monkeypatch):
    monkeypatch.setenv("APPRAISAL_VAR_DIR", str(tmp_path))
    period = await published_quarter()
    zhao = await appraisee_of(period["id"], "赵雪")
    await login(client, "staff")
    r = await client.get(f"/api/v1/reports/report-card/{zhao['id']}")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages)
    for expected in ("赵雪", "秘书科", "二级主任科员", "2026 年第四季度考核成绩单", "80", "较好", "第 1 页 / 共 1 页"):
        assert expected in text.replace("2 026", "2026"), expected
    again = await client.get(f"/api/v1/reports/report-card/{zhao['id']}")
    assert again.content == r.content, "unchanged data comes from the cache, byte for byte"

    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed: cannot render the page to PNG")
    pdf = tmp_path / "card.pdf"
    pdf.write_bytes(r.content)
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-singlefile", str(pdf), str(tmp_path / "card")], check=True)
    assert (tmp_path / "card.png").stat().st_size > 5000


async def test_a_colleagues_card_is_not_found_and_an_unsubmitted_one_is_a_conflict(office, client, tmp_path, monkeypatch):
    monkeypatch.setenv("APPRAISAL_VAR_DIR", str(tmp_path))
    period = await submitted_quarter()
    sun = await appraisee_of(period["id"], "孙浩然")
    other = await appraisee_of(period["id"], "冯建军")  # 综合科: not submitted
    await login(client, "staff")
    assert (await client.get(f"/api/v1/reports/report-card/{sun['id']}")).status_code == 404
    await client.post("/api/v1/auth/logout")
    await login(client, "admin")
    r = await client.get(f"/api/v1/reports/report-card/{other['id']}")
    assert r.status_code == 409 and r.json()["message"] == "评分提交后才能生成季度成绩单"


async def test_the_card_is_laid_out_in_a_worker_process_which_is_replaced_when_it_dies(
        office, client, tmp_path, monkeypatch):
    """The server's process lays out no PDF (WeasyPrint would hold every other request up while
    it does); a report process killed (by a crash or the out-of-memory killer) is replaced
    and the card still comes."""
    monkeypatch.setenv("APPRAISAL_VAR_DIR", str(tmp_path))
    laid_out_here: list[str] = []
    monkeypatch.setattr(render, "render_uncached", lambda t, d: laid_out_here.append(t) or b"")
    period = await published_quarter()
    zhao = await appraisee_of(period["id"], "赵雪")
    await login(client, "staff")
    first = await client.get(f"/api/v1/reports/report-card/{zhao['id']}")
    assert first.status_code == 200 and "赵雪" in text_of(first.content)
    assert laid_out_here == [], "nothing was laid out in the server's process"

    worker = await render.in_process(os.getpid)  # the worker that laid the card out, idle again
    assert worker != os.getpid()
    os.kill(worker, signal.SIGKILL)
    for pdf in tmp_path.rglob("*.pdf"):
        pdf.unlink()
    again = await client.get(f"/api/v1/reports/report-card/{zhao['id']}")
    assert again.status_code == 200 and text_of(again.content) == text_of(first.content)
    assert await render.in_process(os.getpid) not in (worker, os.getpid()), "a new report process"
    assert laid_out_here == []


async def test_a_report_that_kills_its_process_twice_is_a_503_with_a_message():
    with pytest.raises(Unavailable) as refused:
        await render.in_process(os._exit, 1)
    assert refused.value.status_code == 503 and refused.value.message == "报表生成进程意外停止，请稍后再试"
    assert await render.in_process(os.getpid) != os.getpid(), "the next report gets a process of its own again"


async def test_a_large_report_does_not_hold_up_the_report_cards_asked_for_meanwhile():
    """A ranking of 10,000 people takes most of a minute to lay out; a card asked for meanwhile
    is laid out beside it, in another process, while one report card waits for the one before."""
    import time

    large = asyncio.ensure_future(render.in_process(time.sleep, 3, lane=render.LARGE))
    await asyncio.sleep(0.2)
    started = time.monotonic()
    worker = await render.in_process(os.getpid)
    assert time.monotonic() - started < 2.5, "the card did not wait for the large report"
    assert not large.done() and worker != os.getpid()
    await large
    cards = [asyncio.ensure_future(render.in_process(time.sleep, 0.5)) for _ in range(2)]
    started = time.monotonic()
    await asyncio.gather(*cards)
    assert time.monotonic() - started >= 1.0, "report cards are laid out one after another"


async def test_a_cancelled_layout_ends_its_process():
    """A job stopped (the server stopping) does not leave its layout running on."""
    import time

    worker = await render.in_process(os.getpid)
    layout = asyncio.ensure_future(render.in_process(time.sleep, 30))
    await asyncio.sleep(0.5)
    layout.cancel()
    with pytest.raises(asyncio.CancelledError):
        await layout
    for _ in range(100):
        if not process_alive(worker):
            break
        await asyncio.sleep(0.05)
    assert not process_alive(worker), "the process laying it out was ended"


async def test_a_server_starts_its_report_process_with_weasyprint_and_the_fonts_loaded():
    """So that the first report asked for after a start (or on a new machine, where the fonts
    are prepared first, about a minute) does not wait for all that."""
    from appraisal.app import warm_reports

    assert not await render.in_process(render.warmed), "a new process has nothing set up"
    await warm_reports()
    worker = await render.in_process(os.getpid)  # the report process, idle again
    with open(f"/proc/{worker}/maps") as maps:
        loaded = maps.read()
    assert "libpango" in loaded, "WeasyPrint's Pango is loaded in the report process"
    assert await render.in_process(render.warmed), "the font configuration and the stylesheet are built there"


async def test_a_bundle_part_that_fails_stops_the_bundle_with_its_error_and_no_layout_left_running(monkeypatch):
    """A part that cannot be laid out fails the whole bundle (its job then says why) at once: the
    parts still waiting are not laid out for nothing."""
    import jinja2

    from appraisal.reports import bundle

    monkeypatch.setattr(bundle, "PARALLEL_FROM", 1)
    monkeypatch.setattr(bundle, "workers", lambda: 2)
    steps: list[int] = []

    async def progress(done: int, total: int) -> None:
        steps.append(done)

    await render.in_process(os.getpid)  # the worker processes are set up (anyio's task that ends them)
    before = set(asyncio.all_tasks())
    with pytest.raises(jinja2.TemplateNotFound):
        await bundle.build([("no-such-part.html", {"n": n}) for n in range(6)], progress)
    assert steps == [0], "no part was done"
    assert set(asyncio.all_tasks()) == before, "no layout of the bundle is left running"


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS:"))


async def test_a_worker_gives_back_the_memory_of_a_layout_once_a_large_report_is_done():
    """A worker goes on after a large report (1.2 GB after a ranking of 10,000 people, before):
    once it is done, what the layout took is given back to the system."""
    worker = await render.in_process(render.warm) or await render.in_process(os.getpid)
    baseline = rss_mb(worker)
    await render.in_process(render.render_uncached, "page_numbers.html", {"pages": 300})
    laid_out = rss_mb(worker)
    await render.in_process(int, lane=render.LARGE)  # the same worker, the only one idle
    given_back = rss_mb(worker)
    assert await render.in_process(os.getpid, lane=render.LARGE) == worker
    assert laid_out - baseline > 15, "the layout took memory"
    assert given_back - baseline < (laid_out - baseline) / 2, (baseline, laid_out, given_back)
