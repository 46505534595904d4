"""The pages' own forms, filled with what a careless or hostile user could type.

Schemathesis fuzzes the JSON API from its schema (tests/e2e/test_api_fuzzing.py); the pages are
not in that schema, so this test finds their forms the way a browser does. Logged in as each
role, it opens every page of the route table that the role may open (with records of the demo
office in the path), reads every form on it, and every htmx control that sends a request of its
own, and sends each of them:

- every field holding the same hostile value, for each value in HOSTILE;
- the form as the page filled it in, with one field at a time replaced by a hostile value.

Each page is also asked for with each hostile value in every query parameter its handler
takes (and the pager's `page`), as an edited or truncated link would.

Whatever comes back, no answer is a server error, and a refusal is a page that says something.
The values are fixed, so a failure names the value and is repeated by running the test again.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import time_machine

from api.test_authorization_matrix import MATRIX, _path, _records
from helpers import login

HOSTILE = [
    "", " ", "abc", "-1", "0", "1.5", "1e400", "NaN", "99999999999999999999", "-9223372036854775809",
    "2026-02-30", "9999-12-31", "0000-00-00", "\x00", "a\x07b", "😀🈶𠮷", "字" * 10_001,
    "<script>alert(1)</script>", "' OR 1=1 --", "[]", "true",
]
NOT_AN_UPLOAD = ("名单.xlsx", b"PK\x03\x04 this is not a workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
# Forms that would end the caller's session, or change its password, rather than be refused.
SESSION_ENDING = re.compile(r"^/(logout|login|account/password)\b")
ROLES = ("staff", "chief", "leader", "admin")


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, str] = field(default_factory=dict)  # name → the value the page filled in
    files: set[str] = field(default_factory=set)

    def key(self) -> tuple:
        # Forms of the same shape on different records (each matter's own 办结 form) are one.
        return self.method, re.sub(r"/\d+", "/N", self.action), tuple(sorted(self.fields)), tuple(sorted(self.files))


class FormReader(HTMLParser):
    """Every <form> of a page with its fields, and each element with hx-post/put/patch/delete
    (it sends its own name and value and its hx-vals)."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self._open: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        for verb in ("post", "put", "patch", "delete"):
            if f"hx-{verb}" in a and tag != "form":
                own = Form(verb.upper(), urljoin(self.page, a[f"hx-{verb}"]))
                if a.get("name"):
                    own.fields[a["name"]] = a.get("value", "")
                if a.get("hx-vals"):
                    own.fields.update({k: str(v) for k, v in json.loads(html.unescape(a["hx-vals"])).items()})
                self.forms.append(own)
        if tag == "form":
            method = a.get("method", "get").upper()
            self._open = Form(method, urljoin(self.page, a.get("action") or self.page))
            self.forms.append(self._open)
            return
        form = self._open
        if form is None or not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind == "file":
                form.files.add(name)
            elif kind in ("checkbox", "radio"):
                if "checked" in a or name not in form.fields:
                    form.fields[name] = a.get("value", "on") if "checked" in a else form.fields.get(name, "")
            elif kind not in ("submit", "button", "reset", "image"):
                form.fields[name] = a.get("value", "")
        elif tag == "select":
            self._select = name
            form.fields.setdefault(name, "")
        elif tag == "option" and self._select:
            if "selected" in a or not form.fields.get(self._select):
                form.fields[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = name
            form.fields[name] = ""
        elif tag == "button" and a.get("value"):
            form.fields[name] = a["value"]

    def handle_data(self, data: str) -> None:
        if self._textarea and self._open:
            self._open.fields[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._open = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def pages_for(role: str, ids: dict) -> list[tuple[str, str]]:
    """The pages of the route table that `role` may open (route, address), records of its own
    section in the path."""
    pages = []
    for route, rule in MATRIX.items():
        method, template = route.split(" ", 1)
        if method != "GET" or template.startswith("/api/") or template in ("/healthz", "/login"):
            continue
        if isinstance(rule.roles, tuple) and role not in rule.roles:
            continue
        path, query = _path(route, rule, ids, "own")
        pages.append((template, path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")))
    return pages


@cache
def query_names() -> dict[str, list[str]]:
    """Each page's query parameters, from its handler's signature, and `page` (the pager)."""
    from appraisal.app import create_app

    names = {}
    for route in create_app().routes:
        for handler in getattr(route, "route_handlers", ()):
            if "GET" in handler.http_methods and not route.path.startswith("/api/"):
                params = handler.parsed_fn_signature.parameters
                names[route.path] = sorted({n for n in params if n not in ("request", "state", "scope")
                                            and n not in route.path_parameters} | {"page"})
    return names


def variants(form: Form) -> list[tuple[str, dict[str, str]]]:
    """(what was sent, the fields): every field hostile, then one field at a time."""
    out = [(f"every field {value!r}"[:60], {name: value for name in form.fields}) for value in HOSTILE]
    for i, name in enumerate(sorted(form.fields)):
        value = HOSTILE[(i * 7 + 3) % len(HOSTILE)]
        out.append((f"{name}={value!r}"[:60], {**form.fields, name: value}))
    return out


async def send(client, form: Form, fields: dict[str, str]):
    target = urlsplit(form.action)
    path = target.path + (f"?{target.query}" if target.query else "")
    headers = {"x-csrftoken": client.cookies.get("csrftoken", ""), "hx-request": "true"}
    if form.method == "GET":  # an address holds less than a body (httpx: 64 KiB)
        fields = {k: v[:1000] for k, v in fields.items()}
        return await client.get(path, params=fields, follow_redirects=False)
    files = {name: NOT_AN_UPLOAD for name in form.files} or None
    return await client.request(form.method, path, data=fields, files=files, headers=headers, follow_redirects=False)


async def fuzz_role(client, ids: dict, role: str) -> tuple[int, list[str]]:
    """Send every variant of every form `role` sees; answers the number sent and what failed."""
    await login(client, role)
    seen: set[tuple] = set()
    failures: list[str] = []
    sent = 0
    for route, page in pages_for(role, ids):
        for value in HOSTILE:  # the address's own parameters, as a link could carry them
            params = {name: value[:1000] for name in query_names()[route]}
            answer = await client.get(page.split("?")[0], params=params, follow_redirects=False)
            sent += 1
            if answer.status_code >= 500:
                failures.append(f"{role} GET {route} ({value[:20]!r}): {answer.status_code} {answer.text[:160]!r}")
        r = await client.get(page, follow_redirects=False)
        if r.status_code != 200 or "text/html" not in r.headers.get("content-type", ""):
            continue
        reader = FormReader(page)
        reader.feed(r.text)
        for form in reader.forms:
            if form.key() in seen or SESSION_ENDING.match(urlsplit(form.action).path):
                continue
            seen.add(form.key())
            for label, fields in variants(form):
                answer = await send(client, form, fields)
                sent += 1
                where = f"{role} {form.method} {urlsplit(form.action).path} ({label})"
                if answer.status_code >= 500:
                    failures.append(f"{where}: {answer.status_code} {answer.text[:160]!r}")
                elif answer.status_code >= 400 and not answer.text.strip():
                    failures.append(f"{where}: {answer.status_code} with nothing to read")
                elif answer.status_code == 302 and "/login" in answer.headers.get("location", ""):
                    await login(client, role)  # the step ended the session (it is not one to fuzz)
                    failures.append(f"{where}: ended the session")
    await client.post("/api/v1/auth/logout")
    return sent, failures


@pytest.fixture
async def demo_records(office, client):
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=True):
        yield await _records()


async def test_every_form_of_every_page_answers_hostile_input_without_a_server_error(demo_records, client):
    failures: list[str] = []
    sent = {}
    for role in ROLES:
        sent[role], failed = await fuzz_role(client, demo_records, role)
        failures += failed
    print(f"requests sent by role: {sent}")
    assert all(n > 40 for n in sent.values()), f"too few forms found to mean anything: {sent}"
    assert not failures, f"{len(failures)} of {sum(sent.values())} requests:\n" + "\n".join(failures[:40])
