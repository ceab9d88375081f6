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

import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from detente.errors import DetenteError
from detente.models import Document, Event

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
        from detente.run.pipeline import actor_matcher, single_thread_blas

        single_thread_blas()  # one core per worker thread (the nanny usually sets this already)
        actor_matcher(self.actor_table)


def code_partition(docs: list[Document], actor_table: str | None = None, batch_size: int = 16) -> list[list[Event]]:
    """The task: code one partition of documents on a worker (one event list per document)."""
    from detente.run.pipeline import code_batch

    return code_batch(docs, actor_table, batch_size)


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
    docs: list[Document],
    client: Any,
    actor_table: str | None = None,
    batch_size: int = 16,
    partition_size: int | None = None,
    max_in_flight: int | None = None,
) -> Iterator[tuple[Document, list[Event]]]:
    """(document, events) for each document, in input order, coded on the Dask cluster of `client`."""
    if not docs:
        return
    client.register_plugin(PreloadPipeline(actor_table), name=PreloadPipeline.name)
    threads = _threads(client)
    size = partition_size or max(1, min(MAX_PARTITION, math.ceil(len(docs) / (4 * threads))))
    chunks = [docs[i:i + size] for i in range(0, len(docs), size)]
    limit = max_in_flight or 2 * threads
    pending = as_completed()
    index: dict[str, tuple[int, Any]] = {}  # future key -> (partition, future)
    submitted = 0

    def submit() -> None:
        nonlocal submitted
        if submitted < len(chunks):
            fut = client.submit(code_partition, chunks[submitted], actor_table, batch_size, pure=False)
            index[fut.key] = (submitted, fut)
            pending.add(fut)
            submitted += 1

    for _ in range(limit):
        submit()
    done: dict[int, list[list[Event]]] = {}
    next_out = 0
    try:
        for fut in pending:
            done[index.pop(fut.key)[0]] = fut.result()
            fut.release()
            submit()
            while next_out in done:
                yield from zip(chunks[next_out], done.pop(next_out))
                next_out += 1
    finally:
        if index:  # stopped early or failed: drop the partitions still queued
            client.cancel([f for _, f in index.values()])
