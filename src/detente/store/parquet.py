"""Parquet stores: a directory (or fsspec URL) of partitioned Parquet, read and written.

Layout (written by ParquetSink, read by Store): ROOT/events/pub_month=YYYY-MM/part-*.parquet and
ROOT/documents/pub_month=YYYY-MM/part-*.parquet, the columns of the DuckDB tables with the same
names; actor and recipient are JSON strings, lists are Parquet lists. ROOT is a local directory
or an fsspec URL (s3://bucket/path with s3fs installed, memory://..., file://...).
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute  # noqa: F401 - pa.compute

from detente.errors import DetenteError
from detente.models import Document, Event, Failure
from detente.store.dedup import block_rows_sql
from detente.store.lock import WriterLock
from detente.store.manifest import MANIFEST, TABLES, Manifest
from detente.store.schema import (
    CLUSTER_INPUT_COLUMNS,
    WATCH_TABLES,
    arrow_rows,
    event_row,
    failure_row,
    quote_name,
    sql_str,
    table_types,
)

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


def _files_sql(files: list[str]) -> str:
    return "[" + ", ".join(f"'{sql_str(f)}'" for f in files) + "]"


def _typed_select(table: str, files: str | list[str] | None, con: duckdb.DuckDBPyConnection) -> str:
    """SELECT over Parquet files (a glob or a list) with exactly the columns and types of the DuckDB table."""
    types = table_types(table)
    if not files:
        cols = ", ".join(f"NULL::{kind} AS {quote_name(name)}" for name, kind in types.items())
        return f"SELECT {cols} WHERE false"
    target = f"'{sql_str(files)}'" if isinstance(files, str) else _files_sql(files)
    source = f"read_parquet({target}, hive_partitioning = true, union_by_name = true)"
    present = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()}
    cols = ", ".join(f"CAST({quote_name(name) if name in present else 'NULL'} AS {kind}) AS {quote_name(name)}"
                     for name, kind in types.items())
    return f"SELECT {cols} FROM {source}"


def attach_parquet(con: duckdb.DuckDBPyConnection, root: str) -> None:
    """Read-only views `events`, `documents` and `failures` over a Parquet store, typed like the
    DuckDB tables: the files its manifest names (a snapshot: a commit after this is not seen),
    or for a store without one, every Parquet file under it."""
    fs, base = parquet_filesystem(root)
    prefix = base
    if not _is_local(fs):
        con.register_filesystem(fs)  # DuckDB reads through fsspec
        prefix = root.rstrip("/")
    manifest = Manifest.load(fs, base)
    if manifest is not None:
        lists = {t: [f"{prefix}/{p}" for p in manifest.files[t]] for t in TABLES}
        for table in TABLES:
            con.execute(f"CREATE VIEW {table} AS {_typed_select(table, lists[table], con)}")
        return
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
    for table in ("failures", *WATCH_TABLES):
        con.execute(f"CREATE VIEW {table} AS {_typed_select(table, None, con)}")


def _month(day: Any) -> str:
    return day.strftime("%Y-%m") if isinstance(day, (dt.date, dt.datetime)) else NO_MONTH


class ParquetSink:
    """Writes a Parquet store (local directory or fsspec URL) batch by batch; resumable.

    Every change is a manifest commit (detente.store.manifest): a batch writes its documents'
    and events' files (one per publication month and table) and the failures file, then
    commits them together; replacing a document rewrites the files that held it under new
    names. Readers see whole batches only, and a writer killed at any moment leaves files no
    manifest names, which the next writer deletes. The writer lock (detente.store.lock) keeps
    a second writer out for the sink's lifetime, waiting up to `wait` seconds for it.
    """

    def __init__(self, root: str | Path, wait: float = 0.0) -> None:
        self.root = str(root)
        self.fs, self.base = parquet_filesystem(root)
        try:
            self.fs.makedirs(self.base, exist_ok=True)
        except OSError as exc:
            raise DetenteError(f"{self.root}: cannot create ({exc})") from None
        local = _is_local(self.fs)
        self.lock = WriterLock(self.root, f"{self.base}/_lock" if local else f"{self.base}/_lock.json",
                               fs=None if local else self.fs, wait=wait)
        self.lock.acquire()
        try:
            manifest = Manifest.load(self.fs, self.base)
            self.manifest = manifest if manifest is not None else self._adopt()
            self._clean_orphans()
        except BaseException:
            self.lock.release()
            raise

    def __enter__(self) -> ParquetSink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Delete the files retired by this run's rewrites, and let the next writer in."""
        try:
            self._delete_retired(grace=0.0)
        finally:
            self.lock.release()

    # -- files -----------------------------------------------------------------------------

    def _path(self, rel: str) -> str:
        return f"{self.base}/{rel}"

    def _url(self, rel: str) -> str:
        """A file as DuckDB names it (through the registered fsspec filesystem when not local)."""
        path = self._path(rel)
        return path if _is_local(self.fs) else self.fs.unstrip_protocol(path)

    def _read(self, rel: str, columns: list[str] | None = None) -> pa.Table:
        import pyarrow.parquet as pq

        return pq.read_table(self._path(rel), columns=columns, filesystem=self.fs, partitioning=None)

    def _write(self, rel: str, table: pa.Table) -> None:
        """Write a file in full (a hidden temporary file, then a rename) before any manifest names it."""
        import pyarrow.parquet as pq

        path = self._path(rel)
        folder, name = path.rsplit("/", 1)
        self.fs.makedirs(folder, exist_ok=True)
        tmp = f"{folder}/.{name}.tmp"
        pq.write_table(table, tmp, filesystem=self.fs)
        self.fs.mv(tmp, path)

    def _rel(self, path: str) -> str:
        return path[len(self.base) + 1:] if path.startswith(self.base + "/") else path

    def _on_disk(self) -> list[str]:
        """Every file under the tables' folders (relative), temporary ones included."""
        out = []
        for table in TABLES:
            folder = self._path(table)
            if self.fs.isdir(folder):
                out += [self._rel(p) for p in self.fs.find(folder)]
        return out

    def _clean_orphans(self) -> None:
        """Delete what a killed writer left: files the manifest does not name (nor retire)."""
        keep = self.manifest.live() | set(self.manifest.retired)
        for rel in self._on_disk():
            if rel not in keep:
                self.fs.rm(self._path(rel))
        for path in self.fs.ls(self.base, detail=False):
            name = path.rstrip("/").rsplit("/", 1)[-1]
            if name.startswith(f".{MANIFEST}.") and name.endswith(".tmp"):
                self.fs.rm(path)

    def _delete_retired(self, grace: float) -> None:
        """Delete retired files older than `grace` seconds (a reader may still be reading younger ones)."""
        now = time.time()
        old = [p for p, when in self.manifest.retired.items() if now - when >= grace]
        if not old:
            return
        for rel in old:
            try:
                self.fs.rm(self._path(rel))
            except FileNotFoundError:
                pass
            del self.manifest.retired[rel]
        self.manifest.commit(self.fs, self.base)

    def _adopt(self) -> Manifest:
        """The manifest of a store written before manifests: its files, without the events a
        killed run left behind (rows whose document was never committed), pending as they were."""
        manifest = Manifest()
        for table in ("events", "documents"):
            manifest.files[table] = [self._rel(p) for p in parquet_files(self.fs, self._path(table))]
        pending_dir = self._path("_dedup_pending")
        old_pending = sorted(p for p in self.fs.find(pending_dir) if p.endswith(".json")) \
            if self.fs.isdir(pending_dir) else []
        for path in old_pending:
            with self.fs.open(path, "r") as fh:
                for block in json.load(fh):
                    manifest.pending[block] = None  # the whole block, as before
        self.manifest = manifest
        if manifest.files["events"]:
            from detente.store.dedup import merge_pending

            known = set(self._query("documents", "SELECT DISTINCT doc_id FROM {src}", key=lambda r: r[0]))
            merge_pending(manifest.pending, _jsonable(self._drop_rows(lambda doc_id: doc_id not in known)))
            # Two writers at once (possible before the writer lock) stored some documents twice,
            # in different batches: keep each in one batch (the last by name), as one writer would.
            copies = self._query("documents", "SELECT doc_id, list(DISTINCT filename) FROM {src} GROUP BY doc_id "
                                 "HAVING count(DISTINCT filename) > 1")
            if copies:
                keep = {doc_id: max(_batch(f) for f in files) for doc_id, files in copies}
                merge_pending(manifest.pending, _jsonable(self._drop_rows(
                    lambda doc_id, rel: doc_id in keep and _batch(rel) != keep[doc_id], sorted(keep))))
        manifest.commit(self.fs, self.base)
        for path in old_pending:
            self.fs.rm(path)
        return manifest

    def _query(self, table: str, sql: str, params: list[Any] | None = None, key=None) -> list[Any]:
        """Run `sql` with {src} standing for the table's live files (filename column included)."""
        files = self.manifest.files[table]
        if not files:
            return []
        con = self._duckdb()
        try:
            src = f"read_parquet({_files_sql([self._url(f) for f in files])}, filename = true, " \
                  "hive_partitioning = false, union_by_name = true)"
            rows = con.execute(sql.format(src=src), params or []).fetchall()
        finally:
            con.close()
        return [key(r) for r in rows] if key else rows

    def _duckdb(self) -> duckdb.DuckDBPyConnection:
        con = duckdb.connect(":memory:")
        con.execute("SET enable_progress_bar = false")
        if not _is_local(self.fs):
            con.register_filesystem(self.fs)
        return con

    def _drop_rows(self, drop, doc_ids: list[str] | None = None) -> dict[str, Any]:
        """Rewrite the files holding rows whose doc_id satisfies `drop` (doc_id, or doc_id and the
        file's relative path) without them, under new names (the old files are retired).
        `doc_ids` narrows the files to read. Returns the pending blocks of the events dropped.
        The caller commits."""
        import inspect

        from detente.store.dedup import merge_pending, pending_blocks

        by_file = len(inspect.signature(drop).parameters) == 2

        blocks: dict[str, Any] = {}
        for table in ("events", "documents"):
            if doc_ids is not None:
                where = "WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))"
                files = self._query(table, f"SELECT DISTINCT filename FROM {{src}} {where}", [doc_ids],
                                    key=lambda r: self._rel_url(r[0]))
            else:
                files = list(self.manifest.files[table])
            retired = []
            for rel in sorted(files):
                full = self._read(rel)
                mask = pa.array([bool(drop(d, rel) if by_file else drop(d)) for d in full.column("doc_id").to_pylist()],
                                pa.bool_())
                if not any(mask.to_pylist()):
                    continue
                gone = full.filter(mask)
                if table == "events":
                    merge_pending(blocks, pending_blocks(gone.select(CLUSTER_INPUT_COLUMNS).to_pylist()))
                kept = full.filter(pa.compute.invert(mask))
                retired.append(rel)
                if kept.num_rows:
                    new = self._new_name(rel)
                    self._write(new, kept)
                    self.manifest.files[table].append(new)
            self.manifest.retire(table, retired)
        return blocks

    def _rel_url(self, url: str) -> str:
        if not _is_local(self.fs):
            url = self.fs._strip_protocol(url)
        return self._rel(url)

    def _new_name(self, rel: str) -> str:
        """A name no live or retired file has: part-GENERATION-SEQUENCE-KEY.parquet in the same folder."""
        folder, name = rel.rsplit("/", 1)
        stem = name.rsplit("-", 1)[-1].removesuffix(".parquet")
        taken = self.manifest.live() | set(self.manifest.retired)
        n = 0
        while True:
            new = f"{folder}/part-{self.manifest.generation + 1:08d}-{n:03d}-{stem}.parquet"
            if new not in taken:
                return new
            n += 1

    # -- the sink interface -----------------------------------------------------------------

    def known_documents(self) -> dict[str, str]:
        """doc_id -> content hash of every stored document."""
        return dict(self._query("documents", "SELECT doc_id, content_hash FROM {src}"))

    def lookup(self, doc_ids: list[str]) -> dict[str, str]:
        """doc_id -> content hash of those of `doc_ids` that are stored."""
        if not doc_ids:
            return {}
        return dict(self._query("documents", "SELECT doc_id, content_hash FROM {src} "
                                "WHERE doc_id IN (SELECT unnest(?::VARCHAR[]))", [doc_ids]))

    def failed(self, keys: list[str]) -> dict[str, str]:
        """key -> content hash of those of `keys` recorded as failed."""
        if not keys:
            return {}
        return dict(self._query("failures", "SELECT key, content_hash FROM {src} "
                                "WHERE key IN (SELECT unnest(?::VARCHAR[]))", [keys]))

    def _failure_rows(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for rel in self.manifest.files["failures"]:
            rows += self._read(rel).to_pylist()
        return rows

    def _set_failures(self, rows: list[dict[str, Any]], key: str) -> None:
        self.manifest.retire("failures", list(self.manifest.files["failures"]))
        if rows:
            rel = f"failures/part-{self.manifest.generation + 1:08d}-{key}.parquet"
            self._write(rel, arrow_rows("failures", sorted(rows, key=lambda r: r["key"])))
            self.manifest.files["failures"].append(rel)

    def write_batch(self, batch: list[tuple[Document, list[Event]]],
                    failures: Iterable[Failure] = ()) -> tuple[int, int]:
        """Add documents with their events (replacing older versions) and record failures, in one
        commit; returns (documents, events) written."""
        failures = list(failures)
        if not batch and not failures:
            return 0, 0
        import hashlib

        from detente.store.dedup import merge_pending, pending_blocks

        self.lock.renew()
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        docs = [{**d.model_dump(exclude={"content_hash"}), "content_hash": d.content_hash or Document.hash_text(d.text),
                 "n_events": len(evs), "ingested_at": now} for d, evs in batch]
        rows: dict[str, dict[str, Any]] = {}
        for _, evs in batch:
            for ev in evs:
                rows[ev.id] = event_row(ev)
        key = hashlib.sha1("\n".join([f"{d['doc_id']}\t{d['content_hash']}" for d in docs]
                                     + [f"{f.key}\t{f.content_hash}" for f in failures]).encode("utf-8")).hexdigest()[:20]
        ids = [d["doc_id"] for d in docs]
        replaced = set(self.lookup(ids))
        pending: dict[str, Any] = {}
        if replaced:
            merge_pending(pending, self._drop_rows(lambda doc_id: doc_id in replaced, sorted(replaced)))
        merge_pending(pending, pending_blocks(rows.values()))
        for table, records in (("events", list(rows.values())), ("documents", docs)):
            months: dict[str, list[dict[str, Any]]] = {}
            for r in records:
                months.setdefault(_month(r["pub_date"]), []).append(r)
            for month, part in sorted(months.items()):
                rel = f"{table}/pub_month={month}/part-{self.manifest.generation + 1:08d}-{key}.parquet"
                self._write(rel, arrow_rows(table, part))
                self.manifest.files[table].append(rel)
        # Failures: a stored document clears its own (and its file's, once unreadable); new ones are added.
        paths = {d["path"] for d in docs if d["path"]}
        current = {r["key"]: r for r in self._failure_rows()}
        cleared = [k for k, r in current.items() if k in ids or (r["stage"] == "read" and k in paths)]
        for k in cleared:
            del current[k]
        for f in failures:
            row = failure_row(f, now)
            if f.key in current:
                row.update(attempts=(current[f.key]["attempts"] or 1) + 1,
                           first_failed_at=current[f.key]["first_failed_at"])
            current[f.key] = row
        if cleared or failures:
            self._set_failures(list(current.values()), key)
        merge_pending(self.manifest.pending, _jsonable(pending))
        self.manifest.commit(self.fs, self.base)
        self._delete_retired(grace=RETIRED_GRACE)
        return len(docs), len(rows)

    def settle_failures(self, sources: list[str], seen: list[str]) -> int:
        """Forget the read failures of files read again in full whose records no longer fail."""
        if not sources:
            return 0
        src, keep = set(sources), set(seen)
        rows = self._failure_rows()
        left = [r for r in rows if not (r["stage"] == "read" and r["source"] in src and r["key"] not in keep)]
        if len(left) == len(rows):
            return 0
        self._set_failures(left, "settled")
        self.manifest.commit(self.fs, self.base)
        return len(rows) - len(left)

    def table_rows(self, table: str) -> list[dict[str, Any]]:
        """Every row of a watch table (WATCH_TABLES), by key."""
        if table not in WATCH_TABLES:
            raise DetenteError(f"unknown table {table!r}")
        rows: list[dict[str, Any]] = []
        for rel in self.manifest.files[table]:
            rows += self._read(rel).to_pylist()
        return sorted(rows, key=lambda r: r[WATCH_TABLES[table]])

    def write_rows(self, tables: dict[str, list[dict[str, Any]]]) -> None:
        """Insert or replace rows (by key) of the watch tables, in one commit: each table changed is
        rewritten as one file (they are small: what a watcher remembers, and its alerts)."""
        import hashlib

        if not any(tables.values()):
            return
        self.lock.renew()
        for table, rows in sorted(tables.items()):
            if not rows:
                continue
            key = WATCH_TABLES[table]
            current = {r[key]: r for r in self.table_rows(table)}
            current.update({r[key]: r for r in rows})
            digest = hashlib.sha1(repr(sorted(current)).encode("utf-8")).hexdigest()[:20]
            self.manifest.retire(table, list(self.manifest.files[table]))
            rel = f"{table}/part-{self.manifest.generation + 1:08d}-{digest}.parquet"
            self._write(rel, arrow_rows(table, [current[k] for k in sorted(current)]))
            self.manifest.files[table].append(rel)
        self.manifest.commit(self.fs, self.base)
        self._delete_retired(grace=RETIRED_GRACE)

    def update_clusters(self, full: bool = False, window_days: int | None = None,
                        min_jaccard: float | None = None) -> dict[str, int]:
        """Recompute the de-duplication clusters where events changed (all with `full`); rewrite
        only the files whose rows change, and commit."""
        from detente.store import dedup

        self.lock.renew()
        window = window_days or dedup.WINDOW_DAYS
        jaccard = dedup.MIN_JACCARD if min_jaccard is None else min_jaccard
        cols = ", ".join(CLUSTER_INPUT_COLUMNS)
        if full:
            rows = [dict(zip([*CLUSTER_INPUT_COLUMNS, "filename"], r))
                    for r in self._query("events", f"SELECT {cols}, filename FROM {{src}}")]
            clusters = dedup.cluster_events(rows, window, jaccard)
            changes = {r["id"]: clusters[r["id"]] for r in rows
                       if (r["event_cluster_id"], r["sources_count"]) != clusters[r["id"]]}
            recomputed = len(rows)
        else:
            pending = [(b, *(_dates(span) if span else (None, None))) for b, span in self.manifest.pending.items()]
            changes, recomputed = dedup.recluster_pending(pending, self._block_rows, window, jaccard)
        if changes:
            files = self._query("events", "SELECT DISTINCT filename FROM {src} WHERE id IN (SELECT unnest(?::VARCHAR[]))",
                                [sorted(changes)], key=lambda r: self._rel_url(r[0]))
            retired = []
            for rel in sorted(files):
                table = self._read(rel)
                ids = table.column("id").to_pylist()
                cid = [changes[i][0] if i in changes else c
                       for i, c in zip(ids, table.column("event_cluster_id").to_pylist())]
                n = [changes[i][1] if i in changes else c for i, c in zip(ids, table.column("sources_count").to_pylist())]
                table = table.set_column(table.schema.get_field_index("event_cluster_id"), "event_cluster_id",
                                         pa.array(cid, pa.string()))
                table = table.set_column(table.schema.get_field_index("sources_count"), "sources_count",
                                         pa.array(n, pa.int32()))
                new = self._new_name(rel)
                self._write(new, table)
                self.manifest.files["events"].append(new)
                retired.append(rel)
            self.manifest.retire("events", retired)
        if changes or self.manifest.pending:
            self.manifest.pending = {}
            self.manifest.commit(self.fs, self.base)
        totals = self._query("events", "SELECT count(*), count(DISTINCT COALESCE(event_cluster_id, id)) FROM {src}")
        n_events, n_clusters = totals[0] if totals else (0, 0)
        return {"events": n_events, "clusters": n_clusters, "recomputed": recomputed, "changed": len(changes)}

    def _block_rows(self, windows: list[tuple[str, Any, Any]]) -> list[dict[str, Any]]:
        from detente.store.dedup import block_row_filter

        if not self.manifest.files["events"]:
            return []
        where, params, table = block_row_filter(windows)
        con = self._duckdb()
        try:
            con.register("_windows", table)
            src = f"read_parquet({_files_sql([self._url(f) for f in self.manifest.files['events']])}, " \
                  "hive_partitioning = false, union_by_name = true)"
            cur = con.execute(block_rows_sql(src, "_windows", where, windows[0][1] is None), params)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r)) for r in cur.fetchall()]
        finally:
            con.close()


RETIRED_GRACE = 60.0  # seconds a rewritten file stays for readers that listed it before the rewrite


def _batch(path: str) -> str:
    """The batch a file belongs to: its name without the month folder ("part-KEY.parquet")."""
    return path.rstrip("/").rsplit("/", 1)[-1]


def _jsonable(pending: dict[str, Any]) -> dict[str, list[str] | None]:
    return {b: None if span is None else [span[0].isoformat(), span[1].isoformat()] for b, span in pending.items()}


def _dates(span: list[str]) -> tuple[dt.date, dt.date]:
    return dt.date.fromisoformat(span[0]), dt.date.fromisoformat(span[1])
