"""报表 pages: where chiefs, leaders and admins print the ranking, section summaries and the
monthly bulletin, and where leaders start the commendation bundle and watch its progress."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from appraisal.domain.calendar import today_local
from appraisal.errors import AppError, Forbidden
from appraisal.i18n import _
from appraisal.scopes import Role
from appraisal.services import appraisal, commendation, report_data, report_jobs
from appraisal.web.common import page


async def _hub(request: Request, error: str | None = None, status: int = 200, year: int | None = None) -> Template:
    me = request.user
    if not me.has(Role.CHIEF, Role.LEADER, Role.ADMIN):
        raise Forbidden(_("只有科长、领导或考核办可以使用报表"))
    today = today_local()
    jobs = await report_jobs.recent_jobs(me) if me.has(Role.LEADER, Role.ADMIN) else []
    return page(request, "reports/index.html", status_code=status, error=error,
                periods=[p for p in await appraisal.list_periods() if p["status"] != "draft"],
                sections=await report_data.sections_of(me), jobs=jobs, today=today,
                # The bundle is of an annual appraisal: the latest year that has one, as on 评优选先.
                year=year or await commendation.latest_year() or today.year)


@get("/reports", include_in_schema=False)
async def hub(request: Request) -> Template:
    return await _hub(request)


@get("/reports/ranking", include_in_schema=False)
async def ranking(period: FromQuery[int], section_id: FromQuery[str] = "") -> Redirect:
    """The ranking form's target: the PDF of the chosen period, for all sections or one."""
    query = f"?section_id={int(section_id)}" if section_id.strip().isdigit() else ""
    return Redirect(f"/api/v1/reports/ranking/{period}{query}")


@post("/reports/bundles", include_in_schema=False)
async def bundle_start(request: Request) -> Template | Redirect:
    form = await request.form()
    text = str(form.get("year", "")).strip()
    year = int(text) if text.isdigit() else 0
    try:
        started = await report_jobs.start_bundle(request.user, year)
    except AppError as exc:
        return await _hub(request, exc.message, exc.status_code, year=year or None)
    report_jobs.launch(started)
    return Redirect(f"/reports/jobs/{started.job_id}")


@get("/reports/jobs/{job_id:int}", include_in_schema=False)
async def job_page(request: Request, job_id: int) -> Template:
    return page(request, "reports/job.html", job=await report_jobs.get_job(request.user, job_id))


@get("/reports/jobs/{job_id:int}/progress", include_in_schema=False)
async def job_progress(request: Request, job_id: int) -> Template:
    """The progress fragment the job page polls; a finished job's fragment stops the polling."""
    return Template("pages/reports/job_progress.html", context={"job": await report_jobs.get_job(request.user, job_id)})
