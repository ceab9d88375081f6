"""The detente command line: every command is a thin layer over the Python API."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from detente import __version__
from detente.errors import DetenteError

app = typer.Typer(
    name="detente", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    help="Political events from news text (PLOVER/CAMEO), and how relations between actors change.",
)
err = Console(stderr=True)

PathsArg = Annotated[list[str], typer.Argument(help="Files or directories (txt, html, jsonl, json, rss/atom); '-' for stdin.")]
DateOpt = Annotated[Optional[str], typer.Option("--date", help="Publication date (YYYY-MM-DD) for documents without one.")]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="jsonl, json, csv, parquet, gdelt or icews (GDELT 2.0 / ICEWS columns, tab-separated; see docs/exchange.md).")]
OutOpt = Annotated[Optional[str], typer.Option("--output", "-o", help="Output file (default: stdout).")]
DbOpt = Annotated[str, typer.Option("--db", help="DuckDB store file, or a Parquet directory written by --engine dask.")]
ActorsOpt = Annotated[Optional[str], typer.Option("--actors", help="Extra actor table (TSV: text, code, country, sector, name, kind, start, end).")]
WorkersOpt = Annotated[Optional[int], typer.Option("--workers", help="Worker processes (default: available cores).")]


def _date(value: str | None, name: str = "--date") -> dt.date | None:
    from detente.ingest import parse_date

    return parse_date(value, name)


def _workers(value: int | None) -> int:
    if value is None:
        return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))
    if value < 1:
        raise DetenteError("--workers must be at least 1")
    return value


# Exit status when some documents could not be read or coded and every other one was done.
PARTIAL = 3


def describe_failure(f) -> str:
    """One line for a Failure: where, which document, what went wrong."""
    if f.stage == "read":
        return f.error
    where = f.path or f.doc_id
    return f"{where}: document {f.doc_id} not coded ({f.error})" if f.path else f"document {f.doc_id} not coded ({f.error})"


def _warn(message: str) -> None:
    err.print(f"[yellow]warning:[/] {message}", highlight=False, soft_wrap=True, markup=True)


def _inputs(paths: list[str], pub_date: dt.date | None, follow_links: bool = False):
    """Documents and Failures from the inputs: a list, read now, when they are files (so a
    missing path stops the run before anything is written); a stream when stdin is among them."""
    from rich.markup import escape

    from detente.errors import InputError
    from detente.ingest import read_inputs
    from detente.ingest.decode import display_name

    for raw in paths:
        if raw != "-" and not Path(raw).exists():
            raise InputError(f"{display_name(raw)}: no such file or directory")

    def skipped(doc, why: str) -> None:
        _warn(escape(f"skipped {doc.path or doc.doc_id} ({doc.doc_id}): {why}"))

    items = read_inputs(paths, pub_date, on_skip=skipped, follow_links=follow_links,
                        warn=lambda message: _warn(escape(message)))
    return items if "-" in paths else list(items)


def _report_failure(f) -> None:
    from rich.markup import escape

    _warn(escape(describe_failure(f)))


EngineOpt = Annotated[Optional[str], typer.Option(
    "--engine", help="Where documents are coded: local (worker processes here) or dask (a Dask cluster). "
                     "Default: dask with --scheduler, else local.")]
SchedulerOpt = Annotated[Optional[str], typer.Option(
    "--scheduler", help="Dask scheduler address (tcp://host:8786); default: a new local cluster of --workers processes.")]


def _engine(engine: str | None, scheduler: str | None) -> str:
    from detente.run.ingest import ENGINES

    value = (engine or ("dask" if scheduler else "local")).lower()
    if value not in ENGINES:
        raise DetenteError(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    if scheduler and value != "dask":
        raise DetenteError("--scheduler needs --engine dask")
    return value


TimeLimitOpt = Annotated[float, typer.Option(
    "--time-limit", help="Seconds one document may take to code before it is recorded as failed (0: no limit).")]
FollowLinksOpt = Annotated[bool, typer.Option(
    "--follow-links", help="Follow symbolic links that lead out of a folder given as input (default: skip them).")]


@app.command()
def code(
    paths: PathsArg,
    date: DateOpt = None,
    fmt: FormatOpt = "jsonl",
    output: OutOpt = None,
    dyadic: Annotated[bool, typer.Option("--dyadic", help="One row per actor-recipient pair (CAMEO convention).")] = False,
    actors: ActorsOpt = None,
    workers: WorkersOpt = None,
    engine: EngineOpt = None,
    scheduler: SchedulerOpt = None,
    time_limit: TimeLimitOpt = 120.0,
    follow_links: FollowLinksOpt = False,
) -> None:
    """Code the events in articles and write them (JSON Lines to stdout by default).

    A document that cannot be read or coded is reported with a warning and left out; the exit
    status is then 3.
    """
    from detente.models import Failure
    from detente.run.ingest import code_stream
    from detente.run.pipeline import single_thread_blas
    from detente.run.progress import progress_bar
    from detente.store.export import write_records

    items = _inputs(paths, _date(date), follow_links)
    counts = {"documents": 0, "failed": 0}

    def failed(f: Failure) -> None:
        counts["failed"] += 1
        _report_failure(f)

    def documents():
        seen: dict[str, str] = {}
        for item in items:
            if isinstance(item, Failure):
                failed(item)
            elif item.doc_id in seen:
                if seen[item.doc_id] != item.content_hash:
                    failed(Failure(doc_id=item.doc_id, path=item.path, stage="read", content_hash=item.content_hash,
                                   error=f"{item.path}: duplicate document id {item.doc_id!r} with different text "
                                         "(the first one is kept)"))
            else:
                seen[item.doc_id] = item.content_hash
                yield item

    docs = list(documents()) if isinstance(items, list) else documents()
    single_thread_blas()  # parallel by processes, one core each
    stream = code_stream(docs, _engine(engine, scheduler), _workers(workers), scheduler, actors,
                         time_limit=_time_limit(time_limit))
    sources: dict[str, dict] = {}  # doc_id -> url and source, for the gdelt and icews formats
    with progress_bar("coding", len(docs) if isinstance(docs, list) else None) as bar:
        def records():
            for doc, outcome in stream:
                bar.advance()
                if isinstance(outcome, Failure):
                    failed(outcome)
                    continue
                counts["documents"] += 1
                sources[doc.doc_id] = {"url": doc.url, "source": doc.source}
                for ev in outcome:
                    yield ev.model_dump(mode="json")

        n = write_records(records(), fmt, output, dyadic, documents=sources)
    if output not in (None, "-"):
        err.print(f"{n} events from {counts['documents']} documents -> {output}")
    if counts["failed"]:
        err.print(f"{counts['failed']} inputs could not be read or coded (see the warnings above)")
        raise typer.Exit(PARTIAL)


def _time_limit(value: float) -> float | None:
    if value < 0:
        raise DetenteError("--time-limit must be 0 (no limit) or more")
    return value or None


@app.command()
def ingest(
    paths: PathsArg,
    db: DbOpt = "detente.duckdb",
    date: DateOpt = None,
    actors: ActorsOpt = None,
    workers: WorkersOpt = None,
    batch_size: Annotated[Optional[int], typer.Option(
        "--batch-size", help="Documents per commit: one DuckDB transaction (default 64) or one set of Parquet files "
                             "(default 1000). Ingest codes no more than this far ahead of a commit (and at most 16).")] = None,
    engine: EngineOpt = None,
    scheduler: SchedulerOpt = None,
    output: Annotated[Optional[str], typer.Option(
        "--output", "-o", help="Write a Parquet store here instead of --db: a directory or fsspec URL, with "
                               "events/ and documents/ partitioned by pub_month=YYYY-MM. Every command reads it as --db.")] = None,
    progress: Annotated[str, typer.Option(
        "--progress", help="auto (a bar on a terminal, nothing when piped), bar, lines (one line per commit) or none.")] = "auto",
    time_limit: TimeLimitOpt = 120.0,
    retry_failed: Annotated[bool, typer.Option(
        "--retry-failed", help="Code again the documents that failed before with the same content.")] = False,
    wait: Annotated[float, typer.Option(
        "--wait", help="If another ingest is writing to the store, wait up to this many seconds for it "
                       "(default: stop at once with an error).")] = 0.0,
    follow_links: FollowLinksOpt = False,
) -> None:
    """Code articles and store their events; documents already stored are skipped.

    A document that cannot be read or coded is recorded (see 'detente failures') with a warning,
    and the others are stored; the exit status is then 3. It is tried again when its content
    changes, or with --retry-failed.
    """
    from detente.run.ingest import ingest_documents
    from detente.run.pipeline import single_thread_blas

    if wait < 0:
        raise DetenteError("--wait must be 0 or more")
    items = _inputs(paths, _date(date), follow_links)
    single_thread_blas()  # parallel by processes, one core each
    stats = ingest_documents(items, db, actor_table=actors, n_process=_workers(workers), batch_size=batch_size,
                             engine=_engine(engine, scheduler), scheduler=scheduler, output=output, progress=progress,
                             on_failure=_report_failure, time_limit=_time_limit(time_limit),
                             retry_failed=retry_failed, wait=wait)
    store = output or db
    failed = f", {stats['failed']} failed" if stats["failed"] else ""
    before = f", {stats['failed_before']} failed before (not retried)" if stats["failed_before"] else ""
    err.print(f"{stats['new']} new, {stats['updated']} updated, {stats['skipped']} unchanged{failed}{before} documents; "
              f"{stats['events']} events written to {store}; {stats['stored_events']} events in "
              f"{stats['clusters']} clusters ({stats['duplicates']} duplicate reports)", highlight=False, soft_wrap=True)
    if stats["failed"] or stats["failed_before"]:
        err.print(f"failures are listed by: detente failures --db {store}", highlight=False, soft_wrap=True)
    if stats["failed"]:
        raise typer.Exit(PARTIAL)


@app.command()
def failures(
    db: DbOpt = "detente.duckdb",
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines, one failure per line.")] = False,
) -> None:
    """List the documents and files that could not be read or coded, oldest first."""
    from detente.store import open_store

    with open_store(db, read_only=True) as store:
        rows = store.failures()
    if as_json:
        for row in rows:
            sys.stdout.write(json.dumps({k: (v.isoformat() if isinstance(v, dt.datetime) else v)
                                         for k, v in row.items()}, ensure_ascii=False) + "\n")
        return
    if not rows:
        err.print(f"no failures recorded in {db}", highlight=False)
        return
    for row in rows:
        when = row["failed_at"].strftime("%Y-%m-%d %H:%M:%S") if row["failed_at"] else "-"
        doc = f" [{row['doc_id']}]" if row["doc_id"] and row["doc_id"] != row["path"] else ""
        sys.stdout.write(f"{when}  {row['stage']:<7}  {row['path'] or row['doc_id']}{doc}  "
                         f"(x{row['attempts']})  {row['error']}\n")


@app.command()
def events(
    db: DbOpt = "detente.duckdb",
    actor: Annotated[Optional[str], typer.Option(help="Actor country or code (RUS, RUSGOV, IGONATO, TALIBAN).")] = None,
    recipient: Annotated[Optional[str], typer.Option(help="Recipient country or code.")] = None,
    event_type: Annotated[Optional[list[str]], typer.Option("--type", help="PLOVER type; repeat for several.")] = None,
    quad: Annotated[Optional[list[str]], typer.Option("--quad", help="Quad class; repeat for several.")] = None,
    date_from: Annotated[Optional[str], typer.Option("--from", help="First date (YYYY-MM-DD).")] = None,
    date_to: Annotated[Optional[str], typer.Option("--to", help="Last date (YYYY-MM-DD).")] = None,
    doc: Annotated[Optional[str], typer.Option("--doc", help="Only events of this document id.")] = None,
    search: Annotated[Optional[str], typer.Option("--search", help="Text in the sentence or trigger.")] = None,
    exclude_modal: Annotated[bool, typer.Option("--exclude-modal", help="Leave out negated and hypothetical events.")] = False,
    min_confidence: Annotated[float, typer.Option(
        "--min-confidence", help="Only events at least this likely to be right (0-1; calibrated on real news).")] = 0.0,
    limit: Annotated[Optional[int], typer.Option(help="At most this many events.")] = None,
    place: Annotated[Optional[str], typer.Option("--in", help="Where events happened: a country of location (PAK), region (Punjab) or place (Kabul).")] = None,
    near: Annotated[Optional[str], typer.Option("--near", help="Events within a radius of a place: PLACE[:KM] or LAT,LON[:KM] (default 50 km).")] = None,
    bbox: Annotated[Optional[str], typer.Option("--bbox", help="Events inside WEST,SOUTH,EAST,NORTH (degrees).")] = None,
    fmt: FormatOpt = "jsonl",
    output: OutOpt = None,
    dyadic: Annotated[bool, typer.Option("--dyadic", help="One row per actor-recipient pair.")] = False,
    count: Annotated[str, typer.Option("--count", help="clusters: each event once, as the report that stands for it "
                                                       "(default); reports: every stored report.")] = "clusters",
) -> None:
    """Query stored events with filters."""
    from detente.geo.area import parse_bbox, parse_near
    from detente.ontology import EVENT_TYPES, QUAD_CLASSES
    from detente.store import EventFilter, open_store
    from detente.store.export import write_records

    for t in event_type or []:
        if t.upper() not in EVENT_TYPES:
            raise DetenteError(f"unknown event type {t!r}; use one of {', '.join(EVENT_TYPES)}")
    for q in quad or []:
        if q not in QUAD_CLASSES:
            raise DetenteError(f"unknown quad class {q!r}; use one of {', '.join(QUAD_CLASSES)}")
    if limit is not None and limit < 0:
        raise DetenteError("--limit must be positive")
    if count not in ("clusters", "reports"):
        raise DetenteError(f"unknown count {count!r}; use clusters or reports")
    if not 0.0 <= min_confidence <= 1.0:
        raise DetenteError("--min-confidence must be between 0 and 1")
    flt = EventFilter(actor=actor, recipient=recipient, event_type=event_type, quad_class=quad,
                      date_from=_date(date_from, "--from"), date_to=_date(date_to, "--to"), doc_id=doc, text=search,
                      include_modal=not exclude_modal, place=place.strip() if place and place.strip() else None,
                      near=parse_near(near) if near else None, bbox=parse_bbox(bbox) if bbox else None, count=count,
                      min_confidence=min_confidence)
    with open_store(db, read_only=True) as store:
        sources = None
        if fmt in ("gdelt", "icews"):
            sources = {r["doc_id"]: r for r in store.query("SELECT doc_id, url, source FROM documents")}
        n = write_records(store.events(flt, limit=limit), fmt, output, dyadic, documents=sources)
    if output not in (None, "-"):
        err.print(f"{n} {'events' if count == 'clusters' else 'reports'} -> {output}")


@app.command()
def schema(output: OutOpt = None) -> None:
    """Print the JSON Schema of the event record."""
    from detente.models import event_json_schema

    text = json.dumps(event_json_schema(), indent=2) + "\n"
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


@app.command()
def version() -> None:
    """Print the version."""
    print(f"detente {__version__}")


STAGE_COMMANDS = ("detente.evaluate.cli", "detente.analysis.cli", "detente.web.cli", "detente.run.cli")


def register_stages(target: typer.Typer = app) -> None:
    """Add the commands of later stages (evaluation, relations, web); each module adds its own."""
    import importlib

    for module in STAGE_COMMANDS:
        importlib.import_module(module).register(target)


def main() -> None:
    """Entry point: user errors become one line on stderr and a non-zero exit."""
    register_stages(app)
    try:
        app()
    except DetenteError as exc:
        err.print(f"[red]error:[/] {exc}", highlight=False, soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(0)
    except OSError as exc:  # the disk, a permission, a file gone under a reader
        err.print(f"[red]error:[/] {exc.strerror or exc}" + (f": {exc.filename}" if exc.filename else ""),
                  highlight=False, soft_wrap=True)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - never show a traceback to users
        if type(exc).__name__ == "IOException" and not os.environ.get("DETENTE_DEBUG"):
            # DuckDB could not read or write a file: the disk, or a Parquet file replaced by an
            # ingest while this command read the store (it reads the new one when run again).
            err.print(f"[red]error:[/] {str(exc).splitlines()[0]} (try again)", highlight=False, soft_wrap=True)
            sys.exit(1)
        if os.environ.get("DETENTE_DEBUG"):
            raise
        err.print(f"[red]internal error:[/] {type(exc).__name__}: {exc} (set DETENTE_DEBUG=1 for details)",
                  highlight=False, soft_wrap=True)
        sys.exit(70)


if __name__ == "__main__":
    main()
