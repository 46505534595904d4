"""A lean HTTP/1.1 client for the load of benchmarks/scale.py: one keep-alive connection on
asyncio streams, cookies kept as name → value, JSON bodies.

httpx, used before, took about 2 ms of CPU per score write here (its cookie jar alone a fifth
of it), so the load-generating process ran one of the machine's two cores flat out and was
the bottleneck of both loads rather than the servers measured. This client takes a fraction
of that; load generators are written this way (wrk, h2load) for the same reason. It speaks
only what the two loads need: Content-Length bodies (a chunked response, or one cut short, is
an error), and the server's Set-Cookie names and values (their attributes are not needed here).
A kept-alive connection the server closed while it was idle is opened again for the request.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit


TIMEOUT_SECONDS = 30


class ProtocolError(RuntimeError):
    pass


class _ClosedWhileIdle(Exception):
    """The server closed a kept-alive connection before answering a byte: it had timed the idle
    connection out (uvicorn after 5 s), so the request did not reach it."""


@dataclass
class Answer:
    status_code: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class LeanClient:
    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.cookies: dict[str, str] = {}
        self.headers: dict[str, str] = {}
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def get(self, path: str, params: dict[str, str] | None = None) -> Answer:
        return await self.request("GET", f"{path}?{urlencode(params)}" if params else path)

    async def post(self, path: str, json: Any = None) -> Answer:
        return await self.request("POST", path, json)

    async def put(self, path: str, json: Any = None) -> Answer:
        return await self.request("PUT", path, json)

    async def request(self, method: str, path: str, body: Any = None) -> Answer:
        async with asyncio.timeout(TIMEOUT_SECONDS):  # a server that stops answering fails the run
            return await self._request(method, path, body)

    async def _request(self, method: str, path: str, body: Any) -> Answer:
        # A client waiting for the others to log in can leave its connection idle for longer
        # than the server keeps it: the request is sent again, once, on a new connection, as
        # browsers and HTTP libraries do. A fresh connection closed without an answer fails.
        try:
            return await self._exchange(method, path, body)
        except _ClosedWhileIdle:
            self._drop()
            return await self._exchange(method, path, body)

    async def _exchange(self, method: str, path: str, body: Any) -> Answer:
        reused = self._writer is not None
        if not reused:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        payload = b"" if body is None else json.dumps(body).encode()
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(payload)}"]
        if body is not None:
            lines.append("Content-Type: application/json")
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        lines += [f"{k}: {v}" for k, v in self.headers.items()]
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
        try:
            raw_head = await self._reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            if reused and not getattr(exc, "partial", b""):
                raise _ClosedWhileIdle from exc
            raise
        head = raw_head.decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        length = None
        for line in head[1:]:
            name, _sep, value = line.partition(":")
            name = name.lower()
            if name == "content-length":
                length = int(value)
            elif name == "set-cookie":
                cookie_name, _eq, rest = value.strip().partition("=")
                self.cookies[cookie_name] = rest.split(";", 1)[0]
            elif name == "transfer-encoding":
                raise ProtocolError(f"{method} {path}: a {value.strip()} response is not handled")
        if length is None:
            raise ProtocolError(f"{method} {path}: a response without Content-Length is not handled")
        return Answer(status, await self._reader.readexactly(length))

    def _drop(self) -> asyncio.StreamWriter | None:
        """Close the connection without waiting for it; answers its writer, if there was one."""
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()
        return writer

    async def aclose(self) -> None:
        if (writer := self._drop()) is not None:
            await writer.wait_closed()
