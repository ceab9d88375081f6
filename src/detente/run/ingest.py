"""Ingest into the store: skip what is stored, code the rest, commit in batches, de-duplicate.

Engines (where documents are coded): "local" (this process, or `n_process` local worker
processes) and "dask" (a Dask cluster: a new LocalCluster, or the scheduler at `scheduler`).
Sinks (where they are stored): the DuckDB file `db`, or a Parquet store (`output`, a
directory or fsspec URL; also used when `db` is an existing directory). Every engine gives
the same events, and every sink the same rows.

Resumable: documents already stored with the same content hash are skipped, each batch is
committed at once (one DuckDB transaction, or one set of Parquet files), and the
de-duplication clusters are recomputed at the end of every run. A run killed midway and run
again ends in exactly the state of a clean run.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from detente.errors import DetenteError
from detente.models import Document, Event
from detente.run.progress import progress_bar
from detente.store import ParquetSink, is_url, open_store

ENGINES = ("local", "dask")
PROGRESS = ("auto", "bar", "lines", "none")
PARQUET_BATCH = 1000  # default documents per Parquet commit


@contextmanager
def coded_stream(
    docs: list[Document],
    engine: str = "local",
    n_process: int = 1,
    scheduler: str | None = None,
    actor_table: str | None = None,
    batch_size: int = 16,
    client: Any = None,
) -> Iterator[Iterator[tuple[Document, list[Event]]]]:
    """(document, events) pairs in input order from the chosen engine; the cluster lives as long as the block."""
    if engine not in ENGINES:
        raise DetenteError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    if engine == "local":
        if scheduler:
            raise DetenteError("--scheduler needs --engine dask")
        from detente.run.pipeline import iter_coded

        yield iter_coded(docs, actor_table, batch_size, n_process)
        return
    from detente.run.cluster import dask_client, iter_coded_dask

    if client is not None:
        yield iter_coded_dask(docs, client, actor_table, batch_size)
        return
    if not docs:
        yield iter(())
        return
    with dask_client(scheduler, n_process) as new_client:
        yield iter_coded_dask(docs, new_client, actor_table, batch_size)


class _Lines:
    """Progress as lines on stderr, one per committed batch (for logs and pipes)."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total, self.done, self.start = label, total, 0, time.monotonic()

    def advance(self, n: int = 1) -> None:
        self.done += n
        elapsed = max(time.monotonic() - self.start, 1e-9)
        rate = self.done / elapsed
        eta = (self.total - self.done) / rate if rate > 0 else 0.0
        sys.stderr.write(f"{self.label}: {self.done}/{self.total} documents ({rate:.1f} docs/s, ETA {eta:.0f}s)\n")
        sys.stderr.flush()


@contextmanager
def _progress(mode: str, label: str, total: int) -> Iterator[Any]:
    if mode not in PROGRESS:
        raise DetenteError(f"unknown progress mode {mode!r}; use one of {', '.join(PROGRESS)}")
    if mode == "lines":
        yield _Lines(label, total)
        return
    enabled = {"auto": None, "bar": True, "none": False}[mode]
    with progress_bar(label, total, enabled=enabled) as bar:
        yield bar


def _sink(db: str, output: str | None) -> Any:
    target = output or db
    if output or is_url(target) or Path(target).is_dir():
        return ParquetSink(target)
    return open_store(target)


def ingest_documents(
    docs: list[Document],
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
) -> dict[str, Any]:
    """Code and store documents not yet in the store (by id and content hash); resumable.

    `batch_size` documents are committed at a time (default 64 for DuckDB, 1000 for Parquet).
    Returns counts: new, updated, skipped documents, events written, and the store's events,
    clusters and duplicate reports after de-duplication.
    """
    stats: dict[str, Any] = {"new": 0, "updated": 0, "skipped": 0, "events": 0}
    with _sink(db, output) as sink:
        if batch_size is None:
            batch_size = PARQUET_BATCH if isinstance(sink, ParquetSink) else 64
        if batch_size < 1:
            raise DetenteError("--batch-size must be at least 1")
        known = sink.known_documents()
        todo = []
        for d in docs:
            if known.get(d.doc_id) == d.content_hash:
                stats["skipped"] += 1
            else:
                stats["updated" if d.doc_id in known else "new"] += 1
                todo.append(d)
        with (_progress(progress, "ingesting", len(todo)) as bar,
              coded_stream(todo, engine, n_process, scheduler, actor_table, client=client) as stream):
            for chunk in iter_batches(stream, batch_size):
                _, n_events = sink.write_batch(chunk)
                stats["events"] += n_events
                bar.advance(len(chunk))
                if on_batch is not None:
                    on_batch(len(chunk))
        clusters = sink.update_clusters()
    stats.update(stored_events=clusters["events"], clusters=clusters["clusters"],
                 duplicates=clusters["events"] - clusters["clusters"])
    return stats


def iter_batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
