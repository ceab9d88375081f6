"""The Dask engine: the same per-partition coding function, run on a Dask cluster.

Documents go to the workers in partitions; each worker process loads the spaCy pipeline and
the actor matcher once (a worker plugin fills the per-process cache when the worker starts)
and codes whole partitions with detente.run.pipeline.code_batch, the function the local engine
runs, so both engines give the same events with the same ids. Results come back to the client
in input order, with a bounded number of partitions in flight.

Without a scheduler address, a LocalCluster is started: N worker processes, one thread each.
With one (tcp://host:8786), the workers must have detente (and any --actors table, at the same
path) installed.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from detente.errors import DetenteError
from detente.models import Document

try:
    from distributed import Client, LocalCluster, WorkerPlugin, as_completed
except ImportError:  # pragma: no cover - dask is a dependency, but keep the message friendly
    Client = LocalCluster = as_completed = None  # type: ignore[assignment,misc]
    WorkerPlugin = object  # type: ignore[assignment,misc]

MAX_PARTITION = 128  # documents per task at most
# Worker settings for the LocalCluster: Dask's default MALLOC_TRIM_THRESHOLD_=65536 made coding
# 12% slower here (spaCy allocates and frees many small arrays) and the statistical profiler
# takes a few % more. BLAS stays on one thread per worker. Set the same on a remote cluster's
# workers (distributed.nanny.pre-spawn-environ, distributed.worker.profile.enabled).
WORKER_CONFIG: dict[str, Any] = {
    "distributed.nanny.pre-spawn-environ": {"OMP_NUM_THREADS": 1, "MKL_NUM_THREADS": 1, "OPENBLAS_NUM_THREADS": 1},
    "distributed.worker.profile.enabled": False,
}


class PreloadPipeline(WorkerPlugin):  # type: ignore[misc,valid-type]
    """Load the pipeline and actor matcher once per worker process, when the worker starts."""

    name = "detente-pipeline"

    def __init__(self, actor_table: str | None = None) -> None:
        self.actor_table = actor_table

    def setup(self, worker: Any) -> None:
        from detente.run.pipeline import load_coder, single_thread_blas

        single_thread_blas()  # one core per worker thread (the nanny usually sets this already)
        load_coder(self.actor_table)


def code_partition(docs: list[Document], actor_table: str | None = None, batch_size: int = 16,
                   time_limit: float | None = None) -> list[Any]:
    """The task: code one partition of documents on a worker (events or a Failure per document)."""
    from detente.run.pipeline import TIME_LIMIT, code_batch

    return code_batch(docs, actor_table, batch_size, TIME_LIMIT if time_limit is None else time_limit)


@contextmanager
def dask_client(scheduler: str | None = None, n_workers: int = 1) -> Iterator[Any]:
    """A Client of the scheduler at `scheduler`, or of a new LocalCluster (n_workers x 1 thread)."""
    if Client is None:
        raise DetenteError("--engine dask needs the 'dask[distributed]' package")
    if scheduler:
        try:
            client = Client(scheduler, timeout="30s")
        except OSError as exc:
            raise DetenteError(f"cannot connect to Dask scheduler {scheduler}: {exc}") from None
        with client:
            yield client
        return
    import dask

    with (dask.config.set(WORKER_CONFIG),
          LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                       silence_logs=logging.ERROR) as cluster,
          Client(cluster) as client):
        yield client


def _threads(client: Any) -> int:
    return max(1, sum(client.nthreads().values()))


def iter_coded_dask(
    docs: Iterable[Document],
    client: Any,
    actor_table: str | None = None,
    batch_size: int = 16,
    partition_size: int | None = None,
    max_in_flight: int | None = None,
    time_limit: float | None = None,
) -> Iterator[tuple[Document, Any]]:
    """(document, events or Failure) for each document, in input order, coded on the Dask
    cluster of `client`; `docs` may be a stream.

    A partition whose task fails as a whole (its worker died, Dask gave up on it) is coded
    again one document per task, so only a document that fails on its own is a Failure.
    """
    from detente.errors import FATAL
    from detente.run.pipeline import TIME_LIMIT, failure, one_line

    time_limit = TIME_LIMIT if time_limit is None else time_limit
    it = iter(docs)
    threads = _threads(client)
    head = list(itertools.islice(it, 4 * threads * MAX_PARTITION))
    if not head:
        return
    client.register_plugin(PreloadPipeline(actor_table), name=PreloadPipeline.name)
    size = partition_size or max(1, min(MAX_PARTITION, math.ceil(len(head) / (4 * threads))))
    chunks = _partitions(head, it, size)
    limit = max_in_flight or 2 * threads
    pending = as_completed()
    index: dict[str, tuple[int, list[Document], Any]] = {}  # future key -> (partition, documents, future)
    submitted = 0

    def submit() -> None:
        nonlocal submitted
        chunk = next(chunks, None)
        if chunk is not None:
            fut = client.submit(code_partition, chunk, actor_table, batch_size, time_limit, pure=False)
            index[fut.key] = (submitted, chunk, fut)
            pending.add(fut)
            submitted += 1

    def alone(doc: Document) -> Any:
        fut = client.submit(code_partition, [doc], actor_table, batch_size, time_limit, pure=False)
        try:
            return fut.result()[0]
        except FATAL:
            raise
        except Exception as exc:  # noqa: BLE001 - this document, alone, breaks its task
            return failure(doc, "crash", f"its Dask task failed ({one_line(exc)})")
        finally:
            fut.release()

    for _ in range(limit):
        submit()
    done: dict[int, tuple[list[Document], list[Any]]] = {}
    next_out = 0
    try:
        for fut in pending:
            number, chunk, _ = index.pop(fut.key)
            try:
                outcomes = fut.result()
            except FATAL:
                raise
            except Exception:  # noqa: BLE001 - the partition failed as a whole: find the culprit
                outcomes = [alone(doc) for doc in chunk]
            fut.release()
            done[number] = (chunk, outcomes)
            submit()
            while next_out in done:
                yield from zip(*done.pop(next_out))
                next_out += 1
    finally:
        if index:  # stopped early or failed: drop the partitions still queued
            client.cancel([f for _, _, f in index.values()])


def _partitions(head: list[Document], rest: Iterator[Document], size: int) -> Iterator[list[Document]]:
    for i in range(0, len(head), size):
        yield head[i:i + size]
    while chunk := list(itertools.islice(rest, size)):
        yield chunk
