"""Calls into the relations analysis (detente.analysis), converted to plain JSON-ready data.

Each function raises WebError(501) with a clear message when the analysis module is not
installed, so pages can show that instead of failing.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import importlib
import threading
from collections import OrderedDict
from pathlib import Path
from types import ModuleType
from typing import Any

from detente.errors import DetenteError
from detente.plain import jsonable  # noqa: F401 - re-exported for the web modules
from detente.store import Store

from .access import WebError
from .queries import WebFilter


def _module(name: str) -> ModuleType:
    try:
        return importlib.import_module(f"detente.analysis.{name}")
    except ModuleNotFoundError as exc:
        if exc.name and exc.name.startswith("detente.analysis"):
            raise WebError(501, f"relations analysis is not available (detente.analysis.{name} is not installed)") from None
        raise


_CACHE: OrderedDict[tuple, Any] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 64


def store_version(path: str) -> tuple | None:
    """Size and mtime of a DuckDB file and its WAL: changes whenever the store is written; None for Parquet."""
    p = Path(path)
    if not p.is_file():
        return None
    out: list[Any] = []
    for f in (p, p.with_name(p.name + ".wal")):
        try:
            st = f.stat()
            out += [st.st_size, st.st_mtime_ns]
        except OSError:
            out += [None, None]
    return tuple(out)


def clear_cache() -> None:
    """Forget cached analysis results."""
    with _CACHE_LOCK:
        _CACHE.clear()


def cached(key: tuple, store: Store, compute: Any) -> Any:
    """compute() once per (key, store version); analysis results are pure functions of the store."""
    version = store_version(store.path)
    if version is None:
        return compute()
    full = (store.path, version, *key)
    with _CACHE_LOCK:
        if full in _CACHE:
            _CACHE.move_to_end(full)
            return copy.deepcopy(_CACHE[full])
    value = compute()
    with _CACHE_LOCK:
        _CACHE[full] = copy.deepcopy(value)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return value


def _call(module: str, func: str, *args: Any, **kwargs: Any) -> Any:
    fn = getattr(_module(module), func, None)
    if fn is None:
        raise WebError(501, f"relations analysis is not available (detente.analysis.{module}.{func} is missing)")
    try:
        return fn(*args, **kwargs)
    except DetenteError as exc:
        raise WebError(400, str(exc)) from None



def attempt(fn: Any, *args: Any) -> tuple[Any, str | None]:
    """Run an analysis call for a page: (result, None), or (None, why it is unavailable)."""
    try:
        return fn(*args), None
    except WebError as exc:
        if exc.status in (400, 501):
            return None, exc.message
        raise


def _records(frame: Any) -> list[dict[str, Any]]:
    to_records = getattr(_module("series"), "series_records", None)
    return jsonable(to_records(frame) if to_records else frame)


def dyad_series(store: Store, a: str, b: str, freq: str = "month", count: str = "clusters") -> list[dict[str, Any]]:
    """The relations series of a dyad, one dict per period (period = its label, start/end dates)."""
    def compute() -> list[dict[str, Any]]:
        return _records(_call("series", "dyad_series", store, a, b, freq=freq, count=count))

    return cached(("dyad_series", a, b, freq, count), store, compute)


def top_dyads(store: Store, n: int = 20, count: str = "clusters") -> list[dict[str, Any]]:
    """The most active dyads."""
    return cached(("top_dyads", n, count), store,
                  lambda: jsonable(_call("series", "top_dyads", store, n, count=count)))


def filter_series(store: Store, flt: WebFilter, freq: str = "month") -> list[dict[str, Any]]:
    """The series of any filter: per period, events by quad class and the relations index of
    the selected events (the analysis' own aggregation, so it agrees with the dyad series).
    Events without a date, background, and events whose date spans more than one period are
    left out, as in every series; `flt.count` counts events or reports."""
    flt = dataclasses.replace(flt, dated_only=True, include_background=False)
    key = ("filter_series", repr(flt), freq)

    def compute() -> list[dict[str, Any]]:
        where, params = store._where(flt)
        frame = _call("series", "event_frame", store, where, params, flt.count)
        return _records(_call("series", "aggregate", frame, freq))

    return cached(key, store, compute)


def partners(store: Store, party: str, count: str = "clusters") -> list[dict[str, Any]]:
    """The dyads of one party (a country, IGO or group code), most events first."""
    every = cached(("all_dyads", count), store,
                   lambda: jsonable(_call("series", "top_dyads", store, 10**9, count=count)))
    return [d for d in every if party in (d.get("a"), d.get("b"))]


def dyad_changes(store: Store, a: str, b: str, freq: str = "month", count: str = "clusters") -> list[dict[str, Any]]:
    """Change points in a dyad's relations."""
    return cached(("dyad_changes", a, b, freq, count), store,
                  lambda: [_change(c) for c in jsonable(_call("changes", "dyad_changes", store, a, b, freq=freq,
                                                              count=count))])


def all_changes(store: Store, count: str = "clusters") -> list[dict[str, Any]]:
    """Change points of every dyad, strongest first."""
    return cached(("all_changes", count), store,
                  lambda: [_change(c) for c in jsonable(_call("changes", "all_changes", store, count=count))])


def _change(c: dict[str, Any]) -> dict[str, Any]:
    """A change with the keys the pages rely on (a, b, label, start, end, before, after, evidence)."""
    out = {"a": None, "b": None, "label": "change", "start": None, "end": None, "before": None, "after": None,
           "evidence": [], "claims": [], **c}
    if (not out["a"] or not out["b"]) and isinstance(out.get("dyad"), str) and "-" in out["dyad"]:
        out["a"], out["b"] = out["dyad"].split("-", 1)
    out["evidence"] = [e for e in out["evidence"] or [] if isinstance(e, dict)]
    return out


def network(store: Store, date_from: dt.date | None, date_to: dt.date | None, count: str = "clusters") -> dict[str, Any]:
    """The signed network of a period: nodes, edges, structural balance and blocs."""
    return cached(("network", date_from, date_to, count), store, lambda: _network(store, date_from, date_to, count))


def _network(store: Store, date_from: dt.date | None, date_to: dt.date | None, count: str) -> dict[str, Any]:
    graph = _call("network", "signed_network", store, date_from, date_to, count=count)
    balance = _call("network", "structural_balance", graph)
    blocs = [sorted(map(str, b)) for b in _call("network", "blocs", graph)]
    bloc_of = {node: i for i, bloc in enumerate(blocs) for node in bloc}
    nodes = [{"id": str(n), "bloc": bloc_of.get(str(n)), "degree": graph.degree(n),
              **{k: v for k, v in jsonable(attrs).items() if k not in ("id", "bloc", "degree")}}
             for n, attrs in graph.nodes(data=True)]
    edges = [{"source": str(u), "target": str(v), **jsonable(attrs)} for u, v, attrs in graph.edges(data=True)]
    edges.sort(key=lambda e: (-(e.get("n_events") or 0), e["source"], e["target"]))
    return {"from": jsonable(date_from), "to": jsonable(date_to), "nodes": nodes, "edges": edges,
            "balance": jsonable(balance), "blocs": blocs}
