"""The application factory: assembles routes, auth, CSRF, templates, error handling and the
database lifecycle."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import re
import sqlite3
from urllib.parse import urlencode

os.environ.setdefault("PICCOLO_CONF", "appraisal.db.conf")

import anyio  # noqa: E402
from litestar import Litestar, Request, Response  # noqa: E402
from litestar.config.csrf import CSRFConfig  # noqa: E402
from litestar.contrib.jinja import JinjaTemplateEngine  # noqa: E402
from litestar.datastructures import State  # noqa: E402
from litestar.di import Provide  # noqa: E402
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException  # noqa: E402
from litestar.openapi import OpenAPIConfig  # noqa: E402
from litestar.plugins.flash import FlashConfig, FlashPlugin  # noqa: E402
from litestar.response import Redirect, Template  # noqa: E402
from litestar.static_files import create_static_files_router  # noqa: E402
from litestar.template.config import TemplateConfig  # noqa: E402
from asyncpg.exceptions import CharacterNotInRepertoireError, DataError, IntegrityConstraintViolationError  # noqa: E402

from appraisal import __version__  # noqa: E402
from appraisal.api import accountability as accountability_api  # noqa: E402
from appraisal.api import audit as audit_api  # noqa: E402
from appraisal.api import auth as auth_api  # noqa: E402
from appraisal.api import calendar as calendar_api  # noqa: E402
from appraisal.api import commitments as commitments_api  # noqa: E402
from appraisal.api import dashboard as dashboard_api  # noqa: E402
from appraisal.api import inbox as inbox_api  # noqa: E402
from appraisal.api import matters as matters_api  # noqa: E402
from appraisal.api import supervision as supervision_api  # noqa: E402
from appraisal.api import targets as targets_api  # noqa: E402
from appraisal.api import appraisal as appraisal_api  # noqa: E402
from appraisal.api import reports as reports_api  # noqa: E402
from appraisal.api import health, org as org_api, roster as roster_api  # noqa: E402
from appraisal.api.common import provide_principal  # noqa: E402
from appraisal.db.migrate import pending_migrations  # noqa: E402
from appraisal.db.session_store import DatabaseStore  # noqa: E402
from appraisal.db.transaction import (  # noqa: E402
    close_connections, is_foreign_key_violation, is_unique_violation, open_connections,
)
from appraisal.domain.text import bad_character  # noqa: E402
from appraisal.errors import AppError, InvalidInput, NotFound  # noqa: E402
from appraisal.headers import security_headers  # noqa: E402
from appraisal.i18n import _, ngettext  # noqa: E402
from appraisal.security import SESSION_STORE, session_auth  # noqa: E402
from appraisal.services import accounts  # noqa: E402
from appraisal.services.calendar import check_year  # noqa: E402
from appraisal.settings import PACKAGE_DIR, Settings  # noqa: E402
from appraisal.web import ROUTES as WEB_ROUTES  # noqa: E402
from appraisal.web import picker  # noqa: E402
from appraisal.web.common import template_globals  # noqa: E402

log = logging.getLogger("appraisal")

HTTP_MESSAGES = {
    400: ("bad_request", "请求格式有误"),
    401: ("not_authenticated", "请先登录"),
    403: ("forbidden", "您没有权限执行此操作"),
    404: ("not_found", "页面或记录不存在"),
    405: ("method_not_allowed", "不支持该请求方法"),
    409: ("conflict", "与当前状态冲突"),
    413: ("too_large", "上传内容过大"),
    415: ("unsupported_media_type", "不支持的内容类型"),
    422: ("invalid_input", "输入不符合要求"),
    429: ("too_many_requests", "请求过于频繁，请稍后再试"),
}


class UnmigratedDatabase(RuntimeError):
    pass


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith(("/api/", "/healthz", "/schema"))


def _error_response(request: Request, status: int, code: str, message: str, detail: object = None) -> Response:
    if _wants_html(request):
        if status == 401:
            return Redirect("/login?" + urlencode({"next": request.url.path}, safe="/"))
        # With the caller, when known: a signed-in person who meets a 404 or 403 still sees their menu.
        return Template("pages/error.html", context={"status": status, "message": message,
                                                     "me": request.scope.get("user")}, status_code=status)
    return Response({"code": code, "message": message, "detail": detail}, status_code=status)


def app_error_handler(request: Request, exc: AppError) -> Response:
    return _error_response(request, exc.status_code, exc.code, exc.message, exc.detail)


def http_error_handler(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    code, message = HTTP_MESSAGES.get(status, ("error", "请求无法处理"))
    detail = None
    if isinstance(exc, ValidationException):
        code, message = "invalid_request", _("请求参数有误：{detail}").format(detail=exc.detail)
        detail = exc.extra
    elif isinstance(exc, NotAuthorizedException):
        code, message = "not_authenticated", _("请先登录")
    elif status == 403 and "CSRF" in str(exc.detail):
        code, message = "csrf_failed", _("页面已过期或请求来源不可信，请刷新页面后重试")
    else:
        message = _(message)
    response = _error_response(request, status, code, message, detail)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


ID_LIMIT = 2**63 - 1  # the largest id either database stores
YEAR_PARAMETERS = {"year", "from_year", "to_year"}


# The characters of appraisal.domain.text, found in a raw body before it is parsed. In a JSON
# body the C0 controls can only come escaped (\u0000): an escape preceded by an even number of
# backslashes, so that the text "\\u0000" typed by someone stays allowed; the bidi controls come
# escaped or as UTF-8. In a form body, percent-encoded (or as UTF-8).
_RAW_BIDI = rb"\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]"
_JSON_CONTROL = re.compile(rb"(?<!\\)(?:\\\\)*\\u(?:00(?:0[0-8bcef]|1[0-9a-f])|202[a-e]|206[6-9])|" + _RAW_BIDI,
                           re.IGNORECASE)
_FORM_CONTROL = re.compile(rb"%(?:0[0-8bcef]|1[0-9a-f])|%e2%80%a[a-e]|%e2%81%a[6-9]|" + _RAW_BIDI, re.IGNORECASE)


async def check_parameters(request: Request) -> None:
    """Refuse what no record or year can have before it reaches a query: an id beyond the
    databases' 64 bits (SQLite raises OverflowError on it) is not found; a year outside the
    calendar's range is explained; a control character in a parameter or in a JSON or form body
    is refused (422). A coroutine, because Litestar runs a plain function given as a hook in a
    worker thread: a thread hop on every request."""
    for name, value in request.path_params.items():
        if isinstance(value, int):
            if name in YEAR_PARAMETERS:
                check_year(value)
            elif not 0 < value <= ID_LIMIT:
                raise NotFound(_("记录不存在"))
        elif isinstance(value, str) and bad_character(value):
            raise NotFound(_("记录不存在"))
    for name, value in request.query_params.items():
        text = str(value).strip()
        if (char := bad_character(text)) is not None:
            raise _control_character(char, name)
        if not text.lstrip("-").isdigit():
            continue
        number = int(text)
        if name in YEAR_PARAMETERS:
            check_year(number)
        elif abs(number) > ID_LIMIT:
            raise InvalidInput(_("参数 {name} 的数值超出范围").format(name=name), code="out_of_range")
    if request.method in ("POST", "PUT", "PATCH"):
        kind = request.content_type[0]
        pattern = (_JSON_CONTROL if kind == "application/json"
                   else _FORM_CONTROL if kind == "application/x-www-form-urlencoded" else None)
        if pattern is not None and pattern.search(await request.body()):
            raise _control_character()


def _control_character(char: str | None = None, name: str | None = None) -> InvalidInput:
    if name:
        message = _("参数 {name} 含有不可见的控制字符（{char}），请删除后重试").format(name=name, char=char)
    elif char:
        message = _("输入含有不可见的控制字符（{char}），请删除后重试").format(char=char)
    else:
        message = _("输入含有不可见的控制字符，请删除后重试")
    return InvalidInput(message, code="control_character")


def out_of_range_handler(request: Request, exc: Exception) -> Response:
    """A number in a request body too large for the database (SQLite: OverflowError; PostgreSQL:
    asyncpg's DataError "out of range") is bad input, not a server failure; so is text that
    PostgreSQL cannot store (NUL), should any reach it past `check_parameters`."""
    # asyncpg raises DataError "invalid input for query argument $1: … (value out of int32 range)"
    # from the OverflowError of its encoder; the server's own is "… out of range for type …".
    if isinstance(exc, OverflowError) or isinstance(exc.__cause__, OverflowError) or "out of range" in str(exc):
        return _error_response(request, 422, "out_of_range", _("数值超出允许的范围"))
    if isinstance(exc, CharacterNotInRepertoireError):
        error = _control_character("U+0000")
        return _error_response(request, 422, error.code, error.message)
    return internal_error_handler(request, exc)


def constraint_handler(request: Request, exc: Exception) -> Response:
    """A write the database refused for a constraint that the service's own checks passed: a
    concurrent write got in between (two people adding the same name at once, a record deleted
    while another referred to it). The transaction rolled back; the person may look again and
    retry. Any other constraint refusal is the server's failure."""
    if is_unique_violation(exc):
        log.warning("unique constraint on %s %s: %s", request.method, request.url.path, exc)
        return _error_response(request, 409, "conflict", _("该记录刚被他人添加或修改，请刷新页面后查看"))
    if is_foreign_key_violation(exc):
        log.warning("foreign key on %s %s: %s", request.method, request.url.path, exc)
        return _error_response(request, 409, "conflict", _("相关记录刚被他人删除或修改，请刷新页面后重试"))
    return internal_error_handler(request, exc)


def too_deep_handler(request: Request, exc: RecursionError) -> Response:
    """A JSON body nested deeper than the decoder goes (thousands of brackets) is a malformed
    request; any other recursion is the server's failure."""
    if "while deserializing" in str(exc):
        return _error_response(request, 400, "bad_request", _("请求格式有误"))
    return internal_error_handler(request, exc)


def internal_error_handler(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _error_response(request, 500, "internal_error", _("服务器内部错误，请稍后再试或联系管理员"))


async def run_sweeps(interval: int, pdf_cache_mb: int) -> None:
    """The in-process scheduler: now and then every `interval` seconds, sweep the open matters
    and prune the report cache to its size. Several workers may each run it; the sweep is
    idempotent, so they never write a notification twice, and pruning tolerates company."""
    while True:
        await scheduled_work(pdf_cache_mb)
        await asyncio.sleep(interval)


async def scheduled_work(pdf_cache_mb: int) -> None:
    from appraisal.reports import render
    from appraisal.services.sweep import sweep

    try:
        await sweep()
    except Exception:  # a failed sweep must not stop the next one, nor the pruning
        log.exception("sweep failed")
    try:
        pruned = await anyio.to_thread.run_sync(render.prune_cache, pdf_cache_mb * 2**20)
        if pruned.files:
            log.info("report cache: removed %d files (%d MB), %d MB kept", pruned.files, pruned.bytes >> 20,
                     pruned.kept >> 20)
    except Exception:
        log.exception("pruning the report cache failed")


async def warm_reports() -> None:
    """Start a report worker process and load WeasyPrint and the fonts in it (on a machine's
    first start that builds the prepared fonts, about a minute), so that the first report asked
    for is laid out at once, in that worker, instead of waiting for all that."""
    from appraisal.reports import render

    try:
        await render.in_process(render.warm)
    except Exception:  # the first report tries again, and says what is wrong
        log.exception("starting the report process failed")


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    accounts.configure_hasher(settings.argon2_time_cost, settings.argon2_memory_cost)
    accounts.configure_login_limits(accounts.LoginLimits(
        settings.login_failure_limit, settings.login_address_failure_limit, settings.login_failure_window))
    picker.configure(settings.picker_list_all)

    async def check_database() -> None:
        await open_connections()
        if await pending_migrations():
            raise UnmigratedDatabase("the database is not migrated: run `appraisal migrate` first")

    async def start_scheduler(app: Litestar) -> None:
        if settings.scheduler:
            app.state.scheduler = asyncio.create_task(run_sweeps(settings.sweep_interval_seconds, settings.pdf_cache_mb))
            app.state.report_warmup = asyncio.create_task(warm_reports())

    async def stop_scheduler(app: Litestar) -> None:
        for name in ("scheduler", "report_warmup"):
            task = getattr(app.state, name, None)
            if task is not None:
                task.cancel()

    async def close_database() -> None:
        await close_connections()

    def configure_jinja(jinja: JinjaTemplateEngine) -> None:
        env = jinja.engine
        env.add_extension("jinja2.ext.i18n")
        env.install_gettext_callables(_, ngettext, newstyle=True)  # type: ignore[attr-defined]
        env.globals.update(template_globals())

    template_config = TemplateConfig(
        directory=settings.templates_dir, engine=JinjaTemplateEngine, engine_callback=configure_jinja
    )
    auth = session_auth(max_age=settings.session_max_age, secure=settings.cookie_secure)

    return Litestar(
        route_handlers=[
            health.healthz,
            auth_api.AuthController,
            auth_api.me,
            org_api.SectionController,
            org_api.PersonController,
            org_api.AccountController,
            roster_api.import_roster,
            audit_api.list_audit,
            calendar_api.CalendarController,
            commitments_api.CommitmentController,
            matters_api.MatterController,
            matters_api.decide_extension,
            inbox_api.list_inbox,
            inbox_api.mark_read,
            accountability_api.AccountabilityController,
            accountability_api.person_effects,
            dashboard_api.matter_dashboard,
            supervision_api.SupervisionController,
            targets_api.TargetController,
            appraisal_api.AppraisalController,
            reports_api.ReportController,
            *WEB_ROUTES,
            create_static_files_router(
                path="/static", directories=[PACKAGE_DIR / "static"], opt={"exclude_from_auth": True},
                include_in_schema=False,
            ),
        ],
        dependencies={"principal": Provide(provide_principal, sync_to_thread=False)},
        on_app_init=[auth.on_app_init],
        before_request=check_parameters,
        before_send=[security_headers(https=settings.cookie_secure)],
        on_startup=[check_database, start_scheduler],
        on_shutdown=[stop_scheduler, close_database],
        stores={SESSION_STORE: DatabaseStore()},
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_secure=settings.cookie_secure,
            cookie_samesite="lax",
            exclude=["^/api/v1/auth/login$"],
        ),
        template_config=template_config,
        plugins=[FlashPlugin(config=FlashConfig(template_config=template_config))],
        exception_handlers={
            AppError: app_error_handler,
            HTTPException: http_error_handler,
            OverflowError: out_of_range_handler,
            DataError: out_of_range_handler,
            RecursionError: too_deep_handler,
            sqlite3.IntegrityError: constraint_handler,
            IntegrityConstraintViolationError: constraint_handler,
            Exception: internal_error_handler,
        },
        openapi_config=OpenAPIConfig(
            title="appraisal", version=__version__, path="/schema",
            description="机关效能与绩效考核 — JSON API. Every error answers {code, message, detail}.",
        ),
        state=State({"settings": settings}),
        request_max_body_size=10 * 1024 * 1024,
        debug=settings.debug,
    )


def freeze_heap() -> None:
    """Move every object made so far out of the garbage collector's view (`gc.freeze`). Once
    the server has started, those are the modules, routes and templates it keeps for its life
    (about 300,000 objects). Each full collection went through all of them: 100 to 170 ms in
    which no request was answered, the worst latencies under load. Afterwards a full
    collection takes a few milliseconds."""
    gc.collect()
    gc.freeze()


def create_server_app() -> Litestar:
    """The application as `appraisal serve` runs it: `create_app`, with the heap frozen once
    started (see `freeze_heap`). The tests build many applications in one process and use
    `create_app`, where freezing each would keep the garbage of the tests before it."""
    app = create_app()
    app.on_startup.append(freeze_heap)
    return app
