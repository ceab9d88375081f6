"""Query parameters shared by the HTML pages and the JSON API, validated with clear messages."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Annotated, Optional

from fastapi import Query

from detente.ontology import EVENT_TYPES, QUAD_CLASSES
from detente.store import EventFilter

from .access import WebError

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50
SORTS = ("date", "-date", "score", "-score", "confidence", "-confidence", "type", "doc")
MODALS = ("include", "exclude")
FREQS = ("week", "month", "quarter")
COUNTS = ("clusters", "reports")  # events (duplicate reports once), or every stored report
_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{1,31}$")


def parse_day(value: str | None, name: str) -> dt.date | None:
    """A YYYY-MM-DD date, or None when empty; 400 otherwise."""
    if value is None or not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise WebError(400, f"{name}: invalid date {value.strip()!r} (use YYYY-MM-DD)") from None


def actor_code(value: str, name: str = "actor") -> str:
    """A country or actor code (RUS, RUSGOV, IGONATO, TALIBAN), upper-cased; 400 if malformed."""
    value = value.strip()
    if not _CODE.match(value):
        raise WebError(400, f"{name}: invalid actor code {value!r} (letters, digits, '_' or '-'; e.g. RUS, IGONATO)")
    return value.upper()


def _split(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out += [p.strip() for p in v.split(",") if p.strip()]
    return out


@dataclass
class EventQuery:
    """A validated event filter plus order, as given in the URL."""

    actor: str | None = None
    recipient: str | None = None
    types: list[str] = field(default_factory=list)
    quads: list[str] = field(default_factory=list)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str | None = None
    doc: str | None = None
    modal: str = "include"
    sort: str = "-date"
    place: str | None = None  # where: country of location, region or place name ("in")
    near: str | None = None  # PLACE[:KM] or LAT,LON[:KM], as given
    bbox: str | None = None  # WEST,SOUTH,EAST,NORTH, as given
    count: str = "clusters"

    def filter(self) -> EventFilter:
        from detente.geo.area import parse_bbox, parse_near

        return EventFilter(actor=self.actor, recipient=self.recipient, event_type=self.types or None,
                           quad_class=self.quads or None, date_from=self.date_from, date_to=self.date_to,
                           doc_id=self.doc, text=self.q, include_modal=self.modal == "include", place=self.place,
                           near=parse_near(self.near, "near") if self.near else None,
                           bbox=parse_bbox(self.bbox, "bbox") if self.bbox else None, count=self.count)

    def params(self) -> list[tuple[str, str]]:
        """The query string pairs that reproduce this query (defaults left out)."""
        out: list[tuple[str, str]] = []
        for key, value in (("actor", self.actor), ("recipient", self.recipient)):
            if value:
                out.append((key, value))
        out += [("type", t) for t in self.types] + [("quad", c) for c in self.quads]
        if self.date_from:
            out.append(("from", self.date_from.isoformat()))
        if self.date_to:
            out.append(("to", self.date_to.isoformat()))
        if self.q:
            out.append(("q", self.q))
        if self.doc:
            out.append(("doc", self.doc))
        for key, value in (("in", self.place), ("near", self.near), ("bbox", self.bbox)):
            if value:
                out.append((key, value))
        if self.modal != "include":
            out.append(("modal", self.modal))
        if self.sort != "-date":
            out.append(("sort", self.sort))
        if self.count != "clusters":
            out.append(("count", self.count))
        return out

    @property
    def active(self) -> bool:
        return bool(self.actor or self.recipient or self.types or self.quads or self.date_from or self.date_to
                    or self.q or self.doc or self.modal != "include" or self.place or self.near or self.bbox)


def event_query(
    actor: Annotated[Optional[str], Query(description="Actor country or code (RUS, RUSGOV, IGONATO, TALIBAN).")] = None,
    recipient: Annotated[Optional[str], Query(description="Recipient country or code.")] = None,
    type: Annotated[Optional[list[str]], Query(description="PLOVER event type; repeat or comma-separate for several.")] = None,
    quad: Annotated[Optional[list[str]], Query(description="Quad class; repeat or comma-separate for several.")] = None,
    date_from: Annotated[Optional[str], Query(alias="from", description="First date, YYYY-MM-DD.")] = None,
    date_to: Annotated[Optional[str], Query(alias="to", description="Last date, YYYY-MM-DD.")] = None,
    q: Annotated[Optional[str], Query(description="Text in the sentence or trigger.", max_length=200)] = None,
    doc: Annotated[Optional[str], Query(description="Only the events of this document id.", max_length=2000)] = None,
    modal: Annotated[str, Query(description="'include' or 'exclude' negated and hypothetical events.")] = "include",
    sort: Annotated[str, Query(description=f"Order: {', '.join(SORTS)} ('-' = descending).")] = "-date",
    place: Annotated[Optional[str], Query(alias="in", max_length=100, description="Where events happened: country of location (PAK), region (Punjab) or place (Kabul).")] = None,
    near: Annotated[Optional[str], Query(max_length=100, description="Within a radius: PLACE[:KM] or LAT,LON[:KM] (default 50 km).")] = None,
    bbox: Annotated[Optional[str], Query(max_length=100, description="Inside WEST,SOUTH,EAST,NORTH (degrees).")] = None,
    count: Annotated[str, Query(description="clusters: each event once, however many reports (default); "
                                            "reports: every stored report.")] = "clusters",
) -> EventQuery:
    """Parse and validate the event filter parameters."""
    types = [t.upper() for t in _split(type)]
    for t in types:
        if t not in EVENT_TYPES:
            raise WebError(400, f"type: unknown event type {t!r}; use one of {', '.join(EVENT_TYPES)}")
    quads = [c.lower() for c in _split(quad)]
    for c in quads:
        if c not in QUAD_CLASSES:
            raise WebError(400, f"quad: unknown quad class {c!r}; use one of {', '.join(QUAD_CLASSES)}")
    if modal not in MODALS:
        raise WebError(400, f"modal: must be 'include' or 'exclude', not {modal!r}")
    if sort not in SORTS:
        raise WebError(400, f"sort: unknown order {sort!r}; use one of {', '.join(SORTS)}")
    count = counting(count)
    eq = EventQuery(
        actor=actor_code(actor, "actor") if actor and actor.strip() else None,
        recipient=actor_code(recipient, "recipient") if recipient and recipient.strip() else None,
        types=list(dict.fromkeys(types)), quads=list(dict.fromkeys(quads)),
        date_from=parse_day(date_from, "from"), date_to=parse_day(date_to, "to"),
        q=q.strip() if q and q.strip() else None, doc=doc if doc else None, modal=modal, sort=sort,
        place=place.strip() if place and place.strip() else None, near=near.strip() if near and near.strip() else None,
        bbox=bbox.strip() if bbox and bbox.strip() else None, count=count)
    _check_area(eq)
    if eq.date_from and eq.date_to and eq.date_from > eq.date_to:
        raise WebError(400, f"from ({eq.date_from}) is after to ({eq.date_to})")
    return eq


def _check_area(eq: EventQuery) -> None:
    """Bad --near / bbox values are a 400 with the parser's message."""
    from detente.errors import DetenteError
    from detente.geo.area import parse_bbox, parse_near

    try:
        if eq.near:
            parse_near(eq.near, "near")
        if eq.bbox:
            parse_bbox(eq.bbox, "bbox")
    except DetenteError as exc:
        raise WebError(400, str(exc)) from None


@dataclass
class Paging:
    page: int
    page_size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


def paging(
    page: Annotated[int, Query(description="Page number, from 1.")] = 1,
    page_size: Annotated[int, Query(description=f"Events per page, 1 to {MAX_PAGE_SIZE}.")] = DEFAULT_PAGE_SIZE,
) -> Paging:
    """Validate page and page size."""
    if page < 1:
        raise WebError(400, f"page: must be 1 or more, not {page}")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise WebError(400, f"page_size: must be between 1 and {MAX_PAGE_SIZE}, not {page_size}")
    if page > 1_000_000:
        raise WebError(400, "page: too large")
    return Paging(page, page_size)


def period(
    date_from: Annotated[Optional[str], Query(alias="from", description="First date, YYYY-MM-DD.")] = None,
    date_to: Annotated[Optional[str], Query(alias="to", description="Last date, YYYY-MM-DD.")] = None,
) -> tuple[dt.date | None, dt.date | None]:
    """A validated date range."""
    a, b = parse_day(date_from, "from"), parse_day(date_to, "to")
    if a and b and a > b:
        raise WebError(400, f"from ({a}) is after to ({b})")
    return a, b


def frequency(
    freq: Annotated[str, Query(description=f"Series period: {', '.join(FREQS)}.")] = "month",
) -> str:
    """A validated series frequency."""
    if freq not in FREQS:
        raise WebError(400, f"freq: unknown frequency {freq!r}; use one of {', '.join(FREQS)}")
    return freq


def counting(
    count: Annotated[str, Query(description="clusters: each event once, however many reports (default); "
                                            "reports: every stored report.")] = "clusters",
) -> str:
    """A validated counting rule: the same on every page and endpoint."""
    if count not in COUNTS:
        raise WebError(400, f"count: use one of {', '.join(COUNTS)}, not {count!r}")
    return count
