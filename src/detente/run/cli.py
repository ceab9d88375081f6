"""`detente watch` (ingest sources continuously and alert on turns) and `detente alerts`."""

from __future__ import annotations

import datetime as dt
import json
import signal
import sys
from typing import Annotated, Any, Optional

import typer

from detente.errors import DetenteError


def _print_alert(alert: dict[str, Any]) -> None:
    """An alert on stdout: one line, then its evidence, one indented line each."""
    lines = [f"alert: {alert['rule']}: {alert['message']}"]
    for ev in alert.get("evidence") or []:
        actor = ",".join(ev.get("actor") or [])
        recipient = ",".join(ev.get("recipient") or [])
        sentence = " ".join(str(ev.get("sentence") or "").split())
        lines.append(f"  {ev.get('date')} {ev.get('event_type')} {actor} -> {recipient or '-'}: {sentence}")
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()


def register(app: typer.Typer) -> None:
    """Add the `watch` and `alerts` commands."""

    @app.command()
    def watch(
        sources: Annotated[list[str], typer.Argument(
            help="Folders or files (new and changed files are read), files listing feed URLs (one per line), "
                 "or feed URLs.")],
        db: Annotated[str, typer.Option("--db", help="DuckDB store file, or a Parquet directory.")] = "detente.duckdb",
        every: Annotated[str, typer.Option("--every", help="Time from the start of one cycle to the next: 15m, "
                                                           "90s, 2h, or seconds.")] = "15m",
        cycles: Annotated[Optional[int], typer.Option("--cycles", help="Stop after this many cycles "
                                                                       "(default: until Ctrl-C).")] = None,
        alerts: Annotated[Optional[str], typer.Option("--alerts", help="Alert rules (TOML); default: any dyad "
                                                                       "turning (detente, deterioration, escalation).")] = None,
        date: Annotated[Optional[str], typer.Option("--date", help="Publication date (YYYY-MM-DD) for documents "
                                                                   "without one.")] = None,
        workers: Annotated[Optional[int], typer.Option("--workers", help="Worker processes (default: 1).")] = None,
        time_limit: Annotated[float, typer.Option("--time-limit", help="Seconds one document may take to code "
                                                                       "(0: no limit).")] = 120.0,
        timeout: Annotated[float, typer.Option("--timeout", help="HTTP timeout in seconds.")] = 20.0,
        retries: Annotated[int, typer.Option("--retries", help="HTTP tries after a failed one (timeouts, 5xx), "
                                                               "with backoff.")] = 2,
        interval: Annotated[float, typer.Option("--interval", help="Seconds between two requests to one host "
                                                                   "(robots.txt Crawl-delay may raise it).")] = 1.0,
        follow_links: Annotated[bool, typer.Option("--follow-links", help="Follow symbolic links that lead out of "
                                                                          "a watched folder.")] = False,
    ) -> None:
        """Watch folders and feeds: each cycle ingests what is new and alerts when a relationship turns.

        One log line per cycle on stderr; alerts on stdout (and POSTed to the rules' webhook).
        Ctrl-C stops it; what a cycle stored stays, and the next run goes on from there.
        """
        from rich.markup import escape

        from detente.analysis.alerts import DEFAULT_RULES, load_rules
        from detente.cli import _date, _report_failure, _time_limit, _warn, err
        from detente.ingest.fetch import Fetcher
        from detente.ingest.poll import parse_sources
        from detente.run.pipeline import single_thread_blas
        from detente.run.watch import Watch, parse_every, run_watch

        seconds = parse_every(every)
        if cycles is not None and cycles < 1:
            raise DetenteError("--cycles must be at least 1")
        if workers is not None and workers < 1:
            raise DetenteError("--workers must be at least 1")
        if timeout <= 0 or retries < 0 or interval < 0:
            raise DetenteError("--timeout must be positive, --retries and --interval 0 or more")
        rules = load_rules(alerts) if alerts else DEFAULT_RULES
        parsed = parse_sources(sources)
        pub_date = _date(date)
        single_thread_blas()

        def stop(signum: int, frame: Any) -> None:  # a service manager's SIGTERM stops it as Ctrl-C does
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        # Started from a script in the background, a process inherits Ctrl-C ignored (the shell
        # does that to `cmd &`); a watch promises that SIGINT stops it, so it says so itself.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        done = 0

        def log(line: str) -> None:
            nonlocal done
            done += 1
            err.print(escape(line), highlight=False, soft_wrap=True)

        with Fetcher(timeout=timeout, retries=retries, min_interval=interval) as fetcher:
            runner = Watch(parsed, db, rules, fetcher, n_process=workers or 1, time_limit=_time_limit(time_limit),
                           pub_date=pub_date, follow_links=follow_links, warn=lambda m: _warn(escape(m)),
                           on_failure=_report_failure)
            err.print(escape(f"watching {len(parsed)} source{'s' * (len(parsed) != 1)} into {db} every {every}"
                             + (f" for {cycles} cycles" if cycles else "; Ctrl-C to stop")), highlight=False,
                      soft_wrap=True)
            try:
                run_watch(runner, seconds, cycles, log, _print_alert)
            except KeyboardInterrupt:
                err.print(f"stopped after {done} cycle{'s' * (done != 1)}; the next run goes on from what was stored",
                          highlight=False)

    @app.command("alerts")
    def alerts_command(
        db: Annotated[str, typer.Option("--db", help="DuckDB store file, or a Parquet directory.")] = "detente.duckdb",
        as_json: Annotated[bool, typer.Option("--json", help="JSON Lines, one alert per line, with its evidence.")] = False,
        limit: Annotated[Optional[int], typer.Option("--limit", help="Only the newest N.")] = None,
    ) -> None:
        """List the alerts `detente watch` fired, newest first."""
        from detente.analysis.alerts import alert_record
        from detente.cli import err
        from detente.store import open_store

        if limit is not None and limit < 1:
            raise DetenteError("--limit must be at least 1")
        with open_store(db, read_only=True) as store:
            rows = sorted(store.table_rows("alerts"), key=lambda r: (r["fired_at"] or dt.datetime.min, r["id"]),
                          reverse=True)
        rows = rows[:limit] if limit else rows
        if as_json:
            for row in rows:
                sys.stdout.write(json.dumps(alert_record(row), ensure_ascii=False, default=str) + "\n")
            return
        if not rows:
            err.print(f"no alerts in {db}", highlight=False)
            return
        for row in rows:
            when = row["fired_at"].strftime("%Y-%m-%d %H:%M") if row["fired_at"] else "-"
            state = ("" if not row["webhook"] else "  [delivered]" if row["delivered_at"]
                     else f"  [not delivered: {row['delivery_error']}]" if row["delivery_error"] else "  [to deliver]")
            sys.stdout.write(f"{when}  {row['rule']}: {row['message']}{state}\n")
