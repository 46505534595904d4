"""绩效考核 pages: periods and their lifecycle, the scoring grid (cells saved as typed, with
stale-write protection and a live places-left counter), one appraisal with its breakdown and
self-summary, the caller's own appraisals, bonuses, the commendation review and the settings."""

from __future__ import annotations

from litestar import Request, get, post, put
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from appraisal.domain.appraisal import GRADE_LABELS, AnnualGrade, Indicator, QuarterGrade, Rounding, SubItem
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
    return {"GRADES": GRADE_LABELS, "QUARTER_GRADES": list(QuarterGrade), "ANNUAL_GRADES": list(AnnualGrade),
            "BONUS_KINDS": appraisal.BONUS_KINDS}


async def _form(request: Request) -> dict[str, str]:
    return {k: str(v) for k, v in (await request.form()).items()}


@get("/appraisal", include_in_schema=False)
async def periods_page(request: Request) -> Template:
    return page(request, "appraisal/periods.html", periods=await appraisal.list_periods(),
                mine=await appraisal.my_appraisals(request.user), year=today_local().year, error=None)


@post("/appraisal", guards=[admin_only], include_in_schema=False)
async def period_create(request: Request) -> Template | Redirect:
    f = await _form(request)
    try:
        quarter = int(f["quarter"]) if f.get("quarter", "").strip() else None
        period = await appraisal.create_period(request.user, int(f.get("year") or 0), quarter)
    except (AppError, ValueError) as exc:
        return page(request, "appraisal/periods.html", status_code=getattr(exc, "status_code", 400),
                    periods=await appraisal.list_periods(), mine=await appraisal.my_appraisals(request.user),
                    year=today_local().year, error=exc.message if isinstance(exc, AppError) else _("年度或季度无效"))
    notify(request, _("已建立{name}").format(name=period["name"]))
    return Redirect(f"/appraisal/{period['id']}")


async def _period_page(request: Request, period_id: int, error: str | None = None, status: int = 200) -> Template:
    period = await appraisal.get_period(period_id)
    mine = next((m for m in await appraisal.my_appraisals(request.user) if m["period"] == period_id), None)
    return page(request, "appraisal/period.html", status_code=status, period=period, mine=mine,
                units=await appraisal.units(request.user, period_id), error=error, **_labels())


@get("/appraisal/{period_id:int}", include_in_schema=False)
async def period_page(request: Request, period_id: int) -> Template:
    return await _period_page(request, period_id)


@post("/appraisal/{period_id:int}/{action:str}", include_in_schema=False)
async def period_step(request: Request, period_id: int, action: str) -> Template | Redirect:
    f = await _form(request)
    me = request.user
    try:
        if action == "advance":
            period = await appraisal.advance(me, period_id, f.get("to", ""))
            notify(request, _("考核期已进入“{s}”").format(s=period["status_label"]))
        elif action == "reopen":
            await appraisal.reopen(me, period_id, f.get("reason", ""))
            notify(request, _("考核期已重新开启，各单元需重新提交"))
        elif action == "approval":
            await appraisal.set_excellent_approval(me, period_id, f.get("approval", ""))
            notify(request, _("批准已登记"))
        elif action == "submit":
            unit = f.get("unit", "")
            await appraisal.submit_unit(me, period_id, unit)
            notify(request, _("评分已提交"))
            return Redirect(f"/appraisal/{period_id}/grid?unit={unit}")
        else:
            raise InvalidInput(_("未知操作"), code="bad_action")
    except AppError as exc:
        if action == "submit":
            return await _grid_page(request, period_id, f.get("unit", ""), exc.message, exc.status_code)
        return await _period_page(request, period_id, exc.message, exc.status_code)
    return Redirect(f"/appraisal/{period_id}")


async def _grid_page(request: Request, period_id: int, unit: str, error: str | None = None, status: int = 200) -> Template:
    grid = await appraisal.grid(request.user, period_id, unit)
    return page(request, "appraisal/grid.html", status_code=status, g=grid, error=error, **_labels())


@get("/appraisal/{period_id:int}/grid", include_in_schema=False)
async def grid_page(request: Request, period_id: int, unit: FromQuery[str]) -> Template:
    return await _grid_page(request, period_id, unit)


async def _saved(request: Request, appraisee_id: int, field: str, status: int = 200,
                 error: str | None = None) -> Template:
    """After a save: the saved cell (or the grade cell) with its new version, or with the current
    value and why it was refused, and the row's numbers and the places-left counter out of band."""
    period_id, unit = await appraisal.unit_of_appraisee(request.user, appraisee_id)
    grid = await appraisal.grid(request.user, period_id, unit)
    person = next(p for p in grid["people"] if p["id"] == appraisee_id)
    indicator = next((i for i in grid["period"]["indicators"] if i.code == field), None)
    if field != "grade" and indicator is None:
        raise InvalidInput(_("评分项不存在"), code="unknown_indicator")
    return Template("pages/appraisal/grid_saved.html", status_code=status,
                    context={"g": grid, "p": person, "field": field, "indicator": indicator, "error": error,
                             **_labels()})


@put("/appraisal/cells/{cell_id:int}", include_in_schema=False)
async def cell_save(request: Request, cell_id: int) -> Template:
    f = await _form(request)
    # The page sent these itself; a changed one gets the plain 422, as there is no cell to show it in.
    appraisee_id = form_int(f.get("appraisee_id"), _("考核对象")) or 0
    version = form_int(f.get("version"), _("版本")) or 0
    try:
        value = form_number(f.get("value"), _("分数"))
        await appraisal.save_cell(request.user, cell_id, value, version)
    except AppError as exc:
        return await _saved(request, appraisee_id, f.get("indicator", ""), exc.status_code, exc.message)
    return await _saved(request, appraisee_id, f.get("indicator", ""))


@put("/appraisal/people/{appraisee_id:int}/grade", include_in_schema=False)
async def grade_save(request: Request, appraisee_id: int) -> Template:
    f = await _form(request)
    try:
        await appraisal.set_grade(request.user, appraisee_id, f.get("grade") or None)
    except AppError as exc:
        return await _saved(request, appraisee_id, "grade", exc.status_code, exc.message)
    return await _saved(request, appraisee_id, "grade")


async def _person_page(request: Request, appraisee_id: int, error: str | None = None, status: int = 200) -> Template:
    detail = await appraisal.appraisal_detail(request.user, appraisee_id)
    return page(request, "appraisal/person.html", status_code=status, a=detail, error=error, **_labels())


@get("/appraisal/people/{appraisee_id:int}", include_in_schema=False)
async def person_page(request: Request, appraisee_id: int) -> Template:
    return await _person_page(request, appraisee_id)


@post("/appraisal/people/{appraisee_id:int}", include_in_schema=False)
async def person_submit(request: Request, appraisee_id: int) -> Template | Redirect:
    f = await _form(request)
    try:
        if f.get("action") == "registration":
            text = f.get("notified_on", "").strip()
            day = parse_date(text) if text else None
            if text and day is None:
                raise InvalidInput(_("通知日期“{v}”不是有效日期").format(v=text), code="bad_date")
            await appraisal.record_registration(request.user, appraisee_id, f.get("committee_opinion", ""),
                                                f.get("remarks", ""), day)
            notify(request, _("登记表信息已保存"))
        elif f.get("action") == "comment":
            detail = await appraisal.appraisal_detail(request.user, appraisee_id)
            await appraisal.set_grade(request.user, appraisee_id, detail["grade_choice"] or None, f.get("comment", ""))
            notify(request, _("评语已保存"))
        else:
            await appraisal.save_summary(request.user, appraisee_id, f.get("text", ""))
            notify(request, _("总结已保存"))
    except AppError as exc:
        return await _person_page(request, appraisee_id, exc.message, exc.status_code)
    return Redirect(f"/appraisal/people/{appraisee_id}")


@get("/appraisal/mine", include_in_schema=False)
async def mine_page(request: Request) -> Template:
    records, _total = await accountability.list_records(request.user, None, offset=0, limit=100)
    own = [r for r in records if r["person"] == request.user.person_id]
    return page(request, "appraisal/mine.html", mine=await appraisal.my_appraisals(request.user), records=own,
                STATUS=accountability.STATUS_LABELS, **_labels())


async def _bonus_page(request: Request, year: int, error: str | None = None, status: int = 200, q: str = "") -> Template:
    people = (await picker.choices(request.user, "directory")
              if request.user.has(Role.CHIEF, Role.LEADER, Role.ADMIN) else picker.Choices())
    rows = await appraisal.list_bonuses(request.user, year, q)
    pager = Pager(request, len(rows))
    return page(request, "appraisal/bonuses.html", status_code=status, year=year, error=error, people=people, q=q,
                bonuses=rows[pager.offset:pager.offset + pager.page_size], pager=pager, today=today_local(), **_labels())


@get("/appraisal/bonuses", include_in_schema=False)
async def bonuses_page(request: Request, year: FromQuery[int | None] = None, q: FromQuery[str] = "") -> Template:
    return await _bonus_page(request, year or today_local().year, q=q)


@post("/appraisal/bonuses", include_in_schema=False)
async def bonus_add(request: Request) -> Template | Redirect:
    f = await _form(request)
    try:
        day = parse_date(f.get("awarded_on", ""))
        if day is None:
            raise InvalidInput(_("请填写有效日期"), code="bad_date")
        await appraisal.add_bonus(request.user, int(f.get("person_id") or 0), f.get("kind", ""),
                                  float(f.get("points") or 0), f.get("note", ""), day)
    except (AppError, ValueError) as exc:
        return await _bonus_page(request, today_local().year, exc.message if isinstance(exc, AppError) else _("分值应为数字"),
                                 getattr(exc, "status_code", 400))
    notify(request, _("加分已登记"))
    return Redirect(f"/appraisal/bonuses?year={day.year}")


@get("/appraisal/commendation", include_in_schema=False)
async def commendation_page(request: Request, year: FromQuery[int | None] = None) -> Template:
    year = year or today_local().year
    try:
        review, error = await commendation.review(request.user, year), None
    except AppError as exc:
        review, error = None, exc.message
    return page(request, "appraisal/commendation.html", year=year, review=review, error=error, **_labels())


@post("/appraisal/commendation", include_in_schema=False)
async def commendation_confirm(request: Request) -> Template | Redirect:
    form = await request.form()
    year = form_int(form.get("year"), _("年度")) or today_local().year
    ids = [int(v) for v in form.getall("person_ids", []) if str(v).isdigit()]
    try:
        await commendation.confirm(request.user, year, ids, str(form.get("note", "")))
    except AppError as exc:
        review = await commendation.review(request.user, year)
        return page(request, "appraisal/commendation.html", status_code=exc.status_code, year=year, review=review,
                    error=exc.message, **_labels())
    notify(request, _("{year} 年评优名单已确认").format(year=year))
    return Redirect(f"/appraisal/commendation?year={year}")


async def _settings_page(request: Request, error: str | None = None, status: int = 200) -> Template:
    return page(request, "appraisal/settings.html", status_code=status, policy=await appraisal.get_policy(),
                template=await appraisal.current_template(), roundings=list(Rounding), error=error)


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
        if not sep:
            raise InvalidInput(_("细项应写作“名称:分值”，以分号分隔"), code="bad_template")
        items.append(SubItem(name.strip(), float(weight)))
    return tuple(items)


@post("/admin/appraisal", guards=[admin_only], include_in_schema=False)
async def settings_submit(request: Request) -> Template | Redirect:
    form = await request.form()
    f = {k: str(v) for k, v in form.items()}
    try:
        if f.get("action") == "template":
            codes = form.getall("code", [])
            names, weights, subs = form.getall("name", []), form.getall("weight", []), form.getall("sub_items", [])
            indicators = [Indicator(str(c).strip(), str(n).strip(), float(w), _parse_sub_items(str(s)))
                          for c, n, w, s in zip(codes, names, weights, subs) if str(c).strip()]
            saved = await appraisal.save_template(request.user, indicators, f.get("note", ""))
            notify(request, _("已保存第 {v} 版考核指标，新建的考核期使用此版本").format(v=saved["version"]))
        else:
            numeric = {k: float(v) for k, v in f.items() if k not in ("action", "rounding", "_csrf_token") and v.strip()}
            if "excellent_needs_good_quarters" in numeric:
                numeric["excellent_needs_good_quarters"] = int(numeric["excellent_needs_good_quarters"])
            await appraisal.set_policy(request.user, {**numeric, "rounding": f.get("rounding", "half_up")})
            notify(request, _("考核参数已保存，新建的考核期使用新参数"))
    except (AppError, ValueError) as exc:
        return await _settings_page(request, exc.message if isinstance(exc, AppError) else _("请填写数字"),
                                    getattr(exc, "status_code", 400))
    return Redirect("/admin/appraisal")
