"""Jinja2 templates (autoescaped) and the HTML/JSON error responses."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined

from detente import __version__

from . import render as r


def make_env() -> Environment:
    """The template environment: autoescape always on, undefined names are errors."""
    env = Environment(loader=PackageLoader("detente.web", "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.globals.update(
        version=__version__, path_part=r.path_part, query_url=r.query_url, QUAD_LABELS=r.QUAD_LABELS,
        QUAD_COLORS=r.QUAD_COLORS, evidence=r.event_evidence, event_dyad=r.event_dyad, entity_label=r.entity_label,
        event_title=r.event_title, script_json=r.script_json, relink=r.relink,
    )
    env.filters["ticks"] = r.code_spans
    env.filters["num"] = lambda v, digits=2: "" if v is None else (f"{v:,.{digits}f}" if isinstance(v, float) else f"{v:,}" if isinstance(v, int) else str(v))
    return env


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a page with the common context (nav state, ingest switch)."""
    from .alerts import recent_alerts

    env: Environment = request.app.state.templates
    html = env.get_template(template).render(
        request=request, path=request.url.path, allow_ingest=request.app.state.allow_ingest,
        alert_badge=recent_alerts(request), **context)
    return HTMLResponse(html, status_code=status)


def wants_json(request: Request) -> bool:
    """API paths answer errors in JSON; pages in HTML."""
    path = request.url.path
    return path.startswith("/api/") or path == "/api" or path == "/openapi.json"


def error_response(request: Request, status: int, message: str) -> Response:
    """A clean error: {"error", "status"} for the API, an error page otherwise."""
    if wants_json(request):
        return JSONResponse({"error": message, "status": status}, status_code=status)
    titles = {400: "Bad request", 403: "Forbidden", 404: "Not found", 405: "Method not allowed", 411: "Length required",
              413: "Upload too large", 501: "Not available", 503: "Store unavailable"}
    return render(request, "error.html", status=status, status_code=status, title=titles.get(status, "Error"),
                  message=message)
