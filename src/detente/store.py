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
import pyarrow as pa

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
# Columns the de-duplication reads (detente.dedup), plus the current cluster columns.
CLUSTER_INPUT_COLUMNS = [
    "id", "doc_id", "event_type", "mode", "date", "pub_date", "date_precision", "trigger", "sentence", "negated",
    "hypothetical", "actor", "recipient", "event_cluster_id", "sources_count",
]
# Blocks (detente.dedup.block_id) whose clusters must be recomputed: filled in the same
# transaction as the rows that touch them, emptied by update_clusters.
PENDING_SCHEMA = "CREATE TABLE IF NOT EXISTS dedup_pending (block VARCHAR PRIMARY KEY);"
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
        self.parquet = Path(self.path).is_dir() or is_url(self.path)
        try:
            if self.parquet:
                self.con = duckdb.connect(":memory:")
                self._attach_parquet(self.path)
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

    def _create_schema(self) -> None:
        tables = {r[0] for r in self.con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        self.con.execute(SCHEMA)
        if "dedup_pending" not in tables:
            self.con.execute(PENDING_SCHEMA)
            if "events" in tables:  # a store from before incremental de-duplication: all blocks once
                self.con.execute(f"INSERT OR IGNORE INTO dedup_pending SELECT DISTINCT {_block_sql()} FROM events")

    def _check_schema(self) -> None:
        tables = {r[0] for r in self.con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if "events" not in tables:
            raise DetenteError(f"{self.path}: not a detente store (no events table)")

    def _attach_parquet(self, root: str) -> None:
        """Read-only views `events` and `documents` over a Parquet store, typed like the DuckDB tables."""
        fs, base = parquet_filesystem(root)
        prefix = base
        if not _is_local(fs):
            self.con.register_filesystem(fs)  # DuckDB reads through fsspec
            prefix = root.rstrip("/")
        layout = fs.isdir(f"{base}/events") or fs.isdir(f"{base}/documents")
        event_files = parquet_files(fs, f"{base}/events" if layout else base)
        if layout:
            doc_files = parquet_files(fs, f"{base}/documents")
            if not event_files and not doc_files:
                raise DetenteError(f"{root}: no Parquet event files found")
            events_glob, docs_glob = f"{prefix}/events/**/*.parquet", f"{prefix}/documents/**/*.parquet"
        else:
            if not event_files:
                raise DetenteError(f"{root}: no Parquet event files found")
            doc_files, events_glob, docs_glob = [], f"{prefix}/**/*.parquet", ""
        self.con.execute(f"CREATE VIEW events AS {_typed_select('events', events_glob if event_files else None, self.con)}")
        if doc_files:
            self.con.execute(f"CREATE VIEW documents AS {_typed_select('documents', docs_glob, self.con)}")
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
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        docs = [{**d.model_dump(exclude={"content_hash"}), "content_hash": d.content_hash or Document.hash_text(d.text),
                 "n_events": len(evs), "ingested_at": now} for d, evs in batch]
        rows = {}
        for _, evs in batch:
            for ev in evs:
                rows[ev.id] = event_row(ev)
        ids = [d["doc_id"] for d in docs]
        con = self.con
        from detente.dedup import block_id

        blocks = sorted({block_id(r) for r in rows.values()})
        con.execute("BEGIN TRANSACTION")
        try:
            # Clusters of replaced events and of the new ones are recomputed by update_clusters.
            con.execute(f"INSERT OR IGNORE INTO dedup_pending SELECT DISTINCT {_block_sql()} FROM events "
                        "WHERE doc_id IN (SELECT unnest(?))", [ids])
            if blocks:
                con.execute("INSERT OR IGNORE INTO dedup_pending SELECT DISTINCT unnest(?)", [blocks])
            con.execute("DELETE FROM events WHERE doc_id IN (SELECT unnest(?))", [ids])
            con.execute("DELETE FROM documents WHERE doc_id IN (SELECT unnest(?))", [ids])
            # Through Arrow: one INSERT per table (executemany ran at ~3 ms a row, slower than coding).
            con.register("_detente_docs", _arrow_rows("documents", docs))
            con.execute(f"INSERT INTO documents ({', '.join(DOC_COLUMNS)}) SELECT {', '.join(DOC_COLUMNS)} "
                        "FROM _detente_docs")
            if rows:
                con.register("_detente_events", _arrow_rows("events", list(rows.values())))
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
        """Recompute the de-duplication clusters (detente.dedup) of the blocks that changed.

        The blocks touched since the last call (new, replaced and removed events) are listed
        in dedup_pending; `full` recomputes every block. One transaction; only rows whose
        event_cluster_id or sources_count change are written. Returns the store's events and
        clusters, the rows recomputed and the rows changed.
        """
        from detente import dedup

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
                f"COALESCE(recipient_codes, [])), ?) AND {_block_sql()} IN (SELECT block FROM dedup_pending)",
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

    def count(self, flt: EventFilter | None = None) -> int:
        where, params = (flt or EventFilter()).where()
        return self.con.execute(f"SELECT count(*) FROM events{where}", params).fetchone()[0]

    def events(self, flt: EventFilter | None = None, limit: int | None = None, offset: int = 0,
               order: str = "date") -> Iterator[dict[str, Any]]:
        """Stored events as public records, filtered and ordered."""
        orders = {"date": "COALESCE(date, pub_date), doc_id, sentence_index, id",
                  "-date": "COALESCE(date, pub_date) DESC, doc_id, sentence_index, id",
                  "score": "plover_score, COALESCE(date, pub_date) DESC, id",
                  "-score": "plover_score DESC, COALESCE(date, pub_date) DESC, id",
                  "confidence": "confidence, COALESCE(date, pub_date) DESC, id",
                  "-confidence": "confidence DESC, COALESCE(date, pub_date) DESC, id",
                  "type": "event_type, COALESCE(date, pub_date) DESC, id", "doc": "doc_id, sentence_index, id"}
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


def _block_sql() -> str:
    from detente.dedup import block_sql

    return block_sql()


def _sql_str(value: str) -> str:
    return value.replace("'", "''")


def _is_duckdb(path: Path) -> bool:
    """DuckDB database files carry the magic bytes 'DUCK' at offset 8."""
    with path.open("rb") as fh:
        return fh.read(12)[8:12] == b"DUCK"


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


# -- Parquet stores ---------------------------------------------------------------------------
#
# Layout (written by ParquetSink, read by Store): ROOT/events/pub_month=YYYY-MM/part-*.parquet and
# ROOT/documents/pub_month=YYYY-MM/part-*.parquet, the columns of the DuckDB tables with the same
# names; actor and recipient are JSON strings, lists are Parquet lists. ROOT is a local directory
# or an fsspec URL (s3://bucket/path with s3fs installed, memory://..., file://...).

NO_MONTH = "__HIVE_DEFAULT_PARTITION__"  # the Hive name for a null partition value
_ARROW_TYPES = {
    "VARCHAR": pa.string(), "JSON": pa.string(), "INTEGER": pa.int32(), "DOUBLE": pa.float64(),
    "DATE": pa.date32(), "BOOLEAN": pa.bool_(), "TIMESTAMP": pa.timestamp("us"), "VARCHAR[]": pa.list_(pa.string()),
}


def is_url(path: str) -> bool:
    return "://" in str(path)


def _is_local(fs: Any) -> bool:
    protocol = fs.protocol if isinstance(fs.protocol, (tuple, list)) else (fs.protocol,)
    return bool({"file", "local"} & set(protocol))


def parquet_filesystem(root: str | Path) -> tuple[Any, str]:
    """(fsspec filesystem, path on it) for a local directory or an fsspec URL."""
    from fsspec.core import url_to_fs

    try:
        fs, path = url_to_fs(str(root))
    except (ImportError, ValueError) as exc:
        raise DetenteError(f"{root}: cannot open ({exc})") from None
    return fs, path.rstrip("/") or path


def parquet_files(fs: Any, base: str) -> list[str]:
    """The Parquet files under `base` (recursively), sorted; temporary and hidden files are left out."""
    if not fs.isdir(base):
        return []
    return sorted(p for p in fs.find(base) if p.endswith(".parquet") and not p.rsplit("/", 1)[-1].startswith((".", "_")))


_TABLE_TYPES: dict[str, dict[str, str]] = {}


def table_types(table: str) -> dict[str, str]:
    """Column -> DuckDB type of a store table, read from SCHEMA itself."""
    if not _TABLE_TYPES:
        con = duckdb.connect(":memory:")
        con.execute(SCHEMA)
        for name in ("events", "documents"):
            _TABLE_TYPES[name] = {r[0]: r[1] for r in con.execute(f"DESCRIBE {name}").fetchall()}
        con.close()
    return _TABLE_TYPES[table]


def arrow_schema(table: str) -> pa.Schema:
    """The Arrow schema of a store table's Parquet files (pub_month is the directory, not a column)."""
    return pa.schema([(name, _ARROW_TYPES[kind]) for name, kind in table_types(table).items()])


def _typed_select(table: str, glob: str | None, con: duckdb.DuckDBPyConnection) -> str:
    """SELECT over Parquet files with exactly the columns and types of the DuckDB table."""
    types = table_types(table)
    if glob is None:
        cols = ", ".join(f"NULL::{kind} AS {_quote(name)}" for name, kind in types.items())
        return f"SELECT {cols} WHERE false"
    source = f"read_parquet('{_sql_str(glob)}', hive_partitioning = true, union_by_name = true)"
    present = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    cols = ", ".join(f"CAST({_quote(name) if name in present else 'NULL'} AS {kind}) AS {_quote(name)}"
                     for name, kind in types.items())
    return f"SELECT {cols} FROM {source}"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _arrow_rows(table: str, records: list[dict[str, Any]]) -> pa.Table:
    """Rows of a store table as an Arrow table with the table's column types."""
    schema = arrow_schema(table)
    return pa.Table.from_pylist([{c: r.get(c) for c in schema.names} for r in records], schema=schema)


def _month(day: Any) -> str:
    return day.strftime("%Y-%m") if isinstance(day, (dt.date, dt.datetime)) else NO_MONTH


class ParquetSink:
    """Writes a Parquet store (local directory or fsspec URL) batch by batch; resumable.

    Each batch adds one file per publication month under events/ and documents/ (events first:
    a document's row is its commit mark). Opening the sink drops events left by a run killed
    between the two, so a rerun ends in the state of a clean run. Documents whose text changed
    are replaced: their old rows are removed from the files that hold them. The blocks whose
    de-duplication clusters must be recomputed are listed in _dedup_pending/*.json, written
    before the rows that touch them and removed by update_clusters. One writer at a time.
    """

    def __init__(self, root: str | Path) -> None:
        self.root = str(root)
        self.fs, self.base = parquet_filesystem(root)
        try:
            self.fs.makedirs(self.base, exist_ok=True)
        except OSError as exc:
            raise DetenteError(f"{self.root}: cannot create ({exc})") from None
        self._known = self._read_known()
        self._drop_rows(lambda doc_id: doc_id not in self._known, "orphans")  # from a killed run

    def __enter__(self) -> ParquetSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        pass

    def _files(self, table: str) -> list[str]:
        return parquet_files(self.fs, f"{self.base}/{table}")

    def _read(self, path: str, columns: list[str] | None = None) -> pa.Table:
        import pyarrow.parquet as pq

        return pq.read_table(path, columns=columns, filesystem=self.fs, partitioning=None)

    def _write(self, path: str, table: pa.Table) -> None:
        """Write atomically: a hidden temporary file, then a rename."""
        import pyarrow.parquet as pq

        folder, name = path.rsplit("/", 1)
        self.fs.makedirs(folder, exist_ok=True)
        tmp = f"{folder}/.{name}.tmp"
        pq.write_table(table, tmp, filesystem=self.fs)
        self.fs.mv(tmp, path)

    def _read_known(self) -> dict[str, str]:
        known: dict[str, str] = {}
        for path in self._files("documents"):
            t = self._read(path, ["doc_id", "content_hash"])
            known.update(zip(t.column("doc_id").to_pylist(), t.column("content_hash").to_pylist()))
        return known

    # -- pending blocks ---------------------------------------------------------------------

    def _pending_files(self) -> list[str]:
        folder = f"{self.base}/_dedup_pending"
        return sorted(p for p in self.fs.find(folder) if p.endswith(".json")) if self.fs.isdir(folder) else []

    def _add_pending(self, name: str, blocks: set[str]) -> None:
        if not blocks:
            return
        folder = f"{self.base}/_dedup_pending"
        self.fs.makedirs(folder, exist_ok=True)
        with self.fs.open(f"{folder}/.{name}.json.tmp", "w") as fh:
            fh.write(json.dumps(sorted(blocks)))
        self.fs.mv(f"{folder}/.{name}.json.tmp", f"{folder}/{name}.json")

    def _pending(self) -> set[str]:
        blocks: set[str] = set()
        for path in self._pending_files():
            with self.fs.open(path, "r") as fh:
                blocks.update(json.load(fh))
        return blocks

    def _drop_rows(self, drop, name: str) -> int:
        """Remove the rows whose doc_id satisfies `drop` from events/ and documents/; returns events dropped.

        The blocks of the dropped events are marked pending first.
        """
        import pyarrow.compute as pc

        from detente.dedup import block_id

        plans: list[tuple[str, pa.Table]] = []
        blocks: set[str] = set()
        dropped = 0
        for table in ("events", "documents"):
            for path in self._files(table):
                doc_ids = self._read(path, ["doc_id"]).column("doc_id").to_pylist()
                mask = [not drop(d) for d in doc_ids]
                if all(mask):
                    continue
                full = self._read(path)
                if table == "events":
                    gone = full.filter(pa.array([not k for k in mask]))
                    blocks.update(block_id(r) for r in gone.select(CLUSTER_INPUT_COLUMNS).to_pylist())
                    dropped += gone.num_rows
                plans.append((path, full.filter(pc.field("doc_id").isin([d for d, k in zip(doc_ids, mask) if k]))))
        self._add_pending(name, blocks)
        for path, kept in plans:
            if kept.num_rows:
                self._write(path, kept)
            else:
                self.fs.rm(path)
        return dropped

    # -- the sink interface -----------------------------------------------------------------

    def known_documents(self) -> dict[str, str]:
        """doc_id -> content hash of every stored document."""
        return dict(self._known)

    def write_batch(self, batch: list[tuple[Document, list[Event]]]) -> tuple[int, int]:
        """Add documents with their events (replacing older versions); returns (documents, events)."""
        if not batch:
            return 0, 0
        import hashlib

        from detente.dedup import block_id

        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        docs = [{**d.model_dump(exclude={"content_hash"}), "content_hash": d.content_hash or Document.hash_text(d.text),
                 "n_events": len(evs), "ingested_at": now} for d, evs in batch]
        rows: dict[str, dict[str, Any]] = {}
        for _, evs in batch:
            for ev in evs:
                rows[ev.id] = event_row(ev)
        key = hashlib.sha1("\n".join(f"{d['doc_id']}\t{d['content_hash']}" for d in docs).encode("utf-8")).hexdigest()[:20]
        replaced = {d["doc_id"] for d in docs if d["doc_id"] in self._known}
        if replaced:
            self._drop_rows(lambda doc_id: doc_id in replaced, f"replaced-{key}")
            for doc_id in replaced:
                del self._known[doc_id]
        self._add_pending(f"batch-{key}", {block_id(r) for r in rows.values()})
        for table, records in (("events", list(rows.values())), ("documents", docs)):
            months: dict[str, list[dict[str, Any]]] = {}
            for r in records:
                months.setdefault(_month(r["pub_date"]), []).append(r)
            for month, part in sorted(months.items()):
                self._write(f"{self.base}/{table}/pub_month={month}/part-{key}.parquet", _arrow_rows(table, part))
        self._known.update((d["doc_id"], d["content_hash"]) for d in docs)
        return len(docs), len(rows)

    def _duckdb(self) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect(":memory:")
        if not _is_local(self.fs):
            con.register_filesystem(self.fs)
        return con

    def _url(self, path: str) -> str:
        """A path as DuckDB names it (through the registered fsspec filesystem when not local)."""
        return path if _is_local(self.fs) else self.fs.unstrip_protocol(path)

    def update_clusters(self, full: bool = False, window_days: int | None = None,
                        min_jaccard: float | None = None) -> dict[str, int]:
        """Recompute the de-duplication clusters of the pending blocks (all with `full`); rewrite
        only the files whose rows change."""
        from detente import dedup

        files = self._files("events")
        pending_files = self._pending_files()
        pending = self._pending()
        rows: list[dict[str, Any]] = []
        con = self._duckdb()
        try:
            glob = _sql_str(self._url(f"{self.base}/events")) + "/**/*.parquet"
            source = f"read_parquet('{glob}', filename = true, hive_partitioning = false, union_by_name = true)"
            if files and (full or pending):
                where = ""
                params: list[Any] = []
                if not full:
                    con.register("_pending", pa.table({"block": sorted(pending)}))
                    where = (" WHERE event_type IN (SELECT unnest(?)) AND list_has_any(list_concat("
                             "COALESCE(actor_countries, []), COALESCE(recipient_countries, []), "
                             "COALESCE(actor_codes, []), COALESCE(recipient_codes, [])), ?) "
                             f"AND {_block_sql()} IN (SELECT block FROM _pending)")
                    params = [sorted({b.split("|", 1)[0] for b in pending}),
                              sorted({p for b in pending for p in dedup.block_parties(b)})]
                cur = con.execute(f"SELECT {', '.join(CLUSTER_INPUT_COLUMNS)}, filename FROM {source}{where}", params)
                names = [d[0] for d in cur.description]
                rows = [dict(zip(names, values)) for values in cur.fetchall()]
            clusters = dedup.cluster_events(rows, window_days or dedup.WINDOW_DAYS,
                                            dedup.MIN_JACCARD if min_jaccard is None else min_jaccard)
            by_file: dict[str, dict[str, tuple[str, int]]] = {}
            for r in rows:
                if (r["event_cluster_id"], r["sources_count"]) != clusters[r["id"]]:
                    by_file.setdefault(r["filename"], {})[r["id"]] = clusters[r["id"]]
            paths = {self._url(f): f for f in files}
            for url in sorted(by_file):
                path = paths[url]
                full_table = self._read(path)
                new = by_file[url]
                ids = full_table.column("id").to_pylist()
                cid = [new[i][0] if i in new else c for i, c in zip(ids, full_table.column("event_cluster_id").to_pylist())]
                n = [new[i][1] if i in new else c for i, c in zip(ids, full_table.column("sources_count").to_pylist())]
                full_table = full_table.set_column(full_table.schema.get_field_index("event_cluster_id"),
                                                   "event_cluster_id", pa.array(cid, pa.string()))
                full_table = full_table.set_column(full_table.schema.get_field_index("sources_count"),
                                                   "sources_count", pa.array(n, pa.int32()))
                self._write(path, full_table)
            for path in pending_files:
                self.fs.rm(path)
            totals = (con.execute(f"SELECT count(*), count(DISTINCT COALESCE(event_cluster_id, id)) FROM {source}")
                      .fetchone() if files else (0, 0))
        finally:
            con.close()
        return {"events": totals[0], "clusters": totals[1], "recomputed": len(rows),
                "changed": sum(len(v) for v in by_file.values())}
