"""Accounts: password hashing, login with throttling, roles, and loading the caller."""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
import weakref
from collections.abc import Iterable
from dataclasses import dataclass

import anyio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from appraisal.db.session_store import DatabaseStore
from appraisal.db.tables import LoginFailure, Person, RoleGrant, UserAccount
from appraisal.db.transaction import atomic, duplicate_raises, for_update
from appraisal.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, TooManyAttempts
from appraisal.i18n import _
from appraisal.scopes import Principal, Role
from appraisal.services import audit

MIN_PASSWORD_LENGTH = 8
_hasher = PasswordHasher()


def configure_hasher(time_cost: int, memory_cost: int) -> None:
    global _hasher, _absent_hash
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)
    _absent_hash = None  # made again with these costs, so that it takes as long as a real one


@dataclass(frozen=True)
class LoginLimits:
    """Failed logins within `window_seconds` after which further attempts are refused: for one
    account, and from one address (guessing across accounts). The address's limit is the
    higher: an office's colleagues may share one (a terminal server, a NAT), and one person's
    typos must not lock out the rest."""

    per_account: int = 5
    per_address: int = 20
    window_seconds: int = 60


_limits = LoginLimits()


def configure_login_limits(limits: LoginLimits) -> None:
    global _limits
    _limits = limits


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# argon2 takes about 0.1 s of a core and 64 MB by design. Run on the event loop, each login held
# every other request of the process for that long; in worker threads, at most a few at once
# (their memory), the loop goes on serving.
HASHING_THREADS = 4
_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, anyio.CapacityLimiter] = weakref.WeakKeyDictionary()
_absent_hash: str | None = None  # checked when there is no account (see password_matches)


def _hashing_limiter() -> anyio.CapacityLimiter:
    loop = asyncio.get_running_loop()
    if (limiter := _limiters.get(loop)) is None:
        limiter = _limiters[loop] = anyio.CapacityLimiter(HASHING_THREADS)
    return limiter


async def hashed(password: str) -> str:
    """`hash_password` in a worker thread."""
    return await anyio.to_thread.run_sync(hash_password, password, limiter=_hashing_limiter())


async def password_matches(password_hash: str | None, password: str) -> bool:
    """`verify_password` in a worker thread. Without a hash (no such account) a made-up one is
    checked all the same, so that a wrong username takes as long as a wrong password and the
    time of an answer does not tell which usernames exist."""
    global _absent_hash
    if password_hash is None and _absent_hash is None:
        _absent_hash = await hashed(secrets.token_hex(16))
    matched = await anyio.to_thread.run_sync(verify_password, password_hash or _absent_hash, password,
                                             limiter=_hashing_limiter())
    return matched and password_hash is not None


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(_("密码至少需要 8 个字符"), code="weak_password")
    if len(password) > 128:
        raise InvalidInput(_("密码不能超过 128 个字符"), code="weak_password")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


LOGIN_FAILURES_KEPT = dt.timedelta(days=30)
"""How long a failed login is kept: the throttle needs a minute of them, an administrator
looking into attempts on an account a month."""


async def forget_login_failures(before: dt.datetime) -> int:
    """Delete the failed logins recorded before `before`; answers how many."""
    return len(await LoginFailure.delete().where(LoginFailure.at < before).returning(LoginFailure.id).run())


async def authenticate(username: str, password: str, address: str) -> Principal:
    """Check a login. Past the failures the LoginLimits allow for the account or from the
    address, further attempts are refused (429) until the window has passed."""
    username = username.strip()
    limits = _limits
    since = _now() - dt.timedelta(seconds=limits.window_seconds)
    recent = LoginFailure.at > since
    by_account = await LoginFailure.count().where(recent, LoginFailure.username == username).run()
    by_address = await LoginFailure.count().where(recent, LoginFailure.address == address).run()
    if by_account >= limits.per_account or by_address >= limits.per_address:
        raise TooManyAttempts(_("登录失败次数过多，请一分钟后再试"))

    account = await UserAccount.objects().where(UserAccount.username == username).first().run()
    usable = account is not None and account.is_active
    if not await password_matches(account.password_hash if usable else None, password):
        await LoginFailure.insert(LoginFailure(username=username[:64], address=address[:64])).run()
        raise NotAuthenticated(_("用户名或密码错误"), code="bad_credentials")
    if _hasher.check_needs_rehash(account.password_hash):
        await UserAccount.update({UserAccount.password_hash: await hashed(password)}).where(
            UserAccount.id == account.id
        ).run()
    principal = await load_principal(account.id)
    assert principal is not None
    return principal


# The account with its person, its roles and the sections it leads, in one statement: each row
# is the account ("a"), a role ("r") or a led section ("l"). Every request loads its caller. It
# holds the time of every page's own handling on PostgreSQL (docs/benchmarks.md): together with
# the pool's skipped reset, GET /api/v1/me took 3.3 ms instead of 4.5 ms with three selects.
PRINCIPAL_SQL = """
SELECT 'a' AS kind, u.username AS text, u.is_active AS active, p.id AS person_id, p.name AS person_name,
       p.section AS number
FROM user_account u LEFT JOIN person p ON p.id = u.person WHERE u.id = {}
UNION ALL
SELECT 'r', g.role, NULL, NULL, NULL, NULL FROM role_grant g WHERE g.account = {}
UNION ALL
SELECT 'l', NULL, NULL, NULL, NULL, l.section
FROM leader_section l JOIN user_account u ON u.person = l.leader WHERE u.id = {}
"""


async def load_principal(user_id: int) -> Principal | None:
    """The caller behind a session, or None when the account is gone or disabled. Read anew on
    every request, so a changed role or a disabled account counts at once."""
    rows = await UserAccount.raw(PRINCIPAL_SQL, user_id, user_id, user_id).run()
    account = next((r for r in rows if r["kind"] == "a"), None)
    if account is None or not account["active"]:
        return None
    return Principal(
        user_id=user_id,
        username=account["text"],
        roles=frozenset(Role(r["text"]) for r in rows if r["kind"] == "r"),
        person_id=account["person_id"],
        person_name=account["person_name"] or "",
        section_id=account["number"],
        led_section_ids=frozenset(r["number"] for r in rows if r["kind"] == "l"),
    )


async def create_account(
    actor: Principal | None,
    username: str,
    password: str | None,
    roles: Iterable[Role],
    person_id: int | None = None,
    *,
    password_hash: str | None = None,
) -> UserAccount:
    """Create a login. Pass `password_hash` instead of `password` to reuse one hash for a batch
    (hashing is deliberately slow and must not run inside a write transaction per row)."""
    username = username.strip()
    if not username or len(username) > 64:
        raise InvalidInput(_("用户名不能为空，且不超过 64 个字符"), code="bad_username")
    if password_hash is None:
        if password is None:
            raise InvalidInput(_("请设置密码"), code="weak_password")
        check_password_policy(password)
        password_hash = await hashed(password)
    # A concurrent account may take the name or the person between the checks and the insert
    # (PostgreSQL); its unique constraint then refuses this one.
    taken = Conflict(_("用户名“{username}”已被使用，或该人员已有账号").format(username=username),
                     code="duplicate_username")
    async with atomic(), duplicate_raises(taken):
        if await UserAccount.exists().where(UserAccount.username == username).run():
            raise Conflict(_("用户名“{username}”已被使用").format(username=username), code="duplicate_username")
        if person_id is not None and not await Person.exists().where(Person.id == person_id).run():
            raise InvalidInput(_("所选人员不存在"), code="unknown_person", field="person_id")
        if person_id is not None and await UserAccount.exists().where(UserAccount.person == person_id).run():
            raise Conflict(_("该人员已有账号"), code="person_has_account")
        account = await audit.insert(
            actor, UserAccount(username=username, password_hash=password_hash, person=person_id)
        )
        await _write_roles(actor, account.id, set(roles))
    return account


async def _write_roles(actor: Principal | None, account_id: int, wanted: set[Role]) -> None:
    current = set(
        await RoleGrant.select(RoleGrant.role).where(RoleGrant.account == account_id).output(as_list=True).run()
    )
    wanted_values = {r.value for r in wanted}
    if current == wanted_values:
        return
    await RoleGrant.delete().where(RoleGrant.account == account_id).run()
    if wanted_values:
        await RoleGrant.insert(*[RoleGrant(account=account_id, role=r) for r in sorted(wanted_values)]).run()
    await audit.record(
        actor, "update", "role_grant", account_id, old={"roles": sorted(current)}, new={"roles": sorted(wanted_values)}
    )


async def update_account(
    actor: Principal,
    account_id: int,
    *,
    roles: Iterable[Role] | None = None,
    is_active: bool | None = None,
    new_password: str | None = None,
) -> UserAccount:
    if new_password is not None:  # before the transaction: hashing is slow, a write lock is not
        check_password_policy(new_password)
        new_hash = await hashed(new_password)
    async with atomic():
        # Locked: two role changes at once would each delete and insert the grants.
        account = await for_update(UserAccount.objects().where(UserAccount.id == account_id)).first().run()
        if account is None:
            raise NotFound(_("账号不存在"))
        changes: dict = {}
        if is_active is not None:
            changes["is_active"] = is_active
        if new_password is not None:
            changes["password_hash"] = new_hash
            changes["password_changed_at"] = _now()
        await audit.update(actor, account, changes)
        if roles is not None:
            await _write_roles(actor, account.id, set(roles))
        if is_active is False or new_password is not None:
            await end_sessions_of(account.id)
    return account


async def change_own_password(principal: Principal, old_password: str, new_password: str,
                              current_session: str | None = None) -> None:
    """Change the caller's password and end the account's other sessions (another browser, a
    machine left logged in: whoever knew the old password is logged out); `current_session`,
    the one asking, goes on."""
    account = await UserAccount.objects().get(UserAccount.id == principal.user_id).run()
    if not await password_matches(account.password_hash if account else None, old_password):
        raise InvalidInput(_("原密码不正确"), code="bad_old_password")
    check_password_policy(new_password)
    if old_password == new_password:
        raise InvalidInput(_("新密码不能与原密码相同"), code="same_password")
    new_hash = await hashed(new_password)
    async with atomic():
        await audit.update(
            principal,
            account,
            {"password_hash": new_hash, "password_changed_at": _now()},
            note="password changed by its owner",
        )
        await DatabaseStore.delete_for_account(account.id, keep=current_session)


async def end_sessions_of(account_id: int) -> None:
    """Session ids carry the account id, so disabling an account or resetting its password can
    end all its sessions at once (see session_store)."""
    await DatabaseStore.delete_for_account(account_id)


ACCOUNT_COLUMNS = (
    UserAccount.id,
    UserAccount.username,
    UserAccount.is_active,
    UserAccount.person.id.as_alias("person_id"),
    UserAccount.person.name.as_alias("person_name"),
)


async def _with_roles(rows: list[dict]) -> list[dict]:
    ids = [r["id"] for r in rows]
    grants = await RoleGrant.select(RoleGrant.account, RoleGrant.role).where(RoleGrant.account.is_in(ids or [-1])).run()
    by_account: dict[int, list[str]] = {}
    for g in grants:
        by_account.setdefault(g["account"], []).append(g["role"])
    for r in rows:
        r["roles"] = sorted(by_account.get(r["id"], []))
    return rows


async def list_accounts(*, offset: int = 0, limit: int = 50) -> list[dict]:
    rows = await UserAccount.select(*ACCOUNT_COLUMNS).order_by(UserAccount.username).offset(offset).limit(limit).run()
    return await _with_roles(rows)


async def get_account(account_id: int) -> dict:
    row = await UserAccount.select(*ACCOUNT_COLUMNS).where(UserAccount.id == account_id).first().run()
    if row is None:
        raise NotFound(_("账号不存在"))
    return (await _with_roles([row]))[0]
