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


def _read_all(paths: list[str], pub_date: dt.date | None) -> list:
    """Read and validate every input before coding, so bad input fails before anything is written."""
    from detente.ingest import iter_documents

    def skipped(doc, why: str) -> None:
        err.print(f"[yellow]warning:[/] skipped {doc.path or doc.doc_id} ({doc.doc_id}): {why}")

    docs = list(iter_documents(paths, pub_date, on_skip=skipped))
    seen: dict[str, str] = {}
    unique = []
    for d in docs:
        if d.doc_id in seen:
            if seen[d.doc_id] != d.content_hash:
                raise DetenteError(f"{d.path}: duplicate document id {d.doc_id!r} with different text")
            continue
        seen[d.doc_id] = d.content_hash
        unique.append(d)
    return unique


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
) -> None:
    """Code the events in articles and write them (JSON Lines to stdout by default)."""
    from detente.run.ingest import coded_stream
    from detente.run.pipeline import single_thread_blas
    from detente.run.progress import progress_bar
    from detente.store.export import write_records

    docs = _read_all(paths, _date(date))
    single_thread_blas()  # parallel by processes, one core each
    with (progress_bar("coding", len(docs)) as bar,
          coded_stream(docs, _engine(engine, scheduler), _workers(workers), scheduler, actors) as stream):
        def records():
            for _, evs in stream:
                bar.advance()
                for ev in evs:
                    yield ev.model_dump(mode="json")

        sources = {d.doc_id: {"url": d.url, "source": d.source} for d in docs}
        n = write_records(records(), fmt, output, dyadic, documents=sources)
    if output not in (None, "-"):
        err.print(f"{n} events from {len(docs)} documents -> {output}")


@app.command()
def ingest(
    paths: PathsArg,
    db: DbOpt = "detente.duckdb",
    date: DateOpt = None,
    actors: ActorsOpt = None,
    workers: WorkersOpt = None,
    batch_size: Annotated[Optional[int], typer.Option(
        "--batch-size", help="Documents per commit: one DuckDB transaction (default 64) or one set of Parquet files (default 1000).")] = None,
    engine: EngineOpt = None,
    scheduler: SchedulerOpt = None,
    output: Annotated[Optional[str], typer.Option(
        "--output", "-o", help="Write a Parquet store here instead of --db: a directory or fsspec URL, with "
                               "events/ and documents/ partitioned by pub_month=YYYY-MM. Every command reads it as --db.")] = None,
    progress: Annotated[str, typer.Option(
        "--progress", help="auto (a bar on a terminal, nothing when piped), bar, lines (one line per commit) or none.")] = "auto",
) -> None:
    """Code articles and store their events; documents already stored are skipped."""
    from detente.run.ingest import ingest_documents
    from detente.run.pipeline import single_thread_blas

    docs = _read_all(paths, _date(date))
    single_thread_blas()  # parallel by processes, one core each
    stats = ingest_documents(docs, db, actor_table=actors, n_process=_workers(workers), batch_size=batch_size,
                             engine=_engine(engine, scheduler), scheduler=scheduler, output=output, progress=progress)
    err.print(f"{stats['new']} new, {stats['updated']} updated, {stats['skipped']} unchanged documents; "
              f"{stats['events']} events written to {output or db}; {stats['stored_events']} events in "
              f"{stats['clusters']} clusters ({stats['duplicates']} duplicate reports)")


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


STAGE_COMMANDS = ("detente.evaluate.cli", "detente.analysis.cli", "detente.web.cli")


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
    except Exception as exc:  # noqa: BLE001 - never show a traceback to users
        if os.environ.get("DETENTE_DEBUG"):
            raise
        err.print(f"[red]internal error:[/] {type(exc).__name__}: {exc} (set DETENTE_DEBUG=1 for details)",
                  highlight=False, soft_wrap=True)
        sys.exit(70)


if __name__ == "__main__":
    main()
