"""Small helpers for API tests: logging in and sending the CSRF token like a browser would."""

from __future__ import annotations

from typing import Any

from conftest import DEMO_PASSWORD


async def login(client: Any, username: str, password: str = DEMO_PASSWORD) -> dict:
    """Log in through the API and arm the client with the CSRF header for later writes."""
    response = await client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    await arm_csrf(client)
    return response.json()


async def arm_csrf(client: Any) -> None:
    """A safe request gives the browser its csrftoken cookie; writes echo it in a header."""
    await client.get("/healthz")
    await client.get("/api/v1/me")
    token = client.cookies.get("csrftoken")
    assert token, "no csrftoken cookie was set"
    client.headers["x-csrftoken"] = token


async def person_id_of(client: Any, name: str) -> int:
    response = await client.get("/api/v1/people", params={"q": name})
    assert response.status_code == 200, response.text
    matches = [p for p in response.json()["items"] if p["name"] == name]
    assert len(matches) == 1, f"{name}: {matches}"
    return matches[0]["id"]


def process_alive(pid: int) -> bool:
    """Whether process `pid` runs (a zombie, whose parent has not reaped it, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
