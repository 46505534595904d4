"""Authentication wiring: database-backed sessions, SessionAuth and role guards."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.security.session_auth import SessionAuth

from appraisal.db.session_store import DatabaseStore, account_session_id
from appraisal.db.transaction import is_sqlite, run_native
from appraisal.scopes import Principal, Role, require_role
from appraisal.services import accounts
from appraisal.services.accounts import load_principal

SESSION_STORE = "sessions"
SESSION_COOKIE = "appraisal_session"
_NEW_SESSION_ID = "appraisal_new_session_id"


class RotatingSessionBackend(ServerSideSessionBackend):
    """Issues a fresh session id at login (no session fixation), prefixed with the account id so
    that all sessions of an account can be ended at once."""

    def get_session_id(self, connection: ASGIConnection) -> str:
        new_id = connection.scope.get("state", {}).get(_NEW_SESSION_ID)
        return new_id or super().get_session_id(connection)


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

    async def _read_for_get(self, key: str) -> dict | None:
        prefix, _sep, _rest = key.partition(":")
        if is_sqlite() or not prefix.isdigit():
            return await super()._read_for_get(key)
        account = int(prefix)
        rows = await run_native(_SESSION_AND_ACCOUNT, [key, account, account, account])
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
