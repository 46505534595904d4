"""办件 pages: register, lists with lights, and a matter's detail with its timeline and steps."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from appraisal.db.tables import Person
from appraisal.domain.calendar import today_local
from appraisal.domain.people import parse_date
from appraisal.errors import AppError, InvalidInput
from appraisal.i18n import _
from appraisal.scopes import Principal, Role
from appraisal.services import commitments, matters, org
from appraisal.web.common import Pager, form_int, notify, page, pager_for
from appraisal.web import picker

# What the date a timeline step records is, by step: a transfer's is the accept-by date.
DUE_LABELS = {
    "register": _("办结期限"), "transfer": _("签收期限"), "resume": _("办结期限顺延至"),
    "extension_request": _("申请延至"), "extension_decision": _("办结期限延至"),
}


def _context() -> dict:
    return {"DUE_LABELS": DUE_LABELS}


@get("/matters", include_in_schema=False)
async def matter_list(
    request: Request, status: FromQuery[str] = "", light: FromQuery[str] = "", mine: FromQuery[str] = "",
    q: FromQuery[str] = "", section: FromQuery[str] = "",
) -> Template:
    offset, limit = pager_for(request)
    sections = await org.visible_sections(request.user)
    section_id = int(section) if section.isdigit() else None
    try:
        rows, total = await matters.list_matters(request.user, matters.MatterQuery(
            status or None, light or None, mine == "1", offset, limit, q, section=section_id))
    except AppError:
        rows, total = [], 0
    return page(request, "matters/list.html", matters=rows, pager=Pager(request, total), status=status, light=light,
                mine=mine, q=q, section=section_id, sections=sections if len(sections) > 1 else [], **_context())


async def _register_page(request: Request, form: dict | None = None, error: str | None = None, status: int = 200,
                         error_field: str | None = None) -> Template:
    return page(request, "matters/new.html", status_code=status, form=form or {}, error=error, error_field=error_field,
                items=await commitments.catalogue(today_local()), **_context())


@get("/matters/new", include_in_schema=False)
async def matter_new(request: Request) -> Template:
    return await _register_page(request)


@post("/matters/new", include_in_schema=False)
async def matter_create(request: Request) -> Template | Redirect:
    form = await request.form()
    data = {k: str(form.get(k, "")) for k in ("channel", "requester", "requester_contact", "subject", "content",
                                              "commitment_id", "limit_days")}
    try:
        commitment_id = int(data["commitment_id"]) if data["commitment_id"] else None
        limit_days = int(data["limit_days"]) if data["limit_days"] and commitment_id is None else None
    except ValueError:
        return await _register_page(request, data, _("办理时限必须是整数"), 422, "limit_days")
    try:
        matter = await matters.register(request.user, matters.Registration(
            channel=data["channel"], requester=data["requester"], subject=data["subject"], content=data["content"],
            requester_contact=data["requester_contact"], commitment_id=commitment_id, limit_days=limit_days))
    except AppError as exc:
        return await _register_page(request, data, exc.message, exc.status_code, exc.field)
    notify(request, _("已登记办件 {n}，您是首问责任人，办结期限 {d}").format(
        n=matters.matter_number(matter.id, matter.created_at), d=matter.due_on))
    return Redirect(f"/matters/{matter.id}")


async def _detail_page(request: Request, matter_id: int, error: str | None = None, status: int = 200, *,
                       action: str = "", typed: dict[str, str] | None = None, error_field: str | None = None) -> Template:
    matter = await matters.get_matter(request.user, matter_id)
    me = request.user
    return page(request, "matters/detail.html", status_code=status, m=matter, error=error, error_field=error_field,
                action=action, typed=typed or {},
                people=await picker.choices(request.user, "directory"), all_sections=await org.list_sections(),
                is_leader=me.has(Role.LEADER, Role.ADMIN),
                may_handle=matters.may_handle(me, matter["owner"], matter["section"]),
                may_follow_up=matters.may_follow_up(me, matter["first_receiver"], matter["owner"], matter["section"]),
                **_context())


@get("/matters/{matter_id:int}", include_in_schema=False)
async def matter_detail(request: Request, matter_id: int) -> Template:
    return await _detail_page(request, matter_id)


# The field (its id on the matter page) a refused step's message belongs under: a field the
# service names, else the step's text field for a missing or too long text, else its main field.
STEP_FIELDS = {
    "transfer": ("transfer-note", "to_person_id"), "return": ("return-note", "return-note"),
    "pause": ("pause-reason", "pause-reason"), "resume": ("resume-note", "resume-note"),
    "extension": ("ext-reason", "new_due_on"), "decide": ("decide-note", "decide-note"),
    "complete": ("result", "result"), "follow-up": ("fu-note", "satisfaction"),
}
TEXT_CODES = {"missing_field", "too_long"}


def step_field(action: str, exc: AppError) -> str | None:
    """Where the message of a refused step goes: under a field for bad input (422), at the top of
    the page for a step that may not be taken now (403, 409)."""
    if not isinstance(exc, InvalidInput) or action not in STEP_FIELDS:
        return None
    text_field, main_field = STEP_FIELDS[action]
    if exc.field in ("to_person_id", "to_section_id"):
        return exc.field
    return text_field if exc.code in TEXT_CODES else main_field


@post("/matters/{matter_id:int}/{action:str}", include_in_schema=False)
async def matter_step(request: Request, matter_id: int, action: str) -> Template | Redirect:
    form = await request.form()
    f = {k: str(v) for k, v in form.items() if k != "_csrf_token"}
    me = request.user
    steps = {
        "transfer": lambda: _transfer(me, matter_id, f),
        "accept": lambda: matters.accept(me, matter_id),
        "return": lambda: matters.return_transfer(me, matter_id, f.get("note", "")),
        "pause": lambda: matters.pause(me, matter_id, f.get("reason", "")),
        "resume": lambda: matters.resume(me, matter_id, f.get("note", "")),
        "extension": lambda: matters.request_extension(me, matter_id, _date(f.get("new_due_on")), f.get("reason", "")),
        "decide": lambda: matters.decide_extension(me, form_int(f.get("request_id"), _("延期申请")) or 0,
                                                   f.get("approve") == "1", f.get("note", "")),
        "complete": lambda: matters.complete(me, matter_id, f.get("result", "")),
        "follow-up": lambda: matters.follow_up(me, matter_id, f.get("satisfaction", ""), f.get("note", "")),
        "shirk": lambda: matters.report_shirk(me, matter_id, _person(f.get("person_id")), f.get("note", "")),
    }
    if action not in steps:
        return await _detail_page(request, matter_id, _("未知操作"), 404)
    try:
        await steps[action]()
    except AppError as exc:
        return await _detail_page(request, matter_id, exc.message, exc.status_code, action=action, typed=f,
                                  error_field=step_field(action, exc))
    notify(request, await _done_message(me, matter_id, action, f))
    if action == "return":
        return Redirect("/matters?mine=1")
    return Redirect(f"/matters/{matter_id}")


async def _done_message(me: Principal, matter_id: int, action: str, f: dict[str, str]) -> str:
    """What the step did, in words, read back from the matter as it now is."""
    m = await matters.get_matter(me, matter_id) if action != "return" else None
    if action == "transfer":
        found = await org.choosable_people(Person.id == m["pending_to"]) if m["pending_to"] else []
        section = found[0]["section_name"] if found and found[0]["section_name"] else _("办领导")
        return _("已转办给 {name}（{section}），须于 {d} 前签收；签收前仍由您负责").format(
            name=m["pending_to_name"], section=section, d=m["pending_due_on"])
    if action == "accept":
        return _("已签收，您现在是本件的责任人，办结期限 {d}").format(d=m["due_on"])
    if action == "return":
        return _("已退回，本件仍由转办人负责办理")
    if action == "pause":
        return _("已中止计时，恢复前不计入办理时限")
    if action == "resume":
        return _("已恢复计时，办结期限现为 {d}").format(d=m["due_on"])
    if action == "extension":
        return _("已申请延期至 {d}，等待分管领导审批").format(d=f.get("new_due_on", ""))
    if action == "decide":
        return (_("已同意延期，办结期限现为 {d}").format(d=m["due_on"]) if f.get("approve") == "1"
                else _("已不同意延期，办结期限仍为 {d}").format(d=m["due_on"]))
    if action == "complete":
        return _("已办结，办理结果已记录")
    if action == "follow-up":
        return _("已记录回访：{s}").format(s=matters.SATISFACTION.get(m["satisfaction"] or "", ""))
    return _("已报告推诿，记入责任追究线索")


async def _transfer(me: Principal, matter_id: int, f: dict[str, str]) -> None:
    """转办 to the person chosen, or else to the section chosen (its chief signs for it)."""
    await matters.transfer(me, matter_id, form_int(f.get("to_person_id"), _("人员")), f.get("note", ""),
                           to_section_id=form_int(f.get("to_section_id"), _("科室")))


def _person(value: str | None) -> int:
    """The person chosen in a form's drop-down: a 422 when none was chosen or the value is not
    an id."""
    person_id = form_int(value, _("人员"))
    if person_id is None:
        raise InvalidInput(_("请选择人员"), code="missing_person")
    return person_id


def _date(value: str | None):
    day = parse_date(value or "")
    if day is None:
        raise InvalidInput(_("请填写有效日期"), code="bad_date")
    return day
