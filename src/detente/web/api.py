"""The JSON API under /api (OpenAPI schema at /openapi.json, docs at /docs): one twin per page,
plus downloads of everything a page shows (events, series, network, documents)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from detente.store import EventFilter

from . import actors, bridge, downloads, queries, schemas
from .access import StoreAccess, WebError
from .params import (
    MAX_LIMIT,
    EventQuery,
    Paging,
    actor_code,
    counting,
    dyad_pair,
    event_query,
    frequency,
    paging,
    period,
)

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": schemas.Error, "description": "A parameter is invalid (the message names it)."},
    404: {"model": schemas.Error, "description": "Nothing there (an unknown id, or a page past the last)."},
    501: {"model": schemas.Error, "description": "The relations analysis is not installed."},
    503: {"model": schemas.Error, "description": "The store cannot be opened right now."},
}
router = APIRouter(prefix="/api", tags=["api"], responses=ERRORS)


def _access(request: Request) -> StoreAccess:
    return request.app.state.access


CountQ = Annotated[str, Depends(counting)]


def _json(content: Any) -> JSONResponse:
    """Plain JSON-ready data as a response (FastAPI's own encoder walk takes ten times longer)."""
    return JSONResponse(content)


def _ok(model: type) -> dict[int | str, dict[str, Any]]:
    """The documented 200 answer of a JSON endpoint."""
    return {200: {"model": model}}


def _file(media: str, description: str) -> dict[int | str, dict[str, Any]]:
    """The documented 200 answer of a download."""
    return {200: {"content": {media: {"schema": {"type": "string"}}}, "description": description}}


CSV = _file("text/csv", "CSV with a header row; a text cell never starts a spreadsheet formula.")
JSONL = _file("application/x-ndjson", "One event record (JSON) per line.")
GRAPHML = _file("application/graphml+xml", "GraphML: nodes with their name and bloc, edges with sign, index, "
                                           "weight and event count.")


@router.get("/stats", summary="Corpus size, date spans, counts by event type and quad class",
            response_model=None, responses=_ok(schemas.Stats))
def api_stats(request: Request, count: CountQ = "clusters") -> JSONResponse:
    with _access(request).read() as store:
        return _json(bridge.cached(("stats", count), store, lambda: queries.corpus_stats(store, count)))


@router.get("/events", summary="Filtered, sorted, paged events", response_model=None, responses=_ok(schemas.EventPage))
def api_events(request: Request, eq: Annotated[EventQuery, Depends(event_query)],
               pg: Annotated[Paging, Depends(paging)]) -> JSONResponse:
    """Returns `{total, page, page_size, pages, count, events}`; events are public event records."""
    flt = eq.filter()
    with _access(request).read() as store:
        total = store.count(flt)
        pg.check(total)
        events = list(queries.iter_events(store, flt, eq.sort, pg.page_size, pg.offset))
    return _json({"total": total, "page": pg.page, "page_size": pg.page_size, "pages": pg.pages(total),
                  "count": eq.count, "events": events})


@router.get("/facets", summary="Counts of the filtered events by type, quad, CAMEO root, country, sector, "
                               "publisher and date precision", response_model=None, responses=_ok(schemas.Facets))
def api_facets(request: Request, eq: Annotated[EventQuery, Depends(event_query)]) -> JSONResponse:
    flt = eq.filter()
    with _access(request).read() as store:
        return _json({"total": store.count(flt), "count": eq.count,
                      "facets": queries.facets(store, flt)})


LimitQ = Annotated[int | None, Query(ge=1, le=MAX_LIMIT, description=f"At most this many events (default: all, "
                                                                        f"up to {MAX_LIMIT:,}).")]
DyadicQ = Annotated[bool, Query(description="One row per actor-recipient pair (CAMEO convention).")]


def _records(access: StoreAccess, eq: EventQuery, limit: int | None, dyads: bool) -> Iterator[dict[str, Any]]:
    from detente.store.export import dyadic

    with access.read() as store:
        for rec in queries.iter_events(store, eq.filter(), eq.sort, limit):
            yield from (dyadic(rec) if dyads else (rec,))


@router.get("/events.csv", summary="Download the filtered events as CSV (streamed; cells never start a formula)",
            response_class=StreamingResponse, responses=CSV)
def api_events_csv(request: Request, eq: Annotated[EventQuery, Depends(event_query)], limit: LimitQ = None,
                   dyadic: DyadicQ = False) -> StreamingResponse:
    from detente.store.export import CSV_COLUMNS, flat

    rows = (flat(r) for r in _records(_access(request), eq, limit, dyadic))
    return downloads.csv_response(rows, CSV_COLUMNS + ["source_event_id"] * dyadic, "events.csv")


@router.get("/events.jsonl", summary="Download the filtered events as JSON Lines (streamed)",
            response_class=StreamingResponse, responses=JSONL)
def api_events_jsonl(request: Request, eq: Annotated[EventQuery, Depends(event_query)], limit: LimitQ = None,
                     dyadic: DyadicQ = False) -> StreamingResponse:
    access = _access(request)

    def lines() -> Iterator[str]:
        chunk: list[str] = []
        for rec in _records(access, eq, limit, dyadic):
            chunk.append(json.dumps(rec, ensure_ascii=False, default=str) + "\n")
            if len(chunk) >= 500:
                yield "".join(chunk)
                chunk = []
        yield "".join(chunk)

    return StreamingResponse(lines(), media_type="application/x-ndjson; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="events.jsonl"'})


@router.get("/event/{event_id}", summary="One event by id", response_model=None,
            responses=_ok(schemas.EventRecord))
def api_event(request: Request, event_id: Annotated[str, Path(max_length=200)]) -> JSONResponse:
    with _access(request).read() as store:
        ev = queries.event_by_id(store, event_id)
    if ev is None:
        raise WebError(404, f"no event with id {event_id!r}")
    return _json(ev)


@router.get("/documents", summary="Documents newest first, optionally those whose title, id or source "
                                  "contains q", response_model=None, responses=_ok(schemas.DocumentPage))
def api_documents(request: Request, pg: Annotated[Paging, Depends(paging)],
                  q: Annotated[str | None, Query(max_length=200, description="Text in the title, id or source "
                                                                              "(literal).")] = None) -> JSONResponse:
    q = q.strip() if q and q.strip() else None
    with _access(request).read() as store:
        total, docs = queries.documents(store, q, pg.page_size, pg.offset)
    pg.check(total)
    return _json({"total": total, "page": pg.page, "page_size": pg.page_size, "pages": pg.pages(total),
                  "documents": docs})


@router.get("/doc/{doc_id:path}", summary="One document: metadata, text and its events", response_model=None,
            responses=_ok(schemas.DocumentDetail))
def api_doc(request: Request, doc_id: str) -> JSONResponse:
    with _access(request).read() as store:
        doc = store.document(doc_id)
        if doc is None:
            raise WebError(404, f"no document with id {doc_id!r}")
        events = list(store.events(EventFilter(doc_id=doc_id), order="doc"))
    return _json({**bridge.jsonable(doc), "events": events})


@router.get("/actors", summary="Actors by name or alias (autocomplete); without q, the most active actors",
            response_model=None, responses=_ok(schemas.ActorMatches))
def api_actors(request: Request,
               q: Annotated[str, Query(max_length=100, description="A name, alias, capital, person or code: "
                                                                   "Russia, Kremlin, Putin, Hamas, RUS.")] = "",
               limit: Annotated[int, Query(ge=1, le=100, description="At most this many matches.")] = 10,
               ) -> JSONResponse:
    with _access(request).read() as store:
        counts = bridge.cached(("code_counts",), store, lambda: queries.code_counts(store))
    found = actors.search(q, counts, limit) if q.strip() else actors.top(counts, limit)
    return _json({"q": q, "matches": found})


def actor_view(store: Any, code: str, freq: str = "month", count: str = "clusters") -> dict[str, Any]:
    """What the actor page and its API twin show."""
    info = actors.describe(code)
    party = str(info["party"])
    profile = queries.actor_profile(store, code, count)
    partners, _ = bridge.attempt(bridge.partners, store, party, count)
    changes, _ = bridge.attempt(bridge.all_changes, store, count)
    series, _ = bridge.attempt(bridge.filter_series, store, queries.WebFilter(party=code, count=count), freq)
    return {**info, "aliases": actors.aliases(code), **profile, "partners": partners or [],
            "changes": [c for c in changes or [] if party in (c.get("a"), c.get("b"))], "series": series or [],
            "freq": freq, "count": count}


@router.get("/actor/{code}", summary="One actor: its events on each side, event mix, sectors, partners, "
                                     "changes and series", response_model=None, responses=_ok(schemas.Actor))
def api_actor(request: Request, code: str, freq: Annotated[str, Depends(frequency)],
              count: CountQ = "clusters") -> JSONResponse:
    code = actor_code(code, "code")
    with _access(request).read() as store:
        view = actor_view(store, code, freq, count)
    view.pop("freq")
    view.pop("count")
    return _json(view)


@router.get("/series", summary="The series of any event filter: per period, events by quad class and their "
                               "relations index", response_model=None, responses=_ok(schemas.Series))
def api_series(request: Request, eq: Annotated[EventQuery, Depends(event_query)],
               freq: Annotated[str, Depends(frequency)]) -> JSONResponse:
    """Takes the filters of `/api/events`. Events without a date and references to history are left out."""
    with _access(request).read() as store:
        series = bridge.filter_series(store, eq.filter(), freq)
    return _json({"freq": freq, "count": eq.count, "filters": _pairs(eq.params(sort=False)), "series": series})


def _pairs(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        out.setdefault(k, []).append(v)
    return {k: v[0] if len(v) == 1 else v for k, v in out.items()}


@router.get("/series.csv", summary="The series of an event filter as CSV", response_class=StreamingResponse,
            responses=CSV)
def api_series_csv(request: Request, eq: Annotated[EventQuery, Depends(event_query)],
                   freq: Annotated[str, Depends(frequency)]) -> StreamingResponse:
    with _access(request).read() as store:
        series = bridge.filter_series(store, eq.filter(), freq)
    return downloads.csv_response(iter(series), downloads.series_columns(series), "series.csv")


@router.get("/dyad/{a}/{b}", summary="A dyad's relations series and change points", response_model=None,
            responses=_ok(schemas.Dyad))
def api_dyad(request: Request, a: str, b: str, freq: Annotated[str, Depends(frequency)],
             count: CountQ = "clusters") -> JSONResponse:
    a, b = _dyad(a, b)
    with _access(request).read() as store:
        n_events = store.count(EventFilter.counted(dyad=(a, b), count=count))
        series = bridge.dyad_series(store, a, b, freq, count)
        changes = bridge.dyad_changes(store, a, b, freq, count)
    return _json({"a": a, "b": b, "freq": freq, "count": count, "n_events": n_events, "series": series,
                  "changes": changes})


def _dyad(a: str, b: str) -> tuple[str, str]:
    a, b = actor_code(a, "a"), actor_code(b, "b")
    if a == b:
        raise WebError(400, "a dyad needs two different actors")
    return a, b


@router.get("/dyad/{a}/{b}/series.csv", summary="A dyad's relations series as CSV", response_class=StreamingResponse,
            responses=CSV)
def api_dyad_csv(request: Request, a: str, b: str, freq: Annotated[str, Depends(frequency)],
                 count: CountQ = "clusters") -> StreamingResponse:
    a, b = _dyad(a, b)
    with _access(request).read() as store:
        series = bridge.dyad_series(store, a, b, freq, count)
    return downloads.csv_response(iter(series), downloads.series_columns(series), f"{a}-{b}-{freq}.csv")


DyadsQ = Annotated[list[str], Query(description="Dyads to overlay, as RUS-PAK; repeat for several (at most 8).")]


def compare_lines(store: Any, dyads: list[str], freq: str, count: str = "clusters") -> list[dict[str, Any]]:
    """The series of several dyads (the compare page and its API twin)."""
    if len(dyads) > 8:
        raise WebError(400, "dyad: at most 8 dyads on one chart")
    pairs = list(dict.fromkeys(dyad_pair(d) for d in dyads))
    return [{"dyad": f"{a}-{b}", "a": a, "b": b, "series": bridge.dyad_series(store, a, b, freq, count)}
            for a, b in pairs]


@router.get("/compare", summary="Several dyads' relations series, to overlay", response_model=None,
            responses=_ok(schemas.Compare))
def api_compare(request: Request, freq: Annotated[str, Depends(frequency)], dyad: DyadsQ,
                count: CountQ = "clusters") -> JSONResponse:
    with _access(request).read() as store:
        return _json({"freq": freq, "count": count, "dyads": compare_lines(store, dyad, freq, count)})


@router.get("/compare.csv", summary="Several dyads' relations series as one CSV (a dyad column first)",
            response_class=StreamingResponse, responses=CSV)
def api_compare_csv(request: Request, freq: Annotated[str, Depends(frequency)], dyad: DyadsQ,
                    count: CountQ = "clusters") -> StreamingResponse:
    with _access(request).read() as store:
        lines = compare_lines(store, dyad, freq, count)
    rows = [{"dyad": line["dyad"], **r} for line in lines for r in line["series"]]
    return downloads.csv_response(iter(rows), ["dyad", *downloads.series_columns(rows)], "compare.csv")


@router.get("/changes", summary="Change points in every dyad, strongest first", response_model=None,
            responses=_ok(schemas.Changes))
def api_changes(request: Request,
                limit: Annotated[int | None, Query(ge=1, le=10000, description="At most this many.")] = None,
                count: CountQ = "clusters") -> JSONResponse:
    with _access(request).read() as store:
        changes = bridge.all_changes(store, count)
    return _json({"total": len(changes), "changes": changes[:limit] if limit else changes})


@router.get("/network", summary="Signed network of a period, its structural balance and blocs", response_model=None,
            responses=_ok(schemas.Network))
def api_network(request: Request, span: Annotated[tuple, Depends(period)], count: CountQ = "clusters") -> JSONResponse:
    with _access(request).read() as store:
        return _json(bridge.network(store, *span, count))


@router.get("/network.graphml", summary="The signed network of a period as GraphML (Gephi, Cytoscape, networkx)",
            response_class=Response, responses=GRAPHML)
def api_network_graphml(request: Request, span: Annotated[tuple, Depends(period)],
                        count: CountQ = "clusters") -> Response:
    with _access(request).read() as store:
        net = bridge.network(store, *span, count)
    return Response(downloads.graphml(net), media_type="application/graphml+xml",
                    headers={"Content-Disposition": 'attachment; filename="network.graphml"'})


@router.get("/dyads", summary="The most active dyads", response_model=None, responses=_ok(schemas.Dyads))
def api_dyads(request: Request,
              n: Annotated[int, Query(ge=1, le=500, description="How many dyads (1-500).")] = 20,
              count: CountQ = "clusters") -> JSONResponse:
    with _access(request).read() as store:
        return _json({"count": count, "dyads": bridge.top_dyads(store, n, count)})
