"""The JSON API under /api (OpenAPI schema at /openapi.json, docs at /docs)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import StreamingResponse

from detente.store import EventFilter
from detente.store.export import CSV_COLUMNS, dyadic, flat

from . import bridge, queries
from .access import StoreAccess, WebError
from .params import EventQuery, Paging, actor_code, counting, event_query, frequency, paging, period

router = APIRouter(prefix="/api", tags=["api"])


def _access(request: Request) -> StoreAccess:
    return request.app.state.access


CountQ = Annotated[str, Depends(counting)]


@router.get("/stats", summary="Corpus size, date spans, counts by event type and quad class")
def api_stats(request: Request, count: CountQ = "clusters") -> dict[str, Any]:
    with _access(request).read() as store:
        return queries.corpus_stats(store, count)


@router.get("/events", summary="Filtered, sorted, paged events")
def api_events(request: Request, eq: Annotated[EventQuery, Depends(event_query)],
               pg: Annotated[Paging, Depends(paging)]) -> dict[str, Any]:
    """Returns `{total, page, page_size, pages, events}`; events are public event records."""
    flt = eq.filter()
    with _access(request).read() as store:
        total = store.count(flt)
        events = list(store.events(flt, limit=pg.page_size, offset=pg.offset, order=eq.sort))
    return {"total": total, "page": pg.page, "page_size": pg.page_size,
            "pages": max(1, -(-total // pg.page_size)), "events": events}


LimitQ = Annotated[int | None, Query(ge=1, description="At most this many events (default: all).")]
DyadicQ = Annotated[bool, Query(description="One row per actor-recipient pair (CAMEO convention).")]


def _records(access: StoreAccess, eq: EventQuery, limit: int | None, dyads: bool) -> Iterator[dict[str, Any]]:
    with access.read() as store:
        for rec in store.events(eq.filter(), limit=limit, order=eq.sort):
            yield from (dyadic(rec) if dyads else (rec,))


@router.get("/events.csv", summary="Download the filtered events as CSV (streamed)",
            response_class=StreamingResponse, responses={200: {"content": {"text/csv": {}}}})
def api_events_csv(request: Request, eq: Annotated[EventQuery, Depends(event_query)], limit: LimitQ = None,
                   dyadic: DyadicQ = False) -> StreamingResponse:
    access = _access(request)

    def rows() -> Iterator[str]:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS + ["source_event_id"] * dyadic, extrasaction="ignore")
        writer.writeheader()
        for rec in _records(access, eq, limit, dyadic):
            writer.writerow(flat(rec))
            if buf.tell() > 65536:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue()

    return StreamingResponse(rows(), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="events.csv"'})


@router.get("/events.jsonl", summary="Download the filtered events as JSON Lines (streamed)",
            response_class=StreamingResponse, responses={200: {"content": {"application/x-ndjson": {}}}})
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


@router.get("/event/{event_id}", summary="One event by id")
def api_event(request: Request, event_id: Annotated[str, Path(max_length=200)]) -> dict[str, Any]:
    with _access(request).read() as store:
        ev = queries.event_by_id(store, event_id)
    if ev is None:
        raise WebError(404, f"no event with id {event_id!r}")
    return ev


@router.get("/doc/{doc_id:path}", summary="One document: metadata, text and its events")
def api_doc(request: Request, doc_id: str) -> dict[str, Any]:
    with _access(request).read() as store:
        doc = store.document(doc_id)
        if doc is None:
            raise WebError(404, f"no document with id {doc_id!r}")
        events = list(store.events(EventFilter(doc_id=doc_id), order="doc"))
    return {**bridge.jsonable(doc), "events": events}


@router.get("/dyad/{a}/{b}", summary="A dyad's relations series and change points")
def api_dyad(request: Request, a: str, b: str, freq: Annotated[str, Depends(frequency)],
             count: CountQ = "clusters") -> dict[str, Any]:
    a, b = actor_code(a, "a"), actor_code(b, "b")
    if a == b:
        raise WebError(400, "a dyad needs two different actors")
    with _access(request).read() as store:
        n_events = store.count(EventFilter.counted(dyad=(a, b), count=count))
        series = bridge.dyad_series(store, a, b, freq, count)
        changes = bridge.dyad_changes(store, a, b, freq, count)
    return {"a": a, "b": b, "freq": freq, "count": count, "n_events": n_events, "series": series, "changes": changes}


@router.get("/changes", summary="Change points in every dyad, strongest first")
def api_changes(request: Request,
                limit: Annotated[int | None, Query(ge=1, le=10000, description="At most this many.")] = None,
                count: CountQ = "clusters") -> dict[str, Any]:
    with _access(request).read() as store:
        changes = bridge.all_changes(store, count)
    return {"total": len(changes), "changes": changes[:limit] if limit else changes}


@router.get("/network", summary="Signed network of a period, its structural balance and blocs")
def api_network(request: Request, span: Annotated[tuple, Depends(period)], count: CountQ = "clusters") -> dict[str, Any]:
    with _access(request).read() as store:
        return bridge.network(store, *span, count)


@router.get("/dyads", summary="The most active dyads")
def api_dyads(request: Request,
              n: Annotated[int, Query(ge=1, le=500, description="How many dyads (1-500).")] = 20,
              count: CountQ = "clusters") -> dict[str, Any]:
    with _access(request).read() as store:
        return {"count": count, "dyads": bridge.top_dyads(store, n, count)}
