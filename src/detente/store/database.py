"""The event store: an embedded DuckDB file (or a directory of Parquet written at scale).

Documents are upserted by id: ingesting the same documents again changes nothing, and a
document whose text changed replaces its old events. Each batch is one transaction, so a
failed or killed run never leaves a half-written document.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from detente.errors import DetenteError
from detente.models import Document, Event
from detente.store.dedup import block_sql
from detente.store.parquet import attach_parquet, is_url
from detente.store.schema import (
    CLUSTER_INPUT_COLUMNS,
    DOC_COLUMNS,
    EVENT_COLUMNS,
    LOCATION_COLUMNS,
    NEWEST_FIRST_SQL,
    OLDEST_FIRST_SQL,
    PENDING_SCHEMA,
    REPRESENTATIVE_SQL,
    SCHEMA,
    arrow_rows,
    event_row,
    row_to_record,
)

DEFAULT_DB = "detente.duckdb"


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
    include_background: bool = True  # events the coder marks historical (background, habitual)
    min_confidence: float = 0.0
    place: str | None = None  # country of location (ISO3), region (admin1) or place name
    near: tuple[float, float, float] | None = None  # (lat, lon, km): locations within km of the point
    bbox: tuple[float, float, float, float] | None = None  # (west, south, east, north) in degrees
    # "reports": every stored row; "clusters": each event once, as the report that stands for
    # it (REPRESENTATIVE_SQL) among the rows the filter selects. Pages, commands and the API
    # count clusters by default (the one count of detente.analysis.series.count_events).
    count: str = "reports"

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
        if not self.include_background:
            clauses.append("NOT COALESCE(historical, FALSE)")
        if self.min_confidence:
            clauses.append("confidence >= ?")
            params.append(self.min_confidence)
        if self.place:
            clauses.append("(location_country = upper(?) OR lower(location_admin1) = lower(?) "
                           "OR lower(location_name) = lower(?))")
            params += [self.place.strip()] * 3
        if self.bbox:
            west, south, east, north = self.bbox
            lon = "(location_lon BETWEEN ? AND ?)" if west <= east else "(location_lon >= ? OR location_lon <= ?)"
            clauses.append(f"(location_lat BETWEEN ? AND ? AND {lon})")
            params += [south, north, west, east]
        if self.near:
            lat, lon, km = self.near
            # Great-circle distance (haversine, Earth radius 6371 km).
            clauses.append("(location_lat IS NOT NULL AND 2 * 6371 * asin(sqrt(pow(sin(radians(location_lat - ?) / 2), 2)"
                           " + cos(radians(?)) * cos(radians(location_lat)) * pow(sin(radians(location_lon - ?) / 2), 2)))"
                           " <= ?)")
            params += [lat, lat, lon, km]
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    @classmethod
    def counted(cls, dyad: tuple[str, str] | None = None, count: str = "clusters", include_modal: bool = False,
                include_background: bool = False) -> EventFilter:
        """The events that relations analyses, pages, commands and the API count (the one count
        of detente): each event once (count="clusters") or every report, negated, hypothetical
        and background events left out unless asked for; of a dyad if given."""
        return cls(dyad=dyad, include_modal=include_modal, include_background=include_background, count=count)

    def rows(self) -> tuple[str, list[Any]]:
        """SQL (a table expression) of the rows the filter selects: every report, or with
        count="clusters" one row per event; with its parameters."""
        where, params = self.where()
        if self.count == "reports":
            return f"(SELECT * FROM events{where})", params
        if self.count != "clusters":
            raise DetenteError(f"unknown count {self.count!r}; use clusters or reports")
        return ("(SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER (PARTITION BY COALESCE(event_cluster_id, id) "
                f"ORDER BY {REPRESENTATIVE_SQL}) AS rn FROM events{where}) WHERE rn = 1)"), params


class Store:
    """A DuckDB connection over the events and documents of one store."""

    def __init__(self, path: str | Path = DEFAULT_DB, read_only: bool = False) -> None:
        self.path = str(path)
        self.parquet = Path(self.path).is_dir() or is_url(self.path)
        try:
            if self.parquet:
                self.con = duckdb.connect(":memory:")
                attach_parquet(self.con, self.path)
            else:
                if read_only and not Path(self.path).exists():
                    raise DetenteError(f"{self.path}: no such store (run 'detente ingest' first)")
                if Path(self.path).is_file() and Path(self.path).stat().st_size and not _is_duckdb(Path(self.path)):
                    raise DetenteError(f"{self.path}: not a DuckDB store (give --db a .duckdb file or a Parquet directory)")
                self.con = duckdb.connect(self.path, read_only=read_only)
                if not read_only:
                    self._create_schema()
                else:
                    self._check_schema()
        except duckdb.Error as exc:
            raise DetenteError(f"{self.path}: cannot open store ({str(exc).splitlines()[0]})") from None
        # DuckDB draws a progress bar on stdout for long queries; stdout carries our data.
        self.con.execute("SET enable_progress_bar = false")
        self.read_only = read_only or self.parquet
        self.has_locations = getattr(self, "has_locations", True)

    def _create_schema(self) -> None:
        tables = {r[0] for r in self.con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        self.con.execute(SCHEMA)
        for name, kind in LOCATION_COLUMNS.items():  # a store from before event locations
            self.con.execute(f"ALTER TABLE events ADD COLUMN IF NOT EXISTS {name} {kind}")
        if "dedup_pending" not in tables:
            self.con.execute(PENDING_SCHEMA)
            if "events" in tables:  # a store from before incremental de-duplication: all blocks once
                self.con.execute(f"INSERT OR IGNORE INTO dedup_pending SELECT DISTINCT {block_sql()} FROM events")

    def _check_schema(self) -> None:
        tables = {r[0] for r in self.con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if "events" not in tables:
            raise DetenteError(f"{self.path}: not a detente store (no events table)")
        columns = {r[0] for r in self.con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'events'").fetchall()}
        self.has_locations = "location_country" in columns

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
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        docs = [{**d.model_dump(exclude={"content_hash"}), "content_hash": d.content_hash or Document.hash_text(d.text),
                 "n_events": len(evs), "ingested_at": now} for d, evs in batch]
        rows = {}
        for _, evs in batch:
            for ev in evs:
                rows[ev.id] = event_row(ev)
        ids = [d["doc_id"] for d in docs]
        con = self.con
        from detente.store.dedup import block_id

        blocks = sorted({block_id(r) for r in rows.values()})
        con.execute("BEGIN TRANSACTION")
        try:
            # Clusters of replaced events and of the new ones are recomputed by update_clusters.
            con.execute(f"INSERT OR IGNORE INTO dedup_pending SELECT DISTINCT {block_sql()} FROM events "
                        "WHERE doc_id IN (SELECT unnest(?))", [ids])
            if blocks:
                con.execute("INSERT OR IGNORE INTO dedup_pending SELECT DISTINCT unnest(?)", [blocks])
            con.execute("DELETE FROM events WHERE doc_id IN (SELECT unnest(?))", [ids])
            con.execute("DELETE FROM documents WHERE doc_id IN (SELECT unnest(?))", [ids])
            # Through Arrow: one INSERT per table (executemany ran at ~3 ms a row, slower than coding).
            con.register("_detente_docs", arrow_rows("documents", docs))
            con.execute(f"INSERT INTO documents ({', '.join(DOC_COLUMNS)}) SELECT {', '.join(DOC_COLUMNS)} "
                        "FROM _detente_docs")
            if rows:
                con.register("_detente_events", arrow_rows("events", list(rows.values())))
                con.execute(f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) SELECT {', '.join(EVENT_COLUMNS)} "
                            "FROM _detente_events ON CONFLICT (id) DO NOTHING")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            for name in ("_detente_docs", "_detente_events"):
                try:
                    con.unregister(name)
                except duckdb.Error:
                    pass
        return len(docs), len(rows)

    def update_clusters(self, full: bool = False, window_days: int | None = None,
                        min_jaccard: float | None = None) -> dict[str, int]:
        """Recompute the de-duplication clusters (detente.store.dedup) of the blocks that changed.

        The blocks touched since the last call (new, replaced and removed events) are listed
        in dedup_pending; `full` recomputes every block. One transaction; only rows whose
        event_cluster_id or sources_count change are written. Returns the store's events and
        clusters, the rows recomputed and the rows changed.
        """
        from detente.store import dedup

        if self.read_only:
            raise DetenteError(f"{self.path}: store is read-only")
        cols = ", ".join(CLUSTER_INPUT_COLUMNS)
        if full:
            cur = self.con.execute(f"SELECT {cols} FROM events")
        else:
            pending = [r[0] for r in self.con.execute("SELECT block FROM dedup_pending").fetchall()]
            types = sorted({b.split("|", 1)[0] for b in pending})
            parties = sorted({p for b in pending for p in dedup.block_parties(b)})
            # Cheap filters on plain columns first, then the exact block.
            cur = self.con.execute(
                f"SELECT {cols} FROM events WHERE event_type IN (SELECT unnest(?)) AND list_has_any(list_concat("
                "COALESCE(actor_countries, []), COALESCE(recipient_countries, []), COALESCE(actor_codes, []), "
                f"COALESCE(recipient_codes, [])), ?) AND {block_sql()} IN (SELECT block FROM dedup_pending)",
                [types, parties])
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, values)) for values in cur.fetchall()]
        clusters = dedup.cluster_events(rows, window_days or dedup.WINDOW_DAYS,
                                        dedup.MIN_JACCARD if min_jaccard is None else min_jaccard)
        changed = [(r["id"], *clusters[r["id"]]) for r in rows
                   if (r["event_cluster_id"], r["sources_count"]) != clusters[r["id"]]]
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            if changed:
                ids, cids, counts = zip(*changed)
                con.register("_detente_clusters", pa.table({"id": list(ids), "cid": list(cids),
                                                            "n": pa.array(counts, pa.int32())}))
                con.execute("UPDATE events SET event_cluster_id = c.cid, sources_count = c.n "
                            "FROM _detente_clusters AS c WHERE events.id = c.id")
            con.execute("DELETE FROM dedup_pending")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            if changed:
                con.unregister("_detente_clusters")
        n_events, n_clusters = con.execute(
            "SELECT count(*), count(DISTINCT COALESCE(event_cluster_id, id)) FROM events").fetchone()
        return {"events": n_events, "clusters": n_clusters, "recomputed": len(rows), "changed": len(changed)}

    # -- reading ------------------------------------------------------------------------

    def _where(self, flt: EventFilter | None) -> tuple[str, list[Any]]:
        flt = flt or EventFilter()
        if (flt.place or flt.near or flt.bbox) and not self.has_locations:
            raise DetenteError(f"{self.path}: this store has no event locations (it predates them); "
                               "ingest again, or open it writable once, to filter by place")
        return flt.where()

    def _rows(self, flt: EventFilter | None) -> tuple[str, list[Any]]:
        """The rows a filter selects (`EventFilter.rows`), after checking the store can answer it."""
        self._where(flt)
        return (flt or EventFilter()).rows()

    def count(self, flt: EventFilter | None = None) -> int:
        rows, params = self._rows(flt)
        return self.con.execute(f"SELECT count(*) FROM {rows}", params).fetchone()[0]

    def events(self, flt: EventFilter | None = None, limit: int | None = None, offset: int = 0,
               order: str = "date") -> Iterator[dict[str, Any]]:
        """Stored events as public records, filtered and ordered."""
        orders = {"date": f"{OLDEST_FIRST_SQL}, doc_id, sentence_index, id",
                  "-date": f"{NEWEST_FIRST_SQL}, doc_id, sentence_index, id",
                  "score": f"plover_score, {NEWEST_FIRST_SQL}, id",
                  "-score": f"plover_score DESC, {NEWEST_FIRST_SQL}, id",
                  "confidence": f"confidence, {NEWEST_FIRST_SQL}, id",
                  "-confidence": f"confidence DESC, {NEWEST_FIRST_SQL}, id",
                  "type": f"event_type, {NEWEST_FIRST_SQL}, id", "doc": "doc_id, sentence_index, id",
                  "strongest": f"abs(plover_score) DESC, {OLDEST_FIRST_SQL}, id"}
        if order not in orders:
            raise DetenteError(f"unknown order {order!r}; use one of {', '.join(orders)}")
        rows, params = self._rows(flt)
        sql = f"SELECT * FROM {rows} ORDER BY {orders[order]}"
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


def _is_duckdb(path: Path) -> bool:
    """DuckDB database files carry the magic bytes 'DUCK' at offset 8."""
    with path.open("rb") as fh:
        return fh.read(12)[8:12] == b"DUCK"


def open_store(path: str | Path = DEFAULT_DB, read_only: bool = False) -> Store:
    """Open (or create) a store: a DuckDB file, or a directory of Parquet (read-only)."""
    return Store(path, read_only=read_only)
