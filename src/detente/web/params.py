"""Query parameters shared by the HTML pages and the JSON API, validated with clear messages.

Every number is bounded (Query ge/le, answered 400 when out of range), every date is exactly
YYYY-MM-DD, and every list is capped, so no parameter reaches the store unchecked.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import Annotated, Optional

from fastapi import Query

from detente.ontology import EVENT_TYPES, QUAD_CLASSES

from .access import WebError
from .queries import WebFilter

MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50
MAX_LIMIT = 10_000_000  # events in one download
MAX_VALUES = 50  # values of one repeatable parameter
SORT_KEYS = ("date", "score", "confidence", "type", "sources")
SORTS = (*SORT_KEYS, *(f"-{k}" for k in SORT_KEYS), "doc")
MODALS = ("include", "exclude")
COUNTS = ("clusters", "reports")  # events (duplicate reports once), or every stored report
FREQS = ("week", "month", "quarter")
PRECISIONS = ("day", "week", "month", "year", "publication")
CAMEO_ROOTS = tuple(f"{n:02d}" for n in range(1, 21))
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_CODE = re.compile(r"[A-Za-z][A-Za-z0-9_]{1,31}")
_SECTOR = re.compile(r"[A-Z]{3}")


def parse_day(value: str | None, name: str) -> dt.date | None:
    """A YYYY-MM-DD date (nothing else: no 20240101, no week dates), or None when empty; 400 otherwise."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        if not _DAY.fullmatch(text):
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise WebError(400, f"{name}: invalid date {text!r} (use YYYY-MM-DD)") from None


def actor_code(value: str, name: str = "actor") -> str:
    """A country or actor code (RUS, RUSGOV, IGONATO, TALIBAN), upper-cased; 400 if malformed."""
    value = value.strip()
    if not _CODE.fullmatch(value):
        raise WebError(400, f"{name}: invalid actor code {value!r} (letters, digits or '_'; e.g. RUS, IGONATO)")
    return value.upper()


def dyad_pair(value: str, name: str = "dyad") -> tuple[str, str]:
    """'RUS-PAK' -> ('RUS', 'PAK'); 400 unless two different codes."""
    a, sep, b = value.strip().partition("-")
    if not sep:
        raise WebError(400, f"{name}: {value.strip()!r} is not a pair of actors; write it as RUS-PAK")
    a, b = actor_code(a, name), actor_code(b, name)
    if a == b:
        raise WebError(400, f"{name}: a dyad needs two different actors (got {a} twice)")
    return a, b


def _split(values: list[str] | None, name: str) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out += [p.strip() for p in v.split(",") if p.strip()]
    if len(out) > MAX_VALUES:
        raise WebError(400, f"{name}: at most {MAX_VALUES} values")
    return list(dict.fromkeys(out))


def _choices(values: list[str], allowed: tuple[str, ...], name: str, what: str) -> list[str]:
    for v in values:
        if v not in allowed:
            raise WebError(400, f"{name}: unknown {what} {v!r}; use one of {', '.join(allowed)}")
    return values


def _fmt(value: float) -> str:
    return f"{value:g}"


@dataclass
class EventQuery:
    """A validated event filter plus order and count mode, as given in the URL."""

    actor: str | None = None
    recipient: str | None = None
    party: str | None = None
    dyad: tuple[str, str] | None = None
    actor_sectors: list[str] = field(default_factory=list)
    recipient_sectors: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    quads: list[str] = field(default_factory=list)
    cameo: list[str] = field(default_factory=list)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    goldstein_min: float | None = None
    goldstein_max: float | None = None
    score_min: float | None = None
    score_max: float | None = None
    confidence_min: float | None = None
    confidence_max: float | None = None
    precisions: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    q: str | None = None
    doc: str | None = None
    modal: str = "include"
    background: str = "include"
    count: str = "clusters"
    sort: str = "-date"
    place: str | None = None  # where: country of location, region or place name ("in")
    near: str | None = None  # PLACE[:KM] or LAT,LON[:KM], as given
    bbox: str | None = None  # WEST,SOUTH,EAST,NORTH, as given

    def filter(self, **extra: object) -> WebFilter:
        from detente.geo.area import parse_bbox, parse_near

        return WebFilter(
            actor=self.actor, recipient=self.recipient, dyad=self.dyad, event_type=self.types or None,
            quad_class=self.quads or None, date_from=self.date_from, date_to=self.date_to, doc_id=self.doc,
            text=self.q, include_modal=self.modal == "include", include_background=self.background == "include",
            count=self.count, party=self.party,
            actor_sectors=self.actor_sectors or None, recipient_sectors=self.recipient_sectors or None,
            cameo_roots=self.cameo or None, goldstein=(self.goldstein_min, self.goldstein_max),
            score=(self.score_min, self.score_max), confidence=(self.confidence_min, self.confidence_max),
            precisions=self.precisions or None, sources=self.sources or None, place=self.place,
            near=parse_near(self.near, "near") if self.near else None,
            bbox=parse_bbox(self.bbox, "bbox") if self.bbox else None, **extra)

    def params(self, sort: bool = True) -> list[tuple[str, str]]:
        """The query string pairs that reproduce this query (defaults left out)."""
        out: list[tuple[str, str]] = []
        for key, value in (("actor", self.actor), ("recipient", self.recipient), ("party", self.party)):
            if value:
                out.append((key, value))
        if self.dyad:
            out.append(("dyad", "-".join(self.dyad)))
        out += [("actor_sector", s) for s in self.actor_sectors]
        out += [("recipient_sector", s) for s in self.recipient_sectors]
        out += [("type", t) for t in self.types] + [("quad", c) for c in self.quads]
        out += [("cameo", c) for c in self.cameo]
        if self.date_from:
            out.append(("from", self.date_from.isoformat()))
        if self.date_to:
            out.append(("to", self.date_to.isoformat()))
        for key in ("goldstein_min", "goldstein_max", "score_min", "score_max", "confidence_min", "confidence_max"):
            value = getattr(self, key)
            if value is not None:
                out.append((key, _fmt(value)))
        out += [("precision", p) for p in self.precisions] + [("source", s) for s in self.sources]
        if self.q:
            out.append(("q", self.q))
        if self.doc:
            out.append(("doc", self.doc))
        for key, value in (("in", self.place), ("near", self.near), ("bbox", self.bbox)):
            if value:
                out.append((key, value))
        if self.modal != "include":
            out.append(("modal", self.modal))
        if self.background != "include":
            out.append(("background", self.background))
        if self.count != "clusters":
            out.append(("count", self.count))
        if sort and self.sort != "-date":
            out.append(("sort", self.sort))
        return out

    @property
    def active(self) -> bool:
        """Whether anything narrows the events (order and count mode do not)."""
        return bool([k for k, _ in self.params(sort=False) if k != "count"])

    @property
    def advanced(self) -> bool:
        """Whether a filter of the 'more filters' part of the form is set."""
        return bool(self.cameo or self.precisions or self.sources or self.actor_sectors or self.recipient_sectors
                    or self.party or self.dyad or self.place or self.near or self.bbox or any(getattr(self, k) is not None for k in (
                        "goldstein_min", "goldstein_max", "score_min", "score_max", "confidence_min",
                        "confidence_max")))


def _range(low: float | None, high: float | None, name: str) -> None:
    if low is not None and high is not None and low > high:
        raise WebError(400, f"{name}_min ({_fmt(low)}) is above {name}_max ({_fmt(high)})")


FROM = Query(alias="from", description="First date, YYYY-MM-DD.", max_length=40)
TO = Query(alias="to", description="Last date, YYYY-MM-DD.", max_length=40)
Score = Annotated[Optional[float], Query(ge=-10, le=10, allow_inf_nan=False)]
Share = Annotated[Optional[float], Query(ge=0, le=1, allow_inf_nan=False)]
COUNT_HELP = ("clusters: each event once, however many reports (default; the report that stands for it is "
              "shown); reports: every stored report.")
Words = Annotated[Optional[list[str]], Query()]


def event_query(
    actor: Annotated[Optional[str], Query(description="Actor country or code (RUS, RUSGOV, IGONATO, TALIBAN).",
                                          max_length=40)] = None,
    recipient: Annotated[Optional[str], Query(description="Recipient country or code.", max_length=40)] = None,
    party: Annotated[Optional[str], Query(description="Actor or recipient: events involving this code on either "
                                                      "side.", max_length=40)] = None,
    dyad: Annotated[Optional[str], Query(description="Events between two actors, either direction: RUS-PAK.",
                                         max_length=80)] = None,
    actor_sector: Annotated[Words, Query(description="Actor sector (GOV, MIL, REB, OPP, ...); repeatable.")] = None,
    recipient_sector: Annotated[Words, Query(description="Recipient sector; repeatable.")] = None,
    type: Annotated[Words, Query(description="PLOVER event type; repeat or comma-separate for several.")] = None,
    quad: Annotated[Words, Query(description="Quad class; repeat or comma-separate for several.")] = None,
    cameo: Annotated[Words, Query(description="CAMEO root code, 01 to 20; repeatable.")] = None,
    date_from: Annotated[Optional[str], FROM] = None,
    date_to: Annotated[Optional[str], TO] = None,
    goldstein_min: Annotated[Score, Query(description="Lowest Goldstein score (-10 to 10).")] = None,
    goldstein_max: Annotated[Score, Query(description="Highest Goldstein score (-10 to 10).")] = None,
    score_min: Annotated[Score, Query(description="Lowest PLOVER score (-10 to 10).")] = None,
    score_max: Annotated[Score, Query(description="Highest PLOVER score (-10 to 10).")] = None,
    confidence_min: Annotated[Share, Query(description="Lowest coder confidence (0 to 1).")] = None,
    confidence_max: Annotated[Share, Query(description="Highest coder confidence (0 to 1).")] = None,
    precision: Annotated[Words, Query(description=f"Date precision: {', '.join(PRECISIONS)}; repeatable.")] = None,
    source: Annotated[Words, Query(description="Publisher (the document's source), exactly; repeatable.")] = None,
    q: Annotated[Optional[str], Query(description="Text in the sentence or trigger (literal: % and _ are not "
                                                  "wildcards).", max_length=200)] = None,
    doc: Annotated[Optional[str], Query(description="Only the events of this document id.", max_length=2000)] = None,
    modal: Annotated[str, Query(description="'include' or 'exclude' negated and hypothetical events.")] = "include",
    background: Annotated[str, Query(description="'include' or 'exclude' background: what the coder marks "
                                                 "historical or habitual (series leave it out).")] = "include",
    count: Annotated[str, Query(description=COUNT_HELP)] = "clusters",
    sort: Annotated[str, Query(description=f"Order: {', '.join(SORTS)} ('-' = descending).")] = "-date",
    place: Annotated[Optional[str], Query(alias="in", max_length=100, description="Where events happened: country "
                                          "of location (PAK), region (Punjab) or place (Kabul).")] = None,
    near: Annotated[Optional[str], Query(max_length=100, description="Within a radius: PLACE[:KM] or "
                                                                     "LAT,LON[:KM] (default 50 km).")] = None,
    bbox: Annotated[Optional[str], Query(max_length=100, description="Inside WEST,SOUTH,EAST,NORTH "
                                                                     "(degrees).")] = None,
) -> EventQuery:
    """Parse and validate the event filter parameters."""
    if modal not in MODALS:
        raise WebError(400, f"modal: must be 'include' or 'exclude', not {modal!r}")
    if background not in MODALS:
        raise WebError(400, f"background: must be 'include' or 'exclude', not {background!r}")
    count = counting(count)
    if sort not in SORTS:
        raise WebError(400, f"sort: unknown order {sort!r}; use one of {', '.join(SORTS)}")
    sectors = {}
    for name, values in (("actor_sector", actor_sector), ("recipient_sector", recipient_sector)):
        sectors[name] = [s.upper() for s in _split(values, name)]
        for s in sectors[name]:
            if not _SECTOR.fullmatch(s):
                raise WebError(400, f"{name}: invalid sector {s!r} (three letters: GOV, MIL, REB, ...)")
    sources = list(dict.fromkeys(s.strip() for s in source or [] if s.strip()))  # names may hold commas
    if len(sources) > MAX_VALUES or any(len(s) > 200 for s in sources):
        raise WebError(400, f"source: at most {MAX_VALUES} publishers of at most 200 characters")
    eq = EventQuery(
        actor=actor_code(actor, "actor") if actor and actor.strip() else None,
        recipient=actor_code(recipient, "recipient") if recipient and recipient.strip() else None,
        party=actor_code(party, "party") if party and party.strip() else None,
        dyad=dyad_pair(dyad) if dyad and dyad.strip() else None,
        actor_sectors=sectors["actor_sector"], recipient_sectors=sectors["recipient_sector"],
        types=_choices([t.upper() for t in _split(type, "type")], EVENT_TYPES, "type", "event type"),
        quads=_choices([c.lower() for c in _split(quad, "quad")], QUAD_CLASSES, "quad", "quad class"),
        cameo=_choices([c.zfill(2) for c in _split(cameo, "cameo")], CAMEO_ROOTS, "cameo", "CAMEO root"),
        date_from=parse_day(date_from, "from"), date_to=parse_day(date_to, "to"),
        goldstein_min=goldstein_min, goldstein_max=goldstein_max, score_min=score_min, score_max=score_max,
        confidence_min=confidence_min, confidence_max=confidence_max,
        precisions=_choices([p.lower() for p in _split(precision, "precision")], PRECISIONS, "precision",
                            "date precision"),
        sources=sources, q=q.strip() if q and q.strip() else None, doc=doc if doc else None, modal=modal,
        background=background, count=count, sort=sort, place=place.strip() if place and place.strip() else None,
        near=near.strip() if near and near.strip() else None, bbox=bbox.strip() if bbox and bbox.strip() else None)
    _check_area(eq)
    if eq.date_from and eq.date_to and eq.date_from > eq.date_to:
        raise WebError(400, f"from ({eq.date_from}) is after to ({eq.date_to})")
    _range(eq.goldstein_min, eq.goldstein_max, "goldstein")
    _range(eq.score_min, eq.score_max, "score")
    _range(eq.confidence_min, eq.confidence_max, "confidence")
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

    def pages(self, total: int) -> int:
        return max(1, math.ceil(total / self.page_size))

    def check(self, total: int) -> None:
        """The one rule for pages past the end, in pages and API alike: 404."""
        if self.page > self.pages(total):
            raise WebError(404, f"page {self.page} is past the last page ({self.pages(total)})")


def paging(
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1.")] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE,
                                    description=f"Items per page, 1 to {MAX_PAGE_SIZE}.")] = DEFAULT_PAGE_SIZE,
) -> Paging:
    """Page and page size (bounded by the Query limits)."""
    return Paging(page, page_size)


def period(
    date_from: Annotated[Optional[str], FROM] = None,
    date_to: Annotated[Optional[str], TO] = None,
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
    count: Annotated[str, Query(description=COUNT_HELP)] = "clusters",
) -> str:
    """A validated counting rule: the same on every page and endpoint."""
    if count not in COUNTS:
        raise WebError(400, f"count: use one of {', '.join(COUNTS)}, not {count!r}")
    return count
