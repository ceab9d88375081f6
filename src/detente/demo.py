"""`make demo`'s closing step: the top dyads of a store and where the outputs are.

Usage: python -m detente.demo STORE OUTPUT_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

from detente.store import open_store

TOP_DYADS = """
WITH pairs AS (
    SELECT a AS x, r AS y, plover_score, quad_class FROM events,
        unnest(actor_countries) AS t(a), unnest(recipient_countries) AS u(r)
    WHERE NOT negated AND NOT hypothetical AND a <> r
    UNION ALL
    SELECT a, b, plover_score, quad_class FROM events,
        unnest(actor_countries) AS t(a), unnest(actor_countries) AS u(b)
    WHERE NOT negated AND NOT hypothetical AND len(recipient_countries) = 0 AND a < b
)
SELECT least(x, y) AS a, greatest(x, y) AS b, count(*) AS events,
       round(avg(plover_score), 2) AS mean_score,
       count(*) FILTER (WHERE quad_class LIKE '%cooperation') AS cooperative,
       count(*) FILTER (WHERE quad_class LIKE '%conflict') AS conflictual
FROM pairs GROUP BY 1, 2 ORDER BY events DESC, a, b LIMIT ?
"""


def summary(db: str, out_dir: str, top: int = 15) -> None:
    con = Console()
    with open_store(db, read_only=True) as store:
        stats = store.stats()
        first, last = store.con.execute("SELECT min(pub_date), max(pub_date) FROM documents").fetchone()
        rows = store.query(TOP_DYADS, [top])
        table = Table(title=f"Top dyads: {stats['events']} events from {stats['documents']} documents "
                            f"published {first} to {last}")
        for col in ("dyad", "events", "mean score", "cooperative", "conflictual"):
            table.add_column(col, justify="left" if col == "dyad" else "right")
        for r in rows:
            table.add_row(f"{r['a']}-{r['b']}", str(r["events"]), f"{r['mean_score']:+.2f}", str(r["cooperative"]),
                          str(r["conflictual"]))
        con.print(table)
        from detente.analysis.changes import all_changes

        changes = Table(title="Changes in relations (strongest first)")
        for col in ("dyad", "change", "from", "index before -> after"):
            changes.add_column(col)
        for ch in all_changes(store)[:8]:
            if ch.get("label") == "stable":
                continue
            changes.add_row(str(ch.get("dyad")), str(ch.get("label")), str(ch.get("start_period")),
                            f"{ch.get('before', 0):+.2f} -> {ch.get('after', 0):+.2f}")
        con.print(changes)
        from detente.analysis.places import event_places
        from detente.store import EventFilter

        places = Table(title="Where the two storylines happened (located events, duplicate reports once)")
        for col in ("dyad", "place", "country", "lat, lon", "events"):
            places.add_column(col, justify="right" if col == "events" else "left")
        for a, b in (("RUS", "PAK"), ("AZE", "ARM")):
            for p in event_places(store, EventFilter(dyad=(a, b), include_modal=False), 4):
                places.add_row(f"{a}-{b}", str(p["name"]), str(p["country"] or "-"), f"{p['lat']:.2f}, {p['lon']:.2f}",
                               str(p["events"]))
        con.print(places)
        try:
            from detente.report import build_report
        except ImportError:
            build_report = None
        if build_report is not None:
            build_report(store, str(Path(out_dir) / "report.html"))
    con.print("Outputs:")
    for path in sorted(Path(out_dir).iterdir()):
        con.print(f"  {path}")
    con.print(f"Query more with: .venv/bin/detente events --db {db} --actor RUS --recipient PAK")
    con.print(f"Map: open {Path(out_dir) / 'report.html'}#places, or run .venv/bin/detente serve --db {db} "
              "and open http://127.0.0.1:8000/map")


if __name__ == "__main__":
    summary(sys.argv[1], sys.argv[2])
