"""The FastAPI application: HTML dashboard, JSON API, offline static assets, safe defaults."""

from __future__ import annotations

import gzip
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from detente import __version__
from detente.errors import DetenteError

from . import alerts, api, ingest, maps, pages
from .access import StoreAccess, WebError
from .guard import RequestGuard, allow_header
from .jobs import Jobs
from .session import Sessions
from .ui import error_response, make_env

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
YEAR = 365 * 24 * 3600


class SecurityHeaders:
    """Content-Security-Policy (no inline or remote scripts) and friends on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", CSP)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "same-origin")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = [str(x) for x in err.get("loc", ()) if x not in ("query", "path", "body")]
        parts.append(f"{'.'.join(loc) or 'request'}: {err.get('msg', 'invalid value')}")
    return "; ".join(parts) or "invalid request"


def plotly_js_path() -> Path | None:
    """plotly.min.js from the installed plotly package (never copied into the repository)."""
    try:
        path = Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))
    except ModuleNotFoundError:
        return None
    return path if path.is_file() else None


@cache
def _plotly_gzip(path: Path, mtime: int) -> bytes:
    """plotly.min.js compressed once (4.8 MB -> about 1.4 MB) instead of on every request."""
    return gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)


def plotly_version() -> str:
    try:
        return metadata.version("plotly")
    except metadata.PackageNotFoundError:
        return "0"


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The schema as served: errors are 400 {error, status} (never FastAPI's 422 shape)."""
    if app.openapi_schema:
        return app.openapi_schema
    spec = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    for ops in spec.get("paths", {}).values():
        for op in ops.values():
            op.get("responses", {}).pop("422", None)
    schemas = spec.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    app.openapi_schema = spec
    return spec


def create_app(db_path: str, allow_ingest: bool = False, max_upload_bytes: int = 5_000_000,
               trusted_hosts: list[str] | None = None) -> FastAPI:
    """The dashboard and API over the store at `db_path` (read-only unless `allow_ingest`)."""
    if max_upload_bytes < 1:
        raise DetenteError("the upload limit must be positive")
    access = StoreAccess(db_path, allow_ingest=allow_ingest)
    jobs = Jobs(access)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.close()

    app = FastAPI(
        title="detente", version=__version__, docs_url=None, redoc_url=None, openapi_url="/openapi.json",
        lifespan=lifespan,
        description="Political events coded from news text (PLOVER/CAMEO) and the relations between actors. "
                    "Errors are `{\"error\": message, \"status\": code}` (400 for a bad parameter, 404 for "
                    "nothing there, including a page past the last). Dates are YYYY-MM-DD. Lists count events "
                    "(duplicate reports once) unless `count=reports`.",
    )
    app.state.access = access
    app.state.jobs = jobs
    app.state.sessions = Sessions()
    app.state.allow_ingest = allow_ingest
    app.state.max_upload_bytes = max_upload_bytes
    app.state.templates = make_env()
    app.state.templates.globals["plotly_version"] = plotly_version()
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]

    @app.exception_handler(WebError)
    async def web_error(request: Request, exc: WebError) -> Response:
        return error_response(request, exc.status, exc.message)

    @app.exception_handler(DetenteError)
    async def detente_error(request: Request, exc: DetenteError) -> Response:
        return error_response(request, 400, str(exc))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request, 400, _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            methods = {m.strip() for m in headers.get("Allow", "").split(",") if m.strip()}
            headers["Allow"] = allow_header(methods | ({"HEAD"} if "GET" in methods else set()) | {"OPTIONS"})
            message = f"{request.method} is not allowed here; use {headers['Allow']}"
        else:
            message = str(exc.detail) if exc.status_code != 404 else f"no such page: {request.url.path}"
        return error_response(request, exc.status_code, message, headers)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        log.exception("internal error on %s", request.url.path)
        return error_response(request, 500, f"internal error ({type(exc).__name__}); see the server log")

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js(request: Request) -> Response:
        path = plotly_js_path()
        if path is None:
            raise WebError(404, "plotly.min.js not found in the installed plotly package")
        headers = {"Cache-Control": f"public, max-age={YEAR}, immutable", "Vary": "Accept-Encoding"}
        if "gzip" in request.headers.get("accept-encoding", ""):
            return Response(_plotly_gzip(path, path.stat().st_mtime_ns), media_type="text/javascript",
                            headers={**headers, "Content-Encoding": "gzip"})
        return FileResponse(path, media_type="text/javascript", headers=headers)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml",
                            headers={"Cache-Control": "public, max-age=86400"})

    app.include_router(api.router)
    app.include_router(ingest.router)
    app.include_router(pages.router)
    app.include_router(maps.router)
    app.include_router(alerts.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    # Outermost last: headers on everything, then the request checks, then compression.
    if trusted_hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=trusted_hosts)
    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=6)
    app.add_middleware(RequestGuard, router=app.router)
    app.add_middleware(SecurityHeaders)
    return app
