"""A period's scores and grades as an Excel sheet (see `appraisal.reports.workbook`)."""

from __future__ import annotations

from appraisal.reports import render
from appraisal.reports.workbook import period_workbook
from appraisal.scopes import Principal
from appraisal.services.appraisal import period_results

# A sheet of more people than this is built in a process of its own, as a large PDF is: 10,000
# people take 3.5 s, and the report cards asked for meanwhile would wait behind it.
LARGE_SHEET = 1000


async def export_period(actor: Principal, period_id: int) -> tuple[str, bytes]:
    period, rows = await period_results(actor, period_id)
    # Only what the sheet shows goes to the report process (pickled there and back).
    sheet = {k: period[k] for k in ("name", "code", "is_annual", "indicators")}
    people = [{k: r.get(k) for k in ("section_name", "name", "post_rank", "breakdown", "frozen", "total", "grade")}
              for r in rows]
    lane = render.large_reports if len(people) > LARGE_SHEET else render.reports
    return f"{period['name']}.xlsx", await lane.run(period_workbook, sheet, people)
