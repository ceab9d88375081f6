"""Relations commands: dyad, dyads, changes, network, summarize, report (thin wrappers)."""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from detente.errors import DetenteError
from detente.plain import jsonable

out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False)

DbOpt = Annotated[str, typer.Option("--db", help="DuckDB store file, or a Parquet directory.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
ModalOpt = Annotated[bool, typer.Option("--include-modal", help="Keep negated and hypothetical events.")]
FromOpt = Annotated[Optional[str], typer.Option("--from", help="First date (YYYY-MM-DD).")]
ToOpt = Annotated[Optional[str], typer.Option("--to", help="Last date (YYYY-MM-DD).")]
FreqOpt = Annotated[str, typer.Option("--freq", help="Period: week, month or quarter.")]
CountOpt = Annotated[str, typer.Option("--count", help="clusters: events, duplicate reports once (default); "
                                                      "reports: every stored report.")]
BackgroundOpt = Annotated[bool, typer.Option("--include-background", help="Keep background events (historical, "
                                                                          "habitual: the coder's 'historical' flag).")]




def _print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(jsonable(obj), indent=2, ensure_ascii=False) + "\n")


def _open(db: str):
    from detente.store import open_store

    store = open_store(db, read_only=True)
    # DuckDB draws a progress bar on stdout for long queries; it would corrupt --json output.
    store.con.execute("SET enable_progress_bar = false")
    return store


def _num(value: Any, fmt: str = "+.2f") -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return format(value, fmt)


def _positive(value: int, name: str) -> int:
    if value < 1:
        raise DetenteError(f"{name} must be at least 1")
    return value


def _short(text: str | None, n: int = 90) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


def register(app: typer.Typer) -> None:
    """Add the relations commands to the CLI app."""

    @app.command()
    def dyad(
        a: Annotated[str, typer.Argument(help="First actor: ISO3 country, IGO or group code (RUS, IGONATO).")],
        b: Annotated[str, typer.Argument(help="Second actor.")],
        db: DbOpt = "detente.duckdb",
        freq: FreqOpt = "month",
        as_json: JsonOpt = False,
        as_csv: Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")] = False,
        include_modal: ModalOpt = False,
        include_background: BackgroundOpt = False,
        count: CountOpt = "clusters",
        date_from: FromOpt = None,
        date_to: ToOpt = None,
    ) -> None:
        """How two actors get along, period by period: counts, scores and the relationship index."""
        from detente.analysis.changes import dyad_changes, reactions
        from detente.analysis.series import (
            check_count,
            check_dyad,
            check_freq,
            count_events,
            dyad_series,
            series_records,
        )

        a, b = check_dyad(a, b)
        check_freq(freq)
        check_count(count)
        if as_json and as_csv:
            raise DetenteError("use --json or --csv, not both")
        with _open(db) as store:
            series = dyad_series(store, a, b, freq, count, include_modal, include_historical=include_background,
                                 date_from=date_from, date_to=date_to)
            if series.empty:
                raise DetenteError(f"no events between {a} and {b} in {db}")
            total = count_events(store, (a, b), count, include_modal, include_background)
            changes = dyad_changes(store, a, b, freq, count, include_modal, include_historical=include_background,
                                   date_from=date_from, date_to=date_to)
            for c in changes:  # who reacted to the change, in the articles that report it
                c["reactions"] = reactions(store, a, b, c["start"], date_to, include_modal, include_background)[:5]
        rows = series_records(series)
        unplaced = int(series.attrs.get("unplaced", 0))
        if as_json:
            _print_json({"dyad": f"{a}-{b}", "freq": freq, "count": count, "n_events": total,
                         "unplaced": unplaced, "series": rows, "changes": changes})
            return
        if as_csv:
            buf = io.StringIO()
            writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
            sys.stdout.write(buf.getvalue())
            return
        table = Table(title=f"{a}–{b} by {freq} ({count}); index = net cooperation in [-1, 1]",
                      caption="coop, confl: verbal/material event counts; mean: mean PLOVER score")
        table.add_column("period", no_wrap=True)
        for col in ("n", "coop", "confl", "mean", "index", "smoothed [90% interval]"):
            table.add_column(col, justify="right", no_wrap=True)
        for r in rows:
            if not r["n_events"]:
                continue
            table.add_row(r["period"], str(r["n_events"]),
                          f"{r['verbal_cooperation']}/{r['material_cooperation']}",
                          f"{r['verbal_conflict']}/{r['material_conflict']}",
                          _num(r["score_mean"], "+.1f"), _num(r["index"]),
                          f"{_num(r['index_smoothed'])} [{_num(r['index_low'])}, {_num(r['index_high'])}]")
        out.print(table)
        what = "events (duplicate reports once)" if count == "clusters" else "reports"
        out.print(f"{total} {what} in all" + (f"; {unplaced} dated only to a longer span than a {freq} are not in "
                                             "the table" if unplaced else ""))
        empty = sum(1 for r in rows if not r["n_events"])
        if empty:
            out.print(f"({empty} periods without events not shown)")
        for c in changes:
            opens = " (the series opens with it)" if c.get("opening") else ""
            out.print(f"change: [bold]{c['label']}[/] from {c['start_period']}{opens} "
                      f"(index {c['before']:+.2f} -> {c['after']:+.2f}, material conflict "
                      f"{c['material_conflict_before']:.0%} -> {c['material_conflict_after']:.0%}, "
                      f"{c['events_before']} -> {c['events_after']} events)")
            for e in c["evidence"][:3]:
                out.print(f"    {e['date']} {e['event_type']} {e['score']:+}: {_short(e['sentence'])}", markup=False)
            for claim in c.get("claims", []):
                out.print(f"    the article says ({claim['date']}): \"{claim['phrase']}\" - {_short(claim['sentence'])}",
                          markup=False)
            stances = [f"{r['party']} {r['stance']} ({r['n_critical']} critical of {r['n_events']})"
                       for r in c["reactions"]]
            if stances:
                out.print("  third parties: " + "; ".join(stances), markup=False)

    @app.command()
    def dyads(
        db: DbOpt = "detente.duckdb",
        top: Annotated[int, typer.Option("--top", help="How many dyads.")] = 15,
        as_json: JsonOpt = False,
        include_modal: ModalOpt = False,
        include_background: BackgroundOpt = False,
        count: CountOpt = "clusters",
    ) -> None:
        """The most active dyads: events, mean score and relationship index."""
        from detente.analysis.series import check_count, top_dyads

        _positive(top, "--top")
        check_count(count)
        with _open(db) as store:
            rows = top_dyads(store, top, include_modal, count=count, include_historical=include_background)
        if as_json:
            _print_json(rows)
            return
        table = Table(title=f"Top {len(rows)} dyads", caption="events: " + (
            "duplicate reports count once" if count == "clusters" else "every report"))
        table.add_column("dyad", no_wrap=True)
        table.add_column("names", min_width=12, overflow="fold")
        for col in ("events", "mean", "index", "90% interval"):
            table.add_column(col, justify="right", no_wrap=True)
        table.add_column("years", no_wrap=True)
        for r in rows:
            table.add_row(r["dyad"], r["name"], str(r["n_events"]), _num(r["mean_score"], "+.1f"), _num(r["index"]),
                          f"[{_num(r['index_low'])}, {_num(r['index_high'])}]", f"{r['first'][:4]}–{r['last'][:4]}")
        out.print(table)

    @app.command()
    def changes(
        db: DbOpt = "detente.duckdb",
        min_events: Annotated[int, typer.Option("--min-events", help="Only dyads with at least this many events.")] = 8,
        as_json: JsonOpt = False,
        limit: Annotated[Optional[int], typer.Option("--limit", help="At most this many changes.")] = None,
        freq: FreqOpt = "month",
        include_stable: Annotated[bool, typer.Option("--include-stable", help="Also list small (stable) changes.")] = False,
        include_modal: ModalOpt = False,
        include_background: BackgroundOpt = False,
        count: CountOpt = "clusters",
    ) -> None:
        """Change points in every dyad's relations (detente, deterioration, escalation), strongest first."""
        from detente.analysis.changes import all_changes

        _positive(min_events, "--min-events")
        if limit is not None:
            _positive(limit, "--limit")
        with _open(db) as store:
            found = all_changes(store, min_events, freq, count, include_modal, include_historical=include_background,
                                include_stable=include_stable)
        found = found[:limit] if limit else found
        if as_json:
            _print_json(found)
            return
        if not found:
            out.print(f"no changes found in dyads with at least {min_events} events")
            return
        table = Table(title="Changes in relations, strongest first",
                      caption="mat. conflict: share of the weight in material conflict; "
                              "evidence: the event that moved it most, and what the articles say")
        for col in ("dyad", "change", "from", "index", "mat. conflict", "events"):
            table.add_column(col, no_wrap=col in ("dyad", "from"))
        table.add_column("evidence", min_width=30)
        for c in found:
            lead = c["evidence"][0] if c["evidence"] else None
            lines = [f"{lead['event_type']}: {_short(lead['sentence'], 80)}"] if lead else []
            lines += [f"claimed: \"{claim['phrase']}\" ({claim['date']})" for claim in c.get("claims", [])[:1]]
            table.add_row(c["dyad"], c["label"], c["start_period"] + (" (opens)" if c.get("opening") else ""),
                          f"{c['before']:+.2f} -> {c['after']:+.2f}",
                          f"{c['material_conflict_before']:.0%} -> {c['material_conflict_after']:.0%}",
                          f"{c['events_before']} -> {c['events_after']}", Text("\n".join(lines)))
        out.print(table)

    @app.command()
    def network(
        db: DbOpt = "detente.duckdb",
        date_from: FromOpt = None,
        date_to: ToOpt = None,
        min_events: Annotated[int, typer.Option("--min-events", help="Events needed for an edge.")] = 2,
        as_json: JsonOpt = False,
        include_modal: ModalOpt = False,
        include_background: BackgroundOpt = False,
        count: CountOpt = "clusters",
    ) -> None:
        """The signed network: edges, structural balance, unbalanced triads and blocs."""
        from detente.analysis.network import blocs, graph_edges, signed_network, structural_balance
        from detente.analysis.series import check_count

        _positive(min_events, "--min-events")
        check_count(count)
        with _open(db) as store:
            graph = signed_network(store, date_from, date_to, min_events, count=count, include_modal=include_modal,
                                   include_historical=include_background)
        balance = structural_balance(graph)
        groups = blocs(graph)
        edges = graph_edges(graph)
        if as_json:
            _print_json({"from": date_from, "to": date_to, "min_events": min_events, "edges": edges,
                         "balance": balance, "blocs": groups})
            return
        table = Table(title=f"Signed network ({len(graph)} parties, {len(edges)} edges with >= {min_events} events)")
        for col in ("dyad", "sign", "events", "index", "smoothed"):
            table.add_column(col, justify="left" if col == "dyad" else "right", no_wrap=True)
        for e in edges:
            sign = {1: "[green]+[/]", -1: "[red]-[/]"}.get(e["sign"], "0")
            table.add_row(e["dyad"], sign, str(e["n_events"]), _num(e["index"]), _num(e["index_smoothed"]))
        out.print(table)
        share = balance["balance"]
        out.print(f"structural balance: {'n/a' if share is None else f'{share:.0%}'} of "
                  f"{balance['n_triads']} signed triads balanced")
        for t in balance["unbalanced"]:
            out.print(f"  unbalanced: {t['text']}")
        for t in balance["axes"]:
            out.print(f"  all-positive: {t['text']}")
        out.print("blocs: " + "; ".join("{" + ", ".join(g) + "}" for g in groups if len(g) > 1))
        singles = [g[0] for g in groups if len(g) == 1]
        if singles:
            out.print("on their own: " + ", ".join(singles))

    @app.command()
    def summarize(
        path: Annotated[str, typer.Argument(help="An article file (txt, html, jsonl, rss); '-' for stdin.")],
        date: Annotated[Optional[str], typer.Option("--date", help="Publication date (YYYY-MM-DD) if the file has none.")] = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Code one article and summarise it: the dyads it speaks of and the shifts it claims."""
        from detente.analysis.series import as_date
        from detente.analysis.summary import summarize_events
        from detente.ingest import iter_documents
        from detente.run.pipeline import code_documents

        docs = list(iter_documents([path], as_date(date, "--date")))
        if not docs:
            raise DetenteError(f"{path}: no English article found")
        results = []
        for doc in docs:
            events = [ev.model_dump(mode="json") for ev in code_documents([doc])]
            summary = summarize_events(events, doc.text, title=doc.title)
            results.append({"doc_id": doc.doc_id, "pub_date": doc.pub_date, **summary})
        if as_json:
            _print_json(results[0] if len(results) == 1 else results)
            return
        for i, s in enumerate(results):
            if i:
                out.print("")
            out.print(f"[bold]{escape(s['doc_id'])}[/]" + (f" ({s['pub_date']})" if s["pub_date"] else ""))
            out.print(s["text"], markup=False)

    @app.command()
    def report(
        db: DbOpt = "detente.duckdb",
        output: Annotated[str, typer.Option("--output", "-o", help="The HTML file to write.")] = "report.html",
        top: Annotated[int, typer.Option("--top", help="How many dyads get a chart.")] = 6,
        freq: FreqOpt = "month",
        include_background: BackgroundOpt = False,
        count: CountOpt = "clusters",
    ) -> None:
        """Write a self-contained HTML report: dyads, changes with evidence, signed network, blocs."""
        from detente.analysis.series import check_count, check_freq
        from detente.report import build_report

        _positive(top, "--top")
        check_freq(freq)
        check_count(count)
        if Path(output).is_dir():
            raise DetenteError(f"{output}: is a directory")
        with _open(db) as store:
            path = build_report(store, output, top=top, freq=freq, count=count, include_historical=include_background)
        err.print(f"report written to {path}")
