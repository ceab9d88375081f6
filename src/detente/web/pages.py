"""Server-rendered HTML pages; every view is a shareable URL (state lives in query parameters).

Each page has a template of its own and an API twin (ui.TWINS) that takes the same parameters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from detente.ontology import EVENT_TYPES, QUAD_CLASSES, cameo_codes
from detente.store import EventFilter

from . import actors, api, bridge, queries
from . import render as r
from .access import StoreAccess, WebError
from .params import (
    DEFAULT_PAGE_SIZE,
    FREQS,
    MAX_PAGE_SIZE,
    PRECISIONS,
    EventQuery,
    Paging,
    actor_code,
    counting,
    event_query,
    frequency,
    paging,
    period,
)
from .ui import TWINS, render

router = APIRouter(include_in_schema=False)
SERIES_TABLE = [("period", "period"), ("n_events", "events"), ("verbal_cooperation", "verbal coop."),
                ("material_cooperation", "material coop."), ("verbal_conflict", "verbal confl."),
                ("material_conflict", "material confl."), ("index", "index"), ("index_smoothed", "smoothed"),
                ("index_low", "low (90%)"), ("index_high", "high (90%)")]
API_EXAMPLES = {
    "/api/stats": "/api/stats", "/api/events": "/api/events?actor=RUS&type=AGREE&page_size=5",
    "/api/facets": "/api/facets?party=RUS", "/api/events.csv": "/api/events.csv?quad=material_conflict",
    "/api/events.jsonl": "/api/events.jsonl?q=ceasefire", "/api/documents": "/api/documents?q=Pakistan",
    "/api/actors": "/api/actors?q=Putin", "/api/actor/{code}": "/api/actor/RUS",
    "/api/series": "/api/series?party=RUS&freq=quarter", "/api/series.csv": "/api/series.csv?quad=material_conflict",
    "/api/dyad/{a}/{b}": "/api/dyad/RUS/PAK?freq=quarter",
    "/api/dyad/{a}/{b}/series.csv": "/api/dyad/RUS/PAK/series.csv",
    "/api/compare": "/api/compare?dyad=RUS-PAK&dyad=ARM-AZE", "/api/compare.csv": "/api/compare.csv?dyad=RUS-PAK",
    "/api/changes": "/api/changes?limit=5", "/api/network": "/api/network?from=2025-01-01&to=2025-12-31",
    "/api/network.graphml": "/api/network.graphml", "/api/dyads": "/api/dyads?n=10",
    "/api/places": "/api/places?in=PAK",
}
CHANGE_SORTS = {"strength": "strongest first", "recent": "most recent first"}
CHANGE_LABELS = ("detente", "deterioration", "escalation", "stable")
FACET_LABELS = {"type": "Event type", "quad": "Quad class", "cameo": "CAMEO root", "actor": "Actor country",
                "recipient": "Recipient country", "actor_sector": "Actor sector",
                "recipient_sector": "Recipient sector", "source": "Publisher", "precision": "Date precision"}


def cameo_roots() -> dict[str, str]:
    """CAMEO root code -> its name ('05' -> 'Engage in diplomatic cooperation'), from the ontology."""
    codes = cameo_codes()
    return {root: codes[root + "0"].name.split(", not specified")[0] if root + "0" in codes else root
            for root in (f"{n:02d}" for n in range(1, 21))}


def _access(request: Request) -> StoreAccess:
    return request.app.state.access


_try = bridge.attempt


def _pager(total: int, pg: Paging) -> dict[str, Any]:
    pg.check(total)
    pages = pg.pages(total)
    lo = max(1, pg.page - 3)
    return {"page": pg.page, "page_size": pg.page_size, "pages": pages, "total": total,
            "first": pg.offset + 1 if total else 0, "last": min(total, pg.offset + pg.page_size),
            "window": list(range(lo, min(pages, lo + 6) + 1))}


def _doc_titles(store: Any, events: list[dict[str, Any]]) -> dict[str, str]:
    return queries.document_titles(store, [e["doc_id"] for e in events])


def period_link(path: str, pairs: list[tuple[str, str]], date_from: dt.date | None,
                date_to: dt.date | None) -> Callable[[dict[str, Any]], str]:
    """URL maker: the events of one period of a series, within the query's own date range."""
    kept = [(k, v) for k, v in pairs if k not in ("from", "to", "page")]

    def link(row: dict[str, Any]) -> str:
        start, end = str(row.get("start") or "")[:10], str(row.get("end") or "")[:10]
        if date_from and start < date_from.isoformat():
            start = date_from.isoformat()
        if date_to and end > date_to.isoformat():
            end = date_to.isoformat()
        return r.query_url(path, [*kept, ("from", start), ("to", end)])

    return link


CountQ = Annotated[str, Depends(counting)]
# What a series counts beyond its filter: no background (and, for relations, no negated or
# hypothetical events); a click on a period opens the same events.
SERIES_EXTRA = [("background", "exclude")]
RELATIONS_EXTRA = [("modal", "exclude"), ("background", "exclude")]


def _with(pairs: list[tuple[str, str]], extra: list[tuple[str, str]]) -> list[tuple[str, str]]:
    keys = {k for k, _ in extra}
    return [p for p in pairs if p[0] not in keys] + extra


def _counts(store: Any) -> dict[str, int]:
    return bridge.cached(("code_counts",), store, lambda: queries.code_counts(store))


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, count: CountQ = "clusters") -> HTMLResponse:
    with _access(request).read() as store:
        stats = bridge.cached(("stats", count), store, lambda: queries.corpus_stats(store, count))
        series, _ = _try(bridge.filter_series, store, queries.WebFilter(count=count), "month") if stats["events"] \
            else (None, None)
        dyads, dyads_error = _try(bridge.top_dyads, store, 12, count)
        changes, changes_error = _try(bridge.all_changes, store, count)
        _, recent_docs = queries.documents(store, None, 8, 0)
        top_actors = actors.top(_counts(store), 12)
    counted = [("count", count)] if count != "clusters" else []
    timeline = r.counts_figure(series, "month", period_link("/events", counted + SERIES_EXTRA, None, None),
                               height=300) if series else None
    latest = sorted((c for c in changes or [] if c["label"] != "stable"), key=lambda c: str(c["start"]), reverse=True)
    return render(request, "overview.html", stats=stats, timeline=timeline, dyads=dyads or [],
                  dyads_error=dyads_error, changes=latest[:8], n_changes=len(changes or []),
                  changes_error=changes_error, recent_docs=recent_docs, top_actors=top_actors, count=count)


def _facet_links(eq: EventQuery, found: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Each facet with, per value, its count, whether it is selected, and the link that toggles it."""
    pairs = eq.params()
    roots = cameo_roots()
    out = []
    for name, values in found.items():
        key = name  # each facet is named after the query parameter its values set
        items = []
        for v in values:
            value = str(v["value"])
            selected = (key, value) in pairs
            new = [p for p in pairs if p != (key, value)] if selected else \
                [p for p in pairs if key not in ("actor", "recipient") or p[0] != key] + [(key, value)]
            label = value
            if name == "quad":
                label = r.QUAD_LABELS.get(value, value)
            elif name == "cameo":
                label = f"{value} {roots.get(value, '').lower()}".strip()
            elif name in ("actor_sector", "recipient_sector"):
                label = f"{value} {actors.SECTOR_NAMES.get(value, '')}".strip()
            items.append({"label": label, "n": v["n"], "selected": selected,
                          "href": r.query_url("/events", [p for p in new if p[0] != "page"])})
        if items:
            out.append({"name": name, "label": FACET_LABELS[name], "items": items})
    return out


@router.get("/events", response_class=HTMLResponse)
def events_page(request: Request, eq: Annotated[EventQuery, Depends(event_query)],
                pg: Annotated[Paging, Depends(paging)]) -> HTMLResponse:
    flt = eq.filter()
    with _access(request).read() as store:
        total = store.count(flt)
        pager = _pager(total, pg)
        events = list(queries.iter_events(store, flt, eq.sort, pg.page_size, pg.offset))
        titles = _doc_titles(store, events)
        found = queries.facets(store, flt) if total else {}
    return render(request, "events.html", eq=eq, events=events, titles=titles, pager=pager,
                  event_types=EVENT_TYPES, quad_classes=QUAD_CLASSES, page_sizes=(25, 50, 100, MAX_PAGE_SIZE),
                  default_page_size=DEFAULT_PAGE_SIZE, facets=_facet_links(eq, found),
                  cameo_roots=list(cameo_roots().items()),
                  precisions=PRECISIONS)


@router.get("/series", response_class=HTMLResponse)
def series_page(request: Request, eq: Annotated[EventQuery, Depends(event_query)],
                freq: Annotated[str, Depends(frequency)]) -> HTMLResponse:
    with _access(request).read() as store:
        series, error = _try(bridge.filter_series, store, eq.filter(), freq)
    pairs = eq.params(sort=False)
    link = period_link("/events", _with(pairs, SERIES_EXTRA), eq.date_from, eq.date_to)
    figure = r.counts_figure(series, freq, link, height=380) if series else None
    columns = [(k, v) for k, v in SERIES_TABLE if series and k in series[0]]
    return render(request, "series.html", eq=eq, pairs=pairs, freq=freq, freqs=FREQS, series=series or [],
                  error=error, figure=figure, columns=columns)


@router.get("/actors", response_class=HTMLResponse)
def actors_page(request: Request, q: Annotated[str, Query(max_length=100)] = "") -> Response:
    """Find an actor by name: one clear match goes straight to its page."""
    with _access(request).read() as store:
        counts = _counts(store)
    if q.strip():
        code = actors.resolve(q, counts)
        if code:
            return RedirectResponse(f"/actor/{r.path_part(actor_code(code, 'q'))}", 303)
        matches = actors.search(q, counts, 30)
    else:
        matches = actors.top(counts, 60)
    return render(request, "actors.html", q=q.strip(), matches=matches)


@router.get("/actor/{code}", response_class=HTMLResponse)
def actor_page(request: Request, code: str, freq: Annotated[str, Depends(frequency)],
               count: CountQ = "clusters") -> HTMLResponse:
    code = actor_code(code, "code")
    eq = event_query(party=code, count=count)
    with _access(request).read() as store:
        view = api.actor_view(store, code, freq, eq.count)
        recent = list(queries.iter_events(store, eq.filter(), "-date", 10))
        titles = _doc_titles(store, recent)
    pairs = [("party", code)] + ([("count", eq.count)] if eq.count != "clusters" else []) + SERIES_EXTRA
    figure = r.counts_figure(view["series"], freq, period_link("/events", pairs, None, None)) \
        if view["series"] else None
    return render(request, "actor.html", a=view, code=code, freq=freq, freqs=FREQS, figure=figure, recent=recent,
                  titles=titles, eq=eq, sector_names=actors.SECTOR_NAMES)


@router.get("/dyads", response_class=HTMLResponse)
def dyads_page(request: Request, n: Annotated[int, Query(ge=1, le=500)] = 50, count: CountQ = "clusters") -> HTMLResponse:
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
              sort: Annotated[str, Query()] = "-date", count: CountQ = "clusters") -> HTMLResponse:
    a, b = actor_code(a, "a"), actor_code(b, "b")
    if a == b:
        raise WebError(400, "a dyad needs two different actors")
    eq = event_query(sort=sort, count=count)
    flt = EventFilter.counted(dyad=(a, b), count=count)  # what the series counts: the total of the overview
    with _access(request).read() as store:
        total = store.count(flt)
        pager = _pager(total, pg)
        events = list(queries.iter_events(store, flt, eq.sort, pg.page_size, pg.offset))
        titles = _doc_titles(store, events)
        series, series_error = _try(bridge.dyad_series, store, a, b, freq, count)
        changes, changes_error = _try(bridge.dyad_changes, store, a, b, freq, count)
    counted = [("count", count)] if count != "clusters" else []
    link = period_link("/events", [("dyad", f"{a}-{b}"), *counted, *RELATIONS_EXTRA], None, None)
    figure = r.series_figure(series, changes or [], freq, link) if series and any(x.get("n_events") for x in series) \
        else None
    columns = [(k, v) for k, v in SERIES_TABLE if series and k in series[0]]
    names = (actors.describe(a)["name"], actors.describe(b)["name"])
    return render(request, "dyad.html", a=a, b=b, names=names, freq=freq, freqs=FREQS, series=series or [],
                  series_columns=columns, series_error=series_error, changes=changes or [],
                  changes_error=changes_error, figure=figure, events=events, titles=titles, pager=pager, eq=eq,
                  count=count)


@router.get("/compare", response_class=HTMLResponse)
def compare_page(request: Request, freq: Annotated[str, Depends(frequency)],
                 dyad: Annotated[list[str] | None, Query()] = None, count: CountQ = "clusters") -> HTMLResponse:
    """Several dyads' relations on one chart."""
    wanted = [d for d in dyad or [] if d.strip()]
    with _access(request).read() as store:
        lines = api.compare_lines(store, wanted, freq, count) if wanted else []
        suggestions = [] if wanted else (_try(bridge.top_dyads, store, 6, count)[0] or [])
    counted = [("count", count)] if count != "clusters" else []

    def link(name: str, row: dict[str, Any]) -> str:
        return period_link("/events", [("dyad", name), *counted, *RELATIONS_EXTRA], None, None)(row)

    drawn = [(line["dyad"], line["series"]) for line in lines if any(x.get("n_events") for x in line["series"])]
    figure = r.compare_figure(drawn, freq, link) if drawn else None
    names = [line["dyad"] for line in lines]
    pairs = [("dyad", d) for d in names] + ([("freq", freq)] if freq != "month" else []) + counted
    return render(request, "compare.html", lines=lines, figure=figure, freq=freq, freqs=FREQS, dyads=names,
                  suggestions=suggestions, pairs=pairs)


@router.get("/changes", response_class=HTMLResponse)
def changes_page(request: Request, sort: str = "strength", label: str = "", count: CountQ = "clusters") -> HTMLResponse:
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
def network_page(request: Request, span: Annotated[tuple, Depends(period)], count: CountQ = "clusters") -> HTMLResponse:
    date_from, date_to = span
    with _access(request).read() as store:
        net, error = _try(bridge.network, store, date_from, date_to, count)
        stats = bridge.cached(("stats", "clusters"), store, lambda: queries.corpus_stats(store))
    figure = r.network_figure(net) if net and net["edges"] else None
    names = {n["id"]: n.get("name") or n["id"] for n in (net or {}).get("nodes", [])}
    groups = [b for b in (net or {}).get("blocs", []) if len(b) > 1]
    loners = [b[0] for b in (net or {}).get("blocs", []) if len(b) == 1]
    span_pairs = [("from", date_from), ("to", date_to)] + ([("count", count)] if count != "clusters" else [])
    return render(request, "network.html", net=net, error=error, figure=figure, date_from=date_from, names=names,
                  groups=groups, loners=loners, date_to=date_to, stats=stats, span_pairs=span_pairs)


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
                if kind == "array" or "array" in kind:
                    kind = f"list of {schema.get('items', {}).get('type', 'string')}"
                params.append({"name": p["name"], "in": p["in"], "required": p.get("required", False), "type": kind,
                               "default": schema.get("default"), "description": p.get("description", "")})
            endpoints.append({"method": method.upper(), "path": path, "summary": op.get("summary", ""),
                              "description": op.get("description", ""), "params": params,
                              "example": API_EXAMPLES.get(path)})
    return render(request, "api_docs.html", endpoints=endpoints, spec=spec, twins=TWINS)
