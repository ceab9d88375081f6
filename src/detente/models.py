"""The typed records that flow between stages; the one source of the JSON Schema."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from pydantic import BaseModel, ConfigDict, Field


class Document(BaseModel):
    """An article after ingest: clean main text plus metadata."""

    model_config = ConfigDict(frozen=True)

    doc_id: str
    text: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    author: str | None = None
    pub_date: dt.date | None = None
    path: str | None = None
    content_hash: str = ""

    @staticmethod
    def hash_text(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Actor(BaseModel):
    """One coded entity: a state, an IGO, a non-state group or a person."""

    text: str = Field(description="the words in the sentence")
    code: str = Field(description="country + sector (RUSGOV), IGO code (IGONATO) or group code")
    country: str | None = Field(None, description="ISO 3166-1 alpha-3, null for IGOs and transnational groups")
    sector: str | None = Field(None, description="PLOVER sector code (GOV, MIL, REB, ...)")
    name: str | None = Field(None, description="canonical name")
    kind: str | None = Field(None, description="state, igo, group, person, or role (a role word with no named actor: \"police\")")


class Location(BaseModel):
    """Where an event happened, and which rule said so."""

    text: str = Field(description="the words that place the event (\"near the Line of Control\"), or the dateline")
    name: str | None = Field(None, description="the place's name in the gazetteer")
    country: str | None = Field(None, description="ISO 3166-1 alpha-3 of the place; null for seas and borders between states")
    admin1: str | None = Field(None, description="first-level region (province, state, oblast)")
    lat: float | None = None
    lon: float | None = None
    feature: str = Field("city", description="city, region, country, facility, border or sea")
    precision: str = Field("event", description="the rule that placed it: event (the predicate's own place phrase), "
                                                "sentence, dateline, or target (the country the act was done in)")
    geonames_id: int | None = Field(None, description="GeoNames id, where the place is a GeoNames city")


class Event(BaseModel):
    """One coded political event (PLOVER field names)."""

    id: str
    doc_id: str
    sentence_index: int
    sentence: str
    date: dt.date | None = None
    date_precision: str = Field("publication", description="day, week, month, year, or publication (no time expression: the publication date)")
    pub_date: dt.date | None = None
    event_type: str
    mode: str | None = None
    contexts: list[str] = Field(default_factory=list)
    quad_class: str
    plover_score: float
    cameo_code: str
    goldstein: float | None = None
    actor: list[Actor]
    recipient: list[Actor] = Field(default_factory=list)
    trigger: str
    negated: bool = False
    hypothetical: bool = False
    future: bool = False
    historical: bool = False
    confidence: float
    coder: str
    location: Location | None = Field(None, description="where the event happened, or null when nothing places it")

    @staticmethod
    def make_id(doc_id: str, sentence_index: int, event_type: str, actor: list[Actor],
                recipient: list[Actor], trigger: str) -> str:
        key = json.dumps([doc_id, sentence_index, event_type, [a.code for a in actor],
                          [r.code for r in recipient], trigger])
        return hashlib.sha1(key.encode("utf-8")).hexdigest()[:20]


class Failure(BaseModel):
    """A document, file or input record that could not be read or coded (the run goes on)."""

    model_config = ConfigDict(frozen=True)

    doc_id: str | None = Field(None, description="the document's id; null when the input never became a document")
    path: str | None = Field(None, description="the file it came from, with ':line' or ':item N' for a record")
    stage: str = Field(description="read, code, timeout (over the time limit) or crash (the worker process died)")
    error: str = Field(description="what went wrong, one line")
    content_hash: str = Field("", description="of the document's text, or of the bytes that could not be read")

    @property
    def key(self) -> str:
        """What identifies the failed input across runs: the document id, else its file (and record)."""
        return self.doc_id or self.path or self.content_hash


def event_json_schema() -> dict:
    return Event.model_json_schema()
