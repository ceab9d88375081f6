"""The JSON API's response shapes, for the OpenAPI schema (the tests check real responses against them)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from detente.models import Event


class Error(BaseModel):
    """Every error of the API."""

    error: str = Field(description="what went wrong, in one line")
    status: int = Field(description="the HTTP status again")


class EventRecord(Event):
    """A stored event: the public event record plus its de-duplication cluster."""

    event_cluster_id: str | None = Field(None, description="events reported by several documents share this id")
    sources_count: int | None = Field(None, description="how many documents reported this event")


class Stats(BaseModel):
    documents: int
    events: int = Field(description="events, duplicate reports counted once")
    reports: int = Field(description="stored rows: every report of every event")
    actors: int
    negated_or_hypothetical: int
    first_date: str | None
    last_date: str | None
    first_pub_date: str | None
    last_pub_date: str | None
    event_types: dict[str, int]
    quad_classes: dict[str, int]


class EventPage(BaseModel):
    total: int
    page: int
    page_size: int
    pages: int
    count: str = Field(description="'events' or 'reports'")
    events: list[EventRecord]


class FacetValue(BaseModel):
    value: str
    n: int


class Facets(BaseModel):
    total: int
    count: str
    facets: dict[str, list[FacetValue]] = Field(description="type, quad, cameo, actor, recipient, actor_sector, "
                                                            "recipient_sector, source, precision")


class DocumentSummary(BaseModel):
    doc_id: str
    title: str | None
    source: str | None
    url: str | None
    pub_date: str | None
    n_events: int | None


class DocumentPage(BaseModel):
    total: int
    page: int
    page_size: int
    pages: int
    documents: list[DocumentSummary]


class DocumentDetail(BaseModel):
    model_config = ConfigDict(extra="allow")

    doc_id: str
    title: str | None = None
    text: str | None = None
    pub_date: str | None = None
    events: list[EventRecord]


class Period(BaseModel):
    """One period of a series: counts by quad class, scores and the relations index."""

    model_config = ConfigDict(extra="allow")

    period: str
    start: str
    end: str
    n_events: int
    index: float | None = None
    index_smoothed: float | None = None
    index_low: float | None = None
    index_high: float | None = None


class Change(BaseModel):
    model_config = ConfigDict(extra="allow")

    a: str | None
    b: str | None
    label: str
    start: str | None
    end: str | None
    before: float | None
    after: float | None
    evidence: list[dict[str, Any]]


class Dyad(BaseModel):
    a: str
    b: str
    freq: str
    series: list[Period]
    changes: list[Change]


class Series(BaseModel):
    freq: str
    count: str
    filters: dict[str, Any] = Field(description="the query that selected the events")
    series: list[Period]


class CompareLine(BaseModel):
    dyad: str
    a: str
    b: str
    series: list[Period]


class Compare(BaseModel):
    freq: str
    dyads: list[CompareLine]


class Changes(BaseModel):
    total: int
    changes: list[Change]


class DyadSummary(BaseModel):
    model_config = ConfigDict(extra="allow")

    dyad: str
    a: str
    b: str
    name: str | None = None
    n_events: int
    index: float | None = None
    first: str | None = None
    last: str | None = None


class Dyads(BaseModel):
    dyads: list[DyadSummary]


class Node(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    bloc: int | None
    degree: int


class Edge(BaseModel):
    model_config = ConfigDict(extra="allow")

    source: str
    target: str


class Network(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    date_from: str | None = Field(alias="from")
    date_to: str | None = Field(alias="to")
    nodes: list[Node]
    edges: list[Edge]
    balance: dict[str, Any]
    blocs: list[list[str]]


class ActorMatch(BaseModel):
    code: str = Field(description="the code to filter by (RUS, RUSGOV, IGONATO, HAMAS)")
    name: str
    kind: str = Field(description="state, igo, group, person or code")
    matched: str = Field(description="the name or alias that matched")
    note: str | None = Field(None, description="who a person is, when")
    events: int = Field(description="events in this store with this actor on either side")


class ActorMatches(BaseModel):
    q: str
    matches: list[ActorMatch]


class ActorSide(BaseModel):
    events: int
    first: str | None
    last: str | None
    types: list[dict[str, Any]]


class Actor(BaseModel):
    code: str
    party: str = Field(description="the country, IGO or group the code belongs to (its dyads are the party's)")
    sector: str | None
    name: str
    kind: str
    aliases: list[str]
    events: int
    actor: ActorSide
    recipient: ActorSide
    sectors: list[dict[str, Any]]
    partners: list[DyadSummary]
    changes: list[Change]
    series: list[Period]


class Place(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str | None
    country: str | None
    admin1: str | None = None
    lat: float
    lon: float
    events: int
    quad: str = Field(description="the most frequent quad class here")


class Places(BaseModel):
    places: list[Place]
