"""Ingest into the store: skip what is stored, code the rest, commit in batches, de-duplicate.

`ingest_documents` is the one function every front end calls (the CLI, the web upload form, a
feed watcher): it takes documents (and Failures from the readers) as a list or a stream, and
returns counts. Engines (where documents are coded): "local" (this process, or `n_process`
local worker processes) and "dask" (a Dask cluster: a new LocalCluster, or the scheduler at
`scheduler`). Sinks (where they are stored): the DuckDB file `db`, or a Parquet store
(`output`, a directory or fsspec URL; also used when `db` is an existing directory). Every
engine gives the same events, and every sink the same rows.

Resumable: documents already stored with the same content hash are skipped (looked up in the
store a window at a time, never all loaded), each batch is committed at once (one DuckDB
transaction, or one Parquet manifest commit), and the de-duplication clusters are updated at
the end of every run around the dates that changed. A run killed midway and run again ends in
exactly the state of a clean run.

A document that cannot be read or coded is recorded in the store's failures table (with the
batch it came in) and the run goes on. It is tried again only when its content changes (or
with `retry_failed`). One writer at a time: a second ingest into the same store waits up to
`wait` seconds for the first, then stops with StoreBusy.
"""

from __future__ import annotations

import itertools
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from detente.errors import DetenteError
from detente.models import Document, Event, Failure
from detente.run.pipeline import TIME_LIMIT, Outcome
from detente.run.progress import progress_bar
from detente.store import DuckDBSink, ParquetSink, is_url
from detente.store.schema import failure_source

ENGINES = ("local", "dask")
PROGRESS = ("auto", "bar", "lines", "none")
PARQUET_BATCH = 1000  # default documents per Parquet commit
DUCKDB_BATCH = 64  # default documents per DuckDB transaction
CODE_BATCH = 16  # documents parsed at a time (nlp.pipe), coded in groups of twice that


def _peek(items: Iterable[Any]) -> tuple[bool, Iterator[Any]]:
    """(whether `items` has any, an iterator over all of them)."""
    it = iter(items)
    first = next(it, _END)
    if first is _END:
        return False, iter(())
    return True, itertools.chain([first], it)


_END = object()


@contextmanager
def coded_stream(
    docs: Iterable[Document],
    engine: str = "local",
    n_process: int = 1,
    scheduler: str | None = None,
    actor_table: str | None = None,
    batch_size: int = CODE_BATCH,
    client: Any = None,
    time_limit: float | None = TIME_LIMIT,
) -> Iterator[Iterator[tuple[Document, Outcome]]]:
    """(document, events or Failure) pairs in input order from the chosen engine; `docs` may be a
    stream. The cluster lives as long as the block."""
    if engine not in ENGINES:
        raise DetenteError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    if engine == "local":
        if scheduler:
            raise DetenteError("--scheduler needs --engine dask")
        from detente.run.pipeline import iter_coded

        yield iter_coded(docs, actor_table, batch_size, n_process, time_limit)
        return
    from detente.run.cluster import dask_client, iter_coded_dask

    if client is not None:
        yield iter_coded_dask(docs, client, actor_table, batch_size, time_limit=time_limit)
        return
    anything, docs = _peek(docs)
    if not anything:  # no cluster to start for nothing
        yield iter(())
        return
    with dask_client(scheduler, n_process) as new_client:
        yield iter_coded_dask(docs, new_client, actor_table, batch_size, time_limit=time_limit)


class _Lines:
    """Progress as lines on stderr, one per committed batch (for logs and pipes)."""

    def __init__(self, label: str, total: int | None) -> None:
        self.label, self.total, self.done, self.start = label, total, 0, time.monotonic()

    def set_total(self, total: int | None) -> None:
        self.total = total

    def advance(self, n: int = 1) -> None:
        self.done += n
        elapsed = max(time.monotonic() - self.start, 1e-9)
        rate = self.done / elapsed
        if self.total is None:
            line = f"{self.label}: {self.done} documents ({rate:.1f} docs/s)"
        else:
            eta = (self.total - self.done) / rate if rate > 0 else 0.0
            line = f"{self.label}: {self.done}/{self.total} documents ({rate:.1f} docs/s, ETA {eta:.0f}s)"
        sys.stderr.write(line + "\n")
        sys.stderr.flush()


@contextmanager
def _progress(mode: str, label: str, total: int | None) -> Iterator[Any]:
    if mode not in PROGRESS:
        raise DetenteError(f"unknown progress mode {mode!r}; use one of {', '.join(PROGRESS)}")
    if mode == "lines":
        yield _Lines(label, total)
        return
    enabled = {"auto": None, "bar": True, "none": False}[mode]
    with progress_bar(label, total, enabled=enabled) as bar:
        yield bar


def code_stream(
    docs: Iterable[Document],
    engine: str = "local",
    n_process: int = 1,
    scheduler: str | None = None,
    actor_table: str | None = None,
    time_limit: float | None = TIME_LIMIT,
) -> Iterator[tuple[Document, Outcome]]:
    """(document, events or Failure) in input order; a stream (not a list) is coded in bursts as
    it arrives (iter_bursts), so output follows input within seconds."""
    bursts = iter([docs]) if isinstance(docs, list) else iter_bursts(docs, 512)
    with _engine_session(engine, scheduler, n_process, None) as session:
        for burst in bursts:
            client = session() if engine == "dask" and burst else None
            with coded_stream(burst, engine, n_process, scheduler, actor_table, client=client,
                              time_limit=time_limit) as stream:
                yield from stream


def open_sink(db: str, output: str | None = None, wait: float = 0.0) -> DuckDBSink | ParquetSink:
    """The writer for the store at `output` (Parquet) or `db` (a DuckDB file, or a Parquet
    directory or URL); it holds the store's writer lock until closed."""
    target = output or db
    if output or is_url(target) or Path(target).is_dir():
        return ParquetSink(target, wait=wait)
    return DuckDBSink(target, wait=wait)


class _Run:
    """The bookkeeping of one ingest: which inputs to code, what failed, the counts."""

    def __init__(self, sink: Any, retry_failed: bool, on_failure: Callable[[Failure], None] | None) -> None:
        self.sink, self.retry_failed, self.on_failure = sink, retry_failed, on_failure
        self.stats: dict[str, Any] = {"new": 0, "updated": 0, "skipped": 0, "failed": 0, "failed_before": 0,
                                      "events": 0}
        self.unsaved: list[Failure] = []  # failures to commit with the next batch
        self.ids: dict[str, str] = {}  # doc_id -> content hash of this run's documents
        self.sources: set[str] = set()  # files read in this run
        self.seen: set[str] = set()  # failure keys met again in this run
        self.coding: dict[str, str] = {}  # doc_id -> "new" or "updated", until it is stored

    def fail(self, failure: Failure) -> None:
        self.stats["failed"] += 1
        self.unsaved.append(failure)
        if self.on_failure is not None:
            self.on_failure(failure)

    def select(self, items: Iterable[Document | Failure], window: int) -> Iterator[Document]:
        """The documents to code, in order: not stored with this content, not failed with it."""
        for chunk in iter_batches(items, window):
            docs = [d for d in chunk if isinstance(d, Document)]
            keys = [f.key for f in chunk if isinstance(f, Failure)] + [d.doc_id for d in docs]
            known = self.sink.lookup(sorted({d.doc_id for d in docs}))
            failed = self.sink.failed(sorted(set(keys)))
            for item in chunk:
                if isinstance(item, Failure):
                    self.sources.add(failure_source(item.path) or "")
                    self.seen.add(item.key)
                    if failed.get(item.key) == item.content_hash:
                        self.stats["failed_before"] += 1  # the same input failed the same way: not news
                    else:
                        self.fail(item)
                    continue
                if item.path:
                    self.sources.add(item.path)
                earlier = self.ids.get(item.doc_id)
                if earlier is not None:
                    if earlier != item.content_hash:
                        self._duplicate(item)
                    continue
                self.ids[item.doc_id] = item.content_hash
                if known.get(item.doc_id) == item.content_hash:
                    self.stats["skipped"] += 1
                elif not self.retry_failed and failed.get(item.doc_id) == item.content_hash:
                    self.stats["failed_before"] += 1
                    self.seen.add(item.doc_id)
                else:
                    kind = "updated" if item.doc_id in known else "new"
                    self.stats[kind] += 1
                    self.coding[item.doc_id] = kind
                    yield item

    def _duplicate(self, doc: Document) -> None:
        dup = Failure(path=f"{doc.path or ''}#{doc.doc_id}", stage="read", content_hash=doc.content_hash,
                      error=f"{doc.path}: duplicate document id {doc.doc_id!r} with different text in this input "
                            "(the first one is kept)")
        self.sources.add(doc.path or "")
        self.seen.add(dup.key)
        if self.sink.failed([dup.key]).get(dup.key) == dup.content_hash:
            self.stats["failed_before"] += 1
        else:
            self.fail(dup)

    def write(self, chunk: list[tuple[Document, Outcome]]) -> None:
        good: list[tuple[Document, list[Event]]] = []
        for doc, outcome in chunk:
            if isinstance(outcome, Failure):
                self.stats[self.coding.pop(doc.doc_id, "new")] -= 1  # counted as failed instead
                self.fail(outcome)
            else:
                self.coding.pop(doc.doc_id, None)
                good.append((doc, outcome))
        failures, self.unsaved = self.unsaved, []
        _, n_events = self.sink.write_batch(good, failures)
        self.stats["events"] += n_events


def ingest_documents(
    docs: Iterable[Document | Failure],
    db: str,
    actor_table: str | None = None,
    n_process: int = 1,
    batch_size: int | None = None,
    *,
    engine: str = "local",
    scheduler: str | None = None,
    output: str | None = None,
    progress: str = "auto",
    client: Any = None,
    on_batch: Callable[[int], None] | None = None,
    on_failure: Callable[[Failure], None] | None = None,
    time_limit: float | None = TIME_LIMIT,
    retry_failed: bool = False,
    wait: float = 0.0,
) -> dict[str, Any]:
    """Code and store documents not yet in the store (by id and content hash); resumable.

    `docs` is a list or a stream of Documents, and of Failures from the readers (recorded as
    they come). `batch_size` documents are committed at a time (default 64 for DuckDB, 1000
    for Parquet). Documents that fail (the coder raised, over `time_limit` seconds, the worker
    died) go to `on_failure` and the failures table, and the run goes on. Returns counts: new,
    updated, skipped (stored with the same content), failed (in this run), failed_before (failed
    earlier with the same content: not tried again) documents, events written, the store's
    events, clusters and duplicate reports after de-duplication, and the stored events it read
    to update the clusters (reclustered).
    """
    streaming = not isinstance(docs, list)
    if batch_size is not None and batch_size < 1:  # before the store is opened: a bad flag creates nothing
        raise DetenteError("--batch-size must be at least 1")
    with open_sink(db, output, wait) as sink:
        if batch_size is None:
            batch_size = PARQUET_BATCH if isinstance(sink, ParquetSink) else DUCKDB_BATCH
        run = _Run(sink, retry_failed, on_failure)
        bursts = iter_bursts(docs, max(8 * batch_size, 512)) if streaming else iter([docs])
        with (_progress(progress, "ingesting", None) as bar,
              _engine_session(engine, scheduler, n_process, client) as session):
            for burst in bursts:
                # Lookups first, so the bar knows how many documents there are to code.
                todo = list(run.select(burst, max(batch_size, 256)))
                if not streaming:
                    bar.set_total(len(todo))
                # Parse (and code) no more ahead than is committed at a time: with --batch-size 1
                # each document is stored as soon as it is coded.
                with coded_stream(todo, engine, n_process, scheduler, actor_table, min(CODE_BATCH, batch_size),
                                  client=session() if todo else client, time_limit=time_limit) as stream:
                    for chunk in iter_batches(stream, batch_size):
                        run.write(chunk)
                        bar.advance(len(chunk))
                        if on_batch is not None:
                            on_batch(len(chunk))
                if run.unsaved:
                    run.write([])
                if streaming:  # a stream may not end: keep the clusters current as it goes
                    clusters = sink.update_clusters()
        # Every input was read to its end: read failures of those files that did not recur are gone.
        sink.settle_failures(sorted(s for s in run.sources if s), sorted(run.seen))
        clusters = sink.update_clusters()
    stats = run.stats
    stats.update(stored_events=clusters["events"], clusters=clusters["clusters"],
                 duplicates=clusters["events"] - clusters["clusters"], reclustered=clusters["recomputed"])
    return stats


@contextmanager
def _engine_session(engine: str, scheduler: str | None, n_process: int, client: Any) -> Iterator[Callable[[], Any]]:
    """A function giving the Dask client for the whole ingest (started when first asked for), or
    `client` (None for the local engine)."""
    if engine != "dask" or client is not None:
        yield lambda: client
        return
    from contextlib import ExitStack

    from detente.run.cluster import dask_client

    with ExitStack() as stack:
        started: list[Any] = []

        def get() -> Any:
            if not started:
                started.append(stack.enter_context(dask_client(scheduler, n_process)))
            return started[0]

        yield get


def iter_bursts(items: Iterable[Any], max_items: int, idle: float = 1.0) -> Iterator[list[Any]]:
    """A stream in lists: each as soon as `max_items` arrived, or the stream was quiet for `idle`
    seconds, or it ended. A thread reads ahead (at most a few lists), so documents that trickle
    in (a feed on stdin) are stored within seconds, not when enough have come."""
    import queue
    import threading

    inbox: queue.Queue = queue.Queue(maxsize=4 * max_items)
    end = object()

    def read() -> None:
        try:
            for item in items:
                inbox.put(item)
            inbox.put(end)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which raises it
            inbox.put(_Raised(exc))

    threading.Thread(target=read, name="detente-read", daemon=True).start()
    burst: list[Any] = []
    while True:
        try:
            item = inbox.get(timeout=idle) if burst else inbox.get()
        except queue.Empty:
            yield burst
            burst = []
            continue
        if item is end:
            if burst:
                yield burst
            return
        if isinstance(item, _Raised):
            raise item.exc
        burst.append(item)
        if len(burst) >= max_items:
            yield burst
            burst = []


class _Raised:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def iter_batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
