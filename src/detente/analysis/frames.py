"""Analysis results as pandas DataFrames (and Arrow tables): thin conversions for notebooks.

Each function takes the same arguments as the analysis it wraps and returns one row per item:
`events_frame` (stored events, flat), `dyads_frame` (top_dyads), `series_frame` (dyad_series),
`changes_frame` (dyad_changes / all_changes), `reactions_frame` (reactions), `network_frame`
(the signed network's edges), `blocs_frame` (one row per actor and bloc), `bloc_shift_frame`
(actors that changed bloc), `places_frame` (event_places); `to_arrow` turns any of them into a
pyarrow Table.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import pyarrow as pa

from detente.analysis.changes import all_changes, dyad_changes, reactions
from detente.analysis.network import bloc_shift, blocs, graph_edges, signed_network, structural_balance
from detente.analysis.places import event_places
from detente.analysis.series import dyad_series, top_dyads
from detente.store import EventFilter, Store
from detente.store.export import flat


def events_frame(store: Store, flt: EventFilter | None = None, limit: int | None = None) -> pd.DataFrame:
    """Stored events, one row each, with the CSV export's flat columns (lists joined by ';',
    location_name/country/admin1/lat/lon/feature/precision) and `date`/`pub_date` as datetimes."""
    from detente.store.export import CSV_COLUMNS

    rows = [flat(r) for r in store.events(flt, limit=limit)]
    frame = pd.DataFrame(rows, columns=CSV_COLUMNS) if rows else pd.DataFrame(columns=CSV_COLUMNS)
    for col in ("date", "pub_date"):
        frame[col] = pd.to_datetime(frame[col])
    return frame


def dyads_frame(store: Store, n: int = 15, **options: Any) -> pd.DataFrame:
    """The most active dyads (detente.analysis.series.top_dyads)."""
    return pd.DataFrame(top_dyads(store, n, **options))


def series_frame(store: Store, a: str, b: str, freq: str = "month", **options: Any) -> pd.DataFrame:
    """One dyad's series (detente.analysis.series.dyad_series): already a DataFrame."""
    return dyad_series(store, a, b, freq, **options)


def changes_frame(store: Store, a: str | None = None, b: str | None = None, **options: Any) -> pd.DataFrame:
    """Change points of one dyad (a and b given) or of every dyad, strongest first; `evidence` is
    kept as a list of event records per row."""
    found = dyad_changes(store, a, b, **options) if a and b else all_changes(store, **options)
    return pd.DataFrame(found)


def reactions_frame(store: Store, a: str, b: str, **options: Any) -> pd.DataFrame:
    """Third parties' reactions to a dyad (detente.analysis.changes.reactions)."""
    return pd.DataFrame(reactions(store, a, b, **options))


def network_frame(store: Store, date_from: Any = None, date_to: Any = None, **options: Any) -> pd.DataFrame:
    """The signed network's edges: a, b, dyad, n_events, mean_score, index, sign, weight, ..."""
    return pd.DataFrame(graph_edges(signed_network(store, date_from, date_to, **options)))


def blocs_frame(store: Store, date_from: Any = None, date_to: Any = None, **options: Any) -> pd.DataFrame:
    """One row per actor: its bloc number (1 = largest) and the network's structural balance."""
    graph = signed_network(store, date_from, date_to, **options)
    balance = structural_balance(graph)["balance"]
    rows = [{"actor": node, "bloc": i, "name": graph.nodes[node].get("name"), "balance": balance}
            for i, group in enumerate(blocs(graph), start=1) for node in group]
    return pd.DataFrame(rows, columns=["actor", "bloc", "name", "balance"])


def bloc_shift_frame(store: Store, period1: Any, period2: Any, **options: Any) -> pd.DataFrame:
    """Actors that changed bloc between two periods (detente.analysis.network.bloc_shift)."""
    return pd.DataFrame(bloc_shift(store, period1, period2, **options)["moved"])


def places_frame(store: Store, flt: EventFilter | None = None, limit: int = 500) -> pd.DataFrame:
    """Where events happened (detente.analysis.places.event_places)."""
    return pd.DataFrame(event_places(store, flt, limit))


def to_arrow(frame: pd.DataFrame) -> pa.Table:
    """Any of these frames as an Arrow table (nested values become JSON text)."""
    frame = frame.copy()
    for col in frame.columns:
        if frame[col].map(lambda v: isinstance(v, (list, dict))).any():
            frame[col] = frame[col].map(lambda v: json.dumps(v, default=str) if isinstance(v, (list, dict)) else v)
    return pa.Table.from_pandas(frame, preserve_index=False)
