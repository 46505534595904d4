"""The public commitment catalogue page (no login)."""

from __future__ import annotations

from itertools import groupby

from litestar import Request, get
from litestar.response import Template

from appraisal.domain.calendar import today_local
from appraisal.services import commitments
from appraisal.web.common import page


@get("/commitments", opt={"exclude_from_auth": True}, include_in_schema=False)
async def commitments_page(request: Request) -> Template:
    today = today_local()
    items = await commitments.catalogue(today)
    sections = [(name, list(rows)) for name, rows in groupby(items, key=lambda r: r["section_name"])]
    return page(request, "commitments/catalogue.html", sections=sections, today=today)
