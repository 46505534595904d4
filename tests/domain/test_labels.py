"""One label per coded value, defined once next to its codes.

Each set of codes (grades, statuses, kinds, pools, quarters …) has one dictionary of labels in
the module that defines the codes; pages, the audit log, PDFs and the Excel sheet read that
dictionary. These tests hold the rule: every code has exactly one label, and no template or
other module writes a code's label out again as its own string literal."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from appraisal.domain import accountability as accountability_rules
from appraisal.domain.appraisal import (
    COMPONENT_LABELS, GRADE_LABELS, POOL_LABELS, POOL_SCORERS, ROUNDING_LABELS, AnnualGrade, Pool, QuarterGrade, Rounding,
)
from appraisal.domain.calendar import DAY_KIND_LABELS, DAY_MARKS, HOLIDAY, WORKDAY
from appraisal.domain.commitments import LIMIT_KIND_LABELS, LimitKind
from appraisal.domain.deadlines import LIGHT_LABELS, Light
from appraisal.domain.people import GENDERS
from appraisal.domain.periods import QUARTER_NAMES, STATUS_LABELS, SUBMISSION_LABELS, PeriodStatus, quarter_name
from appraisal.domain.targets import (
    ACTIVE, ARCHIVED, INDICATOR_LABELS, LEVEL_LABELS, STATUS_LABELS as TARGET_STATUS_LABELS, IndicatorKind, Level,
)
from appraisal.scopes import ROLE_LABELS, Role
from appraisal.services import accountability, audit, matters, report_jobs, supervision

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "appraisal"
TEMPLATES = ROOT / "templates"


@dataclass(frozen=True)
class CodeSet:
    name: str
    labels: Mapping
    codes: Iterable
    module: str  # where the codes and their labels are defined, relative to src/appraisal
    scanned: bool = True  # whether its labels are looked for elsewhere (single characters are not)


CODE_SETS = [
    CodeSet("grade", GRADE_LABELS, [*QuarterGrade, *AnnualGrade], "domain/appraisal.py"),
    CodeSet("pool", POOL_LABELS, Pool, "domain/appraisal.py"),
    CodeSet("pool scorer", POOL_SCORERS, Pool, "domain/appraisal.py"),
    CodeSet("rounding", ROUNDING_LABELS, Rounding, "domain/appraisal.py"),
    CodeSet("score component", COMPONENT_LABELS, ("target", "accountability", "overdue", "bonus"), "domain/appraisal.py"),
    CodeSet("period status", STATUS_LABELS, PeriodStatus, "domain/periods.py"),
    CodeSet("quarter", QUARTER_NAMES, (1, 2, 3, 4), "domain/periods.py"),
    CodeSet("unit submission", SUBMISSION_LABELS, (True, False), "domain/periods.py"),
    CodeSet("role", ROLE_LABELS, Role, "scopes.py"),
    CodeSet("gender", GENDERS, ("male", "female"), "domain/people.py", scanned=False),  # 男, 女: one character
    CodeSet("light", LIGHT_LABELS, Light, "domain/deadlines.py"),
    CodeSet("indicator kind", INDICATOR_LABELS, IndicatorKind, "domain/targets.py"),
    CodeSet("target level", LEVEL_LABELS, Level, "domain/targets.py"),
    CodeSet("target status", TARGET_STATUS_LABELS, (ACTIVE, ARCHIVED), "domain/targets.py"),
    CodeSet("trigger", accountability_rules.TRIGGERS, ("overdue", "shirk", "complaint", "supervision", "manual"),
            "domain/accountability.py"),
    CodeSet("calendar day kind", DAY_KIND_LABELS, (HOLIDAY, WORKDAY), "domain/calendar.py"),
    CodeSet("calendar day mark", DAY_MARKS, (HOLIDAY, WORKDAY, "weekend", "working"), "domain/calendar.py",
            scanned=False),  # 休, 班: one character
    CodeSet("limit kind", LIMIT_KIND_LABELS, LimitKind, "domain/commitments.py"),
    CodeSet("matter status", matters.STATUS_LABELS, (matters.OPEN, matters.PAUSED, matters.COMPLETED),
            "domain/matters.py"),
    CodeSet("matter event", matters.EVENT_LABELS, matters.EventKind, "domain/matters.py"),
    CodeSet("matter light", matters.LIGHT_LABELS, [*Light, "paused", "done"], "domain/matters.py"),
    CodeSet("matter channel", matters.CHANNELS, ("visit", "call", "letter", "online", "document", "referral"),
            "domain/matters.py"),
    CodeSet("satisfaction", matters.SATISFACTION, ("satisfied", "basically", "unsatisfied"), "domain/matters.py"),
    CodeSet("supervision status", supervision.STATUS_LABELS,
            (supervision.OPEN, supervision.REVIEW, supervision.COMPLETED), "services/supervision.py"),
    CodeSet("supervision source", supervision.SOURCES, ("instruction", "meeting", "key_task"), "services/supervision.py"),
    CodeSet("supervision report", supervision.REPORT_KINDS,
            ("create", "progress", "submit", "press", "send_back", "complete"), "services/supervision.py"),
    CodeSet("supervision light", supervision.LIGHT_LABELS, [*Light, "done", "late"], "services/supervision.py"),
    CodeSet("supervision part", supervision.PARTS, ("lead", "assist"), "services/supervision.py"),
    CodeSet("accountability status", accountability.STATUS_LABELS,
            (accountability.PROPOSED, accountability.DECIDED, accountability.APPEALED, accountability.FINAL,
             accountability.DISMISSED), "services/accountability.py"),
    CodeSet("appeal result", accountability.APPEAL_RESULTS, ("upheld", "changed", "revoked"),
            "services/accountability.py"),
    CodeSet("audit action", audit.ACTION_LABELS, ("create", "update", "delete", "shirk"), "services/audit.py"),
    CodeSet("audit actor", audit.SYSTEM_ACTORS, ("sweep", "system"), "services/audit.py"),
    CodeSet("report job status", report_jobs.STATUS_LABELS,
            (report_jobs.QUEUED, report_jobs.RUNNING, report_jobs.DONE, report_jobs.FAILED), "services/report_jobs.py"),
]

# Words that are a code's label and also, by themselves, the heading of a column or a field on
# a form (科室 is a target level and the column of a person's section), where they name the
# field, not a code. Each is allowed in the files listed, and only there.
HOMOGRAPHS: dict[str, dict[str, str]] = {
    "科室": {
        "why": "the column or field of a person's, matter's or target's section",
        "files": "templates/base.html templates/pages/accountability/list.html templates/pages/appraisal/commendation.html "
                 "templates/pages/appraisal/period.html templates/pages/appraisal/person.html "
                 "templates/pages/commitments/admin.html templates/pages/home/index.html templates/pages/matters/list.html "
                 "templates/pages/org/people.html templates/pages/org/person_form.html templates/pages/targets/tree.html "
                 "templates/reports/bulletin.html templates/reports/bundle_cover.html templates/reports/ranking.html "
                 "templates/reports/report_card.html src/appraisal/domain/roster.py src/appraisal/reports/workbook.py "
                 "src/appraisal/services/target_setup.py src/appraisal/web/audit.py src/appraisal/web/commitments.py "
                 "src/appraisal/web/matters.py src/appraisal/web/org.py",
    },
    "单位": {"why": "the 工作单位 field of the registration form (登记表)", "files": "templates/reports/_registration.html"},
    "个人总结": {
        "why": "the heading of a person's self-summary, the field the period status is named after",
        "files": "templates/pages/appraisal/mine.html templates/pages/appraisal/person.html "
                 "templates/reports/_registration.html templates/reports/report_card.html src/appraisal/web/appraisal.py "
                 "src/appraisal/web/audit.py",
    },
    "加分": {"why": "the bonus table in the audit log, and the points column of a candidate's bonuses",
           "files": "src/appraisal/web/audit.py templates/reports/bundle_candidate.html"},
    "删除": {"why": "the button that removes a holiday or make-up day", "files": "templates/pages/calendar/year.html"},
    "领导": {"why": "the audited field `leader` of a leader's section", "files": "src/appraisal/web/audit.py"},
    "已完成": {"why": "the audited field `done` of a report job's progress", "files": "src/appraisal/web/audit.py"},
    "办结": {"why": "the button of a matter's 办结 step", "files": "templates/pages/matters/detail.html"},
    "转办": {"why": "the button of a matter's 转办 step", "files": "templates/pages/matters/detail.html"},
    "签收": {"why": "the button of a matter's 签收 step", "files": "templates/pages/matters/detail.html"},
    "退回": {"why": "the button of a matter's 退回 step", "files": "templates/pages/matters/detail.html"},
    "恢复": {"why": "the buttons that restore a withdrawn commitment, an archived target, a paused matter",
             "files": "templates/pages/commitments/admin.html templates/pages/targets/tree.html"},
    "申请延期": {"why": "the button of a matter's extension request", "files": "templates/pages/matters/detail.html"},
    "回访": {"why": "the heading and button of a matter's follow-up", "files": "templates/pages/matters/detail.html"},
    "登记": {"why": "the buttons that register a matter, a bonus, a unit's opinion",
             "files": "templates/base.html templates/pages/appraisal/bonuses.html templates/pages/appraisal/period.html "
                      "templates/pages/matters/new.html"},
    "立项": {"why": "the button that registers a supervision item", "files": "templates/pages/supervision/board.html"},
    "督办": {"why": "the 督办 button, and the tag of an item one supervises",
             "files": "templates/pages/supervision/board.html"},
    "退回重办": {"why": "the button that sends a result back", "files": "templates/pages/supervision/detail.html"},
    "不予追究": {"why": "the button that dismisses a proposed record", "files": "templates/pages/accountability/detail.html"},
}
QUOTED = '(?<![\\w])(["\'])({})\\1'


def _written_in(label: str, name: str) -> bool:
    return re.search(QUOTED.format(re.escape(label)), (ROOT / name).read_text(encoding="utf-8")) is not None


def _label_owners() -> dict[str, set[str]]:
    """Each scanned label → the defining modules that write it out (a set may reuse another's
    label by reference, as a matter's "paused" light is its status 已中止)."""
    owners: dict[str, set[str]] = {}
    for code_set in CODE_SETS:
        module = f"src/appraisal/{code_set.module}"
        for label in code_set.labels.values():
            if label and code_set.scanned and _written_in(label, module):
                owners.setdefault(label, set()).add(module)
    return owners


def _sources() -> list[Path]:
    return sorted([p for p in SRC.rglob("*.py") if "migrations" not in p.parts] + list(TEMPLATES.rglob("*.html")))


@pytest.mark.parametrize("code_set", CODE_SETS, ids=lambda c: c.name)
def test_every_code_has_exactly_one_label(code_set: CodeSet) -> None:
    codes = list(code_set.codes)
    assert sorted(map(str, code_set.labels)) == sorted(map(str, codes)), "a code without a label, or a label without a code"
    labels = [code_set.labels[code] for code in codes]
    assert all(isinstance(label, str) for label in labels)
    shown = [label for label in labels if label]
    assert len(set(shown)) == len(shown), f"two {code_set.name} codes share a label: a reader could not tell them apart"


@pytest.mark.parametrize("code_set", CODE_SETS, ids=lambda c: c.name)
def test_each_code_set_is_defined_in_the_module_it_names(code_set: CodeSet) -> None:
    others = {label for other in CODE_SETS if other is not code_set for label in other.labels.values()}
    for label in code_set.labels.values():
        if label and label not in others:  # a label of its own, not another set's reused
            assert _written_in(label, f"src/appraisal/{code_set.module}"), f"{label!r} is not in {code_set.module}"


def test_no_template_or_module_repeats_the_label_of_a_code() -> None:
    owners = _label_owners()
    pattern = re.compile(QUOTED.format("|".join(sorted(map(re.escape, owners), key=len, reverse=True))))
    repeated = []
    for path in _sources():
        name = path.relative_to(ROOT).as_posix()
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            label = match.group(2)
            allowed = owners[label] | set(HOMOGRAPHS.get(label, {}).get("files", "").split())
            if name not in allowed:
                repeated.append(f"{name}: {label!r} (defined in {', '.join(sorted(owners[label]))})")
    assert repeated == [], "\n".join(repeated)


def test_homographs_are_still_needed() -> None:
    """An allowance that no longer matches anything is removed, so it cannot hide a new repeat."""
    stale = []
    for label, entry in HOMOGRAPHS.items():
        for name in entry["files"].split():
            if not _written_in(label, name):
                stale.append(f"{name}: {label!r}")
    assert stale == []


def test_no_template_picks_a_label_by_comparing_a_code() -> None:
    """`_("科室负责人") if a.pool == 'leaders' else _("一般干部")` is a second definition of a label."""
    ternary = re.compile(r"""_\(["'][^"']+["']\) if [\w.]+ [!=]= ["'][a-z_]+["'] else _\(""")
    found = [f"{p.relative_to(ROOT)}: {m.group(0)}" for p in TEMPLATES.rglob("*.html")
             for m in ternary.finditer(p.read_text(encoding="utf-8"))]
    assert found == []


def test_quarters_are_named_by_quarter_name_only() -> None:
    spelled = [p.relative_to(ROOT).as_posix() for p in _sources() if "一二三四" in p.read_text(encoding="utf-8")]
    assert spelled == []
    assert [quarter_name(q) for q in (1, 2, 3, 4)] == ["第一季度", "第二季度", "第三季度", "第四季度"]


def test_one_local_time_zone() -> None:
    """Asia/Shanghai is named once, in domain.calendar; everything else imports LOCAL_TZ."""
    naming = [p.relative_to(ROOT).as_posix() for p in SRC.rglob("*.py")
              if re.search(r"ZoneInfo\(\s*[\"']Asia/Shanghai", p.read_text(encoding="utf-8"))]
    assert naming == ["src/appraisal/domain/calendar.py"]


def test_the_calendar_day_kinds_are_the_ones_stored() -> None:
    from appraisal.db.seed import HOLIDAY as STORED_HOLIDAY, WORKDAY as STORED_WORKDAY

    assert (STORED_HOLIDAY, STORED_WORKDAY) == (HOLIDAY, WORKDAY)
