"""绩效考核 pages: periods and their lifecycle, the scoring grid (cells saved as typed, with
stale-write protection and a live places-left counter), one appraisal with its breakdown and
self-summary, the caller's own appraisals, bonuses, the commendation review and the settings.

Each action has a route of its own; a refused form comes back with what was typed, the message
under the field it is about (`error_field`) and the focus there."""

from __future__ import annotations

from litestar import Request, get, post, put
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from appraisal.domain.appraisal import (
    POLICY_LABELS, RESULTS_SHOWN_AT, AnnualGrade, Indicator, QuarterGrade,
    Rounding, SubItem,
)
from appraisal.domain.calendar import today_local
from appraisal.domain.people import parse_date
from appraisal.errors import AppError, InvalidInput
from appraisal.i18n import _
from appraisal.scopes import Role
from appraisal.security import admin_only
from appraisal.services import accountability, appraisal, commendation
from appraisal.web.common import Pager, form_int, form_number, notify, page
from appraisal.web import picker


def _labels() -> dict:
    return {"QUARTER_GRADES": list(QuarterGrade), "ANNUAL_GRADES": list(AnnualGrade),
            "BONUS_KINDS": appraisal.BONUS_KINDS}


async def _form(request: Request) -> dict[str, str]:
    return {k: str(v) for k, v in (await request.form()).items() if k != "_csrf_token"}


def _field(exc: Exception, fields: dict[str, str], default: str | None = None) -> str | None:
    """The form field a refusal is about: named by the error, or known from its code."""
    if isinstance(exc, AppError):
        return exc.field or fields.get(exc.code, default)
    return default


def _refusal(exc: Exception, fallback: str) -> tuple[str, int]:
    return (exc.message, exc.status_code) if isinstance(exc, AppError) else (fallback, 400)


# --- periods ---------------------------------------------------------------------------------

async def _periods_page(request: Request, error: str | None = None, status: int = 200, field: str | None = None,
                        form: dict | None = None) -> Template:
    return page(request, "appraisal/periods.html", status_code=status, periods=await appraisal.list_periods(),
                mine=await appraisal.my_appraisals(request.user), year=today_local().year, error=error,
                error_field=field, form=form or {})


@get("/appraisal", include_in_schema=False)
async def periods_page(request: Request) -> Template:
    return await _periods_page(request)


@post("/appraisal", guards=[admin_only], include_in_schema=False)
async def period_create(request: Request) -> Template | Redirect:
    f = await _form(request)
    try:
        quarter = form_int(f.get("quarter"), _("季度"))
        period = await appraisal.create_period(request.user, form_int(f.get("year"), _("年度")) or 0, quarter)
    except AppError as exc:
        field = _field(exc, {"bad_quarter": "quarter"}, "year")
        return await _periods_page(request, exc.message, exc.status_code, field, f)
    notify(request, _("已建立{name}").format(name=period["name"]))
    return Redirect(f"/appraisal/{period['id']}")


async def _period_page(request: Request, period_id: int, error: str | None = None, status: int = 200,
                       field: str | None = None, form: dict | None = None) -> Template:
    period = await appraisal.get_period(period_id)
    mine = next((m for m in await appraisal.my_appraisals(request.user) if m["period"] == period_id), None)
    return page(request, "appraisal/period.html", status_code=status, period=period, mine=mine,
                units=await appraisal.units(request.user, period_id),
                summary=await appraisal.grade_summary(request.user, period_id),
                error=error, error_field=field, form=form or {}, **_labels())


@get("/appraisal/{period_id:int}", include_in_schema=False)
async def period_page(request: Request, period_id: int) -> Template:
    return await _period_page(request, period_id)


# What a step's success message says, by the status the period reaches.
ADVANCED = {
    "self_summary": _("{name}已开始，请大家填写个人总结"),
    "scoring": _("{name}已开始评分"),
    "reviewed": _("{name}已审核通过"),
    "locked": _("{name}已锁定，数据只读"),
}


@post("/appraisal/{period_id:int}/advance", include_in_schema=False)
async def period_advance(request: Request, period_id: int) -> Template | Redirect:
    f = await _form(request)
    try:
        period = await appraisal.advance(request.user, period_id, f.get("to", ""))
    except AppError as exc:
        return await _period_page(request, period_id, exc.message, exc.status_code, form=f)
    message = ADVANCED.get(period["status"], _("{name}已进入“{s}”")).format(name=period["name"], s=period["status_label"])
    if period["status"] == period["policy"].results_shown_at:
        message += _("，考核结果已向本人公布")
    notify(request, message)
    return Redirect(f"/appraisal/{period_id}")


@post("/appraisal/{period_id:int}/reopen", include_in_schema=False)
async def period_reopen(request: Request, period_id: int) -> Template | Redirect:
    f = await _form(request)
    try:
        period = await appraisal.reopen(request.user, period_id, f.get("reason", ""))
    except AppError as exc:
        return await _period_page(request, period_id, exc.message, exc.status_code,
                                  _field(exc, {"reason_required": "reason"}), f)
    notify(request, _("{name}已重新开启，各单元需重新提交").format(name=period["name"]))
    return Redirect(f"/appraisal/{period_id}")


@post("/appraisal/{period_id:int}/approval", include_in_schema=False)
async def period_approval(request: Request, period_id: int) -> Template | Redirect:
    f = await _form(request)
    try:
        period = await appraisal.set_excellent_approval(request.user, period_id, f.get("approval", ""))
    except AppError as exc:
        return await _period_page(request, period_id, exc.message, exc.status_code, "approval", f)
    notify(request, _("已登记{name}提高优秀比例的批准：{a}").format(name=period["name"], a=period["excellent_approval"])
           if period["excellent_approval"] else _("已取消{name}提高优秀比例的批准").format(name=period["name"]))
    return Redirect(f"/appraisal/{period_id}")


@post("/appraisal/{period_id:int}/submit", include_in_schema=False)
async def unit_submit(request: Request, period_id: int) -> Template | Redirect:
    f = await _form(request)
    unit = f.get("unit", "")
    try:
        grid = await appraisal.submit_unit(request.user, period_id, unit)
    except AppError as exc:
        return await _grid_page(request, period_id, unit, exc.message, exc.status_code)
    notify(request, _("{unit}的{name}评分已提交审核").format(unit=grid["label"], name=grid["period"]["name"]))
    return Redirect(f"/appraisal/{period_id}/grid?unit={unit}")


# --- the grid --------------------------------------------------------------------------------

async def _grid_page(request: Request, period_id: int, unit: str, error: str | None = None, status: int = 200) -> Template:
    grid = await appraisal.grid(request.user, period_id, unit)
    return page(request, "appraisal/grid.html", status_code=status, g=grid, error=error, **_labels())


@get("/appraisal/{period_id:int}/grid", include_in_schema=False)
async def grid_page(request: Request, period_id: int, unit: FromQuery[str]) -> Template:
    return await _grid_page(request, period_id, unit)


def _saved(saved: dict, field: str, status: int = 200, error: str | None = None) -> Template:
    """The answer to a save: the saved cell (or the grade cell) with its new version, or with the
    current value and why it was refused, and the row's numbers and the places-left counter out
    of band, all from what the save answered (`person`, `grid`)."""
    grid, person = saved["grid"], saved["person"]
    indicator = next((i for i in grid["period"]["indicators"] if i.code == field), None)
    if field != "grade" and indicator is None:
        raise InvalidInput(_("评分项不存在"), code="unknown_indicator")
    return Template("pages/appraisal/grid_saved.html", status_code=status,
                    context={"g": grid, "p": person, "field": field, "indicator": indicator, "error": error,
                             **_labels()})


async def _refused(request: Request, appraisee_id: int, field: str, exc: AppError) -> Template:
    """A refused save: the cell as it now stands, read anew, with the reason under it."""
    period_id, unit = await appraisal.unit_of_appraisee(request.user, appraisee_id)
    grid = await appraisal.grid(request.user, period_id, unit)
    person = next(p for p in grid["people"] if p["id"] == appraisee_id)
    return _saved({"grid": grid, "person": person}, field, exc.status_code, exc.message)


@put("/appraisal/cells/{cell_id:int}", include_in_schema=False)
async def cell_save(request: Request, cell_id: int) -> Template:
    f = await _form(request)
    # The page sent these itself; a changed one gets the plain 422, as there is no cell to show it in.
    appraisee_id = form_int(f.get("appraisee_id"), _("考核对象")) or 0
    version = form_int(f.get("version"), _("版本")) or 0
    try:
        value = form_number(f.get("value"), _("分数"))
        saved = await appraisal.save_cell(request.user, cell_id, value, version)
    except AppError as exc:
        return await _refused(request, appraisee_id, f.get("indicator", ""), exc)
    return _saved(saved, saved["indicator"])


@put("/appraisal/people/{appraisee_id:int}/grade", include_in_schema=False)
async def grade_save(request: Request, appraisee_id: int) -> Template:
    f = await _form(request)
    try:
        saved = await appraisal.set_grade(request.user, appraisee_id, f.get("grade") or None)
    except AppError as exc:
        return await _refused(request, appraisee_id, "grade", exc)
    return _saved(saved, "grade")


# --- one person's appraisal ------------------------------------------------------------------

async def _person_page(request: Request, appraisee_id: int, error: str | None = None, status: int = 200,
                       field: str | None = None, form: dict | None = None) -> Template:
    detail = await appraisal.appraisal_detail(request.user, appraisee_id)
    return page(request, "appraisal/person.html", status_code=status, a=detail, error=error, error_field=field,
                form=form or {}, **_labels())


@get("/appraisal/people/{appraisee_id:int}", include_in_schema=False)
async def person_page(request: Request, appraisee_id: int) -> Template:
    return await _person_page(request, appraisee_id)


@post("/appraisal/people/{appraisee_id:int}/summary", include_in_schema=False)
async def summary_save(request: Request, appraisee_id: int) -> Template | Redirect:
    f = await _form(request)
    try:
        await appraisal.save_summary(request.user, appraisee_id, f.get("text", ""))
    except AppError as exc:
        return await _person_page(request, appraisee_id, exc.message, exc.status_code, "text", f)
    period = (await appraisal.appraisal_detail(request.user, appraisee_id))["period"]
    notify(request, _("{name}的{kind}已保存，提交评分前仍可修改").format(
        name=period["name"], kind=_("年度总结") if period["is_annual"] else _("个人总结")))
    return Redirect(f"/appraisal/people/{appraisee_id}")


@post("/appraisal/people/{appraisee_id:int}/comment", include_in_schema=False)
async def comment_save(request: Request, appraisee_id: int) -> Template | Redirect:
    f = await _form(request)
    try:
        detail = await appraisal.appraisal_detail(request.user, appraisee_id)
        await appraisal.set_grade(request.user, appraisee_id, detail["grade_choice"] or None, f.get("comment", ""))
    except AppError as exc:
        return await _person_page(request, appraisee_id, exc.message, exc.status_code, "comment", f)
    notify(request, _("已保存{name}的评语").format(name=detail["name"]))
    return Redirect(f"/appraisal/people/{appraisee_id}")


@post("/appraisal/people/{appraisee_id:int}/registration", include_in_schema=False)
async def registration_save(request: Request, appraisee_id: int) -> Template | Redirect:
    f = await _form(request)
    try:
        text = f.get("notified_on", "").strip()
        day = parse_date(text) if text else None
        if text and day is None:
            raise InvalidInput(_("通知日期“{v}”不是有效日期").format(v=text[:20]), code="bad_date", field="notified_on")
        await appraisal.record_registration(request.user, appraisee_id, f.get("committee_opinion", ""),
                                            f.get("remarks", ""), day)
    except AppError as exc:
        field = _field(exc, {"bad_date": "notified_on", "too_long": "committee_opinion"})
        return await _person_page(request, appraisee_id, exc.message, exc.status_code, field, f)
    name = (await appraisal.appraisee_row(appraisee_id))["name"]
    notify(request, _("已保存{name}的登记表信息：考核委员会意见、备注和通知本人日期").format(name=name))
    return Redirect(f"/appraisal/people/{appraisee_id}")


@get("/appraisal/mine", include_in_schema=False)
async def mine_page(request: Request) -> Template:
    records, _total = await accountability.list_records(request.user, None, offset=0, limit=100)
    own = [r for r in records if r["person"] == request.user.person_id]
    return page(request, "appraisal/mine.html", mine=await appraisal.my_appraisals(request.user), records=own, **_labels())


# --- bonuses ---------------------------------------------------------------------------------

async def _bonus_page(request: Request, year: int, error: str | None = None, status: int = 200, q: str = "",
                      field: str | None = None, form: dict | None = None) -> Template:
    people = (await picker.choices(request.user, "directory")
              if request.user.has(Role.CHIEF, Role.LEADER, Role.ADMIN) else picker.Choices())
    rows = await appraisal.list_bonuses(request.user, year, q)
    pager = Pager(request, len(rows))
    return page(request, "appraisal/bonuses.html", status_code=status, year=year, error=error, error_field=field,
                form=form or {}, people=people, q=q, bonuses=rows[pager.offset:pager.offset + pager.page_size],
                pager=pager, today=today_local(), **_labels())


@get("/appraisal/bonuses", include_in_schema=False)
async def bonuses_page(request: Request, year: FromQuery[int | None] = None, q: FromQuery[str] = "") -> Template:
    return await _bonus_page(request, year or today_local().year, q=q)


BONUS_FIELDS = {"bad_kind": "kind", "bad_points": "points", "not_a_number": "points", "note_required": "note",
                "bad_date": "awarded_on", "calendar_gap": "awarded_on", "period_locked": "awarded_on",
                "not_found": "person_id", "forbidden": "person_id"}


@post("/appraisal/bonuses", include_in_schema=False)
async def bonus_add(request: Request) -> Template | Redirect:
    f = await _form(request)
    try:
        person_id = form_int(f.get("person_id"), _("人员"))
        if person_id is None:
            raise InvalidInput(_("请选择人员"), code="not_found", field="person_id")
        points = form_number(f.get("points"), _("分值"))
        day = parse_date(f.get("awarded_on", ""))
        if day is None:
            raise InvalidInput(_("请填写有效日期"), code="bad_date")
        await appraisal.add_bonus(request.user, person_id, f.get("kind", ""), points or 0, f.get("note", ""), day)
    except AppError as exc:
        return await _bonus_page(request, today_local().year, exc.message, exc.status_code,
                                 field=_field(exc, BONUS_FIELDS), form=f)
    name = next((p["name"] for p in await appraisal.list_bonuses(request.user, day.year) if p["person"] == person_id), "")
    notify(request, _("已为{name}登记{kind} {p:g} 分").format(name=name, kind=appraisal.BONUS_KINDS[f["kind"]], p=points))
    return Redirect(f"/appraisal/bonuses?year={day.year}")


# --- 评优选先 ---------------------------------------------------------------------------------

async def _commendation_page(request: Request, year: int | None, error: str | None = None, status: int = 200,
                             field: str | None = None, form: dict | None = None) -> Template:
    # No annual appraisal yet: nothing to review, which is a state of the page, not an error
    # (staff are still refused with the reason, below).
    no_annual = year is None and (year := await commendation.latest_year()) is None
    no_annual = no_annual and request.user.has(Role.LEADER, Role.ADMIN)
    year = year or today_local().year
    review = None
    if not no_annual:
        try:
            review = await commendation.review(request.user, year)
        except AppError as exc:
            error, status = error or exc.message, status if error else exc.status_code
    return page(request, "appraisal/commendation.html", status_code=status, year=year, review=review, error=error,
                error_field=field, form=form or {}, no_annual=no_annual, **_labels())


@get("/appraisal/commendation", include_in_schema=False)
async def commendation_page(request: Request, year: FromQuery[int | None] = None) -> Template:
    return await _commendation_page(request, year)


@post("/appraisal/commendation", include_in_schema=False)
async def commendation_confirm(request: Request) -> Template | Redirect:
    form = await request.form()
    year = form_int(form.get("year"), _("年度")) or today_local().year
    ids = [int(v) for v in form.getall("person_ids", []) if str(v).isdigit()]
    note = str(form.get("note", ""))
    try:
        confirmed = await commendation.confirm(request.user, year, ids, note)
    except AppError as exc:
        return await _commendation_page(request, year, exc.message, exc.status_code, "person_ids",
                                        {"person_ids": ids, "note": note})
    names = "、".join(p["name"] for p in confirmed["confirmed"]["people"])
    notify(request, _("{year} 年评优名单已确认：{names}").format(year=year, names=names))
    return Redirect(f"/appraisal/commendation?year={year}")


# --- settings --------------------------------------------------------------------------------

async def _settings_page(request: Request, error: str | None = None, status: int = 200, field: str | None = None,
                         form: dict | None = None, rows: list[dict] | None = None) -> Template:
    """The settings; a refused template comes back as typed (`rows`), else as saved."""
    template = await appraisal.current_template()
    if rows is None:
        rows = [{"code": i.code, "name": i.name, "weight": f"{i.weight:g}",
                 "sub_items": "；".join(f"{s.name}:{s.weight:g}" for s in i.sub_items)} for i in template["indicators"]]
    return page(request, "appraisal/settings.html", status_code=status, policy=await appraisal.get_policy(),
                template=template, rows=rows, roundings=list(Rounding), error=error, error_field=field,
                form=form or {}, POLICY_LABELS=POLICY_LABELS, RESULTS_SHOWN_AT=RESULTS_SHOWN_AT)


@get("/admin/appraisal", guards=[admin_only], include_in_schema=False)
async def settings_page(request: Request) -> Template:
    return await _settings_page(request)


def _parse_sub_items(text: str) -> tuple[SubItem, ...]:
    """"政治品质:8；职业道德:7" → sub-items."""
    items = []
    for part in text.replace("；", ";").split(";"):
        if not part.strip():
            continue
        name, sep, weight = part.replace("：", ":").rpartition(":")
        number = form_number(weight, _("细项分值")) if sep else None
        if not sep or number is None:
            raise InvalidInput(_("细项应写作“名称:分值”，以分号分隔"), code="bad_template")
        items.append(SubItem(name.strip(), number))
    return tuple(items)


@post("/admin/appraisal/template", guards=[admin_only], include_in_schema=False)
async def settings_template(request: Request) -> Template | Redirect:
    """A new version of the indicator template; refused, it comes back as typed."""
    form = await request.form()
    f = {**{k: str(v) for k, v in form.items() if k != "_csrf_token"}, "action": "template"}  # which form to refill
    columns = [form.getall(name, []) for name in ("code", "name", "weight", "sub_items")]
    try:
        indicators = [Indicator(str(c).strip(), str(n).strip(), form_number(w, _("分值")) or 0, _parse_sub_items(str(s)))
                      for c, n, w, s in zip(*columns) if str(c).strip()]
        saved = await appraisal.save_template(request.user, indicators, f.get("note", ""))
    except AppError as exc:
        rows = [{"code": str(c).strip(), "name": str(n), "weight": str(w), "sub_items": str(s)} for c, n, w, s in zip(*columns)]
        return await _settings_page(request, exc.message, exc.status_code, "template", f, rows)
    notify(request, _("已保存第 {v} 版考核指标，新建的考核期使用此版本").format(v=saved["version"]))
    return Redirect("/admin/appraisal")


@post("/admin/appraisal/policy", guards=[admin_only], include_in_schema=False)
async def settings_policy(request: Request) -> Template | Redirect:
    """The office's numbers for periods opened from now on; a refused one names its field."""
    form = await request.form()
    f = {**{k: str(v) for k, v in form.items() if k != "_csrf_token"}, "action": "policy"}  # which form to refill
    try:
        values: dict = {}
        for key in POLICY_LABELS:
            if f.get(key, "").strip():
                try:
                    values[key] = form_number(f[key], POLICY_LABELS[key])
                except InvalidInput as exc:
                    exc.field = key
                    raise
        if "excellent_needs_good_quarters" in values:
            values["excellent_needs_good_quarters"] = int(values["excellent_needs_good_quarters"])
        await appraisal.set_policy(request.user, {**values, "rounding": f.get("rounding", "half_up"),
                                                  "results_shown_at": f.get("results_shown_at", "reviewed")})
    except AppError as exc:
        return await _settings_page(request, exc.message, exc.status_code, exc.field, f)
    notify(request, _("考核参数已保存，新建的考核期使用新参数"))
    return Redirect("/admin/appraisal")
