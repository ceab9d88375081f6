"""Calibration of the change model on simulated dyads (results in benchmarks/changes.md).

Simulated dyads look like news coverage of a relationship: articles arrive in bursts (a
gamma-Poisson number per month), each article reports a few events that mostly share its
theme, and event types are drawn from a regime: cooperative, hostile in words, hostile in
deeds. Stationary dyads (one regime for all months) measure false changes; dyads that switch
regime at month SWITCH measure whether the turn is found, when, and with which label.

Usage: python benchmarks/changes.py [--runs 200] [--penalty-factor 3.0] [--months 36]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time

import numpy as np
import pandas as pd

from detente.analysis import changes as model
from detente.analysis.series import aggregate
from detente.ontology import event_types

SWITCH = 18
REGIMES: dict[str, dict[str, float]] = {
    "cooperative": {"CONSULT": .33, "AGREE": .2, "SUPPORT": .18, "COOPERATE": .1, "AID": .03, "RETREAT": .02,
                    "ACCUSE": .07, "REJECT": .03, "REQUEST": .02, "THREATEN": .02},
    "hostile words": {"ACCUSE": .34, "REJECT": .15, "THREATEN": .12, "REQUEST": .07, "CONSULT": .12, "AGREE": .06,
                      "SANCTION": .06, "PROTEST": .03, "MOBILIZE": .02, "SUPPORT": .03},
    "hostile deeds": {"ACCUSE": .24, "SANCTION": .2, "COERCE": .12, "ASSAULT": .08, "MOBILIZE": .07, "THREATEN": .1,
                      "REJECT": .08, "CONSULT": .06, "PROTEST": .05},
}
SWITCHES: list[tuple[str, str, str]] = [
    ("cooperative", "hostile deeds", "escalation"),
    ("hostile words", "hostile deeds", "escalation"),
    ("hostile words", "cooperative", "detente"),
    ("hostile deeds", "cooperative", "detente"),
    ("cooperative", "hostile words", "deterioration"),
]
# A burst: the dyad turns to deeds for a few months from month SWITCH, then back to words.
BURSTS: list[tuple[str, str, int, str]] = [
    ("hostile words", "hostile deeds", 3, "escalation"),
    ("hostile words", "hostile deeds", 6, "escalation"),
    ("cooperative", "hostile deeds", 3, "escalation"),
]
DENSITIES = {"thin (0.5 articles/month)": 0.5, "sparse (1.5 articles/month)": 1.5, "medium (4 articles/month)": 4.0}


def simulate(rng: np.random.Generator, regimes: list[str], months: int, articles: float) -> pd.DataFrame:
    """An event frame (day, score, quad_class) for a dyad whose regime in month m is regimes[m]."""
    types = event_types()
    rows = []
    start = dt.date(2020, 1, 1)
    for m in range(months):
        regime = REGIMES[regimes[m]]
        names, probs = list(regime), np.array(list(regime.values()))
        probs = probs / probs.sum()
        n_articles = rng.poisson(rng.gamma(0.7, articles / 0.7))  # bursty coverage
        for _ in range(n_articles):
            theme = rng.choice(names, p=probs)
            day = dt.date(start.year + (start.month - 1 + m) // 12, (start.month - 1 + m) % 12 + 1,
                          int(rng.integers(1, 29)))
            for _ in range(1 + rng.poisson(1.2)):
                kind = theme if rng.random() < 0.6 else rng.choice(names, p=probs)
                et = types[kind]
                rows.append({"day": pd.Timestamp(day), "score": et.score, "quad_class": et.quad_class})
    return pd.DataFrame(rows, columns=["day", "score", "quad_class"])


def changes_of(frame: pd.DataFrame) -> list[dict]:
    if frame.empty:
        return []
    series = aggregate(frame, "month")
    series.attrs["dyad"] = ("AAA", "BBB")
    return model.detect_changes(series)


def month_of(change: dict) -> int:
    day = dt.date.fromisoformat(change["start"])
    return (day.year - 2020) * 12 + day.month - 1


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--months", type=int, default=36)
    ap.add_argument("--penalty-factor", type=float, default=model.PENALTY_FACTOR)
    ap.add_argument("--burst-penalty", type=float, default=model.BURST_PENALTY,
                    help="A burst's penalty in changes (a large value turns burst detection off).")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--verbose", action="store_true", help="Print the labels and months of missed turns.")
    args = ap.parse_args()
    model.PENALTY_FACTOR = args.penalty_factor
    model.BURST_PENALTY = args.burst_penalty
    rng = np.random.default_rng(args.seed)
    began = time.perf_counter()
    print(f"penalty factor {args.penalty_factor}, burst penalty {args.burst_penalty}, {args.runs} runs per row, "
          f"{args.months} months\n")
    print("| stationary dyad | density | events (median) | dyads with a labelled change | any change |")
    print("| --- | --- | ---: | ---: | ---: |")
    for regime in REGIMES:
        for density, rate in DENSITIES.items():
            labelled = anything = 0
            sizes = []
            for _ in range(args.runs):
                frame = simulate(rng, [regime] * args.months, args.months, rate)
                sizes.append(len(frame))
                found = changes_of(frame)
                labelled += any(c["label"] != "stable" for c in found)
                anything += bool(found)
            print(f"| {regime} | {density} | {int(np.median(sizes))} | {labelled / args.runs:.1%} | "
                  f"{anything / args.runs:.1%} |")
    print("\n| switch at month 18 | density | found within 2 months, right label | found, wrong label or month | "
          "other labelled changes per dyad |")
    print("| --- | --- | ---: | ---: | ---: |")
    for before, after, label in SWITCHES:
        for density, rate in DENSITIES.items():
            right = wrong = 0
            extra = 0
            misses: dict[str, int] = {}
            for _ in range(args.runs):
                regimes = [before] * SWITCH + [after] * (args.months - SWITCH)
                found = [c for c in changes_of(simulate(rng, regimes, args.months, rate)) if c["label"] != "stable"]
                hit = [c for c in found if c["label"] == label and abs(month_of(c) - SWITCH) <= 2]
                right += bool(hit)
                wrong += bool(found) and not hit
                if not hit:
                    for c in found:
                        key = f"{c['label']}@{month_of(c) - SWITCH:+d}"
                        misses[key] = misses.get(key, 0) + 1
                extra += len(found) - (1 if hit else 0)
            print(f"| {before} -> {after} ({label}) | {density} | {right / args.runs:.1%} | {wrong / args.runs:.1%} | "
                  f"{extra / args.runs:.2f} |")
            if args.verbose:
                print("    misses:", sorted(misses.items(), key=lambda kv: -kv[1])[:6])
    print("\n| burst from month 18 | density | found within 2 months, right label | return found | "
          "other labelled changes per dyad |")
    print("| --- | --- | ---: | ---: | ---: |")
    for base, burst, length, label in BURSTS:
        for density, rate in DENSITIES.items():
            right = back = extra = 0
            for _ in range(args.runs):
                regimes = [base] * SWITCH + [burst] * length + [base] * (args.months - SWITCH - length)
                found = changes_of(simulate(rng, regimes, args.months, rate))
                hit = [c for c in found if c["label"] == label and abs(month_of(c) - SWITCH) <= 2]
                ret = [c for c in found if abs(month_of(c) - SWITCH - length) <= 2 and c not in hit]
                right += bool(hit)
                back += bool(ret)
                # labelled changes other than the burst's start and (one) labelled return
                labelled_return = any(c["label"] != "stable" for c in ret)
                extra += sum(c["label"] != "stable" for c in found) - bool(hit) - labelled_return
            print(f"| {base} -> {burst} for {length} months ({label}) | {density} | {right / args.runs:.1%} | "
                  f"{back / args.runs:.1%} | {extra / args.runs:.2f} |")
    print(f"\n({time.perf_counter() - began:.0f} s)")


if __name__ == "__main__":
    main()
