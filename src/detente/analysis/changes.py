"""Change points in a dyad's relations, labelled, with the events that drove them.

Segmentation
------------
The signal is the per-period relationship index (see `detente.analysis.series`) of the periods
that have weighted events; empty periods are skipped rather than filled, so that a quiet
stretch neither pulls the level towards 0 nor hides a change. Each period is weighted by its
number of (weighted) events, so a month with ten reports outweighs a month with one. The cost
of a segment is the weighted squared deviation from its weighted mean (which is the pooled
index of the segment's events), and ruptures' Pelt finds the segmentation minimising
cost + penalty x number of changes.

Penalty: PENALTY_FACTOR * d * log(n), n the number of weighted events of the dyad and d the
dispersion of their weights (mean(w^2) / mean(w)^2: a sum of unequal weights varies more than
a count). A ±1 contribution of unit weight has variance at most 1, so this is a BIC-style
penalty with the largest possible noise, raised from 2 to 3 because events come in bursts
(one article reports several) and are not independent. On short monthly series (a few dozen periods, a
few dozen events) it keeps changes that move the level by about half the index range or more,
backed by several events on both sides, and ignores single odd months. A segment needs at least
MIN_SIZE periods with events.

Labels
------
With ``before`` and ``after`` the levels of the adjacent segments and ``jump = after - before``:

- escalation: jump <= -MIN_JUMP, after <= ESCALATION_LEVEL (strongly negative) and the
  material-conflict share of weight rising by at least ESCALATION_SHARE_RISE;
- deterioration: any other drop of at least MIN_JUMP (cooperative to less cooperative, or
  hostile to more hostile in words);
- detente: a rise of at least MIN_JUMP from a hostile or competitive level
  (before <= DETENTE_BEFORE) to a clearly cooperative one (after >= DETENTE_AFTER), or any
  rise of at least LARGE_JUMP;
- stable: a change too small, or an easing that stays hostile.

Onset: Pelt places a boundary where the costs balance, which in sparse series can fall on a
lone event of the new kind shortly followed by one of the old. The reported start of a change
is the first period of the new segment after the last of its first ONSET_LOOKAHEAD periods
whose index still sits on the old side of the midpoint between the two levels: the period
from which the new level holds. Levels are those of the whole segments.

Evidence: the events of the first EVIDENCE_PERIODS periods of the new level, those pointing in
the direction of the change first (most cooperative for a detente, most conflictual for a
deterioration or escalation), then by |score|.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
import ruptures as rpt
from ruptures.base import BaseCost

from detente.analysis.series import (
    all_dyad_series,
    as_date,
    check_count,
    check_dyad,
    check_freq,
    code_name,
    dyad_name,
    dyad_series,
    event_frame,
    event_where,
)
from detente.errors import DetenteError
from detente.store import Store

LABELS: tuple[str, ...] = ("detente", "deterioration", "escalation", "stable")
PENALTY_FACTOR = 3.0
MIN_SIZE = 2
MIN_JUMP = 0.25
DETENTE_BEFORE = 0.1
DETENTE_AFTER = 0.2
LARGE_JUMP = 0.5
ESCALATION_LEVEL = -0.4
ESCALATION_SHARE_RISE = 0.1
EVIDENCE_PERIODS = 3
ONSET_LOOKAHEAD = 3
N_EVIDENCE = 5


class WeightedMeanCost(BaseCost):
    """Weighted L2 cost for a signal of rows (value, weight)."""

    model = "weighted_mean"
    min_size = 1

    def fit(self, signal: np.ndarray) -> WeightedMeanCost:
        signal = np.asarray(signal, dtype=float).reshape(-1, 2)
        self.signal = signal  # ruptures reads the number of samples from it
        x, w = signal[:, 0], signal[:, 1]
        # Cumulative sums as Python lists: Pelt calls error() O(n^2) times, and float
        # arithmetic on list items is several times faster than on numpy scalars.
        self._w = [0.0, *np.cumsum(w).tolist()]
        self._s = [0.0, *np.cumsum(w * x).tolist()]
        self._q = [0.0, *np.cumsum(w * x * x).tolist()]
        return self

    def error(self, start: int, end: int) -> float:
        w = self._w[end] - self._w[start]
        if w <= 0:
            return 0.0
        s = self._s[end] - self._s[start]
        err = self._q[end] - self._q[start] - s * s / w
        return err if err > 0 else 0.0


def label_change(before: float, after: float, mc_before: float = 0.0, mc_after: float = 0.0) -> str:
    """The label of a move from level `before` to `after` (material-conflict shares for escalation)."""
    jump = after - before
    if jump <= -MIN_JUMP:
        if after <= ESCALATION_LEVEL and mc_after >= mc_before + ESCALATION_SHARE_RISE:
            return "escalation"
        return "deterioration"
    if jump >= MIN_JUMP and ((before <= DETENTE_BEFORE and after >= DETENTE_AFTER) or jump >= LARGE_JUMP):
        return "detente"
    return "stable"


def _segment_stats(rows: pd.DataFrame, unit: float) -> dict[str, Any]:
    coop, conflict = float(rows["coop_weight"].sum()), float(rows["conflict_weight"].sum())
    total = coop + conflict
    return {"level": (coop - conflict) / total if total else 0.0,
            "mc_share": float(rows["material_conflict_weight"].sum()) / total if total else 0.0,
            "n": int(rows["n_events"].sum()), "weight": total / unit,
            "first": rows.iloc[0], "last": rows.iloc[-1]}


def _onset(new: pd.DataFrame, before: float, after: float) -> int:
    """Offset of the first period of the new level: past the periods, among its first
    ONSET_LOOKAHEAD, whose index still sits on the old side of the midpoint between the levels."""
    mid, sign = (before + after) / 2, 1.0 if after >= before else -1.0
    onset = 0
    for i, value in enumerate(new["index"].iloc[:ONSET_LOOKAHEAD]):
        if (value - mid) * sign <= 0:
            onset = i + 1
    return onset if onset < len(new) else 0


def detect_changes(series: pd.DataFrame, penalty: float | None = None, min_size: int = MIN_SIZE) -> list[dict[str, Any]]:
    """Change points of a dyad series (from `dyad_series`), oldest first, without evidence."""
    if series.empty:
        return []
    obs = series[(series["coop_weight"] + series["conflict_weight"]) > 0].reset_index(drop=True)
    if len(obs) < 2 * min_size:
        return []
    unit = float(series.attrs.get("unit") or 1.0)
    weights = ((obs["coop_weight"] + obs["conflict_weight"]) / unit).to_numpy()
    signal = np.column_stack([obs["index"].to_numpy(dtype=float), weights])
    n = float(weights.sum())
    dispersion = float(series.attrs.get("dispersion") or 1.0)
    pen = penalty if penalty is not None else PENALTY_FACTOR * dispersion * math.log(max(n, 2.0))
    algo = rpt.Pelt(custom_cost=WeightedMeanCost(), min_size=min_size, jump=1).fit(signal)
    ends = algo.predict(pen=pen)
    bounds = [0, *ends]
    segments = [obs.iloc[s:e] for s, e in zip(bounds, bounds[1:])]
    a, b = series.attrs.get("dyad", ("?", "?"))
    out = []
    for prev, new in zip(segments, segments[1:]):
        p, q = _segment_stats(prev, unit), _segment_stats(new, unit)
        jump = q["level"] - p["level"]
        new = new.iloc[_onset(new, p["level"], q["level"]):]
        q["first"] = new.iloc[0]
        harmonic = p["weight"] * q["weight"] / (p["weight"] + q["weight"])
        out.append({
            "dyad": dyad_name(a, b), "a": a, "b": b,
            "label": label_change(p["level"], q["level"], p["mc_share"], q["mc_share"]),
            "start": q["first"]["start"].isoformat(), "end": q["last"]["start"].isoformat(),
            "start_period": q["first"]["label"], "end_period": q["last"]["label"],
            "before_start": p["first"]["label"], "before_end": p["last"]["label"],
            "before": round(p["level"], 4), "after": round(q["level"], 4), "magnitude": round(jump, 4),
            "strength": round(abs(jump) * math.sqrt(harmonic), 4),
            "events_before": p["n"], "events_after": q["n"],
            "material_conflict_before": round(p["mc_share"], 4), "material_conflict_after": round(q["mc_share"], 4),
            "_evidence_to": new.iloc[min(EVIDENCE_PERIODS, len(new)) - 1]["end"],
        })
    return out


def _evidence(store: Store, change: dict[str, Any], count: str, include_modal: bool, include_historical: bool,
              n: int) -> list[dict[str, Any]]:
    start = dt.date.fromisoformat(change["start"])
    where, params = event_where((change["a"], change["b"]), include_modal, include_historical, start,
                                change["_evidence_to"])
    frame = event_frame(store, where, params, count, evidence=True)
    if frame.empty:
        return []
    direction = {"detente": 1.0, "deterioration": -1.0, "escalation": -1.0}.get(change["label"], 0.0)
    key = frame["score"] * direction if direction else frame["score"].abs()
    frame = frame.assign(_key=key, _abs=frame["score"].abs()).sort_values(["_key", "_abs", "day", "id"],
                                                                           ascending=[False, False, True, True])
    frame = frame.drop_duplicates("sentence")  # one sentence coded twice is one piece of evidence
    return [{"id": r.id, "date": r.day.date().isoformat(), "event_type": r.event_type, "score": float(r.score),
             "quad_class": r.quad_class, "actor": list(r.actor_codes if r.actor_codes is not None else []),
             "recipient": list(r.recipient_codes if r.recipient_codes is not None else []),
             "trigger": r.trigger, "sentence": r.sentence, "doc_id": r.doc_id}
            for r in frame.head(n).itertuples(index=False)]


def _finish(store: Store, changes: list[dict[str, Any]], count: str, include_modal: bool, include_historical: bool,
            n_evidence: int) -> list[dict[str, Any]]:
    for c in changes:
        c["evidence"] = _evidence(store, c, count, include_modal, include_historical, n_evidence) if n_evidence else []
        c.pop("_evidence_to", None)
    return changes


def dyad_changes(store: Store, a: str, b: str, freq: str = "month", count: str = "clusters",
                 include_modal: bool = False, *, include_historical: bool = False,
                 date_from: dt.date | str | None = None, date_to: dt.date | str | None = None,
                 penalty: float | None = None, n_evidence: int = N_EVIDENCE) -> list[dict[str, Any]]:
    """The labelled change points of one dyad, oldest first, each with its evidence events.

    Each change: dyad, a, b, label, start/end (first days of the first and last period of the
    new level) with start_period/end_period labels, before_start/before_end, before and after
    levels, magnitude (after - before), strength (|magnitude| x sqrt of the harmonic mean of
    the events on both sides), events_before/after, material-conflict shares, evidence.
    """
    a, b = check_dyad(a, b)
    series = dyad_series(store, a, b, freq, count, include_modal, include_historical=include_historical,
                         date_from=date_from, date_to=date_to)
    return _finish(store, detect_changes(series, penalty), count, include_modal, include_historical, n_evidence)


def all_changes(store: Store, min_events: int = 8, freq: str = "month", count: str = "clusters",
                include_modal: bool = False, *, include_historical: bool = False,
                date_from: dt.date | str | None = None, date_to: dt.date | str | None = None,
                penalty: float | None = None, include_stable: bool = True,
                n_evidence: int = 3) -> list[dict[str, Any]]:
    """Change points of every dyad with at least min_events events, strongest first."""
    check_freq(freq)
    check_count(count)
    if min_events < 1:
        raise DetenteError("--min-events must be at least 1")
    every = all_dyad_series(store, freq, count, include_modal, min_events, include_historical=include_historical,
                            date_from=as_date(date_from, "from"), date_to=as_date(date_to, "to"))
    found: list[dict[str, Any]] = []
    for series in every.values():
        found += [c for c in detect_changes(series, penalty) if include_stable or c["label"] != "stable"]
    found.sort(key=lambda c: (-c["strength"], c["dyad"], c["start"]))
    return _finish(store, found, count, include_modal, include_historical, n_evidence)


def reactions(store: Store, a: str, b: str, date_from: dt.date | str | None = None,
              date_to: dt.date | str | None = None, include_modal: bool = False, include_historical: bool = False,
              n_evidence: int = 3) -> list[dict[str, Any]]:
    """Third parties' stance in the articles that report the dyad's events (who is annoyed).

    Looks at the verbal events (statements: praise, concern, protest; not deeds, which are
    relations of their own) of other parties, in the documents that report a-b events dated
    from date_from to date_to, that either have no recipient ("India expressed concern") or are
    aimed at a or b. Per party: n_events, n_critical (events with a negative score), conflict_weight,
    mean_score, index, stance and evidence, its most critical events first. Stance: annoyed when
    the index is at most -0.1; critical when at least two events and a quarter of the weight are
    critical (objecting while still engaged); supportive when the index is at least 0.1; else
    mixed. Parties
    are ordered by conflict weight: the loudest objectors first.
    """
    from detente.analysis.series import index_stats, parties_sql, weight_unit

    a, b = check_dyad(a, b)
    start, end = as_date(date_from, "from"), as_date(date_to, "to")
    where, params = event_where((a, b), include_modal, include_historical, start, end)
    outer, outer_params = event_where(None, include_modal, include_historical, start, end)
    sql = f"""
        SELECT * FROM (
            SELECT id, COALESCE(event_cluster_id, id) AS cluster, COALESCE(date, pub_date) AS day,
                   plover_score AS score, quad_class, event_type, trigger, sentence, doc_id,
                   {parties_sql('actor')} AS ap, {parties_sql('recipient')} AS rp
            FROM events{outer} AND doc_id IN (SELECT doc_id FROM events{where}))
        WHERE quad_class IN ('verbal_cooperation', 'verbal_conflict') AND len(ap) > 0 AND NOT list_has_any(ap, [?, ?])
          AND (len(rp) = 0 OR list_has_any(rp, [?, ?]))"""
    frame = store.con.execute(sql, [*outer_params, *params, a, b, a, b]).df()
    if frame.empty:
        return []
    frame = frame.explode("ap").rename(columns={"ap": "party"}).drop_duplicates(["party", "cluster"])
    out = []
    for party, group in frame.groupby("party", sort=True):
        s = group["score"].astype(float)
        conflict = float((-s).clip(lower=0).sum())
        stats = index_stats(float(s.clip(lower=0).sum()), conflict, weight_unit(s))
        index = stats["index"]
        n_critical = int((s < 0).sum())
        total = float(s.abs().sum())
        if index is not None and index <= -0.1:
            stance = "annoyed"
        elif n_critical >= 2 and total and conflict / total >= 0.25:
            stance = "critical"  # objects, while still dealing with them
        elif index is not None and index >= 0.1:
            stance = "supportive"
        else:
            stance = "mixed"
        # Criticism first: the question is who objects.
        top = group.sort_values(["score", "day", "id"]).head(n_evidence)
        out.append({"party": str(party), "name": code_name(str(party)), "n_events": len(group),
                    "n_critical": n_critical, "conflict_weight": conflict,
                    "mean_score": float(s.mean()), **stats, "stance": stance,
                    "evidence": [{"id": r.id, "date": r.day.date().isoformat() if r.day is not None else None,
                                  "event_type": r.event_type, "score": float(r.score), "trigger": r.trigger,
                                  "sentence": r.sentence, "doc_id": r.doc_id} for r in top.itertuples(index=False)]})
    out.sort(key=lambda r: (-r["conflict_weight"], r["index"] if r["index"] is not None else 0.0, r["party"]))
    return out
