"""The map: where events happened, as a page (/map) and as JSON (/api/places)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from detente.ontology import QUAD_CLASSES

from . import schemas
from .access import StoreAccess
from .api import ERRORS
from .params import EventQuery, event_query
from .render import query_url
from .ui import render

router = APIRouter()
MAX_PLACES = 2000
ViewQ = Annotated[str, Query(pattern="^(fit|world)$", description="'fit' zooms to the events, 'world' shows it all.")]
LimitQ = Annotated[int, Query(ge=1, le=MAX_PLACES, description=f"At most this many places (1 to {MAX_PLACES}).")]


def _access(request: Request) -> StoreAccess:
    return request.app.state.access


def _places(request: Request, eq: EventQuery, limit: int) -> list[dict[str, Any]]:
    from detente.analysis.places import event_places

    with _access(request).read() as store:
        return event_places(store, eq.filter(), limit)


def place_events_url(eq: EventQuery, place: dict[str, Any]) -> str:
    """The events browser filtered to one place (and the map's other filters)."""
    pairs = [(k, v) for k, v in eq.params() if k not in ("in", "near", "bbox", "sort")]
    return query_url("/events", [*pairs, ("near", f"{place['lat']},{place['lon']}:1")])


@router.get("/api/places", tags=["api"], summary="Places with located events, counted by quad class",
            response_model=None, responses={**ERRORS, 200: {"model": schemas.Places}})
def api_places(request: Request, eq: Annotated[EventQuery, Depends(event_query)],
               limit: LimitQ = 500) -> JSONResponse:
    """Returns `{places}`: name, country (ISO3), admin1, feature, lat, lon, events, a count per quad
    class and `quad`, the most frequent one. Takes the event filters of /api/events, including
    `in`, `near` and `bbox`. Duplicate reports count once."""
    return JSONResponse({"places": _places(request, eq, limit)})


@router.get("/map", response_class=HTMLResponse, include_in_schema=False)
def map_page(request: Request, eq: Annotated[EventQuery, Depends(event_query)], view: ViewQ = "fit",
             limit: LimitQ = 500) -> HTMLResponse:
    from detente.geo.draw import legend, map_svg

    places = _places(request, eq, limit)
    svg = map_svg(places, href=lambda p: place_events_url(eq, p), fit=view == "fit")
    located = sum(p["events"] for p in places)
    return render(request, "map.html", eq=eq, places=places, svg=svg, legend=legend(), view=view, located=located,
                  quad_classes=QUAD_CLASSES, events_url=lambda p: place_events_url(eq, p),
                  view_url=lambda v: query_url("/map", [*eq.params(), ("view", v)]))
