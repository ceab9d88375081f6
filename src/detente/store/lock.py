"""One writer per store: an exclusive lock held for a whole ingest.

On a local disk the lock is an flock on a file beside the store (`STORE.duckdb.lock`, or
`DIR/_lock` in a Parquet directory): the kernel drops it when the process ends, however it
ends, so a killed ingest never leaves a stale lock. On an object store (s3://...) there is no
such lock; a lease file `_lock.json`, renewed while the writer runs, is the best available: a
second writer refuses while the lease is fresh.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import time
from typing import Any

from detente.errors import DetenteError

LEASE_SECONDS = 120.0  # an object-store lease not renewed for this long is abandoned


class StoreBusy(DetenteError):
    """Another writer holds the store."""


def _owner() -> dict[str, Any]:
    return {"pid": os.getpid(), "host": socket.gethostname(),
            "since": dt.datetime.now().astimezone().isoformat(timespec="seconds")}


def _describe(owner: dict[str, Any] | None) -> str:
    if not owner:
        return "another ingest"
    return f"another ingest (pid {owner.get('pid')} on {owner.get('host')}, since {owner.get('since')})"


class WriterLock:
    """Exclusive writer lock on the store at `target`; waits up to `wait` seconds, then StoreBusy."""

    def __init__(self, target: str, lock_path: str, fs: Any = None, wait: float = 0.0) -> None:
        self.target, self.lock_path, self.fs, self.wait = target, lock_path, fs, wait
        self.fh: Any = None
        self.renewed = 0.0

    def __enter__(self) -> WriterLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    # -- local: flock ---------------------------------------------------------------------------

    def acquire(self) -> None:
        if self.fs is not None:
            self._acquire_lease()
            return
        import fcntl

        try:
            fh = open(self.lock_path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release()
        except OSError as exc:
            raise DetenteError(f"{self.target}: cannot create the lock file {self.lock_path} ({exc.strerror})") from None
        deadline = time.monotonic() + max(0.0, self.wait)
        delay = 0.05
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    owner = _read_owner(fh)
                    fh.close()
                    raise StoreBusy(f"{self.target}: {_describe(owner)} is writing to this store; "
                                    "wait for it to finish, or pass --wait SECONDS") from None
                time.sleep(delay)
                delay = min(1.0, delay * 2)
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps(_owner()) + "\n")
        fh.flush()
        self.fh = fh

    def release(self) -> None:
        if self.fs is not None:
            self._release_lease()
            return
        if self.fh is not None:
            import fcntl

            try:
                self.fh.seek(0)
                self.fh.truncate()
                fcntl.flock(self.fh.fileno(), fcntl.LOCK_UN)
            finally:
                self.fh.close()
                self.fh = None

    # -- object stores: a lease file ------------------------------------------------------------

    def _lease(self) -> dict[str, Any] | None:
        try:
            with self.fs.open(self.lock_path, "r") as fh:
                return json.load(fh)
        except (FileNotFoundError, ValueError, OSError):
            return None

    def _acquire_lease(self) -> None:
        deadline = time.monotonic() + max(0.0, self.wait)
        while True:
            lease = self._lease()
            if lease is None or time.time() - float(lease.get("renewed", 0)) > LEASE_SECONDS:
                break
            if time.monotonic() >= deadline:
                raise StoreBusy(f"{self.target}: {_describe(lease)} is writing to this store; "
                                "wait for it to finish, or pass --wait SECONDS")
            time.sleep(1.0)
        self.owner = {**_owner(), "token": os.urandom(8).hex()}
        self.renew(force=True)
        if (self._lease() or {}).get("token") != self.owner["token"]:  # lost a race to another writer
            raise StoreBusy(f"{self.target}: {_describe(self._lease())} is writing to this store")

    def renew(self, force: bool = False) -> None:
        """Keep an object-store lease fresh (a no-op for flock)."""
        if self.fs is None or (not force and time.monotonic() - self.renewed < LEASE_SECONDS / 4):
            return
        with self.fs.open(self.lock_path, "w") as fh:
            fh.write(json.dumps({**self.owner, "renewed": time.time()}))
        self.renewed = time.monotonic()

    def _release_lease(self) -> None:
        if getattr(self, "owner", None) and (self._lease() or {}).get("token") == self.owner["token"]:
            try:
                self.fs.rm(self.lock_path)
            except OSError:
                pass


def _read_owner(fh: Any) -> dict[str, Any] | None:
    try:
        fh.seek(0)
        return json.loads(fh.read() or "null")
    except (OSError, ValueError):
        return None
