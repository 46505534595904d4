"""Login, logout, password change and the caller's own identity."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, get, post

from appraisal.api.common import errors
from appraisal.scopes import Principal
from appraisal.security import SESSION_COOKIE, client_address, start_session
from appraisal.services import accounts, org

Username = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
Password = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]


class LoginBody(msgspec.Struct):
    username: Username
    password: Password


class PasswordChange(msgspec.Struct):
    old_password: Password
    new_password: Password


class PersonOut(msgspec.Struct):
    id: int
    name: str
    gender: str
    section_id: int | None
    section_name: str | None
    post_rank: str


class MeOut(msgspec.Struct):
    id: int
    username: str
    roles: list[str]
    person: PersonOut | None
    led_section_ids: list[int]


async def me_out(principal: Principal) -> MeOut:
    person = None
    if principal.person_id is not None:
        row = await org.get_person(principal, principal.person_id)
        person = PersonOut(
            id=row["id"],
            name=row["name"],
            gender=row["gender"],
            section_id=row["section_id"],
            section_name=row["section_name"],
            post_rank=row["post_rank"],
        )
    return MeOut(
        id=principal.user_id,
        username=principal.username,
        roles=sorted(r.value for r in principal.roles),
        person=person,
        led_section_ids=sorted(principal.led_section_ids),
    )


class AuthController(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post(
        "/login",
        status_code=200,
        opt={"exclude_from_auth": True, "exclude_from_csrf": True},
        responses=errors(400, 401, 429),
        summary="Log in; sets the session cookie",
    )
    async def login(self, request: Request, data: LoginBody) -> MeOut:
        principal = await accounts.authenticate(data.username, data.password, client_address(request))
        await start_session(request, principal)
        return await me_out(principal)

    @post("/logout", status_code=204, responses=errors(401, 403), summary="End the current session")
    async def logout(self, request: Request) -> None:
        request.clear_session()

    @post("/password", status_code=204, responses=errors(400, 401, 403, 422),
          summary="Change one's own password; the account's other sessions end")
    async def change_password(self, request: Request, principal: Principal, data: PasswordChange) -> None:
        await accounts.change_own_password(principal, data.old_password, data.new_password,
                                           current_session=request.cookies.get(SESSION_COOKIE))


@get("/api/v1/me", tags=["auth"], responses=errors(401), summary="The logged-in user, their person and roles")
async def me(principal: Principal) -> MeOut:
    return await me_out(principal)
