"""The benchmark's HTTP client (benchmarks/lean_client.py) speaks enough HTTP/1.1 for its loads,
and refuses what it does not speak instead of misreading it."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
from pathlib import Path

import pytest

# Loaded from its file: the benchmarks folder on sys.path would put its reports.py in the place
# of the tests' reports package.
_SPEC = importlib.util.spec_from_file_location(
    "lean_client", Path(__file__).resolve().parents[2] / "benchmarks" / "lean_client.py")
lean_client = importlib.util.module_from_spec(_SPEC)
sys.modules["lean_client"] = lean_client  # its dataclass looks its module up by name
_SPEC.loader.exec_module(lean_client)
LeanClient, ProtocolError = lean_client.LeanClient, lean_client.ProtocolError


async def _server(answers: list[bytes], seen: list[bytes]):
    """A server answering the requests of one connection with `answers`, in order, recording
    each request's head and body."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for answer in answers:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            seen.append(head + await reader.readexactly(length))
            writer.write(answer)
            await writer.drain()
        writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


def _response(status: str, body: bytes, *headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"content-length: {len(body)}", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def test_cookies_come_back_json_goes_both_ways_on_one_connection():
    seen: list[bytes] = []
    server = await _server([
        _response("200 OK", b'{"ok": true}', "set-cookie: session=abc; HttpOnly; Path=/", "set-cookie: csrftoken=t1"),
        _response("409 Conflict", '{"detail": {"value": 7.5, "name": "张三"}}'.encode()),
    ], seen)
    port = server.sockets[0].getsockname()[1]
    client = LeanClient(f"http://127.0.0.1:{port}")
    try:
        first = await client.post("/login", json={"username": "chief1"})
        client.headers["x-csrftoken"] = client.cookies["csrftoken"]
        second = await client.put("/cells/3", json={"value": 8})
    finally:
        await client.aclose()
        server.close()
    assert (first.status_code, first.json()) == (200, {"ok": True})
    assert (second.status_code, second.json()) == (409, {"detail": {"value": 7.5, "name": "张三"}})
    assert client.cookies == {"session": "abc", "csrftoken": "t1"}
    assert seen[0].startswith(b"POST /login HTTP/1.1") and seen[0].endswith(b'{"username": "chief1"}')
    assert b"\r\nCookie: session=abc; csrftoken=t1\r\n" in seen[1]
    assert b"\r\nx-csrftoken: t1\r\n" in seen[1]
    assert seen[1].endswith(b'{"value": 8}')


async def test_a_chunked_answer_is_refused_rather_than_misread():
    seen: list[bytes] = []
    server = await _server([b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"], seen)
    port = server.sockets[0].getsockname()[1]
    client = LeanClient(f"http://127.0.0.1:{port}")
    try:
        with pytest.raises(ProtocolError, match="chunked"):
            await client.get("/healthz")
    finally:
        await client.aclose()
        server.close()


async def test_a_kept_alive_connection_the_server_closed_is_opened_again_once():
    # The server answers one request a connection and then closes it, as it does to a
    # connection left idle: the second request goes out again on a new connection.
    seen: list[bytes] = []
    server = await _server([_response("200 OK", b'{"n": 1}')], seen)
    port = server.sockets[0].getsockname()[1]
    client = LeanClient(f"http://127.0.0.1:{port}")
    try:
        first = await client.get("/healthz")
        await asyncio.sleep(0.05)  # the server's close arrives
        second = await client.put("/cells/3", json={"value": 8})
    finally:
        await client.aclose()
        server.close()
    assert first.json() == second.json() == {"n": 1}
    assert [request.split(b" ", 2)[:2] for request in seen] == [[b"GET", b"/healthz"], [b"PUT", b"/cells/3"]]


async def test_a_new_connection_closed_without_an_answer_fails_the_request():
    seen: list[bytes] = []
    server = await _server([], seen)  # closes every connection at once
    port = server.sockets[0].getsockname()[1]
    client = LeanClient(f"http://127.0.0.1:{port}")
    try:
        with pytest.raises((asyncio.IncompleteReadError, ConnectionError)):
            await client.get("/healthz")
    finally:
        client._drop()  # the connection was reset: waiting for its close would raise again
        server.close()
    assert seen == []
