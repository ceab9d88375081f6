"""The store's tables: their schema, and events as flat rows and back."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import duckdb
import pyarrow as pa

from detente.models import Actor, Event, Failure

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id VARCHAR PRIMARY KEY,
    content_hash VARCHAR NOT NULL,
    title VARCHAR, url VARCHAR, source VARCHAR, author VARCHAR,
    pub_date DATE, path VARCHAR, text VARCHAR,
    n_events INTEGER, ingested_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS events (
    id VARCHAR PRIMARY KEY,
    doc_id VARCHAR NOT NULL,
    sentence_index INTEGER, sentence VARCHAR,
    date DATE, date_precision VARCHAR, pub_date DATE,
    event_type VARCHAR, mode VARCHAR, contexts VARCHAR[],
    quad_class VARCHAR, plover_score DOUBLE, cameo_code VARCHAR, goldstein DOUBLE,
    actor JSON, recipient JSON,
    actor_codes VARCHAR[], recipient_codes VARCHAR[],
    actor_countries VARCHAR[], recipient_countries VARCHAR[],
    trigger VARCHAR,
    negated BOOLEAN, hypothetical BOOLEAN, future BOOLEAN, historical BOOLEAN,
    confidence DOUBLE, coder VARCHAR,
    event_cluster_id VARCHAR, sources_count INTEGER,
    location JSON, location_country VARCHAR, location_admin1 VARCHAR, location_name VARCHAR,
    location_lat DOUBLE, location_lon DOUBLE
);
CREATE TABLE IF NOT EXISTS failures (
    key VARCHAR PRIMARY KEY,
    doc_id VARCHAR, path VARCHAR, source VARCHAR,
    stage VARCHAR, error VARCHAR, content_hash VARCHAR,
    attempts INTEGER, first_failed_at TIMESTAMP, failed_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS watch_state (
    key VARCHAR PRIMARY KEY,
    source VARCHAR, kind VARCHAR,
    etag VARCHAR, last_modified VARCHAR, mtime_ns BIGINT, size BIGINT,
    content_hash VARCHAR, doc_id VARCHAR, value VARCHAR, updated_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS alerts (
    id VARCHAR PRIMARY KEY,
    rule VARCHAR, kind VARCHAR, dyad VARCHAR, a VARCHAR, b VARCHAR,
    label VARCHAR, period VARCHAR, start DATE,
    before DOUBLE, after DOUBLE, strength DOUBLE, n_events INTEGER, baseline DOUBLE,
    message VARCHAR, evidence JSON,
    fired_at TIMESTAMP, webhook VARCHAR, delivered_at TIMESTAMP, delivery_error VARCHAR
);
"""
# Tables added after the first release (a store created before gets them on its next write):
# what `detente watch` remembers between cycles (files, feeds and feed items seen, marks), and
# the alerts it fired. Each row is keyed by its first column.
WATCH_TABLES = {"watch_state": "key", "alerts": "id"}
# Added after the first release: stores created before get them on their next write.
LOCATION_COLUMNS = {"location": "JSON", "location_country": "VARCHAR", "location_admin1": "VARCHAR",
                    "location_name": "VARCHAR", "location_lat": "DOUBLE", "location_lon": "DOUBLE"}
# Columns that only serve queries: not part of the public record.
DERIVED_COLUMNS = ("actor_codes", "recipient_codes", "actor_countries", "recipient_countries", "location_country",
                   "location_admin1", "location_name", "location_lat", "location_lon")

# When an event happened, and how precisely that is known. DAY_SQL is its date (the
# publication date when the text gives none); a month- or year-precise date stands for the
# whole month or year, so its span ends at SPAN_END_SQL. PRECISION_RANK_SQL orders reports
# from the most precise date (day) to the least (year).
DAY_SQL = "COALESCE(date, pub_date)"
PRECISION_RANK_SQL = ("CASE date_precision WHEN 'day' THEN 0 WHEN 'publication' THEN 1 WHEN 'week' THEN 2 "
                      "WHEN 'month' THEN 3 WHEN 'year' THEN 4 ELSE 1 END")
SPAN_END_SQL = (f"CASE date_precision WHEN 'month' THEN last_day({DAY_SQL}) "
                f"WHEN 'year' THEN make_date(year({DAY_SQL}), 12, 31) ELSE {DAY_SQL} END")
# The report that stands for an event reported several times (rows of one event_cluster_id):
# the most precisely dated, then the earliest, then the most confident. Its date is the event's.
REPRESENTATIVE_SQL = f"{PRECISION_RANK_SQL}, {DAY_SQL}, COALESCE(confidence, 0) DESC, id"
# Lists in date order: an imprecise event comes after the precise events of its period,
# oldest first (after the period's last day) as well as newest first (below its first day, and
# never above the day of the article that reports it: "next year" is no newer than its news),
# so a year-only date never heads a list of the latest events.
OLDEST_FIRST_SQL = f"{SPAN_END_SQL}, {PRECISION_RANK_SQL}"
NEWEST_FIRST_SQL = (f"CASE WHEN date_precision IN ('month', 'year') THEN least({DAY_SQL}, COALESCE(pub_date, {DAY_SQL})) "
                    f"ELSE {DAY_SQL} END DESC, {PRECISION_RANK_SQL}")

EVENT_COLUMNS = [
    "id", "doc_id", "sentence_index", "sentence", "date", "date_precision", "pub_date", "event_type", "mode",
    "contexts", "quad_class", "plover_score", "cameo_code", "goldstein", "actor", "recipient", "actor_codes",
    "recipient_codes", "actor_countries", "recipient_countries", "trigger", "negated", "hypothetical", "future",
    "historical", "confidence", "coder", "event_cluster_id", "sources_count", *LOCATION_COLUMNS,
]
# Columns the de-duplication reads (detente.store.dedup), plus the current cluster columns.
CLUSTER_INPUT_COLUMNS = [
    "id", "doc_id", "event_type", "mode", "date", "pub_date", "date_precision", "trigger", "sentence", "negated",
    "hypothetical", "actor", "recipient", "event_cluster_id", "sources_count",
]
# Blocks (detente.store.dedup.block_id) whose clusters must be recomputed, with the first and
# last dates that changed (NULL: the whole block): filled in the same transaction as the rows
# that touch them, emptied by update_clusters.
PENDING_SCHEMA = "CREATE TABLE IF NOT EXISTS dedup_pending (block VARCHAR PRIMARY KEY, since DATE, until DATE);"
PENDING_DATES = ("ALTER TABLE dedup_pending ADD COLUMN IF NOT EXISTS since DATE; "
                 "ALTER TABLE dedup_pending ADD COLUMN IF NOT EXISTS until DATE;")
FAILURE_COLUMNS = ["key", "doc_id", "path", "source", "stage", "error", "content_hash", "attempts",
                   "first_failed_at", "failed_at"]
DOC_COLUMNS = ["doc_id", "content_hash", "title", "url", "source", "author", "pub_date", "path", "text",
               "n_events", "ingested_at"]


def armed_group(actor: Actor) -> bool:
    """A non-state armed group (al-Shabaab, Hamas, the PKK): a party of its own in relations, not
    its home country, which it fights or acts apart from; one that governs (the Taliban since
    August 2021) acts for its country."""
    return actor.kind == "group" and actor.sector != "GOV"


def state_countries(actors: list[Actor]) -> list[str]:
    """The countries a side of an event acts for or is done to (its armed groups are their own parties)."""
    return sorted({a.country for a in actors if a.country and not armed_group(a)})


def event_row(ev: Event) -> dict[str, Any]:
    """An Event as a flat row for the store and for Parquet."""
    actor = [a.model_dump() for a in ev.actor]
    recipient = [r.model_dump() for r in ev.recipient]
    row = ev.model_dump(exclude={"actor", "recipient", "location"})
    where = ev.location
    row.update(
        actor=json.dumps(actor), recipient=json.dumps(recipient),
        actor_codes=[a.code for a in ev.actor], recipient_codes=[r.code for r in ev.recipient],
        actor_countries=state_countries(ev.actor), recipient_countries=state_countries(ev.recipient),
        event_cluster_id=ev.id, sources_count=1,
        location=json.dumps(where.model_dump()) if where else None,
        location_country=where.country if where else None, location_admin1=where.admin1 if where else None,
        location_name=where.name if where else None, location_lat=where.lat if where else None,
        location_lon=where.lon if where else None,
    )
    return row


# A record inside a file: "news.jsonl:12", "feed.xml:entry 3", "list.json:item 2".
_RECORD = re.compile(r":(\d+|item \d+|entry \d+)$")


def failure_source(path: str | None) -> str | None:
    """The file a failure's path points into ("news.jsonl:12" -> "news.jsonl")."""
    return _RECORD.sub("", path) if path else None


def failure_row(f: Failure, now: dt.datetime) -> dict[str, Any]:
    """A Failure as a row of the failures table (first failure: attempts 1)."""
    return {"key": f.key, "doc_id": f.doc_id, "path": f.path, "source": failure_source(f.path),
            "stage": f.stage, "error": f.error, "content_hash": f.content_hash, "attempts": 1,
            "first_failed_at": now, "failed_at": now}


def row_to_record(row: dict[str, Any]) -> dict[str, Any]:
    """A stored row back to the public event record (JSON-ready)."""
    out = {k: v for k, v in row.items() if k not in DERIVED_COLUMNS}
    for key in ("actor", "recipient", "location"):
        if isinstance(out.get(key), str):
            out[key] = json.loads(out[key])
    out.setdefault("location", None)
    for key in ("date", "pub_date"):
        if isinstance(out.get(key), (dt.date, dt.datetime)):
            out[key] = out[key].isoformat()[:10]
    if out.get("contexts") is None:
        out["contexts"] = []
    return out


_ARROW_TYPES = {
    "VARCHAR": pa.string(), "JSON": pa.string(), "INTEGER": pa.int32(), "BIGINT": pa.int64(), "DOUBLE": pa.float64(),
    "DATE": pa.date32(), "BOOLEAN": pa.bool_(), "TIMESTAMP": pa.timestamp("us"), "VARCHAR[]": pa.list_(pa.string()),
}


_TABLE_TYPES: dict[str, dict[str, str]] = {}


def table_types(table: str) -> dict[str, str]:
    """Column -> DuckDB type of a store table, read from SCHEMA itself."""
    if not _TABLE_TYPES:
        con = duckdb.connect(":memory:")
        con.execute(SCHEMA)
        for name in ("events", "documents", "failures", *WATCH_TABLES):
            _TABLE_TYPES[name] = {r[0]: r[1] for r in con.execute(f"DESCRIBE {name}").fetchall()}
        con.close()
    return _TABLE_TYPES[table]


def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema of a store table's Parquet files (pub_month is the directory, not a column)."""
    return pa.schema([(name, _ARROW_TYPES[kind]) for name, kind in table_types(table).items()])


def quote_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def arrow_rows(table: str, records: list[dict[str, Any]]) -> pa.Table:
    """Rows of a store table as an Arrow table with the table's column types."""
    schema = arrow_schema(table)
    return pa.Table.from_pylist([{c: r.get(c) for c in schema.names} for r in records], schema=schema)


def sql_str(value: str) -> str:
    return value.replace("'", "''")
