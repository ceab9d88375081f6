"""Change points in a dyad's relations, labelled, with the events that moved them most.

What a turn is made of
----------------------
A turn in relations is not only a move of the relationship index: a dyad already hostile in
words that turns to deeds (an embassy stormed, ties cut, flights and trade halted) keeps about
the same index. Change points are therefore found on four series at once, per period with
weighted events (empty periods are skipped, so a quiet stretch neither pulls a level towards 0
nor hides a change):

- the relationship index (net cooperation, `detente.analysis.series`);
- the share of the weight in material conflict (sanctions, expulsions, force, blockades);
- the share of the weight in material cooperation (trade, aid, flights, releases);
- the volume, log(events in the period).

Each event is a point (sign of its score, 1 if material conflict, 1 if material cooperation)
with weight |score| / the dyad's mean |score| (a pseudo-event); a period's index and shares are
the weighted means of its events, so the weighted squared deviations of periods from their
segment's means are, up to a constant, the squared deviations of the events themselves. Each
component is standardised by its variance over the dyad's events (1 - index^2 for the index,
p(1 - p) for a share p, never below VARIANCE_FLOOR: a share that barely moves is not blown
up by one odd event). The volume, a period-level quantity, is standardised by a robust noise
scale (the MAD of its month-to-month differences, at least VOLUME_SCALE_FLOOR) and weighted
VOLUME_WEIGHT per period: a burst of coverage helps to place a turn, it does not make one.
The cost of a segment is the sum of these standardised squared deviations from its means,
and ruptures' Pelt finds the segmentation minimising cost + penalty x number of changes
(`detect_changes`; `signal_matrix` gives the standardised matrix). A segment needs at least
MIN_SIZE periods with events.

Bursts: a dyad hostile in words that turns to deeds for a few months and back (a trade war, an
embassy stormed and ties cut) is two changes to Pelt, each paying the penalty. After Pelt, each
segment is searched for its strongest burst: a stretch of at least MIN_SIZE periods, with
periods on both sides, whose means differ from those of the rest of the segment pooled (the
level it leaves is the level it returns to). It is kept when it lowers the segment's cost by
more than BURST_PENALTY x the penalty: one set of means and two locations, where two changes
have two sets of means; 1.5 rather than 1.2 because the best of all stretches is searched for.
Its start and its end are reported as changes. Before that, a change Pelt placed just after a
crisis becomes a burst (of one period or more) in the two segments around it when that lowers
their cost more, net of the prices (BURST_PENALTY x the penalty against 1): a segment needs
MIN_SIZE periods, so a single month of crisis between calm stretches can only be lumped with
the months before it (`_with_bursts`).

Claimed changes: the shifts the dyad's articles claim (`detente.analysis.summary.store_claims`:
"ties were cut", "agreed to normalise relations", asserted, not background) give a turn's place
and direction, so a change there needs less evidence than one searched for: CLAIM_PENALTY x the
penalty for a step, plus BURST_PENALTY - 1 for a crisis that passes (its end searched); a
claimed rupture (ties cut, envoys expelled: a diplomatic act in the cooling direction) pays no
step price: in a dyad already hostile it is more of the same by the numbers, and the text
reports the act. A claim is not taken by a change the other way within CLAIM_MONTHS. The
series must agree (the claimed month already on the new side, and the label in the claim's
direction); claimed acts are placed first, the strongest first; a claimed diplomatic act (ties
cut or restored, envoys expelled) dates its change whatever the onset rule below says (it
starts by the earliest act claimed near it, even one in the period before the change, and not
more than CLAIM_MONTHS before it; a detente at a restoration that follows feelers weighing less
than ACT_FEELER_SHARE of it), a warming starts at a warming its articles claim (an act or words:
"ties were restored", "relations thawed") when the periods from its start to it weigh less than
ACT_FEELER_SHARE of it (`_past_feelers_to_act`), and a claimed rupture into a hostile level is an
escalation (in a dyad already hostile, also a rupture in a period where conflict per period rises
INTENSITY_RISE-fold over the old level, or over conflict per month in the RECENT_MONTHS before
it); a claimed change's label is read on the final segments, in its claim's direction
(`_claimed`). A series whose articles open with a claimed cooling into a hostile first
segment with material conflict opens with an escalation against a neutral level (`_opening`):
stories often begin with the crisis, and background is left out. CLAIM_PENALTY was set on the
project's history corpus, where these sparse dyads have a few dozen events each
(benchmarks/histories.md); simulated dyads have no claims, so their calibration is unchanged.

Penalty (per dyad, from its volume): PENALTY_FACTOR x d x log(n), n the dyad's number of
weighted events and d the dispersion of their weights (mean(w^2) / mean(w)^2: a sum of unequal
weights varies more than a count). This is a BIC-style penalty, log(n) per parameter, raised
for the four means a change adds and because events come in bursts (one article reports
several): a big dyad needs more evidence than a small one for the same move, and a dyad with a
few dozen events only shows moves backed by several events on both sides. PENALTY_FACTOR was
chosen on simulated dyads (benchmarks/changes.py, results in benchmarks/changes.md): no
labelled change on most stationary bursty dyads, and the project's history corpus
(tests/fixtures/histories/) found.

Labels
------
With ``before``/``after`` the index of the adjacent segments (pooled over their events),
``jump = after - before`` and mc the material-conflict share of the weight:

- escalation: material conflict jumps (mc after >= mc before + ESCALATION_SHARE_RISE), the
  relationship ends hostile (after <= ESCALATION_LEVEL), and the index does not rise by
  MIN_JUMP or more: deeds replace words, even at a steady index, or a sharp move into force;
- deterioration: any other drop of at least MIN_JUMP (cooperative to less cooperative, or
  hostile to more hostile in words);
- detente: cooperation replaces hostility: a rise of at least MIN_JUMP to a cooperative level
  (after >= DETENTE_AFTER) from a hostile or competitive one (before <= DETENTE_BEFORE), or a
  rise of at least LARGE_JUMP to a cooperative level;
- stable: anything else (a change in volume or in the kind of cooperation, an easing that stays
  hostile).

Onset: Pelt places a boundary where the costs balance, which in sparse series can fall on a
lone event of the new kind shortly followed by one of the old, or on the first talks of a thaw
that relapses before the settlement. The reported start of a change is the period from which
the new level holds (positions projected on the line from the old means to the new ones, see
`_onset`): past the first ONSET_LOOKAHEAD periods still on the old side of the midpoint and,
for a warming, past a relapse to the old level among the periods holding the first half of the
new segment's weight that weighs at least RELAPSE_SHARE of the new-side weight before it (one
complaint after months of talks is a wobble), unless the periods up to it sit clearly on the new
side (RELAPSE_Z standard errors), and past isolated feelers: to the first of those periods that the
periods before it weigh less than FEELER_SHARE of (`_past_feelers`). A cooling is dated from its first deed. Levels are those of the whole
segments.

Evidence: the events of the first EVIDENCE_PERIODS periods of the new level that moved it most:
ranked by how far each event pulls the standardised means in the direction of the change
(weight x (event - old means) . (new means - old means)); a detente's evidence is cooperation,
an escalation's material conflict. Claimed shifts: what the dyad's articles around the change
say about it ("ties were restored", "relations collapsed"; see `detente.analysis.summary`),
in the direction of the change, not negated or hedged.
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

Claimed = tuple[dt.date, str, bool]  # a claimed shift: its date, warming or cooling, a diplomatic act
LABELS: tuple[str, ...] = ("detente", "deterioration", "escalation", "stable")
COMPONENTS: tuple[str, ...] = ("index", "material_conflict", "material_cooperation", "volume")
EVENTS = slice(0, 3)  # the components made of events: the index and the two shares
PENALTY_FACTOR = 3.5
MIN_SIZE = 2
VARIANCE_FLOOR = 0.1  # on the 0/1 scale of a share; 4x that on the -1/+1 scale of the index
VOLUME_SCALE_FLOOR = 0.5  # log-volume noise scale: a 1.6-fold change in events is one unit
VOLUME_WEIGHT = 0.5
MIN_PAIRS = 4
MAX_OVERDISPERSION = 4.0
MIN_JUMP = 0.25
DETENTE_BEFORE = 0.1
DETENTE_AFTER = 0.2
LARGE_JUMP = 0.5
ESCALATION_LEVEL = -0.3
ESCALATION_SHARE_RISE = 0.15
ESCALATION_SHARE = 0.35
EVIDENCE_PERIODS = 3
ONSET_LOOKAHEAD = 1
BACKWARD_PERIODS = 2  # a start moved back to an earlier period only across this many periods at most
RELAPSE_Z = 1.5
RELAPSE_SHARE = 0.3  # a relapse weighs at least this share of the new-side weight before it
FEELER_SHARE = 0.5  # feelers before a warming's landmark period weigh less than this share of it
FEELER_GAP = 6  # ... and come at least this many periods before it
ACT_FEELER_SHARE = 1.0  # feelers before a claimed restoration weigh less than it: the act is the turn
BURST_PENALTY = 1.5  # a burst's price in changes, chosen on simulated dyads (benchmarks/changes.md)
CLAIM_PENALTY = 0.25  # a claimed change's price in changes: the text gives its place and direction
CLAIM_MONTHS = 2
INTENSITY_RISE = 3.0  # a claimed rupture in a hostile dyad is an escalation at this rise in conflict per period
RECENT_MONTHS = 6  # ... over the old level or over these last months before it
N_EVIDENCE = 5
N_CLAIMS = 3
CLAIM_LEAD_DAYS = 31
CLAIM_DIRECTIONS = {"detente": "warming", "deterioration": "cooling", "escalation": "cooling"}


class StandardisedCost(BaseCost):
    """Weighted L2 cost over several columns: a signal of rows (x_1..x_k, w_1..w_k), each x
    already standardised; the cost of a segment is sum_j sum_t w_jt (x_jt - weighted mean_j)^2."""

    model = "standardised_l2"
    min_size = 1

    def fit(self, signal: np.ndarray) -> StandardisedCost:
        signal = np.asarray(signal, dtype=float)
        self.signal = signal  # ruptures reads the number of samples from it
        k = signal.shape[1] // 2
        x, w = signal[:, :k], signal[:, k:]
        # Cumulative sums as Python lists: Pelt calls error() O(n^2) times, and float
        # arithmetic on list items is several times faster than on numpy arrays.
        zero = np.zeros((1, k))
        self._w = np.vstack([zero, np.cumsum(w, axis=0)]).tolist()
        self._s = np.vstack([zero, np.cumsum(w * x, axis=0)]).tolist()
        self._q = np.vstack([zero, np.cumsum(w * x * x, axis=0)]).tolist()
        self._k = range(k)
        return self

    def error(self, start: int, end: int) -> float:
        total = 0.0
        w1, w0, s1, s0, q1, q0 = self._w[end], self._w[start], self._s[end], self._s[start], self._q[end], self._q[start]
        for j in self._k:
            w = w1[j] - w0[j]
            if w > 0:
                s = s1[j] - s0[j]
                total += q1[j] - q0[j] - s * s / w
        return total if total > 0 else 0.0


def label_change(before: float, after: float, mc_before: float = 0.0, mc_after: float = 0.0) -> str:
    """The label of a move of the index from `before` to `after`, with the material-conflict
    shares of the weight before and after (see the module docstring)."""
    jump = after - before
    if (mc_after >= max(ESCALATION_SHARE, mc_before + ESCALATION_SHARE_RISE) and after <= ESCALATION_LEVEL
            and jump < MIN_JUMP):
        return "escalation"
    if jump <= -MIN_JUMP:
        return "deterioration"
    if jump >= MIN_JUMP and after >= DETENTE_AFTER and (before <= DETENTE_BEFORE or jump >= LARGE_JUMP):
        return "detente"
    return "stable"


def _observed(series: pd.DataFrame) -> pd.DataFrame:
    """The periods with weighted events, with their weight in pseudo-events and their shares."""
    obs = series[(series["coop_weight"] + series["conflict_weight"]) > 0].reset_index(drop=True)
    unit = float(series.attrs.get("unit") or 1.0)
    total = obs["coop_weight"] + obs["conflict_weight"]
    return obs.assign(
        weight=total / unit, mc_share=obs["material_conflict_weight"] / total,
        mcoop_share=obs.get("material_cooperation_weight", pd.Series(0.0, index=obs.index)) / total,
        volume=np.log(obs["n_events"].clip(lower=1).astype(float)))


def _scales(obs: pd.DataFrame) -> np.ndarray:
    """Noise scale (standard deviation) of each component over the dyad's events."""
    w = obs["weight"].to_numpy(dtype=float)
    total = float(w.sum()) or 1.0
    index = float((obs["index"] * w).sum() / total)
    mc = float((obs["mc_share"] * w).sum() / total)
    mcoop = float((obs["mcoop_share"] * w).sum() / total)
    volume = obs["volume"].to_numpy(dtype=float)
    diffs = np.diff(volume)
    mad = float(np.median(np.abs(diffs - np.median(diffs)))) * 1.4826 / math.sqrt(2) if len(diffs) >= 3 else 0.0
    return np.sqrt([max(1.0 - index * index, 4 * VARIANCE_FLOOR), max(mc * (1 - mc), VARIANCE_FLOOR),
                    max(mcoop * (1 - mcoop), VARIANCE_FLOOR), max(mad, VOLUME_SCALE_FLOOR) ** 2])


def signal_matrix(series: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """(observed periods, standardised values, weights): one row per period with weighted
    events, one column per component of COMPONENTS."""
    obs = _observed(series)
    scales = _scales(obs) if len(obs) else np.ones(len(COMPONENTS))
    values = obs[["index", "mc_share", "mcoop_share", "volume"]].to_numpy(dtype=float) / scales
    w = obs["weight"].to_numpy(dtype=float)
    weights = np.column_stack([w, w, w, np.full(len(obs), VOLUME_WEIGHT)])
    return obs, values, weights


def overdispersion(obs: pd.DataFrame, scale: float) -> float:
    """How much more the index moves from one period to the next than independent events
    would make it move. Each pair of consecutive observed periods gives
    r = (x_t - x_t-1)^2 / (var (1/w_t + 1/w_t-1)), about a chi-square with one degree of
    freedom when events are independent; the mean of the lowest 90% of the r (so that a few
    real steps do not count as noise) is divided by that of a chi-square below its 90th
    percentile (0.62). Between 1 and MAX_OVERDISPERSION; 1 with fewer than MIN_PAIRS pairs.
    It measures how bursty the dyad's coverage is: one article reporting five events of one
    kind moves a month more than five independent reports."""
    x, w = obs["index"].to_numpy(dtype=float), obs["weight"].to_numpy(dtype=float)
    if len(x) <= MIN_PAIRS:
        return 1.0
    ratios = np.sort(np.diff(x) ** 2 / (scale ** 2 * (1 / w[1:] + 1 / w[:-1])))
    kept = ratios[: max(1, math.floor(0.9 * len(ratios)))]
    return float(min(max(kept.mean() / 0.62, 1.0), MAX_OVERDISPERSION))


def dyad_penalty(series: pd.DataFrame) -> float:
    """The dyad's penalty per change: PENALTY_FACTOR x dispersion x overdispersion x
    log(weighted events)."""
    obs = _observed(series)
    if obs.empty:
        return PENALTY_FACTOR * math.log(2.0)
    n = float(obs["weight"].sum())
    dispersion = float(series.attrs.get("dispersion") or 1.0)
    return PENALTY_FACTOR * dispersion * overdispersion(obs, _scales(obs)[0]) * math.log(max(n, 2.0))


def _segment_stats(rows: pd.DataFrame, unit: float) -> dict[str, Any]:
    coop, conflict = float(rows["coop_weight"].sum()), float(rows["conflict_weight"].sum())
    total = coop + conflict
    return {"level": (coop - conflict) / total if total else 0.0, "conflict": conflict, "periods": len(rows),
            "mc_share": float(rows["material_conflict_weight"].sum()) / total if total else 0.0,
            "mcoop_share": float(rows["material_cooperation_weight"].sum()) / total if total else 0.0,
            "n": int(rows["n_events"].sum()), "weight": total / unit,
            "first": rows.iloc[0], "last": rows.iloc[-1]}


def _side(values: np.ndarray, before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Where each row sits on the line from the old means (0) to the new ones (1)."""
    step = after - before
    norm = float(step @ step)
    return (values - before) @ step / norm if norm > 0 else np.full(len(values), 0.5)


def _onset(old_side: np.ndarray, new_side: np.ndarray, new_weight: np.ndarray, distance: float | None) -> int:
    """Offset of the first period of the new level from the segment boundary.

    Forward: a thaw that relapses has not turned yet. Among the new segment's leading periods
    holding less than half its weight, the last one back at the old level or beyond (position
    <= 0; the first ONSET_LOOKAHEAD periods count from the midpoint) moves the start past it,
    unless the periods up to it sit, on balance, clearly on the new side: their weighted mean
    position is more than RELAPSE_Z standard errors above the midpoint (the standard error of a
    position with w pseudo-events is 1 / (sqrt(w) x distance), `distance` being the length of
    the step in standardised units; None, for a change that is no warming: only the first
    ONSET_LOOKAHEAD periods count, as an escalation is dated from its first deed). A dense
    series that wobbles keeps its start; two meetings followed by two protests before the
    settlement do not make the settlement's start.
    Backward: over the old segment's last periods (up to ONSET_LOOKAHEAD, leaving MIN_SIZE) that
    already sit on the new side (the caller keeps them only within BACKWARD_PERIODS of the
    boundary). Positions are those of `_side`.
    """
    forward, held, half = 0, 0.0, float(new_weight.sum()) / 2
    for i, (position, weight) in enumerate(zip(new_side, new_weight)):
        if held >= half or distance is None and i >= ONSET_LOOKAHEAD:
            break
        if position <= (0.5 if i < ONSET_LOOKAHEAD else 0.0):
            w = new_weight[:i + 1]
            mean = float((new_side[:i + 1] * w).sum() / w.sum())
            back = float(w[new_side[:i + 1] <= 0.5].sum())
            # a relapse weighs as much as a share of what came before it: one complaint after
            # months of cooperation is a wobble, two protests after two meetings are not
            relapse = back >= RELAPSE_SHARE * (float(w.sum()) - back)
            if i < ONSET_LOOKAHEAD or relapse and (mean - 0.5) * math.sqrt(float(w.sum())) * distance <= RELAPSE_Z:
                forward = i + 1
        held += float(weight)
    if forward:
        return forward if forward < len(new_side) else 0
    backward = 0
    for position in old_side[::-1][:min(ONSET_LOOKAHEAD, len(old_side) - MIN_SIZE)]:
        if position <= 0.5:
            break
        backward -= 1
    return backward


def _past_feelers(weight: np.ndarray, positions: np.ndarray) -> int:
    """Offset of the turn of a warming past its feelers: the first of the periods holding the
    first half of the new level's weight whose predecessors weigh less than FEELER_SHARE of it
    and are isolated (it comes FEELER_GAP periods or more after the first, with at least as many
    empty periods as periods with events between them): a lone contact, a year of silence, then
    a treaty with a stream of cooperation: the treaty is the turn; a steady stream that starts
    light keeps its start. 0 if none. `positions`: each period's place among all periods, empty
    ones included."""
    total, held = float(weight.sum()), 0.0
    for i, w in enumerate(weight):
        if held >= total / 2:
            break
        if i and held < FEELER_SHARE * float(w) and int(positions[i] - positions[0]) >= max(2 * i, FEELER_GAP):
            return i
        held += float(w)
    return 0


def _past_feelers_to_act(weight: np.ndarray, acts: list[int]) -> int:
    """Offset of the turn of a warming at a warming its articles claim (ties restored, "relations
    thawed"): the first claimed one whose periods before it, from the warming's start, weigh less
    than ACT_FEELER_SHARE of its own; 0 if none. `acts`: offsets of the claims' periods."""
    for k in acts:
        if 0 < k < len(weight) and float(weight[:k].sum()) < ACT_FEELER_SHARE * float(weight[k]):
            return k
    return 0


def _means(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    total = weights.sum(axis=0)
    return np.where(total > 0, (values * weights).sum(axis=0) / np.where(total > 0, total, 1.0), 0.0)


class _Sums:
    """Cumulative weighted sums of a standardised signal: the cost of any stretch of periods, or
    of the rest of a segment around one, pooled."""

    def __init__(self, values: np.ndarray, weights: np.ndarray) -> None:
        wx = weights * values
        zero = np.zeros((1, values.shape[1]))
        self.w = np.vstack([zero, np.cumsum(weights, axis=0)])
        self.s = np.vstack([zero, np.cumsum(wx, axis=0)])
        self.q = np.vstack([zero, np.cumsum(wx * values, axis=0)])

    def of(self, i: int | np.ndarray, j: int | np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.w[j] - self.w[i], self.s[j] - self.s[i], self.q[j] - self.q[i]

    @staticmethod
    def cost(w: np.ndarray, s: np.ndarray, q: np.ndarray) -> np.ndarray:
        """Costs of several stretches at once (rows of component sums); a component without
        weight costs nothing."""
        safe = np.where(w > 0, w, 1.0)
        return np.where(w > 0, q - s * s / safe, 0.0).sum(axis=-1)

    def burst_gains(self, x: int, y: int, i: int, ends: np.ndarray) -> np.ndarray:
        """How much the stretches [i, end) lower the cost of the segment [x, y), each with its
        own means against the rest of the segment pooled."""
        tw, ts, tq = self.of(x, y)
        w_in, s_in, q_in = self.of(i, ends)
        return self.cost(tw, ts, tq) - self.cost(w_in, s_in, q_in) - self.cost(tw - w_in, ts - s_in, tq - q_in)

    def split_gain(self, x: int, y: int, cut: int) -> float:
        return float(self.cost(*self.of(x, y)) - self.cost(*self.of(x, cut)) - self.cost(*self.of(cut, y)))


def _strongest_burst(sums: _Sums, x: int, y: int, min_size: int) -> tuple[float, int, int] | None:
    """(gain, start, end) of the stretch [start, end) of at least `min_size` periods, with periods
    of the segment [x, y) on both sides, that lowers the segment's cost most with means of its
    own against the rest pooled; None if the segment has no such stretch."""
    best: tuple[float, int, int] | None = None
    for i in range(x + 1, y - min_size):
        ends = np.arange(i + min_size, y)  # the stretch is [i, j): periods are left after it
        gain = sums.burst_gains(x, y, i, ends)
        k = int(np.argmax(gain))
        if best is None or gain[k] > best[0]:
            best = (float(gain[k]), i, int(ends[k]))
    return best


def _with_bursts(values: np.ndarray, weights: np.ndarray, bounds: list[int], pen: float,
                 min_size: int) -> list[int]:
    """`bounds` (Pelt's, for the dyad's penalty `pen`) with bursts: stretches whose means differ
    from those of the rest of their segment, pooled (the level they leave is the level they
    return to). A burst has the means of one change and one more location, where two changes
    would have two sets of means; it is priced BURST_PENALTY x pen.

    First, a change Pelt placed between a crisis and a return to the level before it becomes a
    burst when that explains the two segments around it better, net of prices, than the step
    (a month of clashes in a cooperative dyad: a segment needs `min_size` periods, so Pelt could
    only lump the crisis with the months before it). Then the strongest burst of at least
    `min_size` periods inside each segment is added where it pays."""
    sums = _Sums(values, weights)
    price = BURST_PENALTY * pen
    bounds = list(bounds)
    k = 1
    while k < len(bounds) - 1:
        x, cut, y = bounds[k - 1:k + 2]
        found = _strongest_burst(sums, x, y, 1)
        if found is not None and found[0] - price > sums.split_gain(x, y, cut) - pen:
            bounds[k:k + 1] = [found[1], found[2]]
            k += 2
        else:
            k += 1
    out = [bounds[0]]
    for x, y in zip(bounds, bounds[1:]):
        found = _strongest_burst(sums, x, y, min_size)
        out += [found[1], found[2], y] if found is not None and found[0] > price else [y]
    return out


def _months(a: dt.date, b: dt.date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def _rupture(label: str, before: dict[str, Any], after: dict[str, Any], direction: str, deed: bool,
             recent: float | None = None) -> str:
    """A claimed diplomatic rupture (ties cut, envoys expelled) into a hostile level is an
    escalation, not a deterioration; in a dyad already hostile, also when conflict per period
    rises INTENSITY_RISE-fold (a crisis told in one busy month among quieter hostile ones) over
    the old level or over `recent`, its conflict per month in the RECENT_MONTHS before the
    change (a second expulsion round after a quiet half-year, a year after the first crisis)."""
    if not (deed and direction == "cooling" and after["level"] <= ESCALATION_LEVEL):
        return label
    rate = after["conflict"] / after["periods"]
    if label == "deterioration" or label == "stable" and (
            rate >= INTENSITY_RISE * before["conflict"] / before["periods"] or
            recent is not None and rate >= INTENSITY_RISE * recent):
        return "escalation"
    return label


def _claimed(obs: pd.DataFrame, values: np.ndarray, weights: np.ndarray, bounds: list[int], pen: float,
             claims: list[Claimed], unit: float) -> tuple[list[int], dict[int, str], dict[int, tuple[int, bool]]]:
    """`bounds` with the shifts the articles claim added where the series agrees, the labels
    these changes take from their claims, and, for the changes a claimed diplomatic act dates,
    the period of the act and whether the change starts exactly there (restored or cut ties: the
    turn is the act, and the change may not start after it however its new level settles; a
    restoration after a lone feeler is where the detente starts) (`pen` is the dyad's penalty).

    A claim (date, warming or cooling, a diplomatic act or not) places a change at the period
    with events that holds or follows its date, or the one before (a report comes with or after
    its act), within CLAIM_MONTHS of the date, unless a change already starts within
    CLAIM_MONTHS (a claimed rupture then only names that change's kind, `_rupture`). The change
    is a step (to the segment's end) or a burst (back to the segment's level later, its end
    searched), whichever lowers the segment's cost most beyond its price: CLAIM_PENALTY x pen
    for a step, whose place the text gives, (CLAIM_PENALTY + BURST_PENALTY - 1) x pen for a
    burst. It is kept when its first period already sits on the new side (`_side`) and the
    series moves the claim's way: a warming claim must make a detente, a cooling one an
    escalation or a deterioration. Claimed acts are placed before descriptions, and among them
    the claim whose change pays most, then the others on the segments it leaves, until none
    pays (oldest first would let a weak early claim, "preliminary understandings on normalising
    relations", set the segments the act, "agreed to restore full relations", is judged on)."""
    sums = _Sums(values, weights)
    starts = pd.to_datetime(obs["start"]).dt.date.to_numpy()
    ends = pd.to_datetime(obs["end"]).dt.date.to_numpy()
    step_price, burst_price = CLAIM_PENALTY * pen, (CLAIM_PENALTY + BURST_PENALTY - 1) * pen
    out: list[int] = list(bounds)
    labels: dict[int, str] = {}
    pinned: dict[int, tuple[int, bool]] = {}
    placed: dict[int, Claimed] = {}  # the claim that placed each change
    # The period of each claim: the first observed period ending on or after its date.
    period_of = {claim: int(np.searchsorted(ends, claim[0])) for claim in claims}

    def label_of(x: int, cut: int, end: int, direction: str, deed: bool) -> str:
        before, after = _segment_stats(obs.iloc[x:cut], unit), _segment_stats(obs.iloc[cut:end], unit)
        label = label_change(before["level"], after["level"], before["mc_share"], after["mc_share"])
        # conflict per month over the RECENT_MONTHS before the cut (or since the segment began)
        months = min(RECENT_MONTHS, max(_months(starts[x], starts[cut]), 1))
        since = [i for i in range(x, cut) if _months(starts[i], starts[cut]) <= months]
        recent = float(obs["conflict_weight"].iloc[since].sum()) / months
        return _rupture(label, before, after, direction, deed, recent)

    def proposal(claim: Claimed) -> tuple[float, list[int], str] | None:
        """The change a claim places, with its net gain (gain - price), or None if none pays."""
        day, direction, deed = claim
        at = period_of[claim]
        # a claimed rupture (ties cut, envoys expelled) is an act the text reports: it needs the
        # series' agreement, not evidence beyond it
        step, burst = (0.0, (BURST_PENALTY - 1) * pen) if deed and direction == "cooling" else (step_price, burst_price)
        best: tuple[float, list[int], str] | None = None
        for cut in (at - 1, at):
            if not 0 < cut < len(obs) or abs(_months(starts[cut], day)) > CLAIM_MONTHS:
                continue
            x, y = max(b for b in out if b < cut), min(b for b in out if b > cut)
            options = [(sums.split_gain(x, y, cut) - step, [cut], y)]
            if y - cut >= 2:
                gains = sums.burst_gains(x, y, cut, np.arange(cut + 1, y)) - burst
                k = int(np.argmax(gains))
                options.append((float(gains[k]), [cut, cut + 1 + k], cut + 1 + k))
            for net, cuts, end in options:
                # where the claimed period sits is what happened in it: its events, not its volume
                m0, m1 = _means(values[x:cut, EVENTS], weights[x:cut, EVENTS]), \
                    _means(values[cut:end, EVENTS], weights[cut:end, EVENTS])
                if net <= 0 or (best is not None and net <= best[0]) or \
                        _side(values[cut:cut + 1, EVENTS], m0, m1)[0] <= 0.5:
                    continue  # not worth its price, or the claimed period is still at the old level
                label = label_of(x, cut, end, direction, deed)
                if CLAIM_DIRECTIONS.get(label) == direction:
                    best = (net, cuts, label)
        return best

    pending = sorted(claims)
    while pending:
        # A claim at a change already there names its kind and may date it; it places nothing.
        placed_by_others = []
        for claim in pending:
            day, direction, deed = claim
            # a change the other way is no place for this claim ("ties cut" two months before a thaw)
            near = [i for i, b in enumerate(out[1:-1], 1) if abs(_months(starts[b], day)) <= CLAIM_MONTHS
                    and CLAIM_DIRECTIONS.get(label_of(out[i - 1], b, out[i + 1], direction, deed), direction)
                    == direction]
            if not near:
                continue
            placed_by_others.append(claim)
            at = period_of[claim]
            i = near[0]
            label = label_of(out[i - 1], out[i], out[i + 1], direction, deed)
            if label == "escalation":
                labels[out[i]] = "escalation"
            if deed and CLAIM_DIRECTIONS.get(label) == direction and out[i - 1] < at < out[i + 1]:
                # the change starts by the act, the earliest of those claimed near it (a later
                # article recalling "broke off relations after the raid" does not move it)
                held = pinned.get(out[i])
                if held is None or not held[1] and at < held[0]:
                    pinned[out[i]] = (at, False)
        pending = [c for c in pending if c not in placed_by_others]
        for claim in [c for c in pending if c[2] and c[1] == "warming"]:
            # A claimed restoration inside a detente's new segment, after periods that weigh less
            # than its own ("agreed to restore full relations" after a lone feeler): the act
            # is where it turns; talks and an agreement before the formal act keep the start.
            at = period_of[claim]
            i = next((i for i in range(1, len(out) - 1) if out[i] <= at < out[i + 1]), None)
            if i is None or out[i] == at:
                continue
            w = weights[:, 0]
            if float(w[out[i]:at].sum()) < ACT_FEELER_SHARE * float(w[at]) and \
                    label_of(out[i - 1], out[i], out[i + 1], "warming", True) == "detente":
                pinned[out[i]] = (at, True)
                pending.remove(claim)
        # A claimed act first (the text names the turn), then the claim whose change pays most:
        # which claims pay depends on the segments the others leave, and the strongest evidence
        # should set them.
        found = [((claim[2], p[0]), claim, p) for claim in pending
                 if (p := proposal(claim)) is not None]
        if not found:
            break
        _, claim, best = max(found, key=lambda f: (f[0], f[1]))
        pending.remove(claim)
        out = sorted({*out, *best[1]})
        labels[best[1][0]] = best[2]
        placed[best[1][0]] = claim
        if claim[2]:
            pinned[best[1][0]] = (max(best[1][0], period_of[claim]), False)
    # A label was read on the segments of its time; later claims may have split them ("ties
    # cut", then "ties restored" a year later): read it again on the final ones, in the claim's
    # direction.
    for cut, (_, direction, deed) in placed.items():
        i = out.index(cut)
        label = label_of(out[i - 1], cut, out[i + 1], direction, deed)
        if CLAIM_DIRECTIONS.get(label) == direction:
            labels[cut] = label
    return out, labels, pinned


def _opening(obs: pd.DataFrame, values: np.ndarray, weights: np.ndarray, end: int, claims: list[Claimed],
             unit: float) -> dict[str, Any] | None:
    """An escalation at the very start of the series: its articles begin with a cooling they
    claim within CLAIM_MONTHS of the first period (a rupture, ties cut or envoys expelled, or a
    cooling in words with deeds by its period), into a first segment (periods 0 to `end`) that
    is hostile with material conflict. There is nothing before to compare with (background is
    left out), so the level before is taken as neutral (0, no events); the change starts at the
    first period of material conflict up to the claim."""
    first = obs.iloc[0]["start"]
    ends = pd.to_datetime(obs["end"]).dt.date.to_numpy()
    seg = _segment_stats(obs.iloc[:end], unit)
    if label_change(0.0, seg["level"], 0.0, seg["mc_share"]) != "escalation":
        return None
    starts = []
    for day, direction, deed in claims:
        k = int(np.searchsorted(ends, day))
        if direction != "cooling" or abs(_months(first, day)) > CLAIM_MONTHS or k >= end:
            continue
        deeds = [i for i in range(k + 1) if obs.iloc[i]["mc_share"] > 0]
        if deeds or deed:  # a cooling in words only counts with deeds by its time
            starts.append(deeds[0] if deeds else k)
    if not starts:
        return None
    start = min(starts)
    new = obs.iloc[start:end]
    m1 = _means(values[:end], weights[:end])
    return {
        "label": "escalation", "opening": True,
        "start": new.iloc[0]["start"].isoformat(), "end": new.iloc[-1]["start"].isoformat(),
        "start_period": new.iloc[0]["label"], "end_period": new.iloc[-1]["label"],
        "before_start": None, "before_end": None, "before": 0.0, "after": round(seg["level"], 4),
        "magnitude": round(seg["level"], 4),
        # as if an equal weight of neutral events came before it
        "strength": round(float(np.sqrt((m1[EVENTS] ** 2).sum())) * math.sqrt(seg["weight"] / 2), 4),
        "events_before": 0, "events_after": seg["n"],
        "material_conflict_before": 0.0, "material_conflict_after": round(seg["mc_share"], 4),
        "material_cooperation_before": 0.0, "material_cooperation_after": round(seg["mcoop_share"], 4),
        "_evidence_to": new.iloc[min(EVIDENCE_PERIODS, len(new)) - 1]["end"],
        "_direction": {"means_before": [0.0] * len(m1[EVENTS]), "means_after": m1[EVENTS].tolist(), "scales": _scales(obs)[:3].tolist(), "unit": unit},
    }


def detect_changes(series: pd.DataFrame, penalty: float | None = None, min_size: int = MIN_SIZE,
                   claims: list[Claimed] | None = None) -> list[dict[str, Any]]:
    """Change points of a dyad series (from `dyad_series`), oldest first, without evidence;
    `claims`, the shifts the dyad's articles claim (date, warming or cooling), place changes
    the series agrees with at a lower price (`_claimed`)."""
    if series.empty:
        return []
    obs, values, weights = signal_matrix(series)
    if len(obs) < 2 * min_size:
        return []
    unit = float(series.attrs.get("unit") or 1.0)
    pen = penalty if penalty is not None else dyad_penalty(series)
    algo = rpt.Pelt(custom_cost=StandardisedCost(), min_size=min_size, jump=1).fit(np.hstack([values, weights]))
    bounds = _with_bursts(values, weights, [0, *algo.predict(pen=pen)], pen, min_size)
    claimed: dict[int, str] = {}
    pinned: dict[int, tuple[int, bool]] = {}
    opening_end = bounds[1]  # the first segment the series gives, before claims split it
    if claims:
        bounds, claimed, pinned = _claimed(obs, values, weights, bounds, pen, claims, unit)
    # the periods of the warmings the articles claim (acts or words)
    ends = pd.to_datetime(obs["end"]).dt.date.to_numpy()
    claimed_warmings = sorted({int(np.searchsorted(ends, day)) for day, direction, _ in claims or []
                               if direction == "warming"})
    a, b = series.attrs.get("dyad", ("?", "?"))
    # each observed period's place among all periods, empty ones included
    positions = np.searchsorted(pd.to_datetime(series["start"]).to_numpy(), pd.to_datetime(obs["start"]).to_numpy())
    out = []
    if claims and (opening := _opening(obs, values, weights, opening_end, claims, unit)) is not None:
        out.append({"dyad": dyad_name(a, b), "a": a, "b": b, **opening})
    for (s0, e0), (s1, e1) in zip(zip(bounds, bounds[1:]), zip(bounds[1:], bounds[2:])):
        prev, new = obs.iloc[s0:e0], obs.iloc[s1:e1]
        p, q = _segment_stats(prev, unit), _segment_stats(new, unit)
        m0, m1 = _means(values[s0:e0], weights[s0:e0]), _means(values[s1:e1], weights[s1:e1])
        # The start is placed on the index when the index moves (the relationship turns when
        # it does), on all event components when it holds steady (deeds replacing words).
        on = slice(0, 1) if abs(q["level"] - p["level"]) >= MIN_JUMP else EVENTS
        # A warming is dated from where it holds (first talks that relapse are not the turn); a
        # cooling from its first deed.
        thaw = float(np.sqrt(((m1[on] - m0[on]) ** 2).sum())) if q["level"] - p["level"] >= MIN_JUMP else None
        onset = _onset(_side(values[s0:e0, on], m0[on], m1[on]), _side(values[s1:e1, on], m0[on], m1[on]),
                       weights[s1:e1, 0], thaw)
        while onset < 0 and positions[s1] - positions[s1 + onset] > BACKWARD_PERIODS:
            onset += 1  # a period months before the boundary is a precursor, not the turn
        if thaw is not None and onset >= 0:
            onset += _past_feelers(weights[s1 + onset:e1, 0], positions[s1 + onset:e1])
        if thaw is not None and onset >= 0 and s1 not in pinned:
            # counted from where the warming starts, not from the boundary Pelt set among the
            # hostile months before it
            onset += _past_feelers_to_act(weights[s1 + onset:e1, 0], [k - s1 - onset for k in claimed_warmings])
        act, exact = pinned.get(s1, (e1, False))
        if act < e1:
            # A claimed act dates the turn: the change starts by it, at a restoration that
            # follows a lone feeler, and not in a period long before it (a contact months before
            # ties are restored is a feeler, not the turn).
            onset = act - s1 if exact else min(onset, act - s1)
            while onset < 0 and _months(obs.iloc[s1 + onset]["start"], obs.iloc[act]["start"]) > CLAIM_MONTHS:
                onset += 1
        new = obs.iloc[s1 + onset:e1]
        q["first"] = new.iloc[0]
        if onset < 0:  # the old level ends where the new one starts
            p["last"] = obs.iloc[s1 + onset - 1]
        harmonic = p["weight"] * q["weight"] / (p["weight"] + q["weight"])
        distance = float(np.sqrt(((m1[EVENTS] - m0[EVENTS]) ** 2).sum()))
        out.append({
            "dyad": dyad_name(a, b), "a": a, "b": b,
            "label": claimed.get(s1) or label_change(p["level"], q["level"], p["mc_share"], q["mc_share"]),
            "opening": False,
            "start": q["first"]["start"].isoformat(), "end": q["last"]["start"].isoformat(),
            "start_period": q["first"]["label"], "end_period": q["last"]["label"],
            "before_start": p["first"]["label"], "before_end": p["last"]["label"],
            "before": round(p["level"], 4), "after": round(q["level"], 4), "magnitude": round(q["level"] - p["level"], 4),
            "strength": round(distance * math.sqrt(harmonic), 4),
            "events_before": p["n"], "events_after": q["n"],
            "material_conflict_before": round(p["mc_share"], 4), "material_conflict_after": round(q["mc_share"], 4),
            "material_cooperation_before": round(p["mcoop_share"], 4),
            "material_cooperation_after": round(q["mcoop_share"], 4),
            "_evidence_to": new.iloc[min(EVIDENCE_PERIODS, len(new)) - 1]["end"],
            "_direction": {"means_before": m0[EVENTS].tolist(), "means_after": m1[EVENTS].tolist(),
                           "scales": _scales(obs)[:3].tolist(), "unit": unit},
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
    way = change["_direction"]
    before, after = np.array(way["means_before"]), np.array(way["means_after"])
    scales = np.array(way["scales"])
    # Each event as a point on the standardised components: (sign, material conflict, material cooperation).
    points = np.column_stack([np.sign(frame["score"]), frame["quad_class"] == "material_conflict",
                              frame["quad_class"] == "material_cooperation"]).astype(float) / scales
    pull = (frame["score"].abs() / way["unit"]) * ((points - before) @ (after - before))
    frame = frame.assign(_pull=pull, _abs=frame["score"].abs()).sort_values(["_pull", "_abs", "day", "id"],
                                                                             ascending=[False, False, True, True])
    frame = frame.drop_duplicates("sentence")  # one sentence coded twice is one piece of evidence
    return [{"id": r.id, "date": r.day.date().isoformat(), "event_type": r.event_type, "score": float(r.score),
             "quad_class": r.quad_class, "actor": list(r.actor_codes if r.actor_codes is not None else []),
             "recipient": list(r.recipient_codes if r.recipient_codes is not None else []),
             "trigger": r.trigger, "sentence": r.sentence, "doc_id": r.doc_id}
            for r in frame.head(n).itertuples(index=False)]


def _claims(store: Store, change: dict[str, Any]) -> list[dict[str, Any]]:
    """What the dyad's articles say about the change: claimed shifts in its direction, in the
    articles around its start (from a month before to the end of the evidence window)."""
    from detente.analysis.summary import dyad_claims

    direction = CLAIM_DIRECTIONS.get(change["label"])
    if direction is None:
        return []
    start = dt.date.fromisoformat(change["start"]) - dt.timedelta(days=CLAIM_LEAD_DAYS)
    return dyad_claims(store, change["a"], change["b"], start, change["_evidence_to"], direction)[:N_CLAIMS]


def _claimed_shifts(store: Store, dyad: tuple[str, str] | None = None) -> dict[tuple[str, str], list[Claimed]]:
    """(date, direction, a diplomatic act or not) of each shift the store's articles claim, by
    dyad (sorted pair; of one dyad if given), from one pass (`store_claims`); the date is the one
    the claim's sentence tells, else its article's."""
    from detente.analysis.summary import store_claims

    return {pair: [(dt.date.fromisoformat((c["told"] or c["date"])[:10]), c["direction"], c["deed"])
                   for c in found if c["date"]]
            for pair, found in store_claims(store, dyad).items()}


def _finish(store: Store, changes: list[dict[str, Any]], count: str, include_modal: bool, include_historical: bool,
            n_evidence: int) -> list[dict[str, Any]]:
    for c in changes:
        c["evidence"] = _evidence(store, c, count, include_modal, include_historical, n_evidence) if n_evidence else []
        c["claims"] = _claims(store, c) if n_evidence else []
        c.pop("_evidence_to", None)
        c.pop("_direction", None)
    return changes


def dyad_changes(store: Store, a: str, b: str, freq: str = "month", count: str = "clusters",
                 include_modal: bool = False, *, include_historical: bool = False,
                 date_from: dt.date | str | None = None, date_to: dt.date | str | None = None,
                 penalty: float | None = None, n_evidence: int = N_EVIDENCE) -> list[dict[str, Any]]:
    """The labelled change points of one dyad, oldest first, each with its evidence events.

    Each change: dyad, a, b, label, opening (the series opens with it: nothing before, see
    `_opening`), start/end (first days of the first and last period of the
    new level) with start_period/end_period labels, before_start/before_end, before and after
    levels, magnitude (after - before), strength (|magnitude| x sqrt of the harmonic mean of
    the events on both sides), events_before/after, material-conflict shares, evidence.
    """
    a, b = check_dyad(a, b)
    series = dyad_series(store, a, b, freq, count, include_modal, include_historical=include_historical,
                         date_from=date_from, date_to=date_to)
    claims = _claimed_shifts(store, (a, b)).get((min(a, b), max(a, b)), []) if len(series) else []
    return _finish(store, detect_changes(series, penalty, claims=claims), count, include_modal, include_historical,
                   n_evidence)


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
    claimed = _claimed_shifts(store) if every else {}
    for series in every.values():
        a, b = series.attrs["dyad"]
        found += [c for c in detect_changes(series, penalty, claims=claimed.get((min(a, b), max(a, b)), []))
                  if include_stable or c["label"] != "stable"]
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
            FROM events{outer}{' AND' if outer else ' WHERE'} doc_id IN (SELECT doc_id FROM events{where}))
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
