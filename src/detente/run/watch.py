"""Watch sources continuously: each cycle ingests what is new, then fires the alerts it causes.

A cycle: read the watch state from the store; poll the sources (detente.ingest.poll) and
stream what is new or changed into `ingest_documents` (which skips what is stored, commits in
batches and updates the clusters around what changed); commit the state of what was read;
evaluate the alert rules on the dyads of the documents stored since the last evaluation (the
store's `mark:alerts`); store the new alerts with that mark in one transaction; POST the
alerts not yet delivered to their webhook, and record that.

Every step is recorded in the store before the next one relies on it, so a watch killed at
any moment and started again ends in the state of an uninterrupted run: what was read but not
recorded is read again and skipped by the store, dyads stored but not evaluated are evaluated
next cycle (the mark did not move), and alerts stored but not delivered are delivered next
cycle (a kill between a POST and its record sends it twice: each carries its id).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from detente.analysis.alerts import Rules, alert_record, evaluate, fresh_alerts, ingest_mark, touched_dyads
from detente.errors import DetenteError
from detente.ingest.fetch import Fetcher, FetchError
from detente.ingest.poll import Poll, Source
from detente.models import Failure
from detente.run.pipeline import TIME_LIMIT
from detente.store import is_url, open_store
from detente.store.lock import StoreBusy, WriterLock

MARK = "mark:alerts"
STORE_WAIT = 600.0  # seconds a cycle waits for another writer (an ingest) to finish
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_every(text: str) -> float:
    """'15m', '90s', '2h', '1d' or seconds ('30') as seconds; DetenteError if it is none of these."""
    value = text.strip().lower()
    unit = UNITS.get(value[-1:], None)
    number = value[:-1] if unit else value
    try:
        seconds = float(number) * (unit or 1)
    except ValueError:
        raise DetenteError(f"--every: invalid interval {text!r} (use 15m, 90s, 2h or seconds)") from None
    if seconds < 0 or seconds != seconds:
        raise DetenteError(f"--every: invalid interval {text!r}")
    return seconds


@dataclass
class CycleResult:
    number: int
    stats: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    delivered: int = 0
    undelivered: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def line(self) -> str:
        """The cycle's one log line."""
        s, c = self.stats, self.counts
        parts = [f"{s.get('new', 0)} new, {s.get('updated', 0)} updated documents ({s.get('events', 0)} events)"]
        if s.get("failed"):
            parts.append(f"{s['failed']} failed")
        read = [f"{c.get('changed_files', 0)} of {c['files']} files changed" if c.get("files") else "",
                f"{c['feeds']} feeds ({c.get('not_modified', 0)} unchanged, {c.get('items', 0)} new items, "
                f"{c.get('pages', 0)} pages fetched)" if c.get("feeds") else ""]
        parts += [p for p in read if p]
        if self.errors:
            parts.append(f"{len(self.errors)} fetch errors (tried again next cycle)")
        parts.append(f"{len(self.alerts)} alert{'s' * (len(self.alerts) != 1)}")
        if self.delivered or self.undelivered:
            parts.append(f"{self.delivered} delivered" + (f", {len(self.undelivered)} not" if self.undelivered else ""))
        stamp = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        return f"{stamp} cycle {self.number}: " + "; ".join(parts) + f" ({self.seconds:.1f} s)"


class Watch:
    """A watch of `sources` into the store `db`, alerting by `rules`."""

    def __init__(self, sources: list[Source], db: str, rules: Rules, fetcher: Fetcher, *, n_process: int = 1,
                 time_limit: float | None = TIME_LIMIT, batch_size: int | None = None, pub_date: dt.date | None = None,
                 follow_links: bool = False, warn: Callable[[str], None] = lambda message: None,
                 on_failure: Callable[[Failure], None] | None = None) -> None:
        self.sources, self.db, self.rules, self.fetcher = sources, db, rules, fetcher
        self.n_process, self.time_limit, self.batch_size = n_process, time_limit, batch_size
        self.pub_date, self.follow_links, self.warn, self.on_failure = pub_date, follow_links, warn, on_failure

    # -- the store -------------------------------------------------------------------------------

    def _sink(self) -> Any:
        from detente.run.ingest import open_sink

        return open_sink(self.db, wait=STORE_WAIT)

    def _state(self) -> dict[str, dict[str, Any]]:
        with self._sink() as sink:
            return {r["key"]: r for r in sink.table_rows("watch_state")}

    def start(self) -> None:
        """Before the first cycle: the alert mark, if the store has none, at its newest document
        (alerts are about what the watch brings in, not the store's history)."""
        if MARK in self._state():  # (the sink creates a new store)
            return
        with open_store(self.db, read_only=True) as store:
            mark = ingest_mark(store)
        with self._sink() as sink:
            sink.write_rows({"watch_state": [_mark_row(mark)]})

    # -- a cycle ---------------------------------------------------------------------------------

    def cycle(self, number: int) -> CycleResult:
        from detente.run.ingest import ingest_documents

        began = time.monotonic()
        result = CycleResult(number)
        state = self._state()
        poll = Poll(state, self.fetcher, pub_date=self.pub_date, follow_links=self.follow_links, warn=self.warn)
        result.stats = ingest_documents(poll.documents(self.sources), self.db, n_process=self.n_process,
                                        batch_size=self.batch_size, progress="none", on_failure=self.on_failure,
                                        time_limit=self.time_limit, wait=STORE_WAIT)
        if poll.updates:
            with self._sink() as sink:
                sink.write_rows({"watch_state": poll.updates})
        result.counts, result.errors = dict(poll.counts), poll.errors
        for message in poll.errors:
            self.warn(message)
        result.alerts = self._alerts(state.get(MARK, {}).get("value") or "")
        result.delivered, result.undelivered = self._deliver()
        result.seconds = time.monotonic() - began
        return result

    def _alerts(self, mark: str) -> list[dict[str, Any]]:
        """Evaluate the rules on the dyads touched since `mark`; store the new alerts and the new mark."""
        with open_store(self.db, read_only=True) as store:
            new_mark = ingest_mark(store)
            if new_mark == mark:
                return []
            candidates = evaluate(store, self.rules, touched_dyads(store, mark))
            fired = store.table_rows("alerts")
        new = fresh_alerts(candidates, fired)
        now = _now()
        rows = [{**row, "fired_at": now} for row in new]
        with self._sink() as sink:
            sink.write_rows({"alerts": rows, "watch_state": [_mark_row(new_mark)]})
        return [alert_record(r) for r in rows]

    def _deliver(self) -> tuple[int, list[str]]:
        """POST every alert that has a webhook and was not delivered; record each outcome."""
        with open_store(self.db, read_only=True) as store:
            todo = [r for r in store.table_rows("alerts") if r["webhook"] and r["delivered_at"] is None]
        if not todo:
            return 0, []
        done, failed, rows = 0, [], []
        for row in sorted(todo, key=lambda r: (r["fired_at"] or dt.datetime.min, r["id"])):
            record = alert_record(row)
            for key in ("webhook", "delivered_at", "delivery_error"):
                record.pop(key, None)
            try:
                status = self.fetcher.post_json(row["webhook"], record)
            except FetchError as exc:
                error = str(exc)
            else:
                error = None if 200 <= status < 300 else f"{row['webhook']}: HTTP {status}"
            if error is None:
                done += 1
                rows.append({**row, "delivered_at": _now(), "delivery_error": None})
            else:
                failed.append(error)
                self.warn(f"alert {row['id']} not delivered ({error}); tried again next cycle")
                rows.append({**row, "delivery_error": error})
        with self._sink() as sink:
            sink.write_rows({"alerts": rows})
        return done, failed


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _mark_row(mark: str) -> dict[str, Any]:
    return {"key": MARK, "source": None, "kind": "mark", "value": mark, "updated_at": _now()}


def watch_lock(db: str) -> WriterLock | None:
    """The lock that keeps a second watch off the same store (none for an object store)."""
    if is_url(db):
        return None
    path = Path(db)
    return WriterLock(db, str(path / "_watch_lock") if path.is_dir() else f"{db}.watch.lock")


def run_watch(watch: Watch, every: float, cycles: int | None, log: Callable[[str], None],
              on_alert: Callable[[dict[str, Any]], None], sleep: Callable[[float], None] = time.sleep) -> int:
    """Cycles until `cycles` are done (None: until interrupted), `every` seconds from the start of
    one to the start of the next. Returns the cycles run. One watch per store: StoreBusy else."""
    lock = watch_lock(watch.db)
    if lock is not None:
        try:
            lock.acquire()
        except StoreBusy:
            raise StoreBusy(f"{watch.db}: another watch is running on this store") from None
    try:
        watch.start()
        done = 0
        while cycles is None or done < cycles:
            began = time.monotonic()
            result = watch.cycle(done + 1)
            done += 1
            for alert in result.alerts:
                on_alert(alert)
            log(result.line())
            if cycles is not None and done >= cycles:
                break
            rest = every - (time.monotonic() - began)
            if rest > 0:
                sleep(rest)
        return done
    finally:
        if lock is not None:
            lock.release()
