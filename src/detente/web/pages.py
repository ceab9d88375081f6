"""Server-rendered HTML pages; every view is a shareable URL (state lives in query parameters)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from detente.ontology import EVENT_TYPES, QUAD_CLASSES
from detente.store import EventFilter

from . import bridge, queries
from . import render as r
from .access import StoreAccess, WebError
from .params import (
    DEFAULT_PAGE_SIZE,
    FREQS,
    MAX_PAGE_SIZE,
    EventQuery,
    Paging,
    actor_code,
    counting,
    event_query,
    frequency,
    paging,
    period,
)
from .ui import render

router = APIRouter(include_in_schema=False)
SERIES_TABLE = [("period", "period"), ("n_events", "events"), ("verbal_cooperation", "verbal coop."),
                ("material_cooperation", "material coop."), ("verbal_conflict", "verbal confl."),
                ("material_conflict", "material confl."), ("index", "index"), ("index_smoothed", "smoothed"),
                ("index_low", "low (90%)"), ("index_high", "high (90%)")]
API_EXAMPLES = {
    "/api/stats": "/api/stats", "/api/events": "/api/events?actor=RUS&type=AGREE&page_size=5",
    "/api/events.csv": "/api/events.csv?quad=material_conflict", "/api/events.jsonl": "/api/events.jsonl?q=ceasefire",
    "/api/dyad/{a}/{b}": "/api/dyad/RUS/PAK?freq=quarter", "/api/changes": "/api/changes?limit=5",
    "/api/network": "/api/network?from=2025-01-01&to=2025-12-31", "/api/dyads": "/api/dyads?n=10",
}
CHANGE_SORTS = {"strength": "strongest first", "recent": "most recent first"}
CHANGE_LABELS = ("detente", "deterioration", "escalation", "stable")


def _access(request: Request) -> StoreAccess:
    return request.app.state.access


def _try(fn: Any, *args: Any) -> tuple[Any, str | None]:
    """Run an analysis call; (result, None) or (None, why it is unavailable)."""
    try:
        return fn(*args), None
    except WebError as exc:
        if exc.status in (400, 501):
            return None, exc.message
        raise


def _pager(total: int, pg: Paging) -> dict[str, Any]:
    pages = max(1, -(-total // pg.page_size))
    lo = max(1, pg.page - 3)
    return {"page": pg.page, "page_size": pg.page_size, "pages": pages, "total": total,
            "first": pg.offset + 1 if total else 0, "last": min(total, pg.offset + pg.page_size),
            "window": list(range(lo, min(pages, lo + 6) + 1))}


def _code_name(code: str) -> str:
    """The canonical name of an actor code (Russia for RUS), or the code."""
    try:
        from detente.actors.tables import code_names
    except ImportError:
        return code
    return code_names().get(code, code)


def _doc_titles(store: Any, events: list[dict[str, Any]]) -> dict[str, str]:
    return queries.document_titles(store, [e["doc_id"] for e in events])


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, count: Annotated[str, Depends(counting)] = "clusters") -> HTMLResponse:
    with _access(request).read() as store:
        stats = queries.corpus_stats(store, count)
        timeline = r.timeline_figure(queries.monthly_quads(store, count)) if stats["events"] else None
        dyads, dyads_error = _try(bridge.top_dyads, store, 12, count)
        changes, changes_error = _try(bridge.all_changes, store, count)
        _, recent_docs = queries.documents(store, None, 8, 0)
    latest = sorted((c for c in changes or [] if c["label"] != "stable"), key=lambda c: str(c["start"]), reverse=True)
    return render(request, "overview.html", stats=stats, timeline=timeline, dyads=dyads or [],
                  dyads_error=dyads_error, changes=latest[:8], n_changes=len(changes or []),
                  changes_error=changes_error, recent_docs=recent_docs, count=count)


@router.get("/events", response_class=HTMLResponse)
def events_page(request: Request, eq: Annotated[EventQuery, Depends(event_query)],
                pg: Annotated[Paging, Depends(paging)]) -> HTMLResponse:
    flt = eq.filter()
    with _access(request).read() as store:
        total = store.count(flt)
        if total and pg.offset >= total:
            raise WebError(400, f"page: {pg.page} is past the last page ({-(-total // pg.page_size)})")
        events = list(store.events(flt, limit=pg.page_size, offset=pg.offset, order=eq.sort))
        titles = _doc_titles(store, events)
    return render(request, "events.html", eq=eq, events=events, titles=titles, pager=_pager(total, pg),
                  event_types=EVENT_TYPES, quad_classes=QUAD_CLASSES, page_sizes=(25, 50, 100, MAX_PAGE_SIZE),
                  default_page_size=DEFAULT_PAGE_SIZE)


@router.get("/dyads", response_class=HTMLResponse)
def dyads_page(request: Request, n: Annotated[int, Query(ge=1, le=500)] = 50,
               count: Annotated[str, Depends(counting)] = "clusters") -> HTMLResponse:
    with _access(request).read() as store:
        dyads, error = _try(bridge.top_dyads, store, n, count)
    return render(request, "dyads.html", dyads=dyads or [], error=error, n=n, count=count)


@router.get("/dyad", response_class=HTMLResponse)
def dyad_form(request: Request, a: str = "", b: str = "") -> RedirectResponse:
    """The 'go to dyad' form: /dyad?a=RUS&b=PAK -> /dyad/RUS/PAK."""
    if not a.strip() or not b.strip():
        raise WebError(400, "give two actor codes, e.g. RUS and PAK")
    return RedirectResponse(f"/dyad/{r.path_part(actor_code(a, 'a'))}/{r.path_part(actor_code(b, 'b'))}", 303)


@router.get("/dyad/{a}/{b}", response_class=HTMLResponse)
def dyad_page(request: Request, a: str, b: str, freq: Annotated[str, Depends(frequency)],
              pg: Annotated[Paging, Depends(paging)],
              sort: Annotated[str, Query()] = "-date",
              count: Annotated[str, Depends(counting)] = "clusters") -> HTMLResponse:
    a, b = actor_code(a, "a"), actor_code(b, "b")
    if a == b:
        raise WebError(400, "a dyad needs two different actors")
    eq = event_query(sort=sort, count=count)
    flt = EventFilter.counted(dyad=(a, b), count=count)  # what the series counts: the total of the overview
    with _access(request).read() as store:
        total = store.count(flt)
        events = list(store.events(flt, limit=pg.page_size, offset=pg.offset, order=eq.sort))
        titles = _doc_titles(store, events)
        series, series_error = _try(bridge.dyad_series, store, a, b, freq, count)
        changes, changes_error = _try(bridge.dyad_changes, store, a, b, freq, count)
    figure = r.series_figure(series, changes or []) if series and any(x.get("n_events") for x in series) else None
    columns = [(k, v) for k, v in SERIES_TABLE if series and k in series[0]]
    return render(request, "dyad.html", a=a, b=b, names=(_code_name(a), _code_name(b)), freq=freq, freqs=FREQS, series=series or [], series_columns=columns,
                  series_error=series_error, changes=changes or [], changes_error=changes_error, figure=figure,
                  events=events, titles=titles, pager=_pager(total, pg), eq=eq, count=count)


@router.get("/changes", response_class=HTMLResponse)
def changes_page(request: Request, sort: str = "strength", label: str = "",
                 count: Annotated[str, Depends(counting)] = "clusters") -> HTMLResponse:
    if sort not in CHANGE_SORTS:
        raise WebError(400, f"sort: use one of {', '.join(CHANGE_SORTS)}, not {sort!r}")
    if label and label not in CHANGE_LABELS:
        raise WebError(400, f"label: use one of {', '.join(CHANGE_LABELS)}, not {label!r}")
    with _access(request).read() as store:
        changes, error = _try(bridge.all_changes, store, count)
    shown = [c for c in changes or [] if not label or c["label"] == label]
    if sort == "recent":
        shown.sort(key=lambda c: str(c["start"]), reverse=True)
    return render(request, "changes.html", changes=shown, total=len(changes or []), error=error, sort=sort,
                  label=label, sorts=CHANGE_SORTS, labels=CHANGE_LABELS)


@router.get("/network", response_class=HTMLResponse)
def network_page(request: Request, span: Annotated[tuple, Depends(period)],
                 count: Annotated[str, Depends(counting)] = "clusters") -> HTMLResponse:
    date_from, date_to = span
    with _access(request).read() as store:
        net, error = _try(bridge.network, store, date_from, date_to, count)
        stats = queries.corpus_stats(store)
    figure = r.network_figure(net) if net and net["edges"] else None
    names = {n["id"]: n.get("name") or n["id"] for n in (net or {}).get("nodes", [])}
    groups = [b for b in (net or {}).get("blocs", []) if len(b) > 1]
    loners = [b[0] for b in (net or {}).get("blocs", []) if len(b) == 1]
    return render(request, "network.html", net=net, error=error, figure=figure, date_from=date_from, names=names,
                  groups=groups, loners=loners,
                  date_to=date_to, stats=stats)


@router.get("/documents", response_class=HTMLResponse)
def documents_page(request: Request, pg: Annotated[Paging, Depends(paging)],
                   q: Annotated[str | None, Query(max_length=200)] = None) -> HTMLResponse:
    q = q.strip() if q and q.strip() else None
    with _access(request).read() as store:
        total, docs = queries.documents(store, q, pg.page_size, pg.offset)
    return render(request, "documents.html", docs=docs, q=q, pager=_pager(total, pg))


@router.get("/doc/{doc_id:path}", response_class=HTMLResponse)
def doc_page(request: Request, doc_id: str) -> HTMLResponse:
    with _access(request).read() as store:
        doc = store.document(doc_id)
        if doc is None:
            raise WebError(404, f"no document with id {doc_id!r}")
        events = list(store.events(EventFilter(doc_id=doc_id), order="doc"))
    paragraphs, placed = r.mark_document(doc.get("text") or "", events)
    pub = doc.get("pub_date")
    return render(request, "doc.html", doc=doc, events=events, paragraphs=paragraphs, placed=placed,
                  pub_date=pub.isoformat() if isinstance(pub, dt.date) else pub)


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """The API reference, rendered from the OpenAPI schema (no external assets)."""
    spec = request.app.openapi()
    endpoints = []
    for path, ops in spec.get("paths", {}).items():
        for method, op in ops.items():
            params = []
            for p in op.get("parameters", []):
                schema = p.get("schema", {})
                kind = schema.get("type") or " or ".join(
                    s.get("type", "") for s in schema.get("anyOf", []) if s.get("type") != "null") or ""
                if kind == "array":
                    kind = f"list of {schema.get('items', {}).get('type', 'string')}"
                params.append({"name": p["name"], "in": p["in"], "required": p.get("required", False), "type": kind,
                               "default": schema.get("default"), "description": p.get("description", "")})
            endpoints.append({"method": method.upper(), "path": path, "summary": op.get("summary", ""),
                              "description": op.get("description", ""), "params": params,
                              "example": API_EXAMPLES.get(path)})
    return render(request, "api_docs.html", endpoints=endpoints, spec=spec)
