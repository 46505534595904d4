"""Security headers on every response.

The pages load scripts, styles, images and fonts from this site only; they may not be framed;
they send no referrer to other sites. Inline `style="…"` attributes (bar widths) are allowed,
inline <script> and <style> elements are not: the behaviour lives in static/app.js. The API
documentation at /schema loads its viewer from a CDN, so it keeps its own policy.
"""

from __future__ import annotations

from litestar.types import Message, Scope

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "style-src-elem 'self'",
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))


def security_headers(*, https: bool):
    """A before-send hook adding the headers to every response, the router's own 404s included;
    `https` adds Strict-Transport-Security."""
    fixed = [
        (b"x-frame-options", b"DENY"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    ]
    if https:
        fixed.append((b"strict-transport-security", b"max-age=31536000"))
    csp = (b"content-security-policy", CONTENT_SECURITY_POLICY.encode())

    async def before_send(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = list(message.get("headers") or [])
        headers.extend(fixed)
        if not scope["path"].startswith("/schema"):  # the API viewer loads from a CDN
            headers.append(csp)
        message["headers"] = headers

    return before_send
