"""Background report jobs: the commendation-review bundle (评优选先材料) of a year.

Starting a job checks the caller and gathers the data at once (so a 403, 404 or 409 answers the
request itself), records the job and renders in the background. Progress is written to the
database, so whichever server process a browser asks reports it; the finished PDF lives in the
report cache under the bundle's key. Asking again for a bundle that is being made (a second
click, a colleague at the same time) answers the job already at work on it instead of rendering
the same hundreds of PDFs twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

from appraisal.db.tables import ReportJob
from appraisal.db.transaction import atomic, one_writer_for
from appraisal.errors import Conflict, Forbidden, NotFound
from appraisal.i18n import _
from appraisal.reports import bundle, render
from appraisal.scopes import Principal, Role
from appraisal.services import audit, report_data

log = logging.getLogger("appraisal.reports")

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATUS_LABELS = {QUEUED: _("排队中"), RUNNING: _("生成中"), DONE: _("已完成"), FAILED: _("失败")}
# A running job whose process stopped writing progress this long ago is reported as failed.
STALE_AFTER = dt.timedelta(minutes=10)
PROGRESS_EVERY = 0.3  # seconds between progress writes; the last step is always written
_running: set[asyncio.Task] = set()  # strong references, so a job's task is not collected


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _require_reporter(actor: Principal) -> None:
    if not actor.has(Role.LEADER, Role.ADMIN):
        raise Forbidden(_("只有领导或考核办可以生成评优材料"))


class Started(NamedTuple):
    job_id: int
    parts: list[bundle.Part]
    new: bool  # False: the same bundle was already being made, and `job_id` is that job


async def start_bundle(actor: Principal, year: int, join_running: bool = True) -> Started:
    """Record a bundle job for `year` and answer its id with the parts to render; with
    `join_running`, a job still making the very same bundle (the same parts, so the same data)
    is answered instead and nothing is recorded."""
    _require_reporter(actor)
    file_name, parts = await report_data.bundle_parts(actor, year)
    key = bundle.bundle_key(parts)
    async with atomic():
        await one_writer_for("report-job:bundle")
        if join_running:
            running = await ReportJob.select(ReportJob.id).where(
                ReportJob.kind == "bundle", ReportJob.file_key == key, ReportJob.status.is_in([QUEUED, RUNNING]),
                ReportJob.updated_at > _now() - STALE_AFTER).order_by(ReportJob.id, ascending=False).first().run()
            if running is not None:
                return Started(running["id"], parts, new=False)
        job = await audit.insert(actor, ReportJob(
            kind="bundle", params=json.dumps({"year": year}), status=QUEUED, total=len(parts) + 1,
            message=_("等待开始"), file_name=file_name, file_key=key, requested_by=actor.person_id))
    return Started(job.id, parts, new=True)


async def _set(job_id: int, **values: Any) -> None:
    await ReportJob.update({**{getattr(ReportJob, k): v for k, v in values.items()}, ReportJob.updated_at: _now()}) \
        .where(ReportJob.id == job_id).run()


async def run(job_id: int, parts: list[bundle.Part],
              on_progress: Callable[[int, int], Awaitable[None]] | None = None) -> bytes | None:
    """Render the job's bundle, writing progress as parts finish. Answers the PDF, or None when
    it failed (the job then says why)."""
    last_write = 0.0

    async def progress(done: int, total: int) -> None:
        nonlocal last_write
        if on_progress is not None:
            await on_progress(done, total)
        now = time.monotonic()
        if done >= total or now - last_write >= PROGRESS_EVERY:
            last_write = now
            message = _("正在合并并编页码") if done == total - 1 else _("已生成 {d} / {t} 份").format(d=done, t=total - 1)
            await _set(job_id, done=done, total=total, message=message)

    await _set(job_id, status=RUNNING, message=_("正在生成"))
    try:
        pdf = await bundle.build(parts, progress)
    except Exception as exc:  # the job records any failure; the server goes on
        log.exception("report job %s failed", job_id)
        await _set(job_id, status=FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], message=_("生成失败"),
                   finished_at=_now())
        return None
    await _set(job_id, status=DONE, done=len(parts) + 1, message=STATUS_LABELS[DONE], finished_at=_now())
    return pdf


def launch(started: Started) -> None:
    """Run a newly started job in the background of this server process (a job it joined runs
    where it was started)."""
    if not started.new:
        return
    task = asyncio.get_running_loop().create_task(run(started.job_id, started.parts))
    _running.add(task)
    task.add_done_callback(_running.discard)


def _present(row: dict) -> dict:
    status = row["status"]
    if status in (QUEUED, RUNNING) and _now() - row["updated_at"] > STALE_AFTER:
        status = FAILED
        row = {**row, "message": _("生成中断（服务进程已停止），请重新生成"), "status": FAILED}
    percent = int(100 * row["done"] / row["total"]) if row["total"] else 0
    return {**row, "params": json.loads(row["params"]), "status_label": STATUS_LABELS[status], "percent": percent,
            "finished": status in (DONE, FAILED)}


async def get_job(actor: Principal, job_id: int) -> dict:
    _require_reporter(actor)
    row = await ReportJob.select().where(ReportJob.id == job_id).first().run()
    if row is None:
        raise NotFound(_("任务不存在"))
    return _present(row)


async def recent_jobs(actor: Principal, limit: int = 10) -> list[dict]:
    _require_reporter(actor)
    rows = await ReportJob.select().order_by(ReportJob.id, ascending=False).limit(limit).run()
    return [_present(r) for r in rows]


async def job_pdf(actor: Principal, job_id: int) -> tuple[str, bytes]:
    job = await get_job(actor, job_id)
    if job["status"] != DONE or not job["file_key"]:
        raise Conflict(_("材料尚未生成完成"), code="not_ready")
    if (pdf := render.load_cached(job["file_key"])) is None:
        # The report cache is pruned to its size (APPRAISAL_PDF_CACHE_MB), oldest unread first.
        raise Conflict(_("该材料文件已过期清理，请重新生成"), code="file_expired")
    return job["file_name"], pdf
