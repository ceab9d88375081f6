"""The event store: an embedded DuckDB file (or a directory of Parquet written at scale).

Documents are upserted by id: ingesting the same documents again changes nothing, and a
document whose text changed replaces its old events. Each batch is one transaction, so a
failed or killed run never leaves a half-written document.

Concurrency: DuckDB lets one process open a file for writing, or any number open it read-only,
never both at once. So nobody keeps the file open for long: an ingest (DuckDBSink) holds a
writer lock for its whole run, but opens the file only for each short step (look up a window of
documents, commit a batch, re-cluster), and readers (`detente events`, the web app) open it
read-only per command or request. Whoever finds the file open by the other side waits and
tries again (readers up to READ_WAIT seconds, the writer up to WRITE_WAIT).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from detente.errors import DetenteError
from detente.models import Document, Event, Failure
from detente.store.dedup import block_rows_sql, block_sql, pending_key_sql
from detente.store.lock import WriterLock
from detente.store.parquet import attach_parquet, is_url
from detente.store.schema import (
    CLUSTER_INPUT_COLUMNS,
    DOC_COLUMNS,
    EVENT_COLUMNS,
    FAILURE_COLUMNS,
    LOCATION_COLUMNS,
    NEWEST_FIRST_SQL,
    OLDEST_FIRST_SQL,
    PENDING_DATES,
    PENDING_SCHEMA,
    REPRESENTATIVE_SQL,
    SCHEMA,
    WATCH_TABLES,
    arrow_rows,
    event_row,
    failure_row,
    row_to_record,
    table_types,
)

DEFAULT_DB = "detente.duckdb"
READ_WAIT = 60.0  # seconds a reader waits for the writer's step to end
WRITE_WAIT = 600.0  # seconds the writer waits for readers to close the file


def connect(path: str, read_only: bool, wait: float) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, waiting up to `wait` seconds while another process holds the file."""
    deadline = time.monotonic() + wait
    delay = 0.02
    while True:
        try:
            return duckdb.connect(path, read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if time.monotonic() >= deadline:
                raise DetenteError(f"{path}: the store is busy (another process kept it open for {wait:g} s); "
                                   "try again") from None
            time.sleep(delay)
            delay = min(0.5, delay * 1.5)


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

    def __init__(self, path: str | Path = DEFAULT_DB, read_only: bool = False, wait: float | None = None) -> None:
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
                wait = wait if wait is not None else (READ_WAIT if read_only else WRITE_WAIT)
                self.con = connect(self.path, read_only, wait)
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
        if {"events", "documents", "failures", "dedup_pending", *WATCH_TABLES} <= tables and self.con.execute(
                "SELECT count(*) FROM information_schema.columns WHERE (table_name = 'dedup_pending' AND "
                "column_name = 'until') OR (table_name = 'events' AND column_name IN (SELECT unnest(?::VARCHAR[])))",
                [list(LOCATION_COLUMNS)]).fetchone()[0] == 1 + len(LOCATION_COLUMNS):
            return  # up to date: the writer opens the file for every step, keep that cheap
        self.con.execute(SCHEMA)
        for name, kind in LOCATION_COLUMNS.items():  # a store from before event locations
            self.con.execute(f"ALTER TABLE events ADD COLUMN IF NOT EXISTS {name} {kind}")
        if "dedup_pending" not in tables:
            self.con.execute(PENDING_SCHEMA)
            if "events" in tables:  # a store from before incremental de-duplication: all blocks once
                self.con.execute(f"INSERT OR IGNORE INTO dedup_pending (block) SELECT DISTINCT {block_sql()} FROM events")
        else:
            self.con.execute(PENDING_DATES)  # a store from before windowed re-clustering

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

    def lookup(self, doc_ids: list[str]) -> dict[str, str]:
        """doc_id -> content hash of those of `doc_ids` that are stored."""
        if not doc_ids:
            return {}
        return dict(self.con.execute("SELECT doc_id, content_hash FROM documents WHERE doc_id IN "
                                     "(SELECT unnest(?::VARCHAR[]))", [doc_ids]).fetchall())

    def failed(self, keys: list[str]) -> dict[str, str]:
        """key -> content hash of those of `keys` recorded as failed."""
        if not keys or not self._has_table("failures"):
            return {}
        return dict(self.con.execute("SELECT key, content_hash FROM failures WHERE key IN "
                                     "(SELECT unnest(?::VARCHAR[]))", [keys]).fetchall())

    def _has_table(self, name: str) -> bool:
        return bool(self.con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?",
                                     [name]).fetchone()[0])

    def write_batch(self, batch: list[tuple[Document, list[Event]]],
                    failures: Iterable[Failure] = ()) -> tuple[int, int]:
        """Upsert documents with their events, and record failures, in one transaction.

        A stored document clears the failures recorded under its id (and under its file, for a
        file that once could not be read). Returns (documents, events) written.
        """
        if self.read_only:
            raise DetenteError(f"{self.path}: store is read-only")
        failures = list(failures)
        if not batch and not failures:
            return 0, 0
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        docs = [{**d.model_dump(exclude={"content_hash"}), "content_hash": d.content_hash or Document.hash_text(d.text),
                 "n_events": len(evs), "ingested_at": now} for d, evs in batch]
        rows = {}
        for _, evs in batch:
            for ev in evs:
                rows[ev.id] = event_row(ev)
        ids = [d["doc_id"] for d in docs]
        paths = sorted({d["path"] for d in docs if d["path"]})
        con = self.con
        from detente.store.dedup import pending_blocks

        blocks = pending_blocks(rows.values())
        con.execute("BEGIN TRANSACTION")
        try:
            # Documents stored before (new versions of them): their old rows go. Only then are the
            # events scanned for them; for new documents the primary key answers.
            replaced = [r[0] for r in con.execute("SELECT doc_id FROM documents WHERE doc_id IN "
                                                  "(SELECT unnest(?::VARCHAR[]))", [ids]).fetchall()] if ids else []
            if replaced:
                # Clusters of replaced events and of the new ones are recomputed by update_clusters.
                self._mark_pending(f"SELECT {pending_key_sql()} AS block, min(COALESCE(date, pub_date)) AS since, "
                                   "max(COALESCE(date, pub_date)) AS until FROM events WHERE doc_id IN "
                                   "(SELECT unnest(?::VARCHAR[])) AND COALESCE(date, pub_date) IS NOT NULL GROUP BY 1",
                                   [replaced])
                con.execute("DELETE FROM events WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))", [replaced])
                con.execute("DELETE FROM documents WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))", [replaced])
            if blocks:
                con.register("_detente_blocks", pa.table({
                    "block": list(blocks), "since": pa.array([v[0] for v in blocks.values()], pa.date32()),
                    "until": pa.array([v[1] for v in blocks.values()], pa.date32())}))
                self._mark_pending("SELECT block, since, until FROM _detente_blocks")
            if docs:
                # Through Arrow: one INSERT per table (executemany ran at ~3 ms a row, slower than coding).
                con.register("_detente_docs", arrow_rows("documents", docs))
                con.execute(f"INSERT INTO documents ({', '.join(DOC_COLUMNS)}) SELECT {', '.join(DOC_COLUMNS)} "
                            "FROM _detente_docs")
            if rows:
                con.register("_detente_events", arrow_rows("events", list(rows.values())))
                con.execute(f"INSERT INTO events ({', '.join(EVENT_COLUMNS)}) SELECT {', '.join(EVENT_COLUMNS)} "
                            "FROM _detente_events ON CONFLICT (id) DO NOTHING")
            if ids:
                con.execute("DELETE FROM failures WHERE key IN (SELECT unnest(?::VARCHAR[])) "
                            "OR (stage = 'read' AND key IN (SELECT unnest(?::VARCHAR[])))", [ids, paths])
            if failures:
                con.register("_detente_failures", arrow_rows("failures", [failure_row(f, now) for f in failures]))
                cols = ", ".join(FAILURE_COLUMNS)
                con.execute(f"INSERT INTO failures ({cols}) SELECT {cols} FROM _detente_failures ON CONFLICT (key) "
                            "DO UPDATE SET doc_id = EXCLUDED.doc_id, path = EXCLUDED.path, source = EXCLUDED.source, "
                            "stage = EXCLUDED.stage, error = EXCLUDED.error, content_hash = EXCLUDED.content_hash, "
                            "attempts = failures.attempts + 1, failed_at = EXCLUDED.failed_at")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            for name in ("_detente_docs", "_detente_events", "_detente_blocks", "_detente_failures"):
                try:
                    con.unregister(name)
                except duckdb.Error:
                    pass
        return len(docs), len(rows)

    def _mark_pending(self, select: str, params: list[Any] | None = None) -> None:
        """Add (block, since, until) rows to dedup_pending, widening the dates of blocks already there
        (a block pending as a whole, since NULL, stays whole)."""
        self.con.execute(
            f"INSERT INTO dedup_pending (block, since, until) {select} ON CONFLICT (block) DO UPDATE SET "
            "since = CASE WHEN dedup_pending.since IS NULL THEN NULL ELSE least(dedup_pending.since, EXCLUDED.since) END, "
            "until = CASE WHEN dedup_pending.since IS NULL THEN NULL ELSE greatest(dedup_pending.until, EXCLUDED.until) END",
            params or [])

    def settle_failures(self, sources: list[str], seen: list[str]) -> int:
        """Forget the read failures of files read again in full whose records no longer fail; returns how many."""
        if not sources:
            return 0
        return self.con.execute("DELETE FROM failures WHERE stage = 'read' AND source IN (SELECT unnest(?::VARCHAR[])) "
                                "AND key NOT IN (SELECT unnest(?::VARCHAR[]))", [sources, seen]).fetchone()[0]

    def update_clusters(self, full: bool = False, window_days: int | None = None,
                        min_jaccard: float | None = None) -> dict[str, int]:
        """Recompute the de-duplication clusters (detente.store.dedup) where events changed.

        The blocks touched since the last call (new, replaced and removed events) are listed
        in dedup_pending with the dates that changed; each is re-clustered from there on, only
        as far as the clusters change (dedup.recluster_block). `full` recomputes every block.
        One transaction; only rows whose event_cluster_id or sources_count change are written.
        Returns the store's events and clusters, the rows recomputed and the rows changed.
        """
        from detente.store import dedup

        if self.read_only:
            raise DetenteError(f"{self.path}: store is read-only")
        window = window_days or dedup.WINDOW_DAYS
        jaccard = dedup.MIN_JACCARD if min_jaccard is None else min_jaccard
        if full:
            rows = self.query(f"SELECT {', '.join(CLUSTER_INPUT_COLUMNS)} FROM events")
            clusters = dedup.cluster_events(rows, window, jaccard)
            changes = {r["id"]: clusters[r["id"]] for r in rows
                       if (r["event_cluster_id"], r["sources_count"]) != clusters[r["id"]]}
            recomputed = len(rows)
        else:
            pending = self.con.execute("SELECT block, since, until FROM dedup_pending").fetchall()
            changes, recomputed = dedup.recluster_pending(
                pending, lambda windows: self._block_rows(windows), window, jaccard)
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            if changes:
                con.register("_detente_clusters", pa.table({
                    "id": list(changes), "cid": [c for c, _ in changes.values()],
                    "n": pa.array([n for _, n in changes.values()], pa.int32())}))
                con.execute("UPDATE events SET event_cluster_id = c.cid, sources_count = c.n "
                            "FROM _detente_clusters AS c WHERE events.id = c.id")
            con.execute("DELETE FROM dedup_pending")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            if changes:
                con.unregister("_detente_clusters")
        n_events, n_clusters = con.execute(
            "SELECT count(*), count(DISTINCT COALESCE(event_cluster_id, id)) FROM events").fetchone()
        return {"events": n_events, "clusters": n_clusters, "recomputed": recomputed, "changed": len(changes)}

    def _block_rows(self, windows: list[tuple[str, Any, Any]]) -> list[dict[str, Any]]:
        """Stored rows of the blocks in `windows` ((block, first date, last date); None: open)
        dated inside their window, with a `block` column."""
        from detente.store.dedup import block_row_filter

        where, params, table = block_row_filter(windows)
        self.con.register("_detente_windows", table)
        try:
            return self.query(block_rows_sql("events", "_detente_windows", where, windows[0][1] is None), params)
        finally:
            self.con.unregister("_detente_windows")

    def write_rows(self, tables: dict[str, list[dict[str, Any]]]) -> None:
        """Insert or replace rows (by key: WATCH_TABLES) of the watch tables, all in one transaction."""
        if self.read_only:
            raise DetenteError(f"{self.path}: store is read-only")
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            for table, rows in tables.items():
                if not rows:
                    continue
                key = WATCH_TABLES[table]
                cols = list(table_types(table))
                con.register("_detente_rows", arrow_rows(table, rows))
                updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in cols if c != key)
                con.execute(f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(cols)} FROM _detente_rows "
                            f"ON CONFLICT ({key}) DO UPDATE SET {updates}")
                con.unregister("_detente_rows")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def table_rows(self, table: str) -> list[dict[str, Any]]:
        """Every row of a watch table (WATCH_TABLES), by key; none in a store from before it."""
        if table not in WATCH_TABLES:
            raise DetenteError(f"unknown table {table!r}")
        if not self._has_table(table):
            return []
        return self.query(f"SELECT * FROM {table} ORDER BY {WATCH_TABLES[table]}")

    def failures(self) -> list[dict[str, Any]]:
        """The recorded failures, oldest first."""
        if not self._has_table("failures"):
            return []
        return self.query("SELECT * FROM failures ORDER BY failed_at, key")

    # -- reading ------------------------------------------------------------------------

    def _where(self, flt: EventFilter | None) -> tuple[str, list[Any]]:
        flt = flt or EventFilter()
        if (flt.place or flt.near or flt.bbox) and not self.has_locations:
            raise DetenteError(f"{self.path}: this store has no event locations (it predates them); "
                               "ingest again, or open it writable once, to filter by place")
        return flt.where()

    def selected(self, flt: EventFilter | None) -> tuple[str, list[Any]]:
        """The rows a filter selects, as a table expression and its parameters (`EventFilter.rows`:
        every report, or one per event), after checking the store can answer it (a place filter
        on a store without event locations is a clear error, not a missing column)."""
        self._where(flt)
        return (flt or EventFilter()).rows()

    def count(self, flt: EventFilter | None = None) -> int:
        rows, params = self.selected(flt)
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
        rows, params = self.selected(flt)
        yield from self.ordered_records(f"SELECT * FROM {rows} AS e ORDER BY {orders[order]}", params, limit, offset)

    def ordered_records(self, sql: str, params: list[Any], limit: int | None = None,
                        offset: int = 0) -> Iterator[dict[str, Any]]:
        """Public event records from an ordered SELECT over event rows, one page of them if `limit`."""
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


class DuckDBSink:
    """Writes one ingest into a DuckDB store: the writer lock for its lifetime, the file only for
    each step (see the module's note on concurrency), so readers answer while it runs."""

    def __init__(self, path: str | Path, wait: float = 0.0) -> None:
        self.path = str(path)
        Store(self.path).close()  # create the file and schema, or refuse a file that is not a store
        self.lock = WriterLock(self.path, self.path + ".lock", wait=wait)
        self.lock.acquire()

    def __enter__(self) -> DuckDBSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.lock.release()

    def _open(self) -> Store:
        return Store(self.path, wait=WRITE_WAIT)

    def known_documents(self) -> dict[str, str]:
        with self._open() as store:
            return store.known_documents()

    def lookup(self, doc_ids: list[str]) -> dict[str, str]:
        with self._open() as store:
            return store.lookup(doc_ids)

    def failed(self, keys: list[str]) -> dict[str, str]:
        with self._open() as store:
            return store.failed(keys)

    def write_batch(self, batch: list[tuple[Document, list[Event]]], failures: Iterable[Failure] = ()) -> tuple[int, int]:
        with self._open() as store:
            return store.write_batch(batch, failures)

    def settle_failures(self, sources: list[str], seen: list[str]) -> int:
        with self._open() as store:
            return store.settle_failures(sources, seen)

    def write_rows(self, tables: dict[str, list[dict[str, Any]]]) -> None:
        with self._open() as store:
            store.write_rows(tables)

    def table_rows(self, table: str) -> list[dict[str, Any]]:
        with self._open() as store:
            return store.table_rows(table)

    def update_clusters(self, full: bool = False, window_days: int | None = None,
                        min_jaccard: float | None = None) -> dict[str, int]:
        with self._open() as store:
            return store.update_clusters(full, window_days, min_jaccard)


def open_store(path: str | Path = DEFAULT_DB, read_only: bool = False) -> Store:
    """Open (or create) a store: a DuckDB file, or a directory of Parquet (read-only)."""
    return Store(path, read_only=read_only)
