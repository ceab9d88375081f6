"""HTTP strictness in front of every route: URL length and NUL characters, HEAD and OPTIONS.

- A URL longer than MAX_URL gets 414 (the server accepts request lines up to MAX_REQUEST_HEAD
  so that they reach this check instead of a dropped connection).
- A NUL character anywhere in the path or query string gets 400.
- HEAD is answered as GET without the body; OPTIONS with 204 and the path's Allow header.
- An empty query parameter counts as absent (an HTML form sends its empty fields: `score_min=`).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import BaseRoute, Match, Mount, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .ui import error_response

MAX_URL = 16 * 1024
MAX_REQUEST_HEAD = 1024 * 1024  # what uvicorn buffers of a request line and headers (see cli.server_config)


def flat_routes(routes: list[BaseRoute]) -> list[BaseRoute]:
    """Routes with included routers opened up (FastAPI keeps an included APIRouter as one entry)."""
    out: list[BaseRoute] = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        out += flat_routes(list(inner.routes)) if inner is not None else [route]
    return out


def allowed_methods(routes: list[BaseRoute], scope: Scope) -> set[str]:
    """The methods some route accepts at this path (with HEAD for GET, and OPTIONS)."""
    methods: set[str] = set()
    for route in routes:
        match, _ = route.matches({**scope, "method": "GET"})
        if match == Match.NONE:
            continue
        if isinstance(route, Mount):
            methods.add("GET")
        else:
            methods |= set(getattr(route, "methods", None) or ())
    if "GET" in methods:
        methods.add("HEAD")
    return methods | {"OPTIONS"} if methods else methods


def allow_header(methods: set[str]) -> str:
    order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    return ", ".join(sorted(methods, key=lambda m: order.index(m) if m in order else len(order)))


class RequestGuard:
    """Refuses malformed requests before routing, and answers HEAD and OPTIONS for every route."""

    def __init__(self, app: ASGIApp, router: Router) -> None:
        self.app = app
        self.router = router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
        query = scope.get("query_string") or b""
        if len(raw_path) + len(query) > MAX_URL:
            await self._error(scope, receive, send, 414, f"the URL is longer than {MAX_URL // 1024} KB")
            return
        if "\x00" in scope["path"] or b"%00" in query or b"\x00" in query or b"%00" in raw_path:
            await self._error(scope, receive, send, 400, "NUL characters are not allowed in URLs")
            return
        method = scope["method"]
        if query and method in ("GET", "HEAD"):
            scope = {**scope, "query_string": drop_empty(query)}
        if method == "OPTIONS":
            methods = allowed_methods(flat_routes(list(self.router.routes)), scope)
            if not methods:
                await self._error(scope, receive, send, 404, f"no such page: {scope['path']}")
                return
            await send({"type": "http.response.start", "status": 204,
                        "headers": [(b"allow", allow_header(methods).encode())]})
            await send({"type": "http.response.body", "body": b""})
            return
        if method == "HEAD":
            await self.app({**scope, "method": "GET"}, receive, _without_body(send))
            return
        await self.app(scope, receive, send)

    async def _error(self, scope: Scope, receive: Receive, send: Send, status: int, message: str) -> None:
        response = error_response(Request(scope, receive), status, message)
        if scope["method"] == "HEAD":
            send = _without_body(send)
        await response(scope, receive, send)


def drop_empty(query: bytes) -> bytes:
    """The query string without its empty parameters ('a=&b=1' -> 'b=1')."""
    return b"&".join(part for part in query.split(b"&") if part.partition(b"=")[2])


def _without_body(send: Send) -> Send:
    """Pass the response start (with its Content-Length) on; drop the body."""
    async def send_head(message: Message) -> None:
        if message["type"] == "http.response.body":
            if not message.get("more_body", False):
                await send({"type": "http.response.body", "body": b""})
            return
        await send(message)

    return send_head
