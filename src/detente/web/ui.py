"""Jinja2 templates (autoescaped), the navigation, and the HTML/JSON error responses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined

from detente import __version__

from . import render as r


@dataclass(frozen=True)
class NavItem:
    """One entry of the main navigation: its page, label, JSON twin and the paths that belong to it."""

    href: str
    label: str
    api: str | None = None
    also: tuple[str, ...] = ()
    ingest_only: bool = False

    def active(self, path: str) -> bool:
        if path == self.href or (self.href != "/" and path.startswith(self.href + "/")):
            return True
        return any(path == p or path.startswith(p) for p in self.also)


# The one navigation definition: a new page adds a line here and a template of its own.
NAV: tuple[NavItem, ...] = (
    NavItem("/", "Overview", "/api/stats"),
    NavItem("/events", "Events", "/api/events", ("/series",)),
    NavItem("/actors", "Actors", "/api/actors", ("/actor/",)),
    NavItem("/dyads", "Dyads", "/api/dyads", ("/dyad/", "/compare")),
    NavItem("/changes", "Changes", "/api/changes"),
    NavItem("/network", "Network", "/api/network"),
    NavItem("/map", "Map", "/api/places"),
    NavItem("/documents", "Documents", "/api/documents", ("/doc/",)),
    NavItem("/alerts", "Alerts", "/api/alerts"),
    NavItem("/ingest", "Ingest", ingest_only=True),
)
# Every page and the API path that serves the same data with the same query parameters.
TWINS: dict[str, str] = {
    "/": "/api/stats", "/events": "/api/events", "/series": "/api/series", "/actors": "/api/actors",
    "/actor/{code}": "/api/actor/{code}", "/dyads": "/api/dyads", "/dyad/{a}/{b}": "/api/dyad/{a}/{b}",
    "/compare": "/api/compare", "/changes": "/api/changes", "/network": "/api/network", "/map": "/api/places",
    "/documents": "/api/documents", "/doc/{doc_id}": "/api/doc/{doc_id}", "/alerts": "/api/alerts",
}


def _num(value: Any, digits: int = 2) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def make_env() -> Environment:
    """The template environment: autoescape always on, undefined names are errors, and no printed
    value carries bidirectional controls."""
    env = Environment(loader=PackageLoader("detente.web", "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, finalize=r.strip_bidi)
    env.globals.update(
        version=__version__, path_part=r.path_part, query_url=r.query_url, QUAD_LABELS=r.QUAD_LABELS,
        QUAD_COLORS=r.QUAD_COLORS, evidence=r.event_evidence, event_dyad=r.event_dyad, entity_label=r.entity_label,
        event_title=r.event_title, script_json=r.script_json, relink=r.relink, NAV=NAV,
    )
    env.filters["ticks"] = r.code_spans
    env.filters["num"] = _num
    return env


def render(request: Request, template: str, status: int = 200, headers: Mapping[str, str] | None = None,
           **context: Any) -> HTMLResponse:
    """Render a page with the common context (navigation, ingest switch, the alerts badge)."""
    from .alerts import recent_alerts

    env: Environment = request.app.state.templates
    allow_ingest = request.app.state.allow_ingest
    path = request.url.path
    nav = [(item, item.active(path)) for item in NAV if allow_ingest or not item.ingest_only]
    html = env.get_template(template).render(request=request, path=path, allow_ingest=allow_ingest, nav=nav,
                                             alert_badge=recent_alerts(request), **context)
    return HTMLResponse(html, status_code=status, headers=dict(headers or {}))


def wants_json(request: Request) -> bool:
    """API paths answer errors in JSON; pages in HTML."""
    path = request.url.path
    return path.startswith("/api/") or path == "/api" or path == "/openapi.json"


TITLES = {400: "Bad request", 403: "Forbidden", 404: "Not found", 405: "Method not allowed", 411: "Length required",
          413: "Upload too large", 414: "URL too long", 501: "Not available", 503: "Store unavailable"}


def error_response(request: Request, status: int, message: str,
                   headers: Mapping[str, str] | None = None) -> Response:
    """A clean error: {"error", "status"} for the API, an error page otherwise."""
    if wants_json(request):
        return JSONResponse({"error": message, "status": status}, status_code=status, headers=dict(headers or {}))
    return render(request, "error.html", status=status, headers=headers, status_code=status,
                  title=TITLES.get(status, "Error"), message=message)
