"""The report cache stays within its size: what has gone unread longest is removed first, what
was just used or is being joined into a bundle is kept, and a removed file is simply made again."""

import os
import time

import pytest

from helpers import login
from reports.pdfcheck import text_of
from reports.test_reports import scored_year, wait_for
from services.test_appraisal_flow import appraisee_of, clock, fill, open_quarter, submit_everything  # noqa: F401
from appraisal.app import scheduled_work
from appraisal.reports import render

KB = 1024
HOUR = 3600


@pytest.fixture(autouse=True)
def report_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("APPRAISAL_VAR_DIR", str(tmp_path))
    return tmp_path / "pdf-cache"


def put(root, name: str, size: int, age: float, now: float, suffix: str = ".pdf"):
    path = root / name[:2] / f"{name}{suffix}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    os.utime(path, (now - age, now - age))
    return path


def test_an_oversized_cache_loses_its_longest_unread_files_down_to_nine_tenths(report_cache):
    now = time.time()
    old = [put(report_cache, f"{n:02d}old", 100 * KB, age=(10 - n) * 24 * HOUR, now=now) for n in range(8)]
    recent = [put(report_cache, f"{n:02d}new", 100 * KB, age=60, now=now) for n in range(2)]
    dead_partial = put(report_cache, "aapartial", 50 * KB, age=2 * HOUR, now=now, suffix=".123.456.tmp")
    live_partial = put(report_cache, "bbpartial", 50 * KB, age=5, now=now, suffix=".123.789.tmp")

    assert render.mark_used("00old", report_cache), "a bundle found this part: it counts on it until joined"
    assert not render.mark_used("ffnone", report_cache)

    pruned = render.prune_cache(500 * KB, report_cache, now=time.time())
    assert [p.exists() for p in old] == [True] + [False] * 6 + [True], "the six unread longest go, down to 450 KB"
    assert all(p.exists() for p in recent)
    assert pruned.kept == 400 * KB and pruned.files == 7 and pruned.bytes == 650 * KB
    assert not dead_partial.exists(), "a partial file its writer left long ago is removed"
    assert live_partial.exists(), "a partial file being written is not"

    again = render.prune_cache(500 * KB, report_cache, now=now)
    assert again.files == 0 and again.kept == 400 * KB, "within the limit nothing more is removed"
    tight = render.prune_cache(0, report_cache, now=now)
    assert tight.kept == 300 * KB and all(p.exists() for p in recent) and old[0].exists(), \
        "files used in the last hour stay, whatever the limit"


async def test_a_card_read_again_outlives_one_left_unread_and_a_pruned_card_is_made_again(
        office, client, clock, report_cache):
    period = await open_quarter(2026, 4)
    await fill(period["id"], 0.8)
    await submit_everything(period["id"])
    await login(client, "admin")
    zhao, sun = await appraisee_of(period["id"], "赵雪"), await appraisee_of(period["id"], "孙浩然")
    cards = {}
    for person in (zhao, sun):
        r = await client.get(f"/api/v1/reports/report-card/{person['id']}")
        assert r.status_code == 200
        cards[person["id"]] = r.content
    files = sorted(report_cache.rglob("*.pdf"))
    assert len(files) == 2
    a_day_ago = time.time() - 24 * HOUR
    for path in files:
        os.utime(path, (a_day_ago, a_day_ago))
    again = await client.get(f"/api/v1/reports/report-card/{zhao['id']}")
    assert again.content == cards[zhao["id"]], "from the cache"

    size = max(path.stat().st_size for path in files)
    pruned = render.prune_cache(size * 3 // 2, report_cache, now=time.time() + 2 * HOUR)  # room for one
    assert pruned.files == 1
    (left,) = report_cache.rglob("*.pdf")
    assert left.read_bytes() == cards[zhao["id"]], "the card read again is the one kept"
    made_again = await client.get(f"/api/v1/reports/report-card/{sun['id']}")
    assert made_again.status_code == 200 and text_of(made_again.content) == text_of(cards[sun["id"]])


async def test_the_servers_scheduled_work_prunes_the_cache_and_a_pruned_bundle_says_to_make_it_again(
        office, client, clock, report_cache):
    await scored_year()
    await login(client, "leader")
    job = await wait_for(client, (await client.post("/api/v1/reports/bundles", json={"year": 2026})).json()["id"])
    assert job["status"] == "done"
    assert (await client.get(f"/api/v1/reports/bundles/{job['id']}/file")).status_code == 200
    assert list(report_cache.rglob("*.pdf"))

    await scheduled_work(0)
    kept = await client.get(f"/api/v1/reports/bundles/{job['id']}/file")
    assert kept.status_code == 200, "just made and read: kept for the hour, whatever the limit"
    clock.shift(2 * HOUR)
    await scheduled_work(0)  # the sweep, then the cache pruned to nothing
    assert not list(report_cache.rglob("*.pdf"))

    r = await client.get(f"/api/v1/reports/bundles/{job['id']}/file")
    assert r.status_code == 409 and r.json()["message"] == "该材料文件已过期清理，请重新生成"
    remade = await wait_for(client, (await client.post("/api/v1/reports/bundles", json={"year": 2026})).json()["id"])
    assert remade["status"] == "done" and remade["id"] != job["id"]
    r = await client.get(f"/api/v1/reports/bundles/{remade['id']}/file")
    assert r.status_code == 200 and "周晓琳" in text_of(r.content)


def test_a_report_process_reads_the_stylesheet_again_once_it_changes(tmp_path, monkeypatch):
    """A PDF's cache key names the stylesheet as it is on disk; a process that went on laying
    out with the one it parsed first filed PDFs of the old look under the new key."""
    import shutil

    copy = tmp_path / "reports"
    shutil.copytree(render.REPORTS_DIR, copy)
    monkeypatch.setattr(render, "REPORTS_DIR", copy)
    _config, first = render._weasy()
    assert render._weasy()[1] is first, "parsed once while it stays as it is"
    key = render.cache_key("bulletin.html", {"n": 1})
    css = copy / "report.css"
    stat = css.stat()
    css.write_text(css.read_text(encoding="utf-8") + "\ntd.flag { color: #c00; }\n", encoding="utf-8")
    os.utime(css, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert render.cache_key("bulletin.html", {"n": 1}) != key, "the edit gives its PDFs new keys"
    assert render._weasy()[1] is not first, "and the process lays them out with the edited stylesheet"
