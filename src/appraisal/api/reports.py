"""PDF reports under /api/v1/reports: rendered off the event loop, cached, within scope. The
commendation bundle runs as a background job whose progress any server process reports."""

from __future__ import annotations

import datetime as dt
import msgspec
from litestar import Controller, Response, get, post
from litestar.params import FromQuery

from appraisal.api.common import errors, file_response
from appraisal.reports import render
from appraisal.scopes import Principal
from appraisal.services import report_data, report_jobs

PDF = "application/pdf"


async def _pdf(report: report_data.Report) -> Response[bytes]:
    filename, template, values = report
    content = await render.render_async(template, values)
    return file_response(content, PDF, filename, "report.pdf", inline=True)


class BundleIn(msgspec.Struct):
    year: int


class JobParams(msgspec.Struct):
    """What a job was asked to make: the year of a 评优选先 bundle."""

    year: int


class JobOut(msgspec.Struct):
    id: int
    kind: str
    params: JobParams
    status: str
    status_label: str
    done: int
    total: int
    percent: int
    message: str
    error: str
    file_name: str
    finished: bool
    created_at: dt.datetime
    finished_at: dt.datetime | None


def _job_out(job: dict) -> JobOut:
    return msgspec.convert({name: job[name] for name in JobOut.__struct_fields__}, JobOut)


class ReportController(Controller):
    path = "/api/v1/reports"
    tags = ["reports"]

    @get("/report-card/{appraisee_id:int}", responses=errors(401, 404, 409, 503), media_type=PDF,
         summary="A person's quarterly report card (once their unit is submitted)")
    async def report_card(self, principal: Principal, appraisee_id: int) -> Response[bytes]:
        return await _pdf(await report_data.report_card(principal, appraisee_id))

    @get("/registration/{appraisee_id:int}", responses=errors(401, 404, 409, 422, 503), media_type=PDF,
         summary="A person's 年度考核登记表 (annual registration form, once their unit is submitted)")
    async def registration(self, principal: Principal, appraisee_id: int) -> Response[bytes]:
        return await _pdf(await report_data.registration_form(principal, appraisee_id))

    @get("/ranking/{period_id:int}", responses=errors(401, 403, 404, 503), media_type=PDF,
         summary="Section averages and the ranking of a period over the caller's sections; with section_id, "
                 "that section's summary with each person's quarters")
    async def ranking(self, principal: Principal, period_id: int,
                      section_id: FromQuery[int | None] = None) -> Response[bytes]:
        return await _pdf(await report_data.ranking(principal, period_id, section_id))

    @get("/bulletin", responses=errors(401, 403, 422, 503), media_type=PDF,
         summary="The 通报 of a month: overdue and late matters, supervision items and how they stand")
    async def bulletin(self, principal: Principal, year: FromQuery[int], month: FromQuery[int]) -> Response[bytes]:
        return await _pdf(await report_data.bulletin(principal, year, month))

    @post("/bundles", status_code=202, responses=errors(400, 401, 403, 404, 409),
          summary="Start the commendation-review bundle of a year (leaders, admins); poll the job for progress. "
                  "While the same bundle is being made, answers that job instead of starting another")
    async def start_bundle(self, principal: Principal, data: BundleIn) -> JobOut:
        started = await report_jobs.start_bundle(principal, data.year)
        report_jobs.launch(started)
        return _job_out(await report_jobs.get_job(principal, started.job_id))

    @get("/bundles/{job_id:int}", responses=errors(401, 403, 404), summary="A bundle job's state and progress")
    async def bundle_job(self, principal: Principal, job_id: int) -> JobOut:
        return _job_out(await report_jobs.get_job(principal, job_id))

    @get("/bundles/{job_id:int}/file", responses=errors(401, 403, 404, 409), media_type=PDF,
         summary="The finished bundle (409 until it is done)")
    async def bundle_file(self, principal: Principal, job_id: int) -> Response[bytes]:
        filename, content = await report_jobs.job_pdf(principal, job_id)
        return file_response(content, PDF, filename, "bundle.pdf")
