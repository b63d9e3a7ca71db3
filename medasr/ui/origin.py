"""Host and Origin checks for a server without an API key (DNS rebinding, cross-site use).

A web page on ``evil.example`` can make a browser talk to ``127.0.0.1:8000`` in two ways:
by rebinding its own name to 127.0.0.1 (the request then carries ``Host: evil.example``)
or by opening a websocket or posting a form to 127.0.0.1 directly (the request then carries
``Origin: http://evil.example``). Without an API key the server therefore answers only
requests whose Host, and whose Origin when there is one, name an allowed host: loopback by
default, plus the address it binds and ``allowed_hosts`` (``MEDASR_ALLOWED_HOSTS``,
comma-separated; ``*`` turns the check off). With an API key the key is the guard.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def allowed_hosts(bind_host: str, extra: str | None) -> frozenset[str] | None:
    """The allow-list, or None when every host is allowed (``*``)."""
    names = set(LOOPBACK)
    if bind_host and bind_host not in ("0.0.0.0", "::"):
        names.add(bind_host.strip("[]").lower())
    for name in (extra or "").split(","):
        name = name.strip().lower()
        if name == "*":
            return None
        if name:
            names.add(name.strip("[]"))
    return frozenset(names)


def hostname(value: str) -> str:
    """``Host``/``Origin`` value -> bare lower-case host name (no port, no brackets)."""
    value = value.strip()
    if "://" in value:
        return (urlsplit(value).hostname or "").lower()
    return (urlsplit("//" + value).hostname or "").lower()


def refusal(headers: dict[bytes, bytes], allowed: frozenset[str]) -> str | None:
    """Why a request with these headers is refused, or None."""
    host = headers.get(b"host", b"").decode("latin-1")
    if hostname(host) not in allowed:
        return f"Host {host!r} is not an allowed host of this server (set MEDASR_ALLOWED_HOSTS or an API key)"
    origin = headers.get(b"origin")
    if origin is not None and origin != b"null" and hostname(origin.decode("latin-1")) not in allowed:
        return f"Origin {origin.decode('latin-1')!r} may not use this server (set MEDASR_ALLOWED_HOSTS or an API key)"
    if origin == b"null":
        return "requests from opaque origins (sandboxed pages, files) may not use this server"
    return None


class HostGuard:
    """Pure ASGI middleware: 403 for HTTP, a refused handshake for websockets."""

    def __init__(self, app: Any, allowed: frozenset[str] | None) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket") or self.allowed is None:
            return await self.app(scope, receive, send)
        why = refusal(dict(scope.get("headers") or ()), self.allowed)
        if why is None:
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 1008, "reason": "forbidden_origin"})
            return None
        body = json.dumps({"error": {"message": why, "type": "invalid_request_error", "param": None, "code": "forbidden_host"}}).encode()
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
        return None
