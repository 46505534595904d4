"""PDF reports under /api/v1/reports: rendered off the event loop, cached, within scope."""

from __future__ import annotations

import anyio
from litestar import Response, get

from appraisal.api.common import errors, file_response
from appraisal.reports import data, render
from appraisal.scopes import Principal

PDF = "application/pdf"


@get("/api/v1/reports/report-card/{appraisee_id:int}", tags=["reports"], responses=errors(401, 404, 409),
     media_type=PDF, summary="A person's quarterly report card (once their unit is submitted)")
async def report_card(principal: Principal, appraisee_id: int) -> Response[bytes]:
    filename, values = await data.report_card(principal, appraisee_id)
    content = await anyio.to_thread.run_sync(render.render, "report_card.html", values)
    return file_response(content, PDF, filename, "report.pdf", inline=True)
