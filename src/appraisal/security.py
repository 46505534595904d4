"""Authentication wiring: database-backed sessions, SessionAuth and role guards."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.security.session_auth import SessionAuth
from litestar.types import Empty, Message, ScopeSession
from litestar.utils.dataclass import extract_dataclass_items

from appraisal.db.session_store import DatabaseStore, account_session_id
from appraisal.db.transaction import is_sqlite, run_native
from appraisal.scopes import Principal, Role, require_role
from appraisal.services import accounts
from appraisal.services.accounts import load_principal

SESSION_STORE = "sessions"
SESSION_COOKIE = "appraisal_session"
_NEW_SESSION_ID = "appraisal_new_session_id"
_STORED = "appraisal_session_stored"  # the request came with a session the store holds
# The ids this application gives out: an account's ("<account>:<64 hex>", `start_session`), or
# Litestar's for a session before login (64 hex, a flash message on the login page).
_SESSION_ID = re.compile(r"(?:\d{1,19}:)?[0-9a-f]{64}")


class RotatingSessionBackend(ServerSideSessionBackend):
    """Litestar's server-side sessions, with four changes:

    - a fresh session id at login (no session fixation), prefixed with the account id so that
      all sessions of an account can be ended at once;
    - an empty session is no session: Litestar stored `{}` under a new id for every request
      that came without a cookie, so each anonymous visit to a page wrote a row to the database
      and anyone could fill the table. An empty session is now neither stored nor sent; one the
      store held (logout) is deleted and its cookie cleared, and a cookie the store does not
      know is cleared without touching the store;
    - a cookie that is not an id this application gives out is no session, and the store is
      not asked for it: a made-up cookie costs no read, and one with a NUL in it (which
      PostgreSQL refuses in a query's text) answers 401 like any other unknown session;
    - the Set-Cookie header of a session is made once per session id. It is the same on every
      response (a Max-Age, no date), and making it took Litestar's configuration apart and
      went through the standard library's cookie module on every request (with the change,
      7–12 % more score writes a second on PostgreSQL and SQLite).
    """

    def __init__(self, config: ServerSideSessionConfig) -> None:
        super().__init__(config)
        params = dict(extract_dataclass_items(config, exclude_none=True, include=Cookie.__dict__.keys()))
        self._cookie_header = lru_cache(maxsize=4096)(
            lambda session_id: Cookie(value=session_id, key=config.key, **params).to_header(header=""))
        self._cleared_header = Cookie(value="null", key=config.key, **{**params, "max_age": 0}).to_header(header="")

    def get_session_id(self, connection: ASGIConnection) -> str:
        """The id a session of this request is stored under: the one given at login, else the
        cookie's if it is an id of ours, else a new one (the same for the whole request)."""
        state = connection.scope.setdefault("state", {})
        if new_id := state.get(_NEW_SESSION_ID):
            return new_id
        if sent := self._sent_id(connection):
            return sent
        state[_NEW_SESSION_ID] = self.generate_session_id()
        return state[_NEW_SESSION_ID]

    def _sent_id(self, connection: ASGIConnection) -> str | None:
        """The session cookie's value, if it is an id this application gives out."""
        sent = connection.cookies.get(self.config.key)
        return sent if sent and _SESSION_ID.fullmatch(sent) else None

    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        if session_id := self._sent_id(connection):
            data = await self.get(session_id, store=self.config.get_store_from_app(connection.scope["app"]))
            if data is not None:
                connection.scope.setdefault("state", {})[_STORED] = True
                return self.deserialize_data(data)
        return {}

    async def store_in_message(self, scope_session: ScopeSession, message: Message, connection: ASGIConnection) -> None:
        scope = connection.scope
        if scope_session is Empty or not scope_session:  # cleared, or nothing in it
            sent = connection.cookies.get(self.config.key)
            if scope.get("state", {}).get(_STORED):
                await self.delete(self.get_session_id(connection), store=self.config.get_store_from_app(scope["app"]))
            if sent and sent != "null":
                MutableScopeHeaders.from_message(message).add("Set-Cookie", self._cleared_header)
            return
        session_id = self.get_session_id(connection)
        await self.set(session_id=session_id, data=self.serialize_data(scope_session, scope),
                       store=self.config.get_store_from_app(scope["app"]))
        MutableScopeHeaders.from_message(message).add("Set-Cookie", self._cookie_header(session_id))


@dataclass
class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend  # type: ignore[assignment]


# A session and its account (the rows of `accounts.PRINCIPAL_SQL`) in one statement: the account
# is the prefix of the session's key (`account_session_id`).
_SESSION_AND_ACCOUNT = f"""
SELECT 's' AS kind, NULL AS text, NULL AS active, NULL AS person_id, NULL AS person_name, NULL AS number,
       data, expires_at
FROM web_session WHERE key = ?
UNION ALL
SELECT kind, text, active, person_id, person_name, number, NULL, NULL FROM ({accounts.PRINCIPAL_SQL}) account
"""


class AccountSessionStore(DatabaseStore):
    """The session store of the application. On PostgreSQL, reading a request's session also
    reads its account, which authentication then needs (`accounts.read_ahead`): one round
    trip to the server instead of two, on every request (a score write made four). SQLite
    answers both reads on the calling thread, with no round trip to save."""

    async def _read_for_get(self, stored: str) -> dict | None:
        prefix, _sep, _rest = stored.partition(":")
        if is_sqlite() or not prefix.isdigit():
            return await super()._read_for_get(stored)
        account = int(prefix)
        rows = await run_native(_SESSION_AND_ACCOUNT, [stored, account, account, account])
        session = next((r for r in rows if r["kind"] == "s"), None)
        if session is None:
            return None
        accounts.read_ahead(account, [r for r in rows if r["kind"] != "s"])
        return {"data": session["data"], "expires_at": session["expires_at"]}


async def start_session(connection: ASGIConnection, principal: Principal) -> None:
    """Log `principal` in on this connection: drop any previous session, begin a new one."""
    old_id = connection.cookies.get(SESSION_COOKIE)
    if old_id:
        store = connection.app.stores.get(SESSION_STORE)
        await store.delete(old_id)
    connection.scope.setdefault("state", {})[_NEW_SESSION_ID] = account_session_id(
        principal.user_id, secrets.token_hex(32)
    )
    connection.set_session({"uid": principal.user_id})


def client_address(connection: ASGIConnection) -> str:
    """The caller's address, which login limits count failures by."""
    return connection.client.host if connection.client else "unknown"


async def retrieve_principal(session: dict[str, Any], connection: ASGIConnection) -> Principal | None:
    uid = session.get("uid")
    if not isinstance(uid, int):
        return None
    return await load_principal(uid)


def session_auth(*, max_age: int, secure: bool) -> SessionAuth[Principal, RotatingSessionBackend]:
    return SessionAuth[Principal, RotatingSessionBackend](
        retrieve_user_handler=retrieve_principal,
        session_backend_config=RotatingSessionConfig(
            store=SESSION_STORE,
            key=SESSION_COOKIE,
            max_age=max_age,
            httponly=True,
            secure=secure,
            samesite="lax",
            renew_on_access=True,
        ),
        exclude=["^/schema", "^/static/", "^/healthz$", "^/favicon.ico$"],
    )


def requires(*roles: Role):
    """A guard: the caller must hold one of `roles` (403 otherwise)."""

    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        require_role(connection.user, *roles)

    guard.__name__ = f"requires_{'_or_'.join(r.value for r in roles)}"
    return guard


admin_only = requires(Role.ADMIN)
