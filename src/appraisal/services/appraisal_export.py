"""A period's scores and grades as an Excel sheet (see `appraisal.reports.workbook`)."""

from __future__ import annotations

import asyncio

from appraisal.i18n import _
from appraisal.reports import render
from appraisal.reports.workbook import headers_of, line_of, period_workbook
from appraisal.scopes import Principal
from appraisal.services.appraisal import period_results

# A sheet of more people than this is built in the lane of large reports, as a large PDF is: 10,000
# people take 3.5 s, and the report cards asked for meanwhile would wait behind it.
LARGE_SHEET = 1000
CHUNK = 1000  # rows made between two turns of the event loop (about 4 ms)


async def export_period(actor: Principal, period_id: int) -> tuple[str, bytes]:
    period, rows = await period_results(actor, period_id)
    lines = []
    for start in range(0, len(rows), CHUNK):
        if start:
            await asyncio.sleep(0)  # let the other requests of this process in between
        lines += [line_of(period, n, r) for n, r in enumerate(rows[start:start + CHUNK], start=start + 1)]
    lane = render.LARGE if len(lines) > LARGE_SHEET else render.REPORTS
    title = _("{name}结果").format(name=period["name"])
    return f"{period['name']}.xlsx", await render.in_process(
        period_workbook, title, period["code"], headers_of(period), lines, lane=lane)
