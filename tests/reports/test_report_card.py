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


async def test_the_card_is_laid_out_in_the_report_process_which_is_started_again_when_it_dies(
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

    worker = await render.reports.run(os.getpid)
    assert worker != os.getpid()
    os.kill(worker, signal.SIGKILL)
    for pdf in tmp_path.rglob("*.pdf"):
        pdf.unlink()
    again = await client.get(f"/api/v1/reports/report-card/{zhao['id']}")
    assert again.status_code == 200 and text_of(again.content) == text_of(first.content)
    assert await render.reports.run(os.getpid) not in (worker, os.getpid()), "a new report process"
    assert laid_out_here == []


async def test_a_report_that_kills_its_process_twice_is_a_503_with_a_message():
    lane = render.ReportProcess()
    try:
        with pytest.raises(Unavailable) as refused:
            await lane.run(os._exit, 1)
        assert refused.value.status_code == 503 and refused.value.message == "报表生成进程意外停止，请稍后再试"
        assert await lane.run(os.getpid) != os.getpid(), "the next report gets a process of its own again"
    finally:
        lane.stop()


async def test_the_large_reports_process_ends_once_it_has_nothing_left_to_lay_out():
    """It held 1.2 GB after a ranking of 10,000 people for as long as the server ran. Reports
    asked for while one is being laid out share its process; the next one later starts anew."""
    import time

    lane = render.ReportProcess(stay=False)
    try:
        first = await lane.run(os.getpid)
        assert not lane.started
        slept, second = await asyncio.gather(lane.run(time.sleep, 0.5), lane.run(os.getpid))
        assert second not in (first, os.getpid()), "a new process for the next report"
        assert not lane.started
        for pid in (first, second):
            for _ in range(100):
                if not process_alive(pid):
                    break
                await asyncio.sleep(0.05)
            assert not process_alive(pid), f"the report process {pid} ended"
    finally:
        lane.stop()


async def test_a_server_starts_its_report_process_with_weasyprint_and_the_fonts_loaded(monkeypatch):
    """So that the first report asked for after a start (or on a new machine, where the fonts
    are prepared first, about a minute) does not wait for all that."""
    from appraisal.app import warm_reports

    lane = render.ReportProcess()
    monkeypatch.setattr(render, "reports", lane)
    try:
        assert not await lane.run(render.warmed), "a new process has nothing set up"
        lane.stop()
        await warm_reports()
        worker = await lane.run(os.getpid)
        with open(f"/proc/{worker}/maps") as maps:
            loaded = maps.read()
        assert "libpango" in loaded, "WeasyPrint's Pango is loaded in the report process"
        assert await lane.run(render.warmed), "the font configuration and the stylesheet are built there"
    finally:
        lane.stop()
