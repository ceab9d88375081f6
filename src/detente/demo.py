"""`make demo`'s closing step: the top dyads of a store, its changes in relations, the report,
and where the outputs are.

Usage: python -m detente.demo STORE OUTPUT_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from detente.store import open_store


def summary(db: str, out_dir: str, top: int = 15) -> None:
    from detente.analysis.changes import all_changes
    from detente.analysis.series import count_events, top_dyads
    from detente.report import build_report

    con = Console()
    with open_store(db, read_only=True) as store:
        stats = store.stats()
        first, last = store.con.execute("SELECT min(pub_date), max(pub_date) FROM documents").fetchone()
        # The one count of every command and page: events, duplicate reports once, background left out.
        table = Table(title=f"Top dyads: {count_events(store)} events ({stats['events']} reports) from "
                            f"{stats['documents']} documents published {first} to {last}")
        for col in ("dyad", "events", "mean score", "index"):
            table.add_column(col, justify="left" if col == "dyad" else "right")
        for r in top_dyads(store, top):
            index = "–" if r["index"] is None else f"{r['index']:+.2f}"
            table.add_row(r["dyad"], str(r["n_events"]), f"{r['mean_score']:+.2f}", index)
        con.print(table)

        changes = Table(title="Changes in relations (strongest first)")
        for col in ("dyad", "change", "from", "index before -> after", "the articles say"):
            changes.add_column(col)
        for ch in all_changes(store, include_stable=False)[:8]:
            claim = ch["claims"][0]["phrase"] if ch["claims"] else ""
            changes.add_row(ch["dyad"], ch["label"], ch["start_period"], f"{ch['before']:+.2f} -> {ch['after']:+.2f}",
                            claim)
        con.print(changes)
        from detente.analysis.places import event_places
        from detente.store import EventFilter

        places = Table(title="Where the two storylines happened (located events, duplicate reports once)")
        for col in ("dyad", "place", "country", "lat, lon", "events"):
            places.add_column(col, justify="right" if col == "events" else "left")
        for a, b in (("RUS", "PAK"), ("AZE", "ARM")):
            for p in event_places(store, EventFilter.counted(dyad=(a, b)), 4):
                places.add_row(f"{a}-{b}", str(p["name"]), str(p["country"] or "-"), f"{p['lat']:.2f}, {p['lon']:.2f}",
                               str(p["events"]))
        con.print(places)
        build_report(store, str(Path(out_dir) / "report.html"))
    con.print("Outputs:")
    for path in sorted(Path(out_dir).iterdir()):
        con.print(f"  {path}")
    con.print(f"Query more with: .venv/bin/detente events --db {db} --actor RUS --recipient PAK")
    con.print(f"Map: open {Path(out_dir) / 'report.html'}#places, or run .venv/bin/detente serve --db {db} "
              "and open http://127.0.0.1:8000/map")


if __name__ == "__main__":
    summary(sys.argv[1], sys.argv[2])
