"""Login, logout and password pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from litestar import Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from appraisal.errors import AppError
from appraisal.i18n import _
from appraisal.security import SESSION_COOKIE, client_address, start_session
from appraisal.services import accounts
from appraisal.web.common import notify, page


def _safe_next(target: str | None) -> str:
    r"""Where to go after logging in: a path on this site, or the home page. Browsers read
    `/\evil.example` as `//evil.example` and drop tabs and line breaks from an address
    (`/<TAB>/evil.example`), so a target with a backslash, a space or a control character is
    refused with the rest that is not a plain path: no open redirect through ?next=."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in target):
        return "/"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/"


@get("/login", opt={"exclude_from_auth": True}, include_in_schema=False)
async def login_page(request: Request, next: FromQuery[str | None] = None) -> Template:
    return page(request, "auth/login.html", next=_safe_next(next), username="", error=None, error_field=None)


@post("/login", opt={"exclude_from_auth": True}, include_in_schema=False)
async def login_submit(request: Request) -> Template | Redirect:
    form = await request.form()
    username = str(form.get("username", ""))[:64]
    password = str(form.get("password", ""))[:128]
    target = _safe_next(str(form.get("next", "/")))
    try:
        principal = await accounts.authenticate(username, password, client_address(request))
    except AppError as exc:
        # The username stays; the message goes under the password, typed again (never sent back).
        return page(request, "auth/login.html", status_code=exc.status_code, next=target, username=username,
                    error=exc.message, error_field="password" if username.strip() else "username")
    await start_session(request, principal)
    return Redirect(target)


@post("/logout", include_in_schema=False)
async def logout(request: Request) -> Redirect:
    request.clear_session()
    return Redirect("/login")


PASSWORD_FIELDS = {"bad_old_password": "old_password", "weak_password": "new_password", "same_password": "new_password"}


@get("/account/password", include_in_schema=False)
async def password_page(request: Request) -> Template:
    return page(request, "auth/password.html", error=None, error_field=None)


@post("/account/password", include_in_schema=False)
async def password_submit(request: Request) -> Template | Redirect:
    """Passwords are not sent back in a refused form: the one field named is typed again."""
    form = await request.form()
    new = str(form.get("new_password", ""))
    if new != str(form.get("new_password_again", "")):
        return page(request, "auth/password.html", status_code=422, error=_("两次输入的新密码不一致"),
                    error_field="new_password_again")
    try:
        await accounts.change_own_password(request.user, str(form.get("old_password", "")), new,
                                           current_session=request.cookies.get(SESSION_COOKIE))
    except AppError as exc:
        return page(request, "auth/password.html", status_code=exc.status_code, error=exc.message,
                    error_field=exc.field or PASSWORD_FIELDS.get(exc.code))
    notify(request, _("密码已修改，其他设备上的登录已退出"))
    return Redirect("/")
