"""Store access for the web app: a read-only connection per request, read-write only to ingest.

DuckDB connections are not thread-safe and one process may not hold the same file open both
read-only and read-write, so requests share a readers-writer lock: any number of read-only
requests at once, or one ingest alone.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from detente.errors import DetenteError
from detente.store import Store, open_store


class WebError(Exception):
    """An error shown to the client with an HTTP status and a one-line message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class RWLock:
    """Many readers or one writer; a waiting writer goes before readers that come after it (so a
    steady stream of page views cannot starve an upload's short write)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._waiting_writers = 0

    @contextmanager
    def read(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._waiting_writers:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def write(self, timeout: float | None = None) -> Iterator[None]:
        with self._cond:
            self._waiting_writers += 1
            try:
                if not self._cond.wait_for(lambda: not self._writer and not self._readers, timeout=timeout):
                    raise WebError(503, "the store is busy; try again in a moment")
            finally:
                self._waiting_writers -= 1
                self._cond.notify_all()
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


class StoreAccess:
    """Opens the store at `db_path` for one request at a time (read-only unless ingesting)."""

    def __init__(self, db_path: str, allow_ingest: bool = False) -> None:
        self.db_path = str(db_path)
        self.lock = RWLock()
        if allow_ingest:
            if Path(self.db_path).is_dir() or "://" in self.db_path:
                raise DetenteError(f"{self.db_path}: a Parquet store is read-only; --allow-ingest needs a DuckDB file")
            open_store(self.db_path).close()  # create the file and schema if missing
        else:
            open_store(self.db_path, read_only=True).close()  # fail early with a clear message

    @contextmanager
    def read(self) -> Iterator[Store]:
        """A read-only Store for the duration of the block."""
        with self.lock.read():
            try:
                store = open_store(self.db_path, read_only=True)
            except DetenteError as exc:
                raise WebError(503, str(exc)) from None
            try:
                yield store
            finally:
                store.close()

    @contextmanager
    def write(self) -> Iterator[str]:
        """Exclusive access; yields the path for a read-write open inside the block."""
        with self.lock.write(timeout=120):
            yield self.db_path
