"""A per-document time budget, enforced inside the process (and thread) that codes the document.

`time_budget(seconds)` arms a deadline for the calling thread; one watchdog thread per process
raises TimeBudgetExceeded in that thread once the deadline passes (CPython's asynchronous
exceptions, delivered at the next Python bytecode), again every second if something swallows it.
It works in the main thread, in pool workers and in Dask's executor threads alike. Code that
runs for a long time in C without returning to Python is interrupted only when it returns,
which is why nlp.py keeps the tokenizer and the parser off their slow paths.
"""

from __future__ import annotations

import ctypes
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

REFIRE_SECONDS = 1.0  # if the exception was swallowed, raise it again this often
POLL_SECONDS = 0.05


class TimeBudgetExceeded(BaseException):
    """The document ran over its time budget (a BaseException: `except Exception` won't hide it)."""


@dataclass
class Budget:
    seconds: float
    deadline: float
    fired_at: float | None = None
    active: bool = True

    def restart(self) -> None:
        """Give the next piece of work a full budget again."""
        self.deadline = time.monotonic() + self.seconds


class _Watchdog:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.budgets: dict[int, Budget] = {}
        self.pid = os.getpid()
        self.thread = threading.Thread(target=self._run, name="detente-time-budget", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            time.sleep(POLL_SECONDS)
            now = time.monotonic()
            with self.lock:
                for tid, budget in self.budgets.items():
                    if budget.active and now >= budget.deadline and (
                            budget.fired_at is None or now - budget.fired_at >= REFIRE_SECONDS):
                        _set_async_exc(tid, TimeBudgetExceeded)
                        budget.fired_at = now


_watchdog: _Watchdog | None = None
_start_lock = threading.Lock()


def _get_watchdog() -> _Watchdog:
    global _watchdog
    with _start_lock:
        # A forked child inherits the object but not the thread: start a new one there.
        if _watchdog is None or _watchdog.pid != os.getpid():
            _watchdog = _Watchdog()
        return _watchdog


def _set_async_exc(thread_id: int, exc: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id),
                                               ctypes.py_object(exc) if exc is not None else None)


@contextmanager
def time_budget(seconds: float | None) -> Iterator[Budget | None]:
    """Raise TimeBudgetExceeded in this thread if the block runs longer than `seconds` (None: no limit)."""
    if not seconds or seconds <= 0:
        yield None
        return
    dog = _get_watchdog()
    tid = threading.get_ident()
    budget = Budget(seconds, time.monotonic() + seconds)
    with dog.lock:
        if tid in dog.budgets:
            raise RuntimeError("time_budget blocks do not nest")
        dog.budgets[tid] = budget
    late = False
    try:
        yield budget
    finally:
        # Disarm under the lock; an exception already scheduled but not yet delivered is
        # cancelled, and one delivered while disarming is reported as the block's own.
        while True:
            try:
                with dog.lock:
                    budget.active = False
                    dog.budgets.pop(tid, None)
                    if budget.fired_at is not None:
                        _set_async_exc(tid, None)
                break
            except TimeBudgetExceeded:
                late = True
    if late:
        raise TimeBudgetExceeded
