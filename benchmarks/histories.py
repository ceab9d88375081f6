"""Turning points on real diplomatic trajectories told in wire stories written for the project.

Ingests the stories of tests/fixtures/histories (the project's own, which the history test
checks, and the blind sets, written by contributors who did not run the coder on them), runs
`all_changes` and scores each set against its expected.json: turning points found within two
months with the right label, period signs, and changes on the steady (noise) dyads.

    .venv/bin/python benchmarks/histories.py [--sets own blind ...] [--claim-penalty X] [--penalty-factor X]

Results: benchmarks/histories.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import detente.analysis.changes as model
from detente.analysis.series import dyad_series
from detente.ingest import iter_documents
from detente.run.ingest import ingest_documents
from detente.store import Store, open_store

HISTORIES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "histories"
# Every blindN folder with an expected.json is a set, in the order they were written.
BLIND = sorted((d for d in HISTORIES.glob("blind*") if (d / "expected.json").is_file()),
               key=lambda d: int(d.name[5:] or 1))
SETS = {"own": HISTORIES / "stories", **{d.name: d for d in BLIND}}
EXPECTED = {"own": HISTORIES / "expected.json", **{d.name: d / "expected.json" for d in BLIND}}
WITHIN_MONTHS = 2


def month_number(value: str) -> int:
    return int(value[:4]) * 12 + int(value[5:7]) - 1


def period_sign(store: Store, period: dict[str, str]) -> tuple[str, float]:
    a, b = period["dyad"].split("-")
    end = dt.date.fromisoformat(period["to"] + "-01")
    end = (end.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    s = dyad_series(store, a, b, date_from=period["from"] + "-01", date_to=end)
    coop, conflict = float(s["coop_weight"].sum()), float(s["conflict_weight"].sum())
    index = (coop - conflict) / (coop + conflict) if coop + conflict else 0.0
    return ("+" if index >= 0.1 else "-" if index <= -0.1 else "0"), index


def score(store: Store, expected: dict[str, Any], found: list[dict[str, Any]]) -> dict[str, Any]:
    points = []
    for p in expected["turning_points"]:
        hits = [c for c in found if c["dyad"] == p["dyad"] and c["label"] == p["label"]
                and abs(month_number(c["start"]) - month_number(p["month"])) <= WITHIN_MONTHS]
        near = [f"{c['label']} {c['start_period']}" for c in found if c["dyad"] == p["dyad"]]
        points.append({**p, "found": bool(hits), "changes": near})
    periods = [{**p, "got": period_sign(store, p)} for p in expected["periods"]]
    noise = [f"{c['dyad']} {c['label']} {c['start_period']}" for c in found if c["dyad"] in expected["noise_dyads"]]
    told = {p["dyad"] for p in expected["turning_points"]}
    other = [f"{c['dyad']} {c['label']} {c['start_period']}" for c in found
             if c["dyad"] in told and c["label"] != "stable" and not any(
                 p["dyad"] == c["dyad"] and p["label"] == c["label"]
                 and abs(month_number(c["start"]) - month_number(p["month"])) <= WITHIN_MONTHS
                 for p in expected["turning_points"])]
    return {"points": points, "periods": periods, "noise": noise, "other": other}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--penalty-factor", type=float, default=model.PENALTY_FACTOR)
    ap.add_argument("--claim-penalty", type=float, default=model.CLAIM_PENALTY,
                    help="A claimed change's price in changes (a large value turns claimed changes off).")
    ap.add_argument("--sets", nargs="+", choices=list(SETS), default=list(SETS), metavar="SET",
                    help="Score only these sets (default: all); keeps a set unread until its first score.")
    args = ap.parse_args()
    model.PENALTY_FACTOR = args.penalty_factor
    model.CLAIM_PENALTY = args.claim_penalty
    began = time.perf_counter()
    print(f"penalty factor {args.penalty_factor}, claim penalty {args.claim_penalty}\n")
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.sets:
            folder = SETS[name]
            db = str(Path(tmp) / f"{name}.duckdb")
            files = sorted(str(f) for f in folder.glob("*.jsonl"))
            docs = list(iter_documents(files))
            ingest_documents(docs, db, progress="none")
            expected = json.loads(EXPECTED[name].read_text(encoding="utf-8"))
            with open_store(db, read_only=True) as store:
                found = model.all_changes(store, min_events=expected["min_events"], n_evidence=0)
                result = score(store, expected, found)
            hit = sum(p["found"] for p in result["points"])
            signs = sum(p["got"][0] == p["sign"] for p in result["periods"])
            print(f"## {name}: {len(docs)} stories, turning points {hit}/{len(result['points'])}, "
                  f"period signs {signs}/{len(result['periods'])}, changes on noise dyads {len(result['noise'])}, "
                  f"other labelled changes {len(result['other'])}\n")
            print("| dyad | month | label | found | changes of the dyad |")
            print("| --- | --- | --- | --- | --- |")
            for p in result["points"]:
                print(f"| {p['dyad']} | {p['month']} | {p['label']} | {'yes' if p['found'] else 'no'} | "
                      f"{', '.join(p['changes']) or '-'} |")
            wrong = [f"{p['dyad']} {p['from']}..{p['to']} {p['sign']} (index {p['got'][1]:+.2f})"
                     for p in result["periods"] if p["got"][0] != p["sign"]]
            print(f"\nWrong period signs: {', '.join(wrong) or 'none'}. "
                  f"Noise dyads {', '.join(expected['noise_dyads'])}: {', '.join(result['noise']) or 'no change'}. "
                  f"Other labelled changes of the told dyads: {', '.join(result['other']) or 'none'}.\n")
    print(f"({time.perf_counter() - began:.0f} s)")


if __name__ == "__main__":
    main()
