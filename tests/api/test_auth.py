"""Logging in and out, throttling, CSRF and password changes through the API."""

import re

from helpers import arm_csrf, login


async def test_the_four_demo_accounts_log_in_with_their_roles(office, client):
    expected = {
        "admin": {"admin", "staff"},
        "leader": {"leader", "staff"},
        "chief": {"chief", "staff"},
        "staff": {"staff"},
    }
    for username, roles in expected.items():
        client.cookies.clear()
        response = await client.post("/api/v1/auth/login", json={"username": username, "password": "demo123456"})
        assert response.status_code == 200
        assert "appraisal_session" in response.cookies
        me = (await client.get("/api/v1/me")).json()
        assert set(me["roles"]) == roles
        assert me["username"] == username


async def test_me_names_the_person_and_their_section(office, client):
    await login(client, "chief")
    me = (await client.get("/api/v1/me")).json()
    assert me["person"]["name"] == "张伟"
    assert me["person"]["section_name"] == "秘书科"


async def test_a_wrong_password_is_refused_with_a_readable_message(office, client):
    response = await client.post("/api/v1/auth/login", json={"username": "staff", "password": "wrong-password"})
    assert response.status_code == 401
    assert response.json() == {"code": "bad_credentials", "message": "用户名或密码错误", "detail": None}
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_after_five_failures_in_a_minute_the_account_is_throttled(office, client):
    for _ in range(5):
        r = await client.post("/api/v1/auth/login", json={"username": "staff", "password": "nope-nope"})
        assert r.status_code == 401
    r = await client.post("/api/v1/auth/login", json={"username": "staff", "password": "demo123456"})
    assert r.status_code == 429, "even the right password waits out the minute"
    assert "一分钟" in r.json()["message"]
    # A colleague at the same address (a shared terminal, the office's NAT) still logs in.
    other = await client.post("/api/v1/auth/login", json={"username": "chief", "password": "demo123456"})
    assert other.status_code == 200, other.text


async def test_failures_across_accounts_from_one_address_are_throttled(office, client):
    for n in range(19):
        r = await client.post("/api/v1/auth/login", json={"username": f"a{n}", "password": "whatever1"})
        assert r.status_code == 401
    r = await client.post("/api/v1/auth/login", json={"username": "chief", "password": "demo123456"})
    assert r.status_code == 200, "19 failures across accounts: the address is not locked yet"
    await client.post("/api/v1/auth/logout", headers={"x-csrftoken": client.cookies.get("csrftoken", "")})
    await client.post("/api/v1/auth/login", json={"username": "a19", "password": "whatever1"})
    r = await client.post("/api/v1/auth/login", json={"username": "chief", "password": "demo123456"})
    assert r.status_code == 429 and "一分钟" in r.json()["message"], "the 20th locks the address for the minute"


async def test_a_write_without_the_csrf_token_is_refused(office, client):
    await client.post("/api/v1/auth/login", json={"username": "admin", "password": "demo123456"})
    r = await client.post("/api/v1/sections", json={"name": "财务科"})
    assert r.status_code == 403
    assert r.json()["code"] == "csrf_failed"
    await arm_csrf(client)
    r = await client.post("/api/v1/sections", json={"name": "财务科"})
    assert r.status_code == 201, r.text


async def test_logout_ends_the_session_for_good(office, client):
    await login(client, "staff")
    cookie = client.cookies.get("appraisal_session")
    assert (await client.post("/api/v1/auth/logout")).status_code == 204
    client.cookies.set("appraisal_session", cookie, domain="testserver.local")  # replaying the old cookie does not work
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_login_issues_a_new_session_id(office, client):
    client.cookies.set("appraisal_session", "1:attacker-chosen", domain="testserver.local")
    await login(client, "staff")
    assert client.cookies.get("appraisal_session") != "1:attacker-chosen"


async def test_a_password_change_needs_the_old_password_and_then_works(office, client):
    await login(client, "staff")
    r = await client.post("/api/v1/auth/password", json={"old_password": "bad", "new_password": "n3w-passw0rd"})
    assert r.status_code == 422 and r.json()["message"] == "原密码不正确"
    r = await client.post("/api/v1/auth/password", json={"old_password": "demo123456", "new_password": "short"})
    assert r.status_code == 422 and "8" in r.json()["message"]
    r = await client.post("/api/v1/auth/password", json={"old_password": "demo123456", "new_password": "n3w-passw0rd"})
    assert r.status_code == 204
    client.cookies.clear()
    bad = await client.post("/api/v1/auth/login", json={"username": "staff", "password": "demo123456"})
    assert bad.status_code == 401
    await login(client, "staff", "n3w-passw0rd")


async def test_a_password_change_ends_the_accounts_other_sessions_but_not_its_own(office, client):
    """Whoever knew the old password, logged in elsewhere, is logged out; the person changing it
    stays in. Through the API and through the page."""
    for via_page in (False, True):
        password = "demo123456" if not via_page else "n3w-passw0rd"
        new = "n3w-passw0rd" if not via_page else "an0ther-passw0rd"
        await login(client, "staff", password)
        elsewhere = client.cookies.get("appraisal_session")
        client.cookies.clear()
        await login(client, "staff", password)
        here = client.cookies.get("appraisal_session")
        assert here != elsewhere
        if via_page:
            page = await client.get("/account/password")
            token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)[1]
            r = await client.post("/account/password", data={"_csrf_token": token, "old_password": password,
                                                              "new_password": new, "new_password_again": new},
                                  follow_redirects=False)
            assert r.status_code == 302, r.text
        else:
            r = await client.post("/api/v1/auth/password", json={"old_password": password, "new_password": new})
            assert r.status_code == 204, r.text
        assert (await client.get("/api/v1/me")).status_code == 200, "the session that changed it goes on"
        client.cookies.clear()
        client.cookies.set("appraisal_session", elsewhere, domain="testserver.local")
        assert (await client.get("/api/v1/me")).status_code == 401, "the other session has ended"
        client.cookies.clear()
        client.headers.pop("x-csrftoken", None)


async def test_an_unknown_username_costs_a_password_check_like_a_known_one(office, client, monkeypatch):
    """A username that does not exist was answered at once, without a hash to check, so the
    time of the answer told which usernames exist. (That checking runs off the event loop is
    tested on a real server: tests/e2e/test_cli_and_processes.py.)"""
    from appraisal.services import accounts

    checked: list[tuple[str, str]] = []
    real = accounts.verify_password

    def counting(password_hash: str, password: str) -> bool:
        checked.append((password_hash, password))
        return real(password_hash, password)

    monkeypatch.setattr(accounts, "verify_password", counting)
    for username in ("no-such-person", "staff"):
        r = await client.post("/api/v1/auth/login", json={"username": username, "password": "guess-1234"})
        assert r.status_code == 401 and r.json()["message"] == "用户名或密码错误"
    assert [p for _h, p in checked] == ["guess-1234", "guess-1234"], "a hash is checked for both"
    assert checked[0][0].startswith("$argon2") and checked[0][0] != checked[1][0]


async def test_a_disabled_account_loses_its_sessions(office, client):
    await login(client, "staff")
    staff_session = client.cookies.get("appraisal_session")
    client.cookies.clear()
    await login(client, "admin")
    accounts = (await client.get("/api/v1/accounts", params={"limit": 500})).json()
    staff_id = next(a["id"] for a in accounts if a["username"] == "staff")
    r = await client.patch(f"/api/v1/accounts/{staff_id}", json={"is_active": False})
    assert r.status_code == 200 and r.json()["is_active"] is False
    client.cookies.clear()
    client.cookies.set("appraisal_session", staff_session, domain="testserver.local")
    assert (await client.get("/api/v1/me")).status_code == 401
    r = await client.post("/api/v1/auth/login", json={"username": "staff", "password": "demo123456"})
    assert r.status_code == 401


async def test_each_request_reads_its_account_as_it_is_now(office, client):
    from appraisal.db.tables import RoleGrant, UserAccount

    await login(client, "chief")
    assert set((await client.get("/api/v1/me")).json()["roles"]) == {"chief", "staff"}

    # What the account is allowed changes at once: the next request reads it anew.
    chief = await UserAccount.select(UserAccount.id).where(UserAccount.username == "chief").first().run()
    await RoleGrant.delete().where(RoleGrant.account == chief["id"], RoleGrant.role == "chief").run()
    assert set((await client.get("/api/v1/me")).json()["roles"]) == {"staff"}


async def _session_rows() -> list[dict]:
    from appraisal.db.tables import WebSession

    return await WebSession.select(WebSession.key, WebSession.data).run()


async def test_a_session_row_read_from_the_database_is_no_login(office, client):
    """Whoever reads web_session (a backup file, a database account) finds digests: sent as a
    cookie, one is no session."""
    await login(client, "admin")
    [row] = await _session_rows()
    client.cookies.clear()
    client.cookies.set("appraisal_session", row["key"], domain="testserver.local")
    assert (await client.get("/api/v1/me")).status_code == 401


async def test_anonymous_visits_store_no_session(db, client):
    """Litestar stored an empty session under a new id for every request without a cookie:
    each anonymous page view wrote a row, and anyone could fill the table."""
    for path in ("/login", "/login", "/healthz", "/api/v1/commitments", "/api/v1/me"):
        client.cookies.clear()
        response = await client.get(path)
        assert "appraisal_session" not in response.headers.get("set-cookie", ""), path
    assert await _session_rows() == []
    # A cookie the store does not know is cleared, and nothing is stored under it either.
    client.cookies.set("appraisal_session", "1:made-up", domain="testserver.local")
    response = await client.get("/api/v1/me")
    assert response.status_code == 401
    cleared = response.headers["set-cookie"]
    assert cleared.startswith("appraisal_session=null;") and "Max-Age=0" in cleared
    assert await _session_rows() == []


async def test_a_session_is_stored_from_login_to_logout_with_one_cookie(office, client, settings):
    await login(client, "staff")
    from appraisal.db.session_store import stored_key

    [row] = await _session_rows()
    cookie = client.cookies.get("appraisal_session")
    assert row["key"] == stored_key(cookie) and cookie.split(":")[0].isdigit()
    assert cookie not in row["key"] and cookie.split(":")[1] not in row["key"], "the table holds a digest of the id"
    first = (await client.get("/api/v1/me")).headers["set-cookie"]
    second = (await client.get("/api/v1/inbox")).headers["set-cookie"]
    expected = f"appraisal_session={cookie}; HttpOnly; Max-Age={settings.session_max_age}; Path=/; SameSite=lax"
    assert first == second == expected
    assert (await client.post("/api/v1/auth/logout")).status_code == 204
    assert await _session_rows() == []
    assert client.cookies.get("appraisal_session") in (None, "null")


async def test_behind_https_cookies_are_secure_and_hsts_is_sent(office, settings):
    from dataclasses import replace

    from litestar.testing import AsyncTestClient

    from appraisal.app import create_app

    app = create_app(replace(settings, cookie_secure=True))
    async with AsyncTestClient(app=app, base_url="https://testserver.local") as c:
        response = await c.post("/api/v1/auth/login", json={"username": "staff", "password": "demo123456"})
        assert response.status_code == 200
        session = next(h for h in response.headers.get_list("set-cookie") if h.startswith("appraisal_session="))
        assert "; Secure" in session and "; HttpOnly" in session and "SameSite=lax" in session
        me = await c.get("/api/v1/me")
        cookies = me.headers.get_list("set-cookie")
        assert {h.split("=")[0] for h in cookies} == {"appraisal_session", "csrftoken"}
        assert all("; Secure" in h for h in cookies), cookies
        assert me.headers["strict-transport-security"].startswith("max-age=")
