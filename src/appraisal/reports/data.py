"""What each report shows, gathered within the caller's scope (404 outside it)."""

from __future__ import annotations

from typing import Any

from appraisal.domain.appraisal import GRADE_LABELS
from appraisal.errors import Conflict
from appraisal.i18n import _
from appraisal.scopes import Principal
from appraisal.services import appraisal

OFFICE_NAME = _("区委办公室")


async def report_card(actor: Principal, appraisee_id: int) -> tuple[str, dict[str, Any]]:
    """A person's quarterly report card: only once their unit is submitted (the numbers are
    frozen then)."""
    detail = await appraisal.appraisal_detail(actor, appraisee_id)
    period = detail["period"]
    if not detail.get("frozen") or period["is_annual"]:
        raise Conflict(_("评分提交后才能生成季度成绩单"), code="not_submitted")
    b = detail["breakdown"]
    data = {
        "office": OFFICE_NAME,
        "period_name": period["name"], "period_start": str(period["start"]), "period_end": str(period["end"]),
        "person": {"name": detail["name"], "section": detail["section_name"] or "", "post_rank": detail["post_rank"] or "",
                   "category": _("科室负责人") if detail["pool"] == "leaders" else _("一般干部")},
        "lines": b["lines"], "components": b["components"], "excluded": [list(e) for e in b["excluded"]],
        "total": detail["total"], "grade": GRADE_LABELS.get(detail["grade"] or "", ""),
        "comment": detail["comment"], "self_summary": detail["self_summary"],
    }
    return f"{period['name']}成绩单-{detail['name']}.pdf", data
