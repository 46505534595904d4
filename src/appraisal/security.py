"""Authentication wiring: database-backed sessions, SessionAuth and role guards."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.security.session_auth import SessionAuth
from litestar.types import Empty, Message, ScopeSession
from litestar.utils.dataclass import extract_dataclass_items

from appraisal.db.session_store import account_session_id
from appraisal.scopes import Principal, Role, require_role
from appraisal.services.accounts import load_principal

SESSION_STORE = "sessions"
SESSION_COOKIE = "appraisal_session"
_NEW_SESSION_ID = "appraisal_new_session_id"
_STORED = "appraisal_session_stored"  # the request came with a session the store holds
# The ids this application gives out: an account's ("<account>:<64 hex>", `start_session`), or
# Litestar's for a session before login (64 hex, a flash message on the login page).
_SESSION_ID = re.compile(r"(?:\d{1,19}:)?[0-9a-f]{64}")


class RotatingSessionBackend(ServerSideSessionBackend):
    """Litestar's server-side sessions, with three changes:

    - a fresh session id at login (no session fixation), prefixed with the account id so that
      all sessions of an account can be ended at once;
    - an empty session is no session: Litestar stored `{}` under a new id for every request
      that came without a cookie, so each anonymous visit to a page wrote a row to the database
      and anyone could fill the table. An empty session is now neither stored nor sent; one the
      store held (logout) is deleted and its cookie cleared, and a cookie the store does not
      know is cleared without touching the store;
    - a cookie that is not an id this application gives out is no session, and the store is
      not asked for it: a made-up cookie costs no read, and one with a NUL in it (which
      PostgreSQL refuses in a query's text) answers 401 like any other unknown session.
    """

    def _cookie_header(self, session_id: str, **changes: Any) -> str:
        """The Set-Cookie header of `session_id`, with the configuration's attributes."""
        params = dict(extract_dataclass_items(self.config, exclude_none=True, include=Cookie.__dict__.keys()))
        return Cookie(value=session_id, key=self.config.key, **{**params, **changes}).to_header(header="")

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
                MutableScopeHeaders.from_message(message).add("Set-Cookie", self._cookie_header("null", max_age=0))
            return
        session_id = self.get_session_id(connection)
        await self.set(session_id=session_id, data=self.serialize_data(scope_session, scope),
                       store=self.config.get_store_from_app(scope["app"]))
        MutableScopeHeaders.from_message(message).add("Set-Cookie", self._cookie_header(session_id))


@dataclass
class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend  # type: ignore[assignment]


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
