"""The signed network of a period: who cooperates with whom, structural balance, blocs.

Nodes are the parties of events: countries (ISO3), plus IGO and group codes for actors without
a country. An edge joins two parties with at least ``min_events`` events between them in the
period (counted as in `detente.analysis.series`: events once however many reports, background
events left out unless include_historical, and an event whose date is known only to the month
or year in the period only when that whole month or year lies in it); its attributes are n_events, mean_score, the
relationship index with its smoothed value and interval, ``sign`` (+1 when the index is at
least SIGN_THRESHOLD, -1 when at most -SIGN_THRESHOLD, else 0: mixed relations) and ``weight``
(|smoothed index|: the strength of the sign, shrunk towards 0 when few events back it, so
that two friendly reports do not outweigh sixteen hostile ones).

Structural balance: a triad whose three edges are signed is balanced when the product of its
signs is positive ("the friend of my friend", "the enemy of my enemy is my friend") and
unbalanced otherwise (++-, ---).

Blocs: a partition of the nodes maximising the weight of positive edges inside blocs plus
negative edges between blocs (correlation clustering). It is found by local search: starting
from the components of the positive edges and from singletons, nodes move to the bloc that
gains most and blocs whose mutual edges sum positive merge, until nothing improves; the better
of the two starts wins. Exact for planted blocs, and fast for the few hundred nodes of a news
corpus.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import networkx as nx

from detente.analysis.series import as_date, code_name, dyad_table, index_stats
from detente.errors import DetenteError
from detente.store import Store

SIGN_THRESHOLD = 0.1
_SIGN_TEXT = {1: "+", -1: "-", 0: "0"}


def edge_sign(index: float | None) -> int:
    if index is None or index != index:  # NaN
        return 0
    if index >= SIGN_THRESHOLD:
        return 1
    if index <= -SIGN_THRESHOLD:
        return -1
    return 0


def signed_network(store: Store, date_from: dt.date | str | None = None, date_to: dt.date | str | None = None,
                   min_events: int = 2, *, count: str = "clusters", include_modal: bool = False,
                   include_historical: bool = False) -> nx.Graph:
    """The signed network of the events dated from date_from to date_to (inclusive, open if None)."""
    if min_events < 1:
        raise DetenteError("min_events must be at least 1")
    start, end = as_date(date_from, "--from"), as_date(date_to, "--to")
    if start and end and start > end:
        raise DetenteError(f"--from {start} is after --to {end}")
    table = dyad_table(store, count, include_modal, include_historical, start, end)
    graph = nx.Graph(date_from=start, date_to=end, min_events=min_events)
    for row in table.itertuples(index=False):
        if row.n_events < min_events:
            continue
        stats = index_stats(row.coop_weight, row.conflict_weight, row.unit)
        sign = edge_sign(stats["index"])
        graph.add_edge(str(row.a), str(row.b), n_events=int(row.n_events), mean_score=float(row.mean_score),
                       **stats, sign=sign, weight=abs(stats["index_smoothed"]))
    for node in graph.nodes:
        graph.nodes[node]["name"] = code_name(node)
        graph.nodes[node]["n_events"] = sum(d["n_events"] for _, _, d in graph.edges(node, data=True))
    return graph


def _sign(graph: nx.Graph, u: str, v: str) -> int:
    return int(graph.edges[u, v].get("sign", 0))


def triads(graph: nx.Graph) -> list[dict[str, Any]]:
    """Every triad whose three edges are signed: nodes, signs, pattern (++-), balanced."""
    signed = nx.Graph([(u, v) for u, v, d in graph.edges(data=True) if d.get("sign", 0)])
    out = []
    for u, v in sorted(tuple(sorted(e)) for e in signed.edges):
        for w in sorted(set(signed[u]) & set(signed[v])):
            if w <= v:
                continue  # each triad once, as u < v < w
            pairs = [(u, v), (u, w), (v, w)]
            signs = [_sign(graph, x, y) for x, y in pairs]
            out.append({
                "nodes": [u, v, w],
                "signs": {f"{x}-{y}": _SIGN_TEXT[s] for (x, y), s in zip(pairs, signs)},
                "pattern": "".join(sorted(_SIGN_TEXT[s] for s in signs)),
                "balanced": signs[0] * signs[1] * signs[2] > 0,
                "text": ", ".join(f"{x}–{y} {_SIGN_TEXT[s]}" for (x, y), s in zip(pairs, signs)),
            })
    return out


def structural_balance(graph: nx.Graph) -> dict[str, Any]:
    """Share of balanced triads among triads with three signed edges, and the unbalanced ones.

    Keys: n_triads, n_balanced, balance (None without triads), unbalanced (the triads, named
    with their signs), axes (all-positive triads: three parties that all cooperate).
    """
    found = triads(graph)
    balanced = [t for t in found if t["balanced"]]
    return {
        "n_triads": len(found), "n_balanced": len(balanced),
        "balance": len(balanced) / len(found) if found else None,
        "unbalanced": [t for t in found if not t["balanced"]],
        "axes": [t for t in found if t["pattern"] == "+++"],
    }


# -- blocs -------------------------------------------------------------------------------------

def _signed_weights(graph: nx.Graph) -> dict[str, dict[str, float]]:
    adj: dict[str, dict[str, float]] = {str(n): {} for n in graph.nodes}
    for u, v, d in graph.edges(data=True):
        if u == v:
            continue
        w = float(d.get("sign", 0)) * float(d.get("weight", 1.0) if d.get("weight") is not None else 1.0)
        adj[str(u)][str(v)] = w
        adj[str(v)][str(u)] = w
    return adj


def _objective(adj: dict[str, dict[str, float]], bloc_of: dict[str, int]) -> float:
    return sum(w for u in adj for v, w in adj[u].items() if u < v and bloc_of[u] == bloc_of[v])


def _local_search(adj: dict[str, dict[str, float]], bloc_of: dict[str, int]) -> dict[str, int]:
    bloc_of = dict(bloc_of)
    nodes = sorted(adj)
    for _ in range(100):
        moved = False
        for v in nodes:
            gain: dict[int, float] = {}
            for u, w in adj[v].items():
                gain[bloc_of[u]] = gain.get(bloc_of[u], 0.0) + w
            own = bloc_of[v]
            best, best_gain = own, gain.get(own, 0.0)
            for b, g in sorted(gain.items()):
                if g > best_gain + 1e-12:
                    best, best_gain = b, g
            alone = sum(1 for n in bloc_of.values() if n == own) == 1
            if best_gain < -1e-12 and not alone:
                best = max(bloc_of.values()) + 1  # alone is better than among enemies
            if best != own:
                bloc_of[v] = best
                moved = True
        # Merge blocs whose mutual edges sum positive (local moves cannot join two groups).
        merged = True
        while merged:
            merged = False
            between: dict[tuple[int, int], float] = {}
            for u in adj:
                for v, w in adj[u].items():
                    a, b = bloc_of[u], bloc_of[v]
                    if u < v and a != b:
                        key = (min(a, b), max(a, b))
                        between[key] = between.get(key, 0.0) + w
            if between:
                (a, b), w = max(sorted(between.items()), key=lambda kv: kv[1])
                if w > 1e-12:
                    for n in bloc_of:
                        if bloc_of[n] == b:
                            bloc_of[n] = a
                    merged = moved = True
        if not moved:
            break
    return bloc_of


def blocs(graph: nx.Graph) -> list[list[str]]:
    """Blocs of a signed graph (edge attributes ``sign`` in {-1, 0, 1} and optional ``weight``):
    every node in one bloc, largest blocs first, members sorted."""
    adj = _signed_weights(graph)
    if not adj:
        return []
    positive = nx.Graph()
    positive.add_nodes_from(adj)
    positive.add_edges_from((u, v) for u in adj for v, w in adj[u].items() if w > 0)
    starts = [
        {n: i for i, comp in enumerate(sorted(nx.connected_components(positive), key=min)) for n in comp},
        {n: i for i, n in enumerate(sorted(adj))},
    ]
    results = [_local_search(adj, s) for s in starts]
    best = max(results, key=lambda r: _objective(adj, r))
    groups: dict[int, list[str]] = {}
    for n, b in best.items():
        groups.setdefault(b, []).append(n)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: (-len(g), g[0]))


# -- periods and bloc shifts -------------------------------------------------------------------

Period = tuple[dt.date | str | None, dt.date | str | None] | str


def parse_period(value: Period, name: str = "period") -> tuple[dt.date | None, dt.date | None]:
    """A period as (first day, last day): a (from, to) pair, or a string YYYY, YYYY-MM, YYYY-Qn,
    YYYY-MM-DD or FROM:TO (either side may be empty)."""
    if isinstance(value, tuple):
        start, end = as_date(value[0], name), as_date(value[1], name)
    else:
        text = str(value).strip()
        if ":" in text:
            left, _, right = text.partition(":")
            start, end = parse_period(left, name)[0] if left else None, parse_period(right, name)[1] if right else None
        elif m := re.fullmatch(r"(\d{4})", text):
            start, end = dt.date(int(m[1]), 1, 1), dt.date(int(m[1]), 12, 31)
        elif m := re.fullmatch(r"(\d{4})-?Q([1-4])", text, re.I):
            q = int(m[2])
            start = dt.date(int(m[1]), 3 * q - 2, 1)
            end = (dt.date(int(m[1]) + (q == 4), (3 * q) % 12 + 1, 1) - dt.timedelta(days=1))
        elif m := re.fullmatch(r"(\d{4})-(\d{2})", text):
            year, month = int(m[1]), int(m[2])
            if not 1 <= month <= 12:
                raise DetenteError(f"{name}: invalid month in {text!r}")
            start = dt.date(year, month, 1)
            end = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
        else:
            start = end = as_date(text, name)
    if start and end and start > end:
        raise DetenteError(f"{name}: {start} is after {end}")
    return start, end


def bloc_shift(store: Store, period1: Period, period2: Period, min_events: int = 2, *, count: str = "clusters",
               include_modal: bool = False, include_historical: bool = False) -> dict[str, Any]:
    """How blocs moved between two periods: the blocs of each, and who changed bloc.

    A party present in both periods changed bloc when its bloc partners (among parties present
    in both) differ; ``moved`` lists it with the partners it joined and left.
    """
    spans = [parse_period(period1, "period1"), parse_period(period2, "period2")]
    graphs = [signed_network(store, s, e, min_events, count=count, include_modal=include_modal,
                             include_historical=include_historical) for s, e in spans]
    partitions = [blocs(g) for g in graphs]
    bloc_of = [{n: frozenset(b) for b in part for n in b} for part in partitions]
    common = set(bloc_of[0]) & set(bloc_of[1])
    moved = []
    for node in sorted(common):
        before = (bloc_of[0][node] & common) - {node}
        after = (bloc_of[1][node] & common) - {node}
        if before != after:
            moved.append({"node": node, "name": code_name(node), "before": sorted(bloc_of[0][node]),
                          "after": sorted(bloc_of[1][node]), "joined": sorted(after - before),
                          "left": sorted(before - after)})
    return {
        "period1": {"from": spans[0][0], "to": spans[0][1], "blocs": partitions[0],
                    "balance": structural_balance(graphs[0])["balance"]},
        "period2": {"from": spans[1][0], "to": spans[1][1], "blocs": partitions[1],
                    "balance": structural_balance(graphs[1])["balance"]},
        "moved": moved,
        "appeared": sorted(set(bloc_of[1]) - set(bloc_of[0])),
        "disappeared": sorted(set(bloc_of[0]) - set(bloc_of[1])),
    }


def graph_edges(graph: nx.Graph) -> list[dict[str, Any]]:
    """The edges as JSON-ready rows, strongest evidence first."""
    rows = [{"a": u, "b": v, "dyad": f"{u}-{v}", **d} for u, v, d in
            ((*sorted((u, v)), d) for u, v, d in graph.edges(data=True))]
    return sorted(rows, key=lambda r: (-r["n_events"], r["dyad"]))

