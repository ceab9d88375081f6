"""Uploads as background jobs: code without holding the store, then write in one short exclusive step.

Coding a large article takes minutes; holding the store's write lock meanwhile froze every
reader (the lock must be exclusive because one process cannot open a DuckDB file read-only and
read-write at once). A job therefore runs in three steps on one worker thread, one job at a
time:

1. look up which documents are already stored with the same text (a read, like any page);
2. code the others with the pipeline (`detente.run.pipeline.code_batch`), one document at a
   time, in a coder process of its own (spawned on the first upload, kept for the next): the
   server holds no lock and its threads keep the interpreter to themselves, so readers go on;
   the status page shows progress; a document whose coding fails (or kills the coder) is
   reported and left out, and the others go on;
3. take the write lock and store the coded documents the way `ingest_documents` does (upsert in
   batches of one transaction each, then recompute the duplicate clusters they touch).
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import secrets
import threading
import time
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from detente.models import Document, Event

from .access import StoreAccess, WebError

log = logging.getLogger(__name__)
BATCH = 64  # documents per write transaction, as ingest_documents commits them
STATES = ("queued", "checking", "coding", "writing", "done", "failed")


@dataclass
class Job:
    """One upload: its documents, where it stands, and what it wrote."""

    id: str
    session: str
    file: str
    documents: list[Document]
    not_english: list[str] = field(default_factory=list)
    state: str = "queued"
    total: int = 0  # documents to code
    coded: int = 0
    new: int = 0
    updated: int = 0
    skipped: int = 0
    events: int = 0
    failed: list[dict[str, str]] = field(default_factory=list)
    error: str | None = None
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None

    @property
    def running(self) -> bool:
        return self.state not in ("done", "failed")

    @property
    def elapsed(self) -> float:
        return (self.finished or time.time()) - (self.started or self.created)

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "file": self.file, "state": self.state, "total": self.total, "coded": self.coded,
                "new": self.new, "updated": self.updated, "skipped": self.skipped, "events": self.events,
                "failed": self.failed, "not_english": self.not_english, "error": self.error,
                "elapsed": round(self.elapsed, 1),
                "documents": [{"doc_id": d.doc_id, "title": d.title} for d in self.documents[:200]]}


class Jobs:
    """The upload queue of one server: a worker thread, started on the first upload."""

    def __init__(self, access: StoreAccess, max_waiting: int = 8, keep: int = 200) -> None:
        self.access = access
        self.max_waiting = max_waiting
        self.keep = keep
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._coder: ProcessPoolExecutor | None = None

    def submit(self, session: str, file: str, documents: list[Document], not_english: list[str]) -> Job:
        with self._lock:
            if sum(j.state == "queued" for j in self._jobs.values()) >= self.max_waiting:
                raise WebError(503, "too many uploads are waiting; try again when the current ones are done")
            job = Job(secrets.token_urlsafe(16), session, file, documents, not_english)
            self._jobs[job.id] = job
            while len(self._jobs) > self.keep:
                oldest = next(iter(self._jobs.values()))
                if oldest.running:
                    break
                self._jobs.popitem(last=False)
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, name="detente-ingest", daemon=True)
                self._worker.start()
        self._queue.put(job)
        return job

    def get(self, job_id: str, session: str | None) -> Job | None:
        """A job of this session (other sessions' jobs do not exist for it)."""
        job = self._jobs.get(job_id)
        return job if job is not None and session is not None and job.session == session else None

    def of_session(self, session: str | None) -> list[Job]:
        return [j for j in reversed(self._jobs.values()) if session is not None and j.session == session]

    def close(self, timeout: float = 5.0) -> None:
        """Stop the worker after the job in hand (queued jobs are dropped) and the coder process."""
        self._queue.put(None)
        if self._worker is not None:
            self._worker.join(timeout)
        if self._coder is not None:
            self._coder.shutdown(wait=False, cancel_futures=True)
            self._coder = None

    def _code(self, doc: Document) -> list[Event]:
        """One document's events, from the coder process."""
        from detente.run.pipeline import code_batch

        if self._coder is None:
            self._coder = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                              initializer=start_coder)
        try:
            return self._coder.submit(code_batch, [doc]).result()[0]
        except BrokenProcessPool:
            self._coder.shutdown(wait=False, cancel_futures=True)
            self._coder = None  # the next document gets a fresh coder
            raise RuntimeError("the coder process died (out of memory?) on this document") from None

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                if self._queue.empty():
                    return
                continue  # closed, then given more work before this thread saw it: carry on
            job.started = time.time()
            try:
                self._run(job)
                job.state = "done"
            except WebError as exc:
                job.state, job.error = "failed", exc.message
            except Exception as exc:  # a job must never take the worker down
                log.exception("ingest job %s failed", job.id)
                job.state, job.error = "failed", f"{type(exc).__name__}: {exc}"
            job.finished = time.time()
            job.documents = [d.model_copy(update={"text": ""}) for d in job.documents]  # the texts are stored now

    def _run(self, job: Job) -> None:
        from detente.run.ingest import iter_batches

        from . import queries

        job.state = "checking"
        with self.access.read() as store:
            known = queries.known_hashes(store, [d.doc_id for d in job.documents])
        todo = [d for d in job.documents if known.get(d.doc_id) != d.content_hash]
        job.skipped = len(job.documents) - len(todo)
        job.total = len(todo)
        job.state = "coding"
        coded: list[tuple[Document, list[Event]]] = []
        for doc in todo:
            try:
                events = self._code(doc)
            except Exception as exc:  # RecursionError, a parser limit ...: this document only
                job.failed.append({"doc_id": doc.doc_id, "error": f"{type(exc).__name__}: {str(exc)[:200]}"})
            else:
                coded.append((doc, events))
            job.coded += 1
        if not coded:
            return
        job.state = "writing"
        with self.access.write() as db_path:
            from detente.store import open_store

            with open_store(db_path) as store:
                stored = queries.known_hashes(store, [d.doc_id for d, _ in coded])
                for chunk in iter_batches(coded, BATCH):
                    _, n_events = store.write_batch(chunk)
                    job.events += n_events
                job.updated = sum(d.doc_id in stored for d, _ in coded)
                job.new = len(coded) - job.updated
                store.update_clusters()



def start_coder() -> None:
    """In the coder process: a lower CPU priority than the server (readers come first), the model
    loaded once, and Ctrl-C left to the server."""
    import os
    import signal

    from detente.run.pipeline import load_coder, single_thread_blas

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(os, "nice"):
        os.nice(10)
    single_thread_blas()
    load_coder(None)
