"""Organisation pages: the people list (scoped for everyone) and admin management of sections,
people and accounts."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.datastructures import State
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from appraisal.domain.calendar import today_local
from appraisal.domain.people import POLITICAL_STATUSES, parse_date
from appraisal.errors import AppError, InvalidInput
from appraisal.i18n import _
from appraisal.scopes import Role
from appraisal.security import admin_only
from appraisal.services import accounts, org
from appraisal.web.common import Pager, form_int, notify, page, pager_for


def _filter_id(value: str) -> int | None:
    """A list's section filter from the query string: a value that is not an id filters
    nothing (the whole list), as a blank one does."""
    try:
        return int(value) if value else None
    except ValueError:
        return None


@get("/people", include_in_schema=False)
async def people_list(request: Request, q: FromQuery[str] = "", section_id: FromQuery[str] = "") -> Template:
    offset, limit = pager_for(request)
    rows, total = await org.list_people(
        request.user, org.PeopleQuery(search=q[:50], section_id=_filter_id(section_id), offset=offset, limit=limit)
    )
    return page(request, "org/people.html", people=rows, pager=Pager(request, total), q=q,
                section_id=_filter_id(section_id), sections=await org.list_sections())


# ------------------------------------------------------------------ sections (admin)


SECTION_FIELDS = {"bad_section_name": "name", "duplicate_section": "name", "bad_sort_order": "sort_order",
                  "not_a_number": "sort_order", "section_not_empty": "is_active"}


async def _sections_page(request: Request, status: int = 200, **refused: Any) -> Template:
    return page(request, "org/sections.html", status_code=status, sections=await org.list_sections(include_inactive=True),
                **{"form_id": None, "typed": {}, "error": None, "error_field": None, **refused})


@get("/admin/sections", guards=[admin_only], include_in_schema=False)
async def sections_page(request: Request) -> Template:
    return await _sections_page(request)


@post("/admin/sections", guards=[admin_only], include_in_schema=False)
async def sections_submit(request: Request) -> Template | Redirect:
    form = await request.form()
    typed = {k: str(v) for k, v in form.items()}
    form_id = f"s{typed['id']}" if typed.get("id", "").isdigit() else "new"
    try:
        section_id = form_int(form.get("id"), _("科室"))
        sort_order = form_int(form.get("sort_order"), _("排序"), field="sort_order") or 0
        if section_id is None:
            section = await org.create_section(request.user, typed.get("name", ""), sort_order)
            notify(request, _("已添加科室「{n}」").format(n=section.name))
        else:
            active = form.get("is_active") == "on"
            await org.update_section(request.user, section_id, name=typed.get("name", ""), sort_order=sort_order,
                                     is_active=active)
            name = typed.get("name", "").strip()
            notify(request, (_("科室「{n}」已保存") if active else _("科室「{n}」已保存，已停用")).format(n=name))
    except AppError as exc:
        field = exc.field or SECTION_FIELDS.get(exc.code)
        return await _sections_page(request, exc.status_code, form_id=form_id, typed=typed, error=exc.message,
                                    error_field=f"{form_id}-{field}" if field else None)
    return Redirect("/admin/sections")


# ------------------------------------------------------------------ people (admin)


NO_SECTION = "none"  # the section field's value for an office leader, who belongs to no section


def _person_form(form) -> org.PersonData:
    birth_text = str(form.get("birth_date", "")).strip()
    birth = parse_date(birth_text) if birth_text else None
    if birth_text and birth is None:
        raise InvalidInput(_("出生日期“{v}”不是有效日期").format(v=birth_text), code="bad_birth_date",
                           field="birth_date")
    # The office leaders' choice is explicit ("none"): an untouched field must not make a leader.
    section_text = str(form.get("section_id", "")).strip()
    if not section_text:
        raise InvalidInput(_("请选择科室；办领导请选“办领导，不属于科室”"), code="section_required", field="section_id")
    return org.PersonData(
        name=str(form.get("name", "")),
        gender=str(form.get("gender", "")),
        birth_date=birth,
        political_status=str(form.get("political_status", "")),
        post_rank=str(form.get("post_rank", "")),
        duties=str(form.get("duties", "")),
        section_id=None if section_text == NO_SECTION else form_int(section_text, _("科室"), field="section_id"),
        is_active=form.get("is_active", "on") == "on",
    )


def _person_field(exc: AppError, form) -> str | None:
    """The field of the person form a refusal concerns."""
    if exc.field or exc.code != "too_long":
        return exc.field
    return "political_status" if len(str(form.get("political_status", ""))) > 32 else "post_rank"


async def _person_page(request: Request, person: dict | None, error: str | None = None, status: int = 200,
                       error_field: str | None = None, account_typed: dict | None = None) -> Template:
    return page(
        request, "org/person_form.html", status_code=status, person=person, error=error, error_field=error_field,
        account_typed=account_typed,
        sections=await org.list_sections(), political_statuses=POLITICAL_STATUSES,
        roles=list(Role), today=today_local(),
    )


@get("/admin/people/new", guards=[admin_only], include_in_schema=False)
async def person_new(request: Request) -> Template:
    return await _person_page(request, None)


@post("/admin/people/new", guards=[admin_only], include_in_schema=False)
async def person_create(request: Request) -> Template | Redirect:
    form = await request.form()
    try:
        person = await org.create_person(request.user, _person_form(form))
    except AppError as exc:
        return await _person_page(request, dict(form), exc.message, exc.status_code, _person_field(exc, form))
    notify(request, _("已添加人员 {name}").format(name=person.name))
    return Redirect(f"/admin/people/{person.id}")


async def _person_with_account(request: Request, person_id: int) -> dict:
    person = await org.get_person(request.user, person_id)
    if person["account"]:
        person["account"] = await accounts.get_account(person["account"]["id"])
    return person


@get("/admin/people/{person_id:int}", guards=[admin_only], include_in_schema=False)
async def person_edit(request: Request, person_id: int) -> Template:
    return await _person_page(request, await _person_with_account(request, person_id))


ACCOUNT_FIELDS = {
    "create_account": {"bad_username": "username", "duplicate_username": "username", "weak_password": "password"},
    "update_account": {"weak_password": "new_password"},
}


@post("/admin/people/{person_id:int}", guards=[admin_only], include_in_schema=False)
async def person_update(request: Request, person_id: int, state: State) -> Template | Redirect:
    form = await request.form()
    action = form.get("action", "save")
    try:
        if action == "save":
            data = _person_form(form)
            await org.update_person(request.user, person_id, data)
            await org.set_led_sections(
                request.user, person_id, [int(v) for v in form.getall("led_section_ids", []) if str(v).isdigit()]
            )
            notify(request, _("{name}的人员信息已保存").format(name=data.name.strip()))
        elif action == "create_account":
            username = str(form.get("username", ""))
            await accounts.create_account(
                request.user, username, str(form.get("password", "")),
                [Role(r) for r in form.getall("roles", []) if r in Role.__members__.values()], person_id,
            )
            notify(request, _("已开通账号 {u}").format(u=username.strip()))
        elif action == "update_account":
            account_id = form_int(form.get("account_id"), _("账号"))
            if account_id is None:
                raise InvalidInput(_("账号不存在"))
            active = form.get("account_active") == "on"
            await accounts.update_account(
                request.user, account_id,
                roles=[Role(r) for r in form.getall("roles", []) if r in Role.__members__.values()],
                is_active=active,
                new_password=str(form.get("new_password")) if form.get("new_password") else None,
            )
            notify(request, _("账号已保存") if active else _("账号已保存，已停用，不能再登录"))
    except AppError as exc:
        person = await _person_with_account(request, person_id)
        typed = {k: str(v) for k, v in form.items() if k not in ("password", "new_password", "_csrf_token")}
        if action == "save":
            # What was typed, not what is stored: the admin corrects the one field and saves again.
            person.update(typed, is_active=form.get("is_active") == "on",
                          led_section_ids=[int(v) for v in form.getall("led_section_ids", []) if str(v).isdigit()])
        field = _person_field(exc, form) if action == "save" else exc.field or ACCOUNT_FIELDS.get(str(action), {}).get(exc.code)
        return await _person_page(request, person, exc.message, exc.status_code, field,
                                  account_typed={**typed, "roles": form.getall("roles", [])} if action != "save" else None)
    return Redirect(f"/admin/people/{person_id}")
