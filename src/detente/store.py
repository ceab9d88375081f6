"""The event store: an embedded DuckDB file (or a directory of Parquet written at scale).

Documents are upserted by id: ingesting the same documents again changes nothing, and a
document whose text changed replaces its old events. Each batch is one transaction, so a
failed or killed run never leaves a half-written document.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from detente.errors import DetenteError
from detente.models import Document, Event

DEFAULT_DB = "detente.duckdb"

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
    event_cluster_id VARCHAR, sources_count INTEGER
);
"""

EVENT_COLUMNS = [
    "id", "doc_id", "sentence_index", "sentence", "date", "date_precision", "pub_date", "event_type", "mode",
    "contexts", "quad_class", "plover_score", "cameo_code", "goldstein", "actor", "recipient", "actor_codes",
    "recipient_codes", "actor_countries", "recipient_countries", "trigger", "negated", "hypothetical", "future",
    "historical", "confidence", "coder", "event_cluster_id", "sources_count",
]
DOC_COLUMNS = ["doc_id", "content_hash", "title", "url", "source", "author", "pub_date", "path", "text",
               "n_events", "ingested_at"]


def event_row(ev: Event) -> dict[str, Any]:
    """An Event as a flat row for the store and for Parquet."""
    actor = [a.model_dump() for a in ev.actor]
    recipient = [r.model_dump() for r in ev.recipient]
    row = ev.model_dump(exclude={"actor", "recipient"})
    row.update(
        actor=json.dumps(actor), recipient=json.dumps(recipient),
        actor_codes=[a.code for a in ev.actor], recipient_codes=[r.code for r in ev.recipient],
        actor_countries=sorted({a.country for a in ev.actor if a.country}),
        recipient_countries=sorted({r.country for r in ev.recipient if r.country}),
        event_cluster_id=ev.id, sources_count=1,
    )
    return row


def row_to_record(row: dict[str, Any]) -> dict[str, Any]:
    """A stored row back to the public event record (JSON-ready)."""
    out = {k: v for k, v in row.items() if k not in ("actor_codes", "recipient_codes", "actor_countries",
                                                       "recipient_countries")}
    for key in ("actor", "recipient"):
        if isinstance(out.get(key), str):
            out[key] = json.loads(out[key])
    for key in ("date", "pub_date"):
        if isinstance(out.get(key), (dt.date, dt.datetime)):
            out[key] = out[key].isoformat()[:10]
    if out.get("contexts") is None:
        out["contexts"] = []
    return out


@dataclass
class EventFilter:
    actor: str | None = None
    recipient: str | None = None
    dyad: tuple[str, str] | None = None
    event_type: list[str] | None = None
    quad_class: list[str] | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    doc_id: str | None = None
    text: str | None = None
    include_modal: bool = True  # negated and hypothetical events
    min_confidence: float = 0.0

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []

        def side(column: str, value: str) -> str:
            value = value.upper()
            params.extend([value, value, value])
            return (f"(list_contains({column}_countries, ?) OR list_contains({column}_codes, ?) "
                    f"OR list_contains(list_transform({column}_codes, lambda x: x[1:3]), ?))")

        if self.actor:
            clauses.append(side("actor", self.actor))
        if self.recipient:
            clauses.append(side("recipient", self.recipient))
        if self.dyad:
            a, b = self.dyad
            ab = f"({side('actor', a)} AND {side('recipient', b)})"
            ba = f"({side('actor', b)} AND {side('recipient', a)})"
            both = f"({side('actor', a)} AND {side('actor', b)} AND len(recipient_codes) = 0)"
            clauses.append(f"({ab} OR {ba} OR {both})")
        if self.event_type:
            clauses.append(f"event_type IN ({', '.join('?' for _ in self.event_type)})")
            params += [t.upper() for t in self.event_type]
        if self.quad_class:
            clauses.append(f"quad_class IN ({', '.join('?' for _ in self.quad_class)})")
            params += list(self.quad_class)
        if self.date_from:
            clauses.append("COALESCE(date, pub_date) >= ?")
            params.append(self.date_from)
        if self.date_to:
            clauses.append("COALESCE(date, pub_date) <= ?")
            params.append(self.date_to)
        if self.doc_id:
            clauses.append("doc_id = ?")
            params.append(self.doc_id)
        if self.text:
            clauses.append("(sentence ILIKE ? OR trigger ILIKE ?)")
            params += [f"%{self.text}%", f"%{self.text}%"]
        if not self.include_modal:
            clauses.append("NOT negated AND NOT hypothetical")
        if self.min_confidence:
            clauses.append("confidence >= ?")
            params.append(self.min_confidence)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


class Store:
    """A DuckDB connection over the events and documents of one store."""

    def __init__(self, path: str | Path = DEFAULT_DB, read_only: bool = False) -> None:
        self.path = str(path)
        self.parquet = Path(self.path).is_dir()
        try:
            if self.parquet:
                self.con = duckdb.connect(":memory:")
                self._attach_parquet(Path(self.path))
            else:
                if read_only and not Path(self.path).exists():
                    raise DetenteError(f"{self.path}: no such store (run 'detente ingest' first)")
                self.con = duckdb.connect(self.path, read_only=read_only)
                if not read_only:
                    self.con.execute(SCHEMA)
                else:
                    self._check_schema()
        except duckdb.Error as exc:
            raise DetenteError(f"{self.path}: cannot open store ({str(exc).splitlines()[0]})") from None
        self.read_only = read_only or self.parquet

    def _check_schema(self) -> None:
        tables = {r[0] for r in self.con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if "events" not in tables:
            raise DetenteError(f"{self.path}: not a detente store (no events table)")

    def _attach_parquet(self, root: Path) -> None:
        events = sorted(root.glob("events/**/*.parquet")) or sorted(root.glob("**/*.parquet"))
        if not events:
            raise DetenteError(f"{root}: no Parquet event files found")
        pattern = str(root / "events" / "**" / "*.parquet") if (root / "events").is_dir() else str(root / "**" / "*.parquet")
        self.con.execute(
            f"CREATE VIEW events AS SELECT * EXCLUDE (pub_month) FROM read_parquet('{_sql_str(pattern)}', "
            "hive_partitioning = true, union_by_name = true)"
            if (root / "events").is_dir() else
            f"CREATE VIEW events AS SELECT * FROM read_parquet('{_sql_str(pattern)}', union_by_name = true)"
        )
        docs = root / "documents"
        if docs.is_dir() and any(docs.glob("**/*.parquet")):
            self.con.execute(
                f"CREATE VIEW documents AS SELECT * FROM read_parquet('{_sql_str(str(docs / '**' / '*.parquet'))}', "
                "union_by_name = true)")
        else:
            self.con.execute("CREATE VIEW documents AS SELECT DISTINCT doc_id, NULL::VARCHAR AS content_hash, "
                             "NULL::VARCHAR AS title, NULL::VARCHAR AS url, NULL::VARCHAR AS source, "
                             "NULL::VARCHAR AS author, pub_date, NULL::VARCHAR AS path, NULL::VARCHAR AS text, "
                             "NULL::INTEGER AS n_events, NULL::TIMESTAMP AS ingested_at FROM events")

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ------------------------------------------------------------------------

    def known_documents(self) -> dict[str, str]:
        """doc_id -> content hash of every stored document."""
        return dict(self.con.execute("SELECT doc_id, content_hash FROM documents").fetchall())

    def write_batch(self, batch: list[tuple[Document, list[Event]]]) -> tuple[int, int]:
        """Upsert documents with their events in one transaction; returns (documents, events) written."""
        if self.read_only:
            raise DetenteError(f"{self.path}: store is read-only")
        if not batch:
            return 0, 0
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        docs = [{**d.model_dump(exclude={"content_hash"}), "content_hash": d.content_hash or Document.hash_text(d.text),
                 "n_events": len(evs), "ingested_at": now} for d, evs in batch]
        rows = {}
        for _, evs in batch:
            for ev in evs:
                rows[ev.id] = event_row(ev)
        ids = [d["doc_id"] for d in docs]
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute("DELETE FROM events WHERE doc_id IN (SELECT unnest(?))", [ids])
            con.execute("DELETE FROM documents WHERE doc_id IN (SELECT unnest(?))", [ids])
            con.executemany(
                f"INSERT INTO documents ({', '.join(DOC_COLUMNS)}) VALUES ({', '.join('?' for _ in DOC_COLUMNS)})",
                [[d[c] for c in DOC_COLUMNS] for d in docs])
            if rows:
                con.executemany(
                    f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) VALUES ({', '.join('?' for _ in EVENT_COLUMNS)}) "
                    "ON CONFLICT (id) DO NOTHING",
                    [[r[c] for c in EVENT_COLUMNS] for r in rows.values()])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return len(docs), len(rows)

    # -- reading ------------------------------------------------------------------------

    def count(self, flt: EventFilter | None = None) -> int:
        where, params = (flt or EventFilter()).where()
        return self.con.execute(f"SELECT count(*) FROM events{where}", params).fetchone()[0]

    def events(self, flt: EventFilter | None = None, limit: int | None = None, offset: int = 0,
               order: str = "date") -> Iterator[dict[str, Any]]:
        """Stored events as public records, filtered and ordered."""
        orders = {"date": "COALESCE(date, pub_date), doc_id, sentence_index, id",
                  "-date": "COALESCE(date, pub_date) DESC, doc_id, sentence_index, id",
                  "score": "plover_score, id", "-score": "plover_score DESC, id",
                  "confidence": "confidence, id", "-confidence": "confidence DESC, id",
                  "type": "event_type, id", "doc": "doc_id, sentence_index, id"}
        if order not in orders:
            raise DetenteError(f"unknown order {order!r}; use one of {', '.join(orders)}")
        where, params = (flt or EventFilter()).where()
        sql = f"SELECT * FROM events{where} ORDER BY {orders[order]}"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params = [*params, limit, offset]
        cur = self.con.execute(sql, params)
        cols = [d[0] for d in cur.description]
        while chunk := cur.fetchmany(1000):
            for values in chunk:
                yield row_to_record(dict(zip(cols, values)))

    def document(self, doc_id: str) -> dict[str, Any] | None:
        cur = self.con.execute("SELECT * FROM documents WHERE doc_id = ?", [doc_id])
        row = cur.fetchone()
        return dict(zip([d[0] for d in cur.description], row)) if row else None

    def stats(self) -> dict[str, Any]:
        n_docs = self.con.execute("SELECT count(*) FROM documents").fetchone()[0]
        n_events, first, last = self.con.execute(
            "SELECT count(*), min(COALESCE(date, pub_date)), max(COALESCE(date, pub_date)) FROM events").fetchone()
        return {"documents": n_docs, "events": n_events, "first_date": first, "last_date": last}

    def query(self, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        cur = self.con.execute(sql, params or [])
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]


def _sql_str(value: str) -> str:
    return value.replace("'", "''")


def open_store(path: str | Path = DEFAULT_DB, read_only: bool = False) -> Store:
    """Open (or create) a store: a DuckDB file, or a directory of Parquet (read-only)."""
    return Store(path, read_only=read_only)


def iter_batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
