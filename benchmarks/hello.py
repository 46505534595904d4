"""Litestar's hello world, the floor a real handler is compared with in benchmarks/scale.py, and
a second floor: the same kind of score-cell write answered by a handler that does no work,
behind the application's own request handling.

    uvicorn hello:app                # GET /healthz → "ok": Litestar with nothing in front
    uvicorn hello:with_middleware    # the application's session authentication (its session
                                     # backend, in a dict instead of the database), its
                                     # CSRF check, its security headers and its parameter check;
                                     # PUT /api/v1/appraisal/cells/{id} answers the version + 1

The second one measures what a score write costs before and after its handler runs: what the
first goal of issue 7 (writes at half of the floor's rate) would have to fit into beside the
handler's own work.
"""

from typing import Any

import msgspec
from litestar import Litestar, Request, get, post, put
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.stores.base import Store


@get("/healthz")
async def healthz() -> str:
    return "ok"


app = Litestar(route_handlers=[healthz])


class _DictStore(Store):
    """Sessions in a dict, without expiry and without a lock: the least a session store can
    cost (Litestar's MemoryStore takes an anyio lock on every read and write, a sixth of this
    app's work)."""

    def __init__(self) -> None:
        self._data: dict[str, bytes] = {}

    async def set(self, key: str, value: str | bytes, expires_in: Any = None) -> None:
        self._data[key] = value.encode() if isinstance(value, str) else value

    async def get(self, key: str, renew_for: Any = None) -> bytes | None:
        return self._data.get(key)

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    async def delete_all(self) -> None:
        self._data.clear()

    async def exists(self, key: str) -> bool:
        return key in self._data

    async def expires_in(self, key: str) -> int | None:
        return None


def _with_middleware() -> Litestar:
    """The application's authentication, CSRF, headers and parameter check around handlers that
    do nothing, the sessions in a dict (imported here, so that the plain hello world above loads
    Litestar alone)."""
    from appraisal.api.common import provide_principal
    from appraisal.app import check_parameters
    from appraisal.headers import security_headers
    from appraisal.scopes import Principal, Role
    from appraisal.security import SESSION_STORE, session_auth

    chief = Principal(user_id=1, username="chief0", person_id=1, person_name="科长", roles=frozenset({Role.CHIEF}),
                      section_id=1)

    async def retrieve(session: dict[str, Any], connection) -> Principal | None:
        return chief if session.get("uid") == 1 else None

    auth = session_auth(max_age=8 * 3600, secure=False)
    auth.retrieve_user_handler = retrieve

    class CellIn(msgspec.Struct):
        value: float | None
        version: int

    @post("/api/v1/auth/login", status_code=200, opt={"exclude_from_auth": True, "exclude_from_csrf": True})
    async def login(request: Request) -> dict[str, Any]:
        request.set_session({"uid": 1})
        return {"username": chief.username}

    @get("/api/v1/me")
    async def me(principal: Principal) -> dict[str, Any]:
        return {"username": principal.username, "person": {"section_id": principal.section_id}}

    @put("/api/v1/appraisal/cells/{cell_id:int}")
    async def save_cell(principal: Principal, cell_id: int, data: CellIn) -> dict[str, Any]:
        return {"id": cell_id, "value": data.value, "version": data.version + 1}

    return Litestar(
        route_handlers=[healthz, login, me, save_cell],
        dependencies={"principal": Provide(provide_principal, sync_to_thread=False)},
        on_app_init=[auth.on_app_init],
        before_request=check_parameters,
        before_send=[security_headers(https=False)],
        stores={SESSION_STORE: _DictStore()},
        csrf_config=CSRFConfig(secret="benchmark-only-secret", cookie_samesite="lax"),
    )


def __getattr__(name: str) -> Litestar:
    if name == "with_middleware":
        return _with_middleware()
    raise AttributeError(name)
