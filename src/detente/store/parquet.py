"""Parquet stores: a directory (or fsspec URL) of partitioned Parquet, read and written.

Layout (written by ParquetSink, read by Store): ROOT/events/pub_month=YYYY-MM/part-*.parquet and
ROOT/documents/pub_month=YYYY-MM/part-*.parquet, the columns of the DuckDB tables with the same
names; actor and recipient are JSON strings, lists are Parquet lists. ROOT is a local directory
or an fsspec URL (s3://bucket/path with s3fs installed, memory://..., file://...).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from detente.errors import DetenteError
from detente.models import Document, Event
from detente.store.dedup import block_sql
from detente.store.schema import CLUSTER_INPUT_COLUMNS, arrow_rows, event_row, quote_name, sql_str, table_types

NO_MONTH = "__HIVE_DEFAULT_PARTITION__"  # the Hive name for a null partition value


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


def _typed_select(table: str, glob: str | None, con: duckdb.DuckDBPyConnection) -> str:
    """SELECT over Parquet files with exactly the columns and types of the DuckDB table."""
    types = table_types(table)
    if glob is None:
        cols = ", ".join(f"NULL::{kind} AS {quote_name(name)}" for name, kind in types.items())
        return f"SELECT {cols} WHERE false"
    source = f"read_parquet('{sql_str(glob)}', hive_partitioning = true, union_by_name = true)"
    present = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    cols = ", ".join(f"CAST({quote_name(name) if name in present else 'NULL'} AS {kind}) AS {quote_name(name)}"
                     for name, kind in types.items())
    return f"SELECT {cols} FROM {source}"


def attach_parquet(con: duckdb.DuckDBPyConnection, root: str) -> None:
    """Read-only views `events` and `documents` over a Parquet store, typed like the DuckDB tables."""
    fs, base = parquet_filesystem(root)
    prefix = base
    if not _is_local(fs):
        con.register_filesystem(fs)  # DuckDB reads through fsspec
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
    con.execute(f"CREATE VIEW events AS {_typed_select('events', events_glob if event_files else None, con)}")
    if doc_files:
        con.execute(f"CREATE VIEW documents AS {_typed_select('documents', docs_glob, con)}")
    else:
        con.execute("CREATE VIEW documents AS SELECT DISTINCT doc_id, NULL::VARCHAR AS content_hash, "
                         "NULL::VARCHAR AS title, NULL::VARCHAR AS url, NULL::VARCHAR AS source, "
                         "NULL::VARCHAR AS author, pub_date, NULL::VARCHAR AS path, NULL::VARCHAR AS text, "
                         "NULL::INTEGER AS n_events, NULL::TIMESTAMP AS ingested_at FROM events")


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

        from detente.store.dedup import block_id

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

        from detente.store.dedup import block_id

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
                self._write(f"{self.base}/{table}/pub_month={month}/part-{key}.parquet", arrow_rows(table, part))
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
        from detente.store import dedup

        files = self._files("events")
        pending_files = self._pending_files()
        pending = self._pending()
        rows: list[dict[str, Any]] = []
        con = self._duckdb()
        try:
            glob = sql_str(self._url(f"{self.base}/events")) + "/**/*.parquet"
            source = f"read_parquet('{glob}', filename = true, hive_partitioning = false, union_by_name = true)"
            if files and (full or pending):
                where = ""
                params: list[Any] = []
                if not full:
                    con.register("_pending", pa.table({"block": sorted(pending)}))
                    where = (" WHERE event_type IN (SELECT unnest(?)) AND list_has_any(list_concat("
                             "COALESCE(actor_countries, []), COALESCE(recipient_countries, []), "
                             "COALESCE(actor_codes, []), COALESCE(recipient_codes, [])), ?) "
                             f"AND {block_sql()} IN (SELECT block FROM _pending)")
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
