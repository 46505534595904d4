"""Every route of the application × {anonymous, staff, chief, leader, admin}.

The routes come from the application's own route table: a route added without an entry in
MATRIX fails `test_every_route_has_an_entry_in_the_matrix`. For each entry the test checks:

- anonymous callers are refused (401 from the API, a redirect to /login from the pages);
- routes kept for some roles answer 403 to the others (with a valid body, so the refusal is
  the permission and not the input);
- routes on a record (IDOR): a record of another section (信息科's 罗佳怡) answers 404 to the
  staff member, the chief and the leader of 秘书科, whose own records they do see, and never
  a 5xx to the admin.

The demo callers: staff 赵雪 and chief 张伟 (秘书科), leader 李红梅 (over 秘书科 and 综合科), admin.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
import time_machine

from helpers import login
from services.test_appraisal_flow import as_user
from appraisal.db.tables import (
    Appraisee, Commitment, Period, Person, ScoreCell, Section, Target, UserAccount,
)

ROLES = ("anonymous", "staff", "chief", "leader", "admin")
SUPERIORS = ("chief", "leader", "admin")
LEADERS = ("leader", "admin")


@dataclass(frozen=True)
class Rule:
    """What a route allows. `roles`: who may use it at all (None: anyone logged in; "public": no
    login needed). `record`: the path holds the id of a scoped record of this kind."""

    roles: tuple[str, ...] | str | None = None
    record: str | None = None
    body: dict[str, Any] | None = None
    query: dict[str, Any] = field(default_factory=dict)


PUBLIC = Rule(roles="public")
LOGIN = Rule()


def only(*roles: str, **kw: Any) -> Rule:
    return Rule(roles=roles, **kw)


def record(kind: str, body: dict | None = None, roles: tuple[str, ...] | None = None, **kw: Any) -> Rule:
    return Rule(roles=roles, record=kind, body=body, **kw)


TEXT = {"note": "说明", "reason": "理由"}
MATRIX: dict[str, Rule] = {
    "GET /healthz": PUBLIC,
    "POST /api/v1/auth/password": Rule(body={"old_password": "x", "new_password": "y"}),
    "POST /api/v1/auth/login": PUBLIC,
    "POST /api/v1/auth/logout": LOGIN,
    "GET /api/v1/me": LOGIN,
    "GET /api/v1/sections": LOGIN,
    "POST /api/v1/sections": only("admin", body={"name": "新科室"}),
    "PATCH /api/v1/sections/{section_id:int}": only("admin", body={"sort_order": 3}),
    "GET /api/v1/people": LOGIN,
    "POST /api/v1/people": only("admin", body={"name": "新人", "gender": "male"}),
    "GET /api/v1/people/{person_id:int}": record("person"),
    "PATCH /api/v1/people/{person_id:int}": only("admin", body={"name": "罗佳怡", "gender": "female"}),
    "PUT /api/v1/people/{person_id:int}/led-sections": only("admin", body={"section_ids": []}),
    "GET /api/v1/accounts": only("admin"),
    "POST /api/v1/accounts": only("admin", body={"username": "newone", "password": "long-enough-1", "roles": ["staff"]}),
    "PATCH /api/v1/accounts/{account_id:int}": only("admin", body={"is_active": True}),
    "POST /api/v1/roster/import": only("admin"),
    "GET /api/v1/audit": only("admin"),
    "POST /api/v1/calendar/years": only("admin", body={"year": 2031}),
    "DELETE /api/v1/calendar/days/{day:date}": only("admin"),
    "PUT /api/v1/calendar/days/{day:date}": only("admin", body={"kind": "holiday", "name": "测试"}),
    "GET /api/v1/calendar/{year:int}": LOGIN,
    "GET /api/v1/calendar/working-days": Rule(query={"start": "2026-11-02", "days": 1}),
    "POST /api/v1/commitments/{commitment_id:int}/versions": only("admin", body={
        "limit_kind": "working_days", "limit_days": 5, "effective_from": "2027-01-01"}),
    "GET /api/v1/commitments": PUBLIC,
    "POST /api/v1/commitments": only("admin", body={"section_id": 1, "name": "新事项", "limit_kind": "immediate"}),
    "PATCH /api/v1/commitments/{commitment_id:int}": only("admin", body={"is_active": True}),
    "POST /api/v1/matters/{matter_id:int}/accept": record("matter"),
    "POST /api/v1/matters/{matter_id:int}/complete": record("matter", {"result": "已办结"}),
    "POST /api/v1/matters/{matter_id:int}/follow-up": record("matter", {"satisfaction": "satisfied"}),
    "GET /api/v1/matters/{matter_id:int}": record("matter"),
    "GET /api/v1/matters": LOGIN,
    "POST /api/v1/matters": Rule(body={"channel": "visit", "requester": "来访人", "subject": "事由", "limit_days": 3}),
    "POST /api/v1/matters/{matter_id:int}/pause": record("matter", {"reason": "等待材料"}),
    "POST /api/v1/matters/{matter_id:int}/shirk": record("matter", {"person_id": 1, "note": "推诿"}),
    "POST /api/v1/matters/{matter_id:int}/extensions": record("matter", {"new_due_on": "2026-12-31", "reason": "理由"}),
    "POST /api/v1/matters/{matter_id:int}/resume": record("matter", {"note": ""}),
    "POST /api/v1/matters/{matter_id:int}/return": record("matter", {"note": "退回"}),
    "POST /api/v1/matters/{matter_id:int}/transfer": record("matter", {"to_person_id": 1}),
    "POST /api/v1/extensions/{request_id:int}/decision": record("extension", {"approve": True}),
    "GET /api/v1/inbox": LOGIN,
    "POST /api/v1/inbox/read": LOGIN,
    "POST /api/v1/accountability/{record_id:int}/appeal": record("accountability", {"reason": "申诉"}),
    "POST /api/v1/accountability/{record_id:int}/decision": record("accountability", {"form_id": 1, "reason": "决定"}),
    "POST /api/v1/accountability/{record_id:int}/appeal-decision": record("accountability", {"result": "upheld"}),
    "POST /api/v1/accountability/{record_id:int}/dismiss": record("accountability", {"reason": "不予追究"}),
    "GET /api/v1/accountability/forms": LOGIN,
    "GET /api/v1/accountability/{record_id:int}": record("accountability"),
    "GET /api/v1/accountability": LOGIN,
    "POST /api/v1/accountability": only("leader", "admin", body={"person_id": "OWN_PERSON", "trigger": "manual",
                                                                 "description": "领导报告"}),
    "GET /api/v1/people/{person_id:int}/accountability-effects": record("person", query={"year": 2026}),
    "GET /api/v1/dashboard/matters": LOGIN,
    "GET /api/v1/supervision": LOGIN,
    "POST /api/v1/supervision": only("leader", "admin", body={
        "source": "meeting", "title": "督办事项", "lead_section_id": "OWN_SECTION", "responsible_person_id": "OWN_PERSON",
        "deadline": "2026-12-18"}),
    "GET /api/v1/supervision/{item_id:int}": record("supervision"),
    "POST /api/v1/supervision/{item_id:int}/press": record("supervision", {"new_deadline": "2026-12-28"}),
    "POST /api/v1/supervision/{item_id:int}/progress": record("supervision", {"note": "进展"}),
    "POST /api/v1/supervision/{item_id:int}/review": record("supervision", {"accept": False, "note": "退回"}),
    "PUT /api/v1/targets/{target_id:int}/weights": record("target", {"weights": {}}),
    "POST /api/v1/targets/copy": only("leader", "admin", body={"from_year": 2025, "to_year": 2030}),
    "GET /api/v1/targets": LOGIN,
    "POST /api/v1/targets": Rule(body={"title": "目标", "weight": 10, "year": 2027}),
    "POST /api/v1/targets/import": Rule(),
    "GET /api/v1/targets/mine": LOGIN,
    "GET /api/v1/targets/{target_id:int}/progress": record("target"),
    "POST /api/v1/targets/{target_id:int}/progress": record("target", {"completion": 50, "evidence": "台账"}),
    "PUT /api/v1/targets/weights": Rule(body={"weights": {}, "year": 2026}),
    "PATCH /api/v1/targets/{target_id:int}": record("target", {"title": "目标", "weight": 100, "target_value": 10, "unit": "件"}),
    "GET /api/v1/appraisal/bonuses": LOGIN,
    "POST /api/v1/appraisal/bonuses": only("chief", "leader", "admin", body={
        "person_id": "OWN_STAFF", "kind": "info_adopted", "points": 0.5, "note": "信息采用", "awarded_on": "2026-11-02"}),
    "POST /api/v1/appraisal/periods/{period_id:int}/advance": only("leader", "admin", body={"to": "locked"}),
    "PUT /api/v1/appraisal/periods/{period_id:int}/excellent-approval": only("leader", "admin", body={"approval": "批复"}),
    "GET /api/v1/appraisal/commendation/{year:int}": only("leader", "admin"),
    "POST /api/v1/appraisal/commendation/{year:int}": only("leader", body={"person_ids": [1]}),
    "GET /api/v1/appraisal/periods": LOGIN,
    "POST /api/v1/appraisal/periods": only("admin", body={"year": 2030, "quarter": 1}),
    "GET /api/v1/appraisal/appraisees/{appraisee_id:int}": record("appraisee"),
    "GET /api/v1/appraisal/periods/{period_id:int}/export.xlsx": LOGIN,
    "GET /api/v1/appraisal/policy": LOGIN,
    "PUT /api/v1/appraisal/policy": only("admin", body={}),
    "GET /api/v1/appraisal/template": LOGIN,
    "POST /api/v1/appraisal/template": only("admin", body={"indicators": [{"code": "all", "name": "综合", "weight": 100}]}),
    "PUT /api/v1/appraisal/appraisees/{appraisee_id:int}/grade": record("appraisee", {"grade": None}),
    "GET /api/v1/appraisal/periods/{period_id:int}/grid": record("unit"),
    "GET /api/v1/appraisal/mine": LOGIN,
    "GET /api/v1/appraisal/periods/{period_id:int}": LOGIN,
    "PUT /api/v1/appraisal/appraisees/{appraisee_id:int}/registration": record("appraisee", {"committee_opinion": "同意"}),
    "POST /api/v1/appraisal/periods/{period_id:int}/reopen": only("leader", body={"reason": "更正"}),
    "PUT /api/v1/appraisal/cells/{cell_id:int}": record("cell", {"value": 10, "version": 1}),
    "POST /api/v1/appraisal/periods/{period_id:int}/submit": record("unit"),
    "PUT /api/v1/appraisal/appraisees/{appraisee_id:int}/summary": record("appraisee", {"text": "总结"}),
    "GET /api/v1/reports/bulletin": only("chief", "leader", "admin", query={"year": 2026, "month": 11}),
    "GET /api/v1/reports/bundles/{job_id:int}/file": only("leader", "admin"),
    "GET /api/v1/reports/bundles/{job_id:int}": only("leader", "admin"),
    "GET /api/v1/reports/ranking/{period_id:int}": only("chief", "leader", "admin"),
    "GET /api/v1/reports/registration/{appraisee_id:int}": record("annual_appraisee"),
    "GET /api/v1/reports/report-card/{appraisee_id:int}": record("card_appraisee"),
    "POST /api/v1/reports/bundles": only("leader", "admin", body={"year": 2025}),
    # pages
    "GET /login": PUBLIC,
    "POST /login": PUBLIC,
    "POST /logout": LOGIN,
    "GET /account/password": LOGIN,
    "POST /account/password": LOGIN,
    "GET /": LOGIN,
    "GET /people": LOGIN,
    "GET /people/choices": LOGIN,  # whom a person field offers: the source's own scope (tests/web/test_picker.py)
    "GET /admin/sections": only("admin"),
    "POST /admin/sections": only("admin"),
    "GET /admin/people/new": only("admin"),
    "POST /admin/people/new": only("admin"),
    "GET /admin/people/{person_id:int}": only("admin"),
    "POST /admin/people/{person_id:int}": only("admin"),
    "GET /admin/roster": only("admin"),
    "POST /admin/roster": only("admin"),
    "GET /admin/audit": only("admin"),
    "GET /calendar": LOGIN,
    "POST /calendar": only("admin"),
    "GET /commitments": PUBLIC,
    "GET /admin/commitments": only("admin"),
    "POST /admin/commitments": only("admin"),
    "GET /matters": LOGIN,
    "GET /matters/new": LOGIN,
    "POST /matters/new": LOGIN,
    "GET /matters/{matter_id:int}": record("matter"),
    "POST /matters/{matter_id:int}/{action:str}": record("matter", {"result": "已办结"}),
    "GET /inbox": LOGIN,
    "POST /inbox/read": LOGIN,
    "GET /inbox/badge": LOGIN,
    "GET /accountability": LOGIN,
    "POST /accountability": LOGIN,
    "GET /accountability/{record_id:int}": record("accountability"),
    "POST /accountability/{record_id:int}/{action:str}": record("accountability", {"reason": "申诉"}),
    "GET /supervision": LOGIN,
    "POST /supervision": LOGIN,
    "GET /supervision/{item_id:int}": record("supervision"),
    "POST /supervision/{item_id:int}/{action:str}": record("supervision", {"note": "进展"}),
    "GET /targets": LOGIN,
    "POST /targets/create": LOGIN,
    "POST /targets/{target_id:int}/progress": record("target", {"completion": 50, "evidence": "台账"}),
    "POST /targets/{target_id:int}/archive": record("target"),
    "POST /targets/{target_id:int}/restore": record("target"),
    "POST /targets/weights": LOGIN,
    "POST /targets/copy": LOGIN,
    "POST /targets/import": LOGIN,
    "GET /targets/mine": LOGIN,
    "GET /appraisal": LOGIN,
    "POST /appraisal": only("admin"),
    "GET /appraisal/mine": LOGIN,
    "GET /appraisal/bonuses": LOGIN,
    "POST /appraisal/bonuses": LOGIN,
    "GET /appraisal/commendation": LOGIN,
    "POST /appraisal/commendation": LOGIN,
    "GET /appraisal/{period_id:int}": LOGIN,
    "POST /appraisal/{period_id:int}/advance": LOGIN,
    "POST /appraisal/{period_id:int}/reopen": LOGIN,
    "POST /appraisal/{period_id:int}/approval": LOGIN,
    "POST /appraisal/{period_id:int}/submit": LOGIN,
    "GET /appraisal/{period_id:int}/grid": record("unit"),
    "PUT /appraisal/cells/{cell_id:int}": record("cell", {"value": "10", "version": "1"}),
    "PUT /appraisal/people/{appraisee_id:int}/grade": record("appraisee", {"grade": ""}),
    "GET /appraisal/people/{appraisee_id:int}": record("appraisee"),
    "POST /appraisal/people/{appraisee_id:int}/summary": record("appraisee", {"text": "总结"}),
    "POST /appraisal/people/{appraisee_id:int}/comment": record("appraisee", {"comment": "评语"}),
    "POST /appraisal/people/{appraisee_id:int}/registration": record("appraisee", {"committee_opinion": "同意"}),
    "GET /admin/appraisal": only("admin"),
    "POST /admin/appraisal/policy": only("admin"),
    "POST /admin/appraisal/template": only("admin"),
    "GET /reports": only("chief", "leader", "admin"),
    "GET /reports/ranking": LOGIN,
    "POST /reports/bundles": LOGIN,
    "GET /reports/jobs/{job_id:int}": only("leader", "admin"),
    "GET /reports/jobs/{job_id:int}/progress": only("leader", "admin"),
}
# Served without a login: the static files and the API documentation.
UNLISTED = re.compile(r"^GET /(static/|schema)")


def route_table() -> list[str]:
    from appraisal.app import create_app

    routes = []
    for route in create_app().routes:
        for method in sorted(getattr(route, "methods", ()) or ()):
            if method not in ("HEAD", "OPTIONS"):
                routes.append(f"{method} {route.path}")
    return routes


def test_every_route_has_an_entry_in_the_matrix():
    routes = [r for r in route_table() if not UNLISTED.match(r)]
    missing = [r for r in routes if r not in MATRIX]
    assert not missing, f"routes without an entry in MATRIX (add who may use them): {missing}"
    stale = [r for r in MATRIX if r not in routes]
    assert not stale, f"MATRIX entries for routes that no longer exist: {stale}"


async def _records() -> dict[str, dict[str, Any]]:
    """Ids of records inside 秘书科 (`own`) and in 信息科 (`other`), made for the test."""
    from appraisal.services import accountability, matters, report_jobs, supervision
    from appraisal.demo.appraisal import load_demo_appraisal

    await load_demo_appraisal()
    admin = await as_user("admin")
    # The 2025 results published (reviewed), so that a person may print their own 登记表.
    from appraisal.services import appraisal
    year = await Period.select(Period.id).where(Period.code == "2025").first().run()
    await appraisal.advance(await as_user("leader"), year["id"], "reviewed")
    ids: dict[str, dict[str, Any]] = {"own": {}, "other": {}}
    for side, name, section in (("own", "赵雪", "秘书科"), ("other", "罗佳怡", "信息科")):
        person = await Person.select(Person.id).where(Person.name == name).first().run()
        section_id = (await Section.select(Section.id).where(Section.name == section).first().run())["id"]
        account = await UserAccount.select(UserAccount.username).where(UserAccount.person == person["id"]).first().run()
        who = await as_user(account["username"])
        matter = await matters.register(who, matters.Registration(channel="visit", requester="来访人", subject=f"{name}的办件",
                                                                  limit_days=5))
        extension = await matters.request_extension(who, matter.id, matter.due_on + dt.timedelta(days=1), "理由")
        rec = await accountability.propose(admin, person["id"], "manual", f"{name}的记录")
        item = await supervision.create(admin, supervision.NewItem(
            source="meeting", title=f"{name}的督办", lead_section_id=section_id, responsible_person_id=person["id"],
            deadline=dt.date(2026, 12, 15)))
        target = await Target.select(Target.id).where(Target.owner == person["id"]).first().run()
        q4 = await Appraisee.select(Appraisee.id, Appraisee.unit, Appraisee.period).where(
            Appraisee.person == person["id"], Appraisee.period.code == "2026Q4").first().run()
        card = await Appraisee.select(Appraisee.id).where(
            Appraisee.person == person["id"], Appraisee.period.code == "2026Q3").first().run()
        annual = await Appraisee.select(Appraisee.id).where(
            Appraisee.person == person["id"], Appraisee.period.code == "2025").first().run()
        cell = await ScoreCell.select(ScoreCell.id).where(ScoreCell.appraisee == q4["id"]).first().run()
        ids[side] = {"person": person["id"], "matter": matter.id, "extension": extension.id, "accountability": rec.id,
                     "supervision": item.id, "target": target["id"], "appraisee": q4["id"], "cell": cell["id"],
                     "annual_appraisee": annual["id"], "card_appraisee": card["id"], "unit": (q4["period"], q4["unit"]), "section": section_id}
    ids["job"] = (await report_jobs.start_bundle(admin, 2025)).job_id
    ids["period"] = ids["own"]["unit"][0]
    ids["commitment"] = (await Commitment.select(Commitment.id).first().run())["id"]
    ids["account"] = (await UserAccount.select(UserAccount.id).where(UserAccount.username == "staff").first().run())["id"]
    return ids


def _path(route: str, rule: Rule, ids: dict, side: str) -> tuple[str, dict]:
    method, template = route.split(" ", 1)
    query = dict(rule.query)
    values = {
        "person_id": ids[side]["person"] if rule.record == "person" else ids["other"]["person"],
        "matter_id": ids[side]["matter"], "request_id": ids[side]["extension"],
        "record_id": ids[side]["accountability"], "item_id": ids[side]["supervision"],
        "target_id": ids[side]["target"], "cell_id": ids[side]["cell"], "job_id": ids["job"],
        "appraisee_id": ids[side][rule.record] if rule.record in ("annual_appraisee", "card_appraisee")
        else ids[side]["appraisee"],
        "period_id": ids["period"], "section_id": ids[side]["section"], "account_id": ids["account"],
        "commitment_id": ids["commitment"], "day": "2026-12-30", "year": 2025, "action": "complete",
    }
    if rule.record == "unit":
        values["period_id"] = ids[side]["unit"][0]
        query["unit"] = ids[side]["unit"][1]
    path = re.sub(r"\{(\w+):[^}]+\}", lambda m: str(values[m.group(1)]), template)
    return path, query


def _body(rule: Rule, ids: dict) -> Any:
    if rule.body is None:
        return None
    placeholders = {"OWN_PERSON": ids["own"]["person"], "OWN_SECTION": ids["own"]["section"],
                    "OWN_STAFF": ids["own"]["person"]}
    return {k: placeholders.get(v, v) if isinstance(v, str) else v for k, v in rule.body.items()}


async def _call(client, route: str, rule: Rule, ids: dict, side: str = "other"):
    method = route.split(" ", 1)[0]
    path, query = _path(route, rule, ids, side)
    body = _body(rule, ids)
    headers = {"x-csrftoken": client.cookies.get("csrftoken", "")}
    if path.startswith("/api/"):
        return await client.request(method, path, params=query, json=body, headers=headers)
    form = {k: str(v) for k, v in (body or {}).items()}
    return await client.request(method, path, params=query, data=form or None, headers=headers, follow_redirects=False)


@pytest.fixture
async def matrix(office, client):
    # A fixed day of the demo's year: deadlines and calendar data do not depend on when tests run.
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        yield await _records()


async def test_anonymous_callers_are_refused_everywhere_but_the_public_routes(matrix, client):
    await client.get("/healthz")  # the CSRF cookie, so that the refusal is about the login
    for route, rule in MATRIX.items():
        if rule.roles == "public":
            continue
        r = await _call(client, route, rule, matrix)
        if route.split(" ", 1)[1].startswith("/api/"):
            assert r.status_code == 401, (route, r.status_code, r.text[:200])
        else:
            assert r.status_code == 302 and r.headers["location"].startswith("/login?next="), (route, r.status_code)


async def test_each_role_gets_only_what_it_may_and_nothing_of_another_section(matrix, client):
    for role in ("staff", "chief", "leader", "admin"):  # one set-up for the four callers
        await check_role(client, matrix, role)
        await client.post("/api/v1/auth/logout")


# Routes whose refusal of a role comes after the record's look-up.
LOOKED_UP_BEFORE_THE_ROLE = {"PATCH /api/v1/people/{person_id:int}"}


async def check_role(client, matrix: dict, role: str) -> None:
    await login(client, role)
    for route, rule in MATRIX.items():
        if route in ("POST /api/v1/auth/logout", "POST /logout", "POST /api/v1/auth/login", "POST /login"):
            continue
        r = await _call(client, route, rule, matrix)
        assert r.status_code < 500, (role, route, r.status_code, r.text[:300])
        if isinstance(rule.roles, tuple) and role not in rule.roles:
            # Refused with 403; editing a person looks the person up in the caller's scope
            # first, and 信息科's 罗佳怡 is outside the scope of each caller refused there, so
            # they are told she does not exist (404), as for any record outside their scope.
            refused = 404 if route in LOOKED_UP_BEFORE_THE_ROLE else 403
            assert r.status_code == refused, (role, route, r.status_code, r.text[:200])
        elif rule.record and role != "admin":
            assert r.status_code == 404, ("IDOR", role, route, r.status_code, r.text[:200])
        if rule.record and route.startswith("GET") and (rule.roles is None or role in rule.roles):
            own = await _call(client, route, rule, matrix, side="own")
            assert own.status_code == 200, ("own record", role, route, own.status_code, own.text[:200])
