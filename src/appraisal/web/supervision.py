"""督查督办 pages: the board with lights and an item with its trail and steps."""

from __future__ import annotations


from litestar import Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from appraisal.domain.calendar import today_local
from appraisal.domain.people import parse_date
from appraisal.errors import AppError, InvalidInput
from appraisal.i18n import _
from appraisal.scopes import Role
from appraisal.services import org, supervision
from appraisal.web.common import Pager, form_int, notify, page, pager_for
from appraisal.web import picker

# The field of the 立项 form a refused item's message goes under, by the service's error code.
CREATE_FIELDS = {"bad_source": "source", "bad_title": "title", "bad_deadline": "deadline",
                 "unknown_section": "lead_section_id", "inactive_person": "responsible_person_id"}
# The field of a step's form (its id on the item page) a refused step's message goes under.
STEP_FIELDS = {"progress": "note", "press": "new_deadline", "review": "review-note"}


async def _board(request: Request, year: int, status: str = "", q: str = "", *, error: str | None = None,
                 error_field: str | None = None, form: dict | None = None, code: int = 200) -> Template:
    offset, limit = pager_for(request)
    try:
        rows, total = await supervision.list_items(request.user, year=year, status=status or None, offset=offset,
                                                   limit=limit, search=q)
    except AppError:
        rows, total = [], 0
    return page(request, "supervision/board.html", status_code=code, items=rows, pager=Pager(request, total),
                year=year, q=q, status=status, sections=await org.list_sections(),
                people=await picker.choices(request.user, "directory"),
                can_create=request.user.has(Role.LEADER, Role.ADMIN), error=error, error_field=error_field,
                form=form or {})


@get("/supervision", include_in_schema=False)
async def board(request: Request, year: FromQuery[int | None] = None, status: FromQuery[str] = "",
                q: FromQuery[str] = "") -> Template:
    return await _board(request, year or today_local().year, status, q)


@post("/supervision", include_in_schema=False)
async def create(request: Request) -> Template | Redirect:
    form = await request.form()
    f = {k: str(form.get(k, "")) for k in ("source", "title", "requirement", "lead_section_id",
                                            "responsible_person_id", "deadline")}
    f["assisting_section_ids"] = [str(v) for v in form.getall("assisting_section_ids", [])]
    try:
        deadline = parse_date(f["deadline"])
        if deadline is None:
            raise InvalidInput(_("请填写有效的办理期限"), code="bad_deadline", field="deadline")
        lead = form_int(f["lead_section_id"], _("牵头科室"))
        person = form_int(f["responsible_person_id"], _("责任人"))
        if person is None:
            raise InvalidInput(_("请选择责任人"), code="inactive_person", field="responsible_person_id")
        item = await supervision.create(request.user, supervision.NewItem(
            source=f["source"], title=f["title"], requirement=f["requirement"], lead_section_id=lead or 0,
            responsible_person_id=person, responsible_leader_id=request.user.person_id, deadline=deadline,
            assisting_section_ids=[int(v) for v in f["assisting_section_ids"] if v.isdigit()]))
    except AppError as exc:
        field = exc.field or CREATE_FIELDS.get(exc.code)
        return await _board(request, today_local().year, error=exc.message, error_field=field, form=f,
                            code=exc.status_code)
    notify(request, _("已立项：{n}，责任人已收到通知").format(n=item.number))
    return Redirect(f"/supervision/{item.id}")


async def _detail(request: Request, item_id: int, error: str | None = None, code: int = 200, *,
                  action: str = "", typed: dict | None = None, error_field: str | None = None) -> Template:
    item = await supervision.get_item(request.user, item_id)
    return page(request, "supervision/detail.html", status_code=code, it=item, error=error, error_field=error_field,
                action=action, typed=typed or {},
                is_leader=request.user.has(Role.LEADER, Role.ADMIN), today=today_local(),
                may_report=supervision.may_report(request.user, item["responsible_person"], item["lead_section"]))


@get("/supervision/{item_id:int}", include_in_schema=False)
async def detail(request: Request, item_id: int) -> Template:
    return await _detail(request, item_id)


@post("/supervision/{item_id:int}/{action:str}", include_in_schema=False)
async def step(request: Request, item_id: int, action: str) -> Template | Redirect:
    f = {k: str(v) for k, v in (await request.form()).items() if k != "_csrf_token"}
    me = request.user
    try:
        if action == "progress":
            await supervision.report_progress(me, item_id, f.get("note", ""), submit=f.get("submit") == "1")
            done = _("已报请审结，等待领导审结") if f.get("submit") == "1" else _("已报告进展")
        elif action == "press":
            new_deadline = parse_date(f.get("new_deadline", ""))
            if new_deadline is None:
                raise InvalidInput(_("请填写有效的新期限"), code="bad_deadline")
            await supervision.press(me, item_id, new_deadline, f.get("note", ""))
            done = _("已发督办通知，新期限 {d}").format(d=new_deadline)
        elif action == "review":
            await supervision.review(me, item_id, f.get("accept") == "1", f.get("note", ""))
            done = _("已审结，事项办结") if f.get("accept") == "1" else _("已退回重办，责任人已收到通知")
        else:
            return await _detail(request, item_id, _("未知操作"), 404)
    except AppError as exc:
        field = STEP_FIELDS.get(action) if isinstance(exc, InvalidInput) else None
        return await _detail(request, item_id, exc.message, exc.status_code, action=action, typed=f,
                             error_field=field)
    notify(request, done)
    return Redirect(f"/supervision/{item_id}")


