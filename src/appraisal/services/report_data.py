"""What each report shows, gathered within the caller's scope (404 outside it), in a few
set-based queries. Each function answers (download file name, template, data); the data is
plain JSON-able values, which is also what the PDF cache is keyed by."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import anyio
from piccolo.columns.combination import WhereRaw

from appraisal.db.tables import Appraisee, Bonus, Matter, Period, Person, Section, SupervisionItem
from appraisal.domain.appraisal import GRADE_LABELS, POOL_LABELS, results_pending_text
from appraisal.domain.calendar import LOCAL_TZ, today_local
from appraisal.domain.people import GENDERS
from appraisal.domain.periods import quarter_name
from appraisal.errors import Conflict, Forbidden, InvalidInput, NotFound
from appraisal.i18n import _
from appraisal.reports import charts
from appraisal.scopes import Principal, Role, read_scope, visible_where
from appraisal.services import appraisal, commendation
from appraisal.services import calendar as calendar_service
from appraisal.services import supervision as supervision_service
from appraisal.services import targets as target_service
from appraisal.services.appraisal import BONUS_KINDS

OFFICE_NAME = _("区委办公室")
Report = tuple[str, str, dict[str, Any]]  # (file name, template, data)


def _num(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def _grade(code: str | None) -> str:
    return GRADE_LABELS.get(code or "", "")


def _require_superior(actor: Principal) -> None:
    if not actor.has(Role.CHIEF, Role.LEADER, Role.ADMIN):
        raise Forbidden(_("只有科长、领导或考核办可以查看此报表"))


# --- the quarterly report card -----------------------------------------------------------------

async def report_card(actor: Principal, appraisee_id: int) -> Report:
    """A person's quarterly report card: only once their unit is submitted (the numbers are
    frozen then)."""
    detail = await appraisal.appraisal_detail(actor, appraisee_id)
    period = detail["period"]
    if detail["hidden"]:
        raise Conflict(detail["pending"], code="not_published")
    if not detail.get("frozen") or period["is_annual"]:
        raise Conflict(_("评分提交后才能生成季度成绩单"), code="not_submitted")
    b = detail["breakdown"]
    data = {
        "office": OFFICE_NAME,
        "period_name": period["name"], "period_start": str(period["start"]), "period_end": str(period["end"]),
        "person": {"name": detail["name"], "section": detail["section_name"] or "", "post_rank": detail["post_rank"] or "",
                   "category": POOL_LABELS[detail["pool"]]},
        "lines": b["lines"], "components": b["components"], "excluded": [list(e) for e in b["excluded"]],
        "total": detail["total"], "grade": _grade(detail["grade"]),
        "comment": detail["comment"], "self_summary": detail["self_summary"],
    }
    return f"{period['name']}成绩单-{detail['name']}.pdf", "report_card.html", data


# --- the annual registration form (年度考核登记表) ------------------------------------------------

def _birth(value: dt.date | None) -> str:
    return f"{value.year}.{value.month:02d}" if value else ""


def _registration_values(row: dict, person: dict, year: int, annual: dict) -> dict[str, Any]:
    """One person's 登记表 from their annual appraisee row, person record and annual numbers."""
    quarters = annual["quarters"]
    return {
        "year": year,
        "person": {"name": row["name"], "gender": GENDERS.get(person["gender"], ""), "birth": _birth(person["birth_date"]),
                   "political_status": person["political_status"] or "", "post_rank": person["post_rank"] or "",
                   "duties": person["duties"] or "", "section": row["section_name"] or ""},
        "summary": row["self_summary"] or "",
        "comment": row["comment"] or "",
        "proposed": _grade(row["grade"]),
        "committee_opinion": row["committee_opinion"] or "",
        "grade": _grade(row["grade"]),
        "remarks": row["remarks"] or "",
        "notified_on": str(row["notified_on"]) if row["notified_on"] else "",
        "score": _num(row["total"]),
        "quarters": [{"name": quarter_name(q["quarter"]), "total": _num(q["total"]), "grade": _grade(q["grade"])}
                     for q in quarters],
    }


async def _people(ids: list[int]) -> dict[int, dict]:
    rows = await Person.select(Person.id, Person.gender, Person.birth_date, Person.political_status, Person.post_rank,
                               Person.duties).where(Person.id.is_in(ids or [-1])).run()
    return {r["id"]: r for r in rows}


async def registration_form(actor: Principal, appraisee_id: int) -> Report:
    """The 年度考核登记表 of one person: once their annual unit is submitted."""
    row = await appraisal.appraisee_row(appraisee_id)
    appraisal.require_visible_row(actor, row)
    period = await appraisal.get_period(row["period"])
    if not period["is_annual"]:
        raise InvalidInput(_("登记表只用于年度考核"), code="not_annual")
    if row["unit"] not in await appraisal.submitted_units(period["id"]):
        raise Conflict(_("评分提交后才能生成年度考核登记表"), code="not_submitted")
    if appraisal.own_results_hidden(actor, row, period):
        raise Conflict(results_pending_text(period["policy"]), code="not_published")
    annual = (await appraisal.annual_numbers(period, [row]))[row["id"]]
    person = (await _people([row["person"]]))[row["person"]]
    data = {"office": OFFICE_NAME, "r": _registration_values(row, person, period["year"], annual)}
    return f"{period['year']}年度考核登记表-{row['name']}.pdf", "registration.html", data


# --- section summary and office ranking --------------------------------------------------------

def _ranked(rows: list[dict], key: str = "total") -> list[dict]:
    """Rows ordered by total (or `key`), best first, with a shared rank for equal totals (1, 2,
    2, 4)."""
    ordered = sorted(rows, key=lambda r: (r[key] is None, -(r[key] or 0), r["name_pinyin"]))
    rank, last = 0, object()
    for i, r in enumerate(ordered, start=1):
        if r[key] != last:
            rank, last = i, r[key]
        r["rank"] = rank if r[key] is not None else None
    return ordered


def _average(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


async def ranking(actor: Principal, period_id: int, section_id: int | None = None) -> Report:
    """The office ranking of a period over the sections the caller sees, with the section
    averages as a bar chart; with `section_id`, that section's summary with each person's
    quarters of the year as a trend."""
    _require_superior(actor)
    period, rows = await appraisal.period_results(actor, period_id)
    if section_id is not None:
        rows = [r for r in rows if r["section"] == section_id]
        if not rows:
            raise NotFound(_("科室不存在或无权查看"))
    rows = [{"name": r["name"], "name_pinyin": r["name_pinyin"], "section": r["section"],
             "section_name": r["section_name"] or "", "post_rank": r["post_rank"] or "",
             "category": POOL_LABELS[r["pool"]], "person": r["person"],
             "total": _num(r["total"]), "grade": _grade(r["grade"]), "frozen": bool(r["frozen"])} for r in rows]
    by_section: dict[str, list[float]] = defaultdict(list)
    people: dict[str, int] = {}  # in the rows' order (by section), with how many people each
    for r in rows:
        people[r["section_name"]] = people.get(r["section_name"], 0) + 1
        if r["total"] is not None:
            by_section[r["section_name"]].append(r["total"])
    averages = [{"section": s, "average": _average(by_section[s]), "people": n} for s, n in people.items()]
    office_average = _average([r["total"] for r in rows if r["total"] is not None])
    ranked = _ranked(rows)
    data: dict[str, Any] = {
        "office": OFFICE_NAME, "period_name": period["name"], "generated_on": str(today_local()),
        "people": ranked, "averages": averages, "office_average": office_average,
        "unfrozen": sum(1 for r in rows if not r["frozen"]),
        "chart": charts.bar_chart([(a["section"], a["average"]) for a in averages], low=50, high=100,
                                  reference=office_average, reference_label=_("平均")) if averages else "",
    }
    if section_id is None:
        return f"{period['name']}排名.pdf", "ranking.html", data
    trends = await _quarter_trends(period["year"], [r["person"] for r in rows])
    for r in ranked:
        points = [(quarter_name(q)[1:2], trends.get(r["person"], {}).get(q)) for q in (1, 2, 3, 4)
                  if r["person"] != actor.person_id or r["total"] is not None]  # one's own: once published
        r["trend"] = charts.trend_chart(points, width=190, height=64, ticks=2) \
            if any(v is not None for _l, v in points) else ""
    data["section_name"] = rows[0]["section_name"]
    return f"{period['name']}{rows[0]['section_name']}汇总.pdf", "section.html", data


async def _quarter_trends(year: int, people: list[int]) -> dict[int, dict[int, float]]:
    """Submitted quarterly totals of `people` in `year`: person → quarter → total."""
    rows = await Appraisee.select(Appraisee.person, Appraisee.total, Appraisee.period.quarter.as_alias("quarter")).where(
        Appraisee.person.is_in(people or [-1]), Appraisee.period.year == year, Appraisee.period.kind == "quarter",
        Appraisee.total.is_not_null()).run()
    result: dict[int, dict[int, float]] = defaultdict(dict)
    for r in rows:
        result[r["person"]][r["quarter"]] = _num(r["total"])
    return result


# --- the 通报 bulletin ----------------------------------------------------------------------------

def _local(value: dt.datetime | None) -> dt.date | None:
    return value.astimezone(LOCAL_TZ).date() if value else None


BULLETIN_LIST = 200  # matters named in each list of a bulletin


async def bulletin(actor: Principal, year: int, month: int) -> Report:
    """The 通报 of a month: matters still open past their due date, matters completed late in
    the month, and every supervision item due by the month's end with how it stands."""
    _require_superior(actor)
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise InvalidInput(_("年份或月份无效"), code="bad_month")
    first = dt.date(year, month, 1)
    last = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
    today = today_local()
    if first > today:
        raise InvalidInput(_("不能为尚未开始的月份生成通报"), code="future_month")
    as_of = min(last, today)
    scope = read_scope(actor)

    matters = Matter.select(Matter.id, Matter.subject, Matter.requester, Matter.due_on, Matter.status, Matter.completed_at,
                            Matter.created_at, Matter.owner.name.as_alias("owner_name"),
                            Matter.section.name.as_alias("section_name")).where(
        Matter.due_on < as_of, Matter.due_on >= dt.date(year - 1, 1, 1),
        (Matter.status != "completed") | (
            (Matter.completed_at >= dt.datetime.combine(first, dt.time(), LOCAL_TZ))
            & (Matter.completed_at < dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), LOCAL_TZ))
            # Completed after the day it was due began (UTC, or wherever the database's clock
            # is): every matter completed late, and few on time, of the 100,000 completed in a
            # month of the large office. `_bulletin_data` keeps the late ones.
            & WhereRaw('"matter"."completed_at" >= "matter"."due_on"')))
    if (clause := visible_where(scope, Matter.owner, Matter.section)) is not None:
        matters = matters.where(clause)
    items = SupervisionItem.select(SupervisionItem.id, SupervisionItem.number, SupervisionItem.title,
                                   SupervisionItem.deadline, SupervisionItem.status, SupervisionItem.completed_on,
                                   SupervisionItem.lead_section.name.as_alias("section_name"),
                                   SupervisionItem.responsible_person.name.as_alias("person_name")).where(
        SupervisionItem.year == year, SupervisionItem.deadline <= last)
    if (clause := visible_where(scope, SupervisionItem.responsible_person, SupervisionItem.lead_section)) is not None:
        items = items.where(clause)
    matter_rows, item_rows = await matters.order_by(Matter.due_on).run(), await items.order_by(SupervisionItem.seq).run()

    earliest = min([m["due_on"] for m in matter_rows] + [as_of])
    cal = await calendar_service.load_calendar(earliest.year, as_of.year)
    # Shaping the rows is plain computation over every overdue matter (25,000 in the office of
    # benchmarks/scale.py, half a second): in a worker thread, so that the event loop goes on
    # answering everyone else meanwhile.
    data = await anyio.to_thread.run_sync(_bulletin_data, matter_rows, item_rows, cal, (year, month),
                                          (first, last, as_of))
    return f"{year}年{month}月效能通报.pdf", "bulletin.html", data


def _bulletin_data(matter_rows: list[dict], item_rows: list[dict], cal, month_of: tuple[int, int],
                   days: tuple[dt.date, dt.date, dt.date]) -> dict[str, Any]:
    """The bulletin's data from its matters and supervision items (see `bulletin`): the month
    (year, month) and its first day, last day and the day it stands at."""
    from appraisal.services.matters import matter_number

    (year, month), (first, last, as_of) = month_of, days
    overdue, late = [], []
    for m in matter_rows:
        done = _local(m["completed_at"])
        entry = {"number": matter_number(m["id"], m["created_at"]), "subject": m["subject"], "requester": m["requester"],
                 "owner": m["owner_name"], "section": m["section_name"] or "", "due_on": str(m["due_on"])}
        if done is None:
            overdue.append({**entry, "days_late": cal.working_days_between(m["due_on"], as_of)})
        elif first <= done <= last and done > m["due_on"]:
            late.append({**entry, "done_on": str(done), "days_late": cal.working_days_between(m["due_on"], done)})
    supervision = []
    labels = {"on_time": _("按期办结"), "late": _("逾期办结"), "overdue": _("超期未办结"), "open": supervision_service.STATUS_LABELS[supervision_service.OPEN]}
    for it in item_rows:
        done = it["completed_on"]
        if done is not None:
            state = "late" if done > it["deadline"] else "on_time"
        else:
            state = "overdue" if it["deadline"] < as_of else "open"
        supervision.append({"number": it["number"], "title": it["title"], "section": it["section_name"] or "",
                            "person": it["person_name"], "deadline": str(it["deadline"]),
                            "done_on": str(done) if done else "", "state": state, "state_label": labels[state]})
    counts = defaultdict(int)
    for s in supervision:
        counts[s["state"]] += 1
    by_section: dict[str, dict[str, int]] = defaultdict(lambda: {"overdue": 0, "late": 0, "items_overdue": 0})
    for m in overdue:
        by_section[m["section"]]["overdue"] += 1
    for m in late:
        by_section[m["section"]]["late"] += 1
    for s in supervision:
        if s["state"] == "overdue":
            by_section[s["section"]]["items_overdue"] += 1
    sections = sorted(({"section": name or _("（未分科室）"), **n} for name, n in by_section.items()),
                      key=lambda r: (-r["overdue"] - r["late"] - r["items_overdue"], r["section"]))
    # The lists name the longest overdue and the latest first, up to BULLETIN_LIST each: a
    # bulletin is read and circulated, and one of thousands of rows (900 pages, four minutes to
    # lay out) would be neither; the matter board lists them all.
    overdue.sort(key=lambda m: (-m["days_late"], m["due_on"], m["number"]))
    late.sort(key=lambda m: (-m["days_late"], m["done_on"], m["number"]))
    data = {"office": OFFICE_NAME, "year": year, "month": month, "as_of": str(as_of),
            "overdue": overdue[:BULLETIN_LIST], "late": late[:BULLETIN_LIST], "supervision": supervision,
            "overdue_total": len(overdue), "late_total": len(late), "sections": sections,
            "counts": {k: counts[k] for k in labels}, "labels": labels}
    return data


# --- the commendation-review bundle (评优选先) --------------------------------------------------

async def bundle_parts(actor: Principal, year: int) -> tuple[str, list[tuple[str, dict[str, Any]]]]:
    """The bundle of a year as parts to render: the cover with the ranking of the candidates
    within the quota, then one part per candidate (their 登记表 and their record). The
    candidates are the confirmed list once a leader confirmed it, the proposal before (with
    the people level on the last place's score, marked 同分待定)."""
    if not actor.has(Role.LEADER, Role.ADMIN):
        raise Forbidden(_("只有领导或考核办可以生成评优材料"))
    review = await commendation.review(actor, year)
    period = review["period"]
    if not await Period.exists().where(Period.id == period["id"], Period.status.is_in(
            ["submitted", "reviewed", "locked"])).run():
        raise Conflict(_("{year} 年度考核各单元提交后才能生成评优材料").format(year=year), code="not_submitted")
    confirmed = review["confirmed"]
    # Before the list is confirmed, people level on the last place's score are in the bundle
    # too: the meeting that decides between them needs their records.
    tie = None if confirmed else review["tie"]
    chosen_ids = [p["person_id"] for p in confirmed["people"]] if confirmed else \
        [p["person"] for p in review["people"] if p["candidate"] or p["tied"]]
    by_person = {p["person"]: p for p in review["people"]}
    chosen = _ranked([by_person[i] for i in chosen_ids if i in by_person], key="score")
    ids = [c["person"] for c in chosen]
    annual = await appraisal.annual_numbers(period, chosen)
    people = await _people(ids)
    bonuses = await Bonus.select(Bonus.person, Bonus.kind, Bonus.points, Bonus.note, Bonus.awarded_on).where(
        Bonus.person.is_in(ids or [-1]), Bonus.awarded_on >= dt.date(year, 1, 1), Bonus.awarded_on <= dt.date(year, 12, 31),
        Bonus.is_void == False).order_by(Bonus.awarded_on).run()  # noqa: E712
    bonus_by: dict[int, list[dict]] = defaultdict(list)
    for b in bonuses:
        bonus_by[b["person"]].append({"kind": BONUS_KINDS.get(b["kind"], b["kind"]), "points": b["points"],
                                      "note": b["note"], "on": str(b["awarded_on"])})
    completion = await target_service.completion_by_person(year, ids)
    eligible = sum(1 for p in review["people"] if p["eligible"])
    cover = {
        "office": OFFICE_NAME, "year": year, "generated_on": str(today_local()), "places": review["places"],
        "appraised": len(review["people"]), "eligible": eligible, "confirmed": bool(confirmed),
        "confirmed_by": confirmed["confirmed_by_name"] if confirmed else "",
        "confirmed_at": confirmed["confirmed_at"].astimezone(LOCAL_TZ).strftime("%Y-%m-%d") if confirmed else "",
        "note": confirmed["note"] if confirmed else "",
        "candidates": [{"rank": c["rank"], "name": c["name"], "section": c["section_name"] or "", "score": _num(c["score"]),
                        "grade": _grade(c["grade"]), "tied": bool(tie) and c["tied"]} for c in chosen],
        "tie": {"people": len(tie["names"]), "score": _num(tie["score"]), "places": tie["open_places"]} if tie else None,
        "numbered": False,
    }
    parts = [("bundle_cover.html", cover)]
    for c in chosen:
        a = annual[c["id"]]
        r = _registration_values(c, people[c["person"]], year, a)
        comp = completion.get(c["person"])
        parts.append(("bundle_candidate.html", {
            "office": OFFICE_NAME, "r": r, "rank": c["rank"], "numbered": False,
            "trend": charts.trend_chart([(q["name"], q["total"]) for q in r["quarters"]]),
            "bonuses": bonus_by.get(c["person"], []),
            "targets": [{"title": t["title"], "weight": t["weight"], "completion": t["rolled"]} for t in comp[1]] if comp else [],
            "target_completion": _num(comp[0]) if comp else None,
            "accountability": [f"{rec['form_name']}（{rec['decided_on']}）" for rec in a["accountability"]],
        }))
    return f"{year}年度评优选先材料.pdf", parts


async def sections_of(actor: Principal) -> list[dict]:
    """The sections whose summary the caller may print."""
    scope = read_scope(actor)
    rows = await Section.select(Section.id, Section.name).where(Section.is_active == True).order_by(  # noqa: E712
        Section.sort_order).run()
    return [r for r in rows if scope.everything or r["id"] in scope.section_ids]
