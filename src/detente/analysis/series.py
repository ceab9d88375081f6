"""Dyad series: how a pair of actors gets along, period by period.

Relationship index
------------------
Every event has a PLOVER score in [-10, 10]; its weight is |score|. Events with a positive
score are cooperative, events with a negative score conflictual, and a score of 0 (a neutral
request) weighs nothing. For a period::

    index = (cooperative weight - conflictual weight) / total weight        in [-1, 1]

+1 is pure cooperation, -1 pure conflict, 0 balanced; it is NaN for a period without weighted
events. Over the same events this equals sum(score) / sum(|score|).

Uncertainty: the cooperative share of weight p = coop / (coop + conflict) gets a Beta
posterior. Weights become pseudo-counts by dividing by the dyad's mean |score|, so that a
dyad's pseudo-counts add up to its number of weighted events. The prior is PRIOR_EVENTS
pseudo-events split evenly, Beta(1, 1), centred on index 0. ``index_smoothed`` = 2 E[p] - 1,
and ``index_low``/``index_high`` are the 90% equal-tailed interval of p mapped to [-1, 1]: wide
for a period with one event, narrowing as events accumulate; an empty period gets the prior
(0, about [-0.9, 0.9]).

Which events
------------
- A dyad (a, b) is undirected and matched as ``EventFilter(dyad=(a, b))`` does: a acts on b,
  b acts on a, or both act together with no recipient (a reciprocal "met", "signed"). a and b
  are ISO3 countries, IGO codes (IGONATO) or group codes (TALIBAN); RUSGOV matches RUS.
- Negated and hypothetical events are left out unless ``include_modal``.
- Background is not news: events the coder marks ``historical`` (retrospective, habitual or
  background statements: "the two countries fought a war in 1998", "X buys most of its gas
  from Y", "relations were warm before the crisis") are left out unless
  ``include_historical`` (``--include-background``): they re-tell or describe, they do not
  report what happened when the article appeared, and they would blur the months around a turn.
- The date of an event is COALESCE(date, pub_date); events with neither count in totals but
  cannot be placed in a series.
- One count everywhere: ``count="clusters"`` (the default of every command, page and API)
  counts an event once however many reports it has (same event_cluster_id); the cluster's
  most precisely dated report stands for it (then the earliest, then the most confident).
  ``count="reports"`` counts every stored row. `count_events` and `dyad_events` give the
  count and the events of a dyad under this rule, and `top_dyads` counts the same way.

Imprecise dates
---------------
A date known only to the month or year stands for the whole month or year (its span). In a
series an event counts in a period only when its whole span lies in that period: month-precise
events count in monthly and quarterly series, year-precise ones in none of the sub-yearly
series (they are not piled on the first day of the year, nor spread thinly over it); the
series records how many it could not place (``attrs["unplaced"]``). A date range (--from,
--to) holds an event when its whole span lies in the range. Week-precise dates (the Monday of
"last week") are placed at that Monday. Totals (`top_dyads`, `count_events`) count every event
whatever its precision. In lists, an imprecise event sorts after the precise events of its
period (see ``detente.store.schema.NEWEST_FIRST_SQL``).

The store-wide functions (``top_dyads``, ``dyad_table``, ``all_dyad_series``) enumerate dyads
from each event's parties: its actor and recipient countries, plus the codes of actors that
have no country (IGOs, transnational groups) but not bare roles (GOV, MIL: "the government" of
no known country). Self-pairs are skipped.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import beta as beta_dist

from detente.errors import DetenteError
from detente.ontology import QUAD_CLASSES
from detente.store import EventFilter, Store
from detente.store.schema import DAY_SQL, PRECISION_RANK_SQL, REPRESENTATIVE_SQL, SPAN_END_SQL

FREQS: dict[str, str] = {"week": "W-SUN", "month": "M", "quarter": "Q"}
COUNTS: tuple[str, ...] = ("clusters", "reports")
PRIOR_EVENTS = 2.0  # pseudo-events at index 0: Beta(1, 1)
CREDIBLE = 0.90
SERIES_COLUMNS: list[str] = [
    "period", "label", "start", "end", "n_events", *QUAD_CLASSES, "score_sum", "score_mean",
    "coop_weight", "conflict_weight", "material_conflict_weight", "material_cooperation_weight",
    "index", "index_smoothed", "index_low", "index_high",
]
_CODE = re.compile(r"[A-Z][A-Z0-9_]{1,31}")


# -- arguments ---------------------------------------------------------------------------------

def check_code(code: str) -> str:
    """An actor code, upper-cased; DetenteError if it cannot be one."""
    value = str(code or "").strip().upper()
    if not _CODE.fullmatch(value):
        raise DetenteError(f"invalid actor code {code!r}: use an ISO3 country (RUS), an IGO code (IGONATO) "
                           "or a group code (TALIBAN)")
    return value


def check_dyad(a: str, b: str) -> tuple[str, str]:
    a, b = check_code(a), check_code(b)
    if a == b:
        raise DetenteError(f"a dyad needs two different actors (got {a} twice)")
    return a, b


def check_freq(freq: str) -> str:
    if freq not in FREQS:
        raise DetenteError(f"unknown frequency {freq!r}; use one of {', '.join(FREQS)}")
    return freq


def check_count(count: str) -> str:
    if count not in COUNTS:
        raise DetenteError(f"unknown count {count!r}; use one of {', '.join(COUNTS)}")
    return count


def as_date(value: dt.date | str | None, name: str = "date") -> dt.date | None:
    """A date from a date or a YYYY-MM-DD string; DetenteError if invalid."""
    if value is None or isinstance(value, dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    text = str(value).strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise DetenteError(f"{name}: invalid date {text!r} (use YYYY-MM-DD)") from None


def dyad_name(a: str, b: str) -> str:
    return f"{a}-{b}"


def code_name(code: str) -> str:
    """The canonical name of a code (Russia for RUS), or the code itself."""
    from detente.actors.tables import code_names

    return code_names().get(code, code)


# -- events out of the store -------------------------------------------------------------------

def event_filter(dyad: tuple[str, str] | None = None, include_modal: bool = False, include_historical: bool = False,
                 count: str = "clusters") -> EventFilter:
    """The store filter of the events the analyses count (`EventFilter.counted`): of the dyad,
    not negated or hypothetical, not background, each event once (count="clusters") or every
    report."""
    return EventFilter.counted(dyad, check_count(count), include_modal, include_historical)


def event_where(dyad: tuple[str, str] | None = None, include_modal: bool = False, include_historical: bool = False,
                date_from: dt.date | None = None, date_to: dt.date | None = None) -> tuple[str, list[Any]]:
    """The WHERE clause (with its parameters) selecting the reports the analyses count: those
    of `event_filter`, with their whole date span in [date_from, date_to] when given."""
    where, params = event_filter(dyad, include_modal, include_historical).where()
    clauses = [where.removeprefix(" WHERE ")] if where else []
    if date_from:
        clauses.append(f"{DAY_SQL} >= ?")
        params.append(date_from)
    if date_to:
        clauses.append(f"{SPAN_END_SQL} <= ?")
        params.append(date_to)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


_BASE = ("id, COALESCE(event_cluster_id, id) AS cluster, plover_score AS score, quad_class, "
         f"COALESCE(confidence, 0) AS conf, {PRECISION_RANK_SQL} AS prec, {SPAN_END_SQL} AS span_end")
_EVIDENCE = ", doc_id, event_type, trigger, sentence, actor_codes, recipient_codes"


def event_frame(store: Store, where: str, params: list[Any], count: str = "clusters",
                evidence: bool = False) -> pd.DataFrame:
    """The selected events as a frame (id, cluster, day, span_end, prec, score, quad_class, ...),
    one row per report or per cluster (the report that stands for it: REPRESENTATIVE_SQL)."""
    cols = _BASE + (_EVIDENCE if evidence else "") + f", {DAY_SQL} AS day"
    if check_count(count) == "reports":
        sql = f"SELECT {cols} FROM events{where}"
    else:
        sql = (f"SELECT * EXCLUDE (rn) FROM (SELECT {cols}, row_number() OVER (PARTITION BY "
               f"COALESCE(event_cluster_id, id) ORDER BY {REPRESENTATIVE_SQL}) AS rn FROM events{where}) WHERE rn = 1")
    frame = store.con.execute(sql, params).df()
    return _typed(frame)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    frame["day"] = pd.to_datetime(frame["day"])
    if "span_end" in frame:
        frame["span_end"] = pd.to_datetime(frame["span_end"])
    frame["score"] = pd.to_numeric(frame["score"], errors="coerce").fillna(0.0).astype(float)
    return frame


def count_events(store: Store, dyad: tuple[str, str] | None = None, count: str = "clusters",
                 include_modal: bool = False, include_historical: bool = False) -> int:
    """How many events (or reports) the analyses count, in the store or between a dyad: the
    number every page, command and API shows for it."""
    if dyad:
        dyad = check_dyad(*dyad)
    return store.count(event_filter(dyad, include_modal, include_historical, count))


def dyad_events(store: Store, a: str, b: str, count: str = "clusters", include_modal: bool = False,
                include_historical: bool = False, order: str = "-date", limit: int | None = None,
                offset: int = 0) -> tuple[int, list[dict[str, Any]]]:
    """The events a dyad's analyses count, as public records: (their number, one page of them).

    With count="clusters" each event appears once, as the report that stands for it (with its
    ``sources_count``). order is a `Store.events` order: "-date" (newest first) or "date", an
    imprecise date after the precise ones of its period, "-score", "strongest" (|score|), ...
    """
    a, b = check_dyad(a, b)
    flt = event_filter((a, b), include_modal, include_historical, count)
    return store.count(flt), list(store.events(flt, limit=limit, offset=offset, order=order))


def sector_codes() -> frozenset[str]:
    """Bare sector codes (GOV, MIL, ...): what the coder gives an actor of unknown country."""
    from detente.actors.tables import sector_words

    return frozenset(sector_words().values()) | {"GOV", "MIL", "REB", "OPP", "CVL", "COP", "JRN", "BUS"}


def parties_sql(side: str) -> str:
    """SQL for the parties of one side of an event: its countries (`state_countries`), plus the
    codes of actors that have no country or are non-state armed groups (al-Shabaab attacking a
    base in Kenya is no act of Somalia's), and are not a bare role ("the government", "police":
    no one in particular)."""
    roles = ", ".join(f"'{c}'" for c in sorted(sector_codes()))
    countries = f"COALESCE({side}_countries, []::VARCHAR[])"
    # Fast path: when every code is a country code or country + sector (RUS, RUSGOV), the
    # countries are the parties and the JSON need not be parsed.
    return (f"CASE WHEN list_bool_and(list_transform(COALESCE({side}_codes, []::VARCHAR[]), "
            f"lambda c: list_contains({countries}, c[1:3]))) IS NOT FALSE THEN list_distinct({countries}) ELSE "
            + _json_parties(side, roles) + " END")


def _json_parties(side: str, roles: str) -> str:
    return (f"list_distinct(list_concat(COALESCE({side}_countries, []::VARCHAR[]), "
            f"list_transform(list_filter(from_json({side}, "
            f"'[{{\"code\": \"VARCHAR\", \"country\": \"VARCHAR\", \"kind\": \"VARCHAR\", \"sector\": \"VARCHAR\"}}]'), "
            # an actor with no country, or an armed group (`detente.store.schema.armed_group`)
            f"lambda x: (x.country IS NULL OR x.kind = 'group' AND COALESCE(x.sector, '') <> 'GOV') "
            f"AND x.code IS NOT NULL AND COALESCE(x.kind, '') <> 'role' "
            f"AND x.code NOT IN ({roles})), lambda x: x.code)))")


def pairs_sql(count: str, where: str) -> str:
    """SQL of every (dyad, event) pair selected by `where`: a, b (a < b), id, cluster, score,
    quad_class, conf, prec, day, span_end; one row per report or, for count="clusters", per
    cluster (its representative, as in `event_frame`)."""
    pairs = f"""
        WITH base AS (
            SELECT {_BASE}, {DAY_SQL} AS day, {parties_sql('actor')} AS ap, {parties_sql('recipient')} AS rp,
                   len(COALESCE(recipient_codes, []::VARCHAR[])) AS n_rec
            FROM events{where}
        ), one AS (SELECT *, unnest(ap) AS p1 FROM base),
        two AS (
            SELECT id, cluster, score, quad_class, conf, prec, span_end, day, p1, unnest(rp) AS p2 FROM one WHERE n_rec > 0
            UNION ALL
            SELECT id, cluster, score, quad_class, conf, prec, span_end, day, p1, unnest(ap) AS p2 FROM one WHERE n_rec = 0
        )
        SELECT DISTINCT least(p1, p2) AS a, greatest(p1, p2) AS b, id, cluster, score, quad_class, conf, prec, span_end, day
        FROM two WHERE p1 <> p2"""
    if check_count(count) == "reports":
        return pairs
    # The representative of each cluster, REPRESENTATIVE_SQL on the columns carried along.
    return ("SELECT * EXCLUDE (rn) FROM (SELECT *, row_number() OVER (PARTITION BY a, b, cluster "
            f"ORDER BY prec, day, conf DESC, id) AS rn FROM ({pairs})) WHERE rn = 1")


def pair_frame(store: Store, count: str = "clusters", include_modal: bool = False,
               include_historical: bool = False, date_from: dt.date | None = None,
               date_to: dt.date | None = None) -> pd.DataFrame:
    """Every (dyad, event) pair of the store as a frame (see `pairs_sql`)."""
    where, params = event_where(None, include_modal, include_historical, date_from, date_to)
    return _typed(store.con.execute(pairs_sql(count, where), params).df())


# -- the index ---------------------------------------------------------------------------------

def weight_dispersion(scores: pd.Series | np.ndarray) -> float:
    """mean(w^2) / mean(w)^2 of the event weights (>= 1): how much more a weighted sum varies
    than a count of the same events. Change detection scales its penalty by it."""
    w = np.abs(np.asarray(scores, dtype=float))
    w = w[w > 0]
    return float((w ** 2).mean() / w.mean() ** 2) if len(w) else 1.0


def weight_unit(scores: pd.Series | np.ndarray) -> float:
    """Mean |score| of the weighted events: the weight of one pseudo-event."""
    w = np.abs(np.asarray(scores, dtype=float))
    w = w[w > 0]
    return float(w.mean()) if len(w) else 1.0


def relation_index(coop: Any, conflict: Any, unit: float = 1.0) -> tuple[np.ndarray, ...]:
    """(index, smoothed index, interval low, interval high) for cooperative and conflictual weights."""
    coop = np.atleast_1d(np.asarray(coop, dtype=float))
    conflict = np.atleast_1d(np.asarray(conflict, dtype=float))
    total = coop + conflict
    with np.errstate(invalid="ignore", divide="ignore"):
        index = np.where(total > 0, (coop - conflict) / np.where(total > 0, total, 1.0), np.nan)
    a = PRIOR_EVENTS / 2 + coop / unit
    b = PRIOR_EVENTS / 2 + conflict / unit
    tail = (1 - CREDIBLE) / 2
    return index, (a - b) / (a + b), 2 * beta_dist.ppf(tail, a, b) - 1, 2 * beta_dist.ppf(1 - tail, a, b) - 1


def index_stats(coop: float, conflict: float, unit: float = 1.0) -> dict[str, float | None]:
    """The index of one set of weights as plain floats (None for an undefined index)."""
    index, smoothed, low, high = (float(v[0]) for v in relation_index(coop, conflict, unit))
    return {"index": None if math.isnan(index) else index, "index_smoothed": smoothed,
            "index_low": low, "index_high": high}


def _weights(frame: pd.DataFrame) -> pd.DataFrame:
    s = frame["score"]
    return frame.assign(coop=s.clip(lower=0), conflict=(-s).clip(lower=0),
                        mc=s.abs().where(frame["quad_class"] == "material_conflict", 0.0),
                        mcoop=s.abs().where(frame["quad_class"] == "material_cooperation", 0.0))


def placeable(frame: pd.DataFrame, freq: str) -> pd.Series:
    """Which events of a frame a series of this frequency can place: those with a date whose
    span (day to span_end) lies in one period."""
    dated = frame["day"].notna()
    if "span_end" not in frame:
        return dated
    code = FREQS[check_freq(freq)]
    return dated & (frame["day"].dt.to_period(code) == frame["span_end"].dt.to_period(code))


def period_labels(periods: pd.PeriodIndex, freq: str) -> list[str]:
    """Labels of periods: 2024-03, 2024-Q1 or 2024-W12 (ISO week)."""
    if freq == "week":
        iso = periods.start_time.isocalendar()
        return [f"{y}-W{w:02d}" for y, w in zip(iso["year"], iso["week"])]
    if freq == "quarter":
        return [f"{y}-Q{q}" for y, q in zip(periods.year, periods.quarter)]
    return list(periods.strftime("%Y-%m"))


def empty_series() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object if c in ("period", "label", "start", "end") else float)
                         for c in SERIES_COLUMNS})


def period_sums(frame: pd.DataFrame, freq: str, keys: tuple[str, ...] = ()) -> pd.DataFrame:
    """Per-period sums of an event frame (grouped by keys, then period): n_events, score_sum,
    weights and quad-class counts."""
    f = _weights(frame).assign(period=frame["day"].dt.to_period(FREQS[freq]))
    for quad in QUAD_CLASSES:
        f[quad] = (f["quad_class"] == quad).astype(int)
    f["n_events"] = 1
    sums = f.groupby([*keys, "period"])[["n_events", "score", "coop", "conflict", "mc", "mcoop", *QUAD_CLASSES]].sum()
    return sums.rename(columns={"score": "score_sum", "coop": "coop_weight", "conflict": "conflict_weight",
                                "mc": "material_conflict_weight", "mcoop": "material_cooperation_weight"})


def _series(sums: pd.DataFrame, freq: str, unit: float, dispersion: float = 1.0) -> pd.DataFrame:
    """A series from per-period sums (indexed by period): empty periods filled, index and labels."""
    periods = pd.period_range(sums.index.min(), sums.index.max(), freq=FREQS[freq])
    out = sums.reindex(periods).fillna(0)
    for col in ("n_events", *QUAD_CLASSES):
        out[col] = out[col].astype(int)
    out["score_mean"] = out["score_sum"] / out["n_events"].where(out["n_events"] > 0)
    index, smoothed, low, high = relation_index(out["coop_weight"], out["conflict_weight"], unit)
    out = out.assign(index=index, index_smoothed=smoothed, index_low=low, index_high=high,
                     period=list(periods), label=period_labels(periods, freq), start=list(periods.start_time.date),
                     end=list(periods.end_time.date))
    out = out.reset_index(drop=True)[SERIES_COLUMNS]
    out.attrs.update(freq=freq, unit=unit, dispersion=dispersion)
    return out


def aggregate(frame: pd.DataFrame, freq: str = "month", unit: float | None = None) -> pd.DataFrame:
    """Per-period counts, scores and index of an event frame, with empty periods in between."""
    check_freq(freq)
    placed = frame[placeable(frame, freq)] if not frame.empty else frame
    if placed.empty:
        out = empty_series()
    else:
        # unit and dispersion are properties of the dyad: from all its events, as in dyad_table
        out = _series(period_sums(placed, freq), freq, unit or weight_unit(frame["score"]),
                      weight_dispersion(frame["score"]))
    out.attrs["unplaced"] = len(frame) - len(placed)
    return out


def dyad_series(store: Store, a: str, b: str, freq: str = "month", count: str = "clusters",
                include_modal: bool = False, *, include_historical: bool = False,
                date_from: dt.date | str | None = None, date_to: dt.date | str | None = None) -> pd.DataFrame:
    """The relations of a and b per period (see the module docstring); empty if they share no events.

    Columns: period (pandas Period), label ("2024-03", "2024-Q1", "2024-W12"), start, end,
    n_events, the four quad-class counts, score_sum, score_mean, coop_weight, conflict_weight,
    material_conflict_weight, index, index_smoothed, index_low, index_high.
    """
    a, b = check_dyad(a, b)
    check_freq(freq)
    where, params = event_where((a, b), include_modal, include_historical, as_date(date_from, "from"),
                                as_date(date_to, "to"))
    out = aggregate(event_frame(store, where, params, count), freq)
    out.attrs.update(dyad=(a, b), freq=freq, count=count)
    return out


# -- store-wide --------------------------------------------------------------------------------

_DYAD_COLUMNS = ["a", "b", "n_events", "mean_score", "coop_weight", "conflict_weight", "unit", "dispersion",
                 "first", "last"]


def dyad_table(store: Store, count: str = "clusters", include_modal: bool = False, include_historical: bool = False,
               date_from: dt.date | None = None, date_to: dt.date | None = None) -> pd.DataFrame:
    """Per-dyad totals of the store, aggregated in DuckDB: a, b, n_events, mean_score,
    coop_weight, conflict_weight, unit (mean |score|), dispersion (see `weight_dispersion`),
    first and last date."""
    where, params = event_where(None, include_modal, include_historical, date_from, date_to)
    sql = ("SELECT a, b, count(*) AS n_events, avg(score) AS mean_score, "
           "sum(greatest(score, 0)) AS coop_weight, sum(greatest(-score, 0)) AS conflict_weight, "
           "COALESCE(sum(abs(score)) / nullif(count(*) FILTER (WHERE score <> 0), 0), 1.0) AS unit, "
           "COALESCE(avg(score * score) FILTER (WHERE score <> 0) / nullif(avg(abs(score)) FILTER (WHERE score <> 0), 0) ^ 2, "
           "1.0) AS dispersion, "
           # first and last dates: a year-only date would stretch the span to 1 January
           "COALESCE(min(day) FILTER (WHERE prec < 4), min(day)) AS first, "
           f"COALESCE(max(day) FILTER (WHERE prec < 4), max(day)) AS last FROM ({pairs_sql(count, where)}) "
           "GROUP BY a, b ORDER BY a, b")
    table = store.con.execute(sql, params).df()
    if table.empty:
        return pd.DataFrame(columns=_DYAD_COLUMNS)
    table["first"], table["last"] = pd.to_datetime(table["first"]), pd.to_datetime(table["last"])
    return table[_DYAD_COLUMNS]


def _dyad_record(row: Any) -> dict[str, Any]:
    a, b = str(row.a), str(row.b)
    return {"dyad": dyad_name(a, b), "a": a, "b": b, "name": f"{code_name(a)} – {code_name(b)}",
            "n_events": int(row.n_events), "mean_score": float(row.mean_score),
            **index_stats(row.coop_weight, row.conflict_weight, row.unit),
            "first": None if pd.isna(row.first) else row.first.date().isoformat(),
            "last": None if pd.isna(row.last) else row.last.date().isoformat()}


def top_dyads(store: Store, n: int = 15, include_modal: bool = False, *, count: str = "clusters",
              include_historical: bool = False, date_from: dt.date | str | None = None,
              date_to: dt.date | str | None = None) -> list[dict[str, Any]]:
    """The n dyads with most events: dyad, a, b, name, n_events, mean_score, index (with its
    smoothed value and interval), first and last date. Most events first."""
    if n < 1:
        raise DetenteError("the number of dyads must be at least 1")
    table = dyad_table(store, count, include_modal, include_historical, as_date(date_from, "from"),
                       as_date(date_to, "to"))
    if table.empty:
        return []
    table = table.sort_values(["n_events", "a", "b"], ascending=[False, True, True]).head(n)
    return [_dyad_record(r) for r in table.itertuples(index=False)]


def all_dyad_series(store: Store, freq: str = "month", count: str = "clusters", include_modal: bool = False,
                    min_events: int = 1, *, include_historical: bool = False,
                    date_from: dt.date | str | None = None,
                    date_to: dt.date | str | None = None) -> dict[tuple[str, str], pd.DataFrame]:
    """The series of every dyad with at least min_events events, from one pass over the store."""
    check_freq(freq)
    start, end = as_date(date_from, "from"), as_date(date_to, "to")
    table = dyad_table(store, count, include_modal, include_historical, start, end)
    table = table[table["n_events"] >= min_events]
    out: dict[tuple[str, str], pd.DataFrame] = {}
    if table.empty:
        return out
    where, params = event_where(None, include_modal, include_historical, start, end)
    trunc = {"week": "week", "month": "month", "quarter": "quarter"}[freq]  # week: ISO, from Monday
    quads = ", ".join(f"count(*) FILTER (WHERE quad_class = '{q}') AS {q}" for q in QUAD_CLASSES)
    sql = (f"SELECT a, b, date_trunc('{trunc}', day) AS period, count(*) AS n_events, sum(score) AS score_sum, "
           "sum(greatest(score, 0)) AS coop_weight, sum(greatest(-score, 0)) AS conflict_weight, "
           "COALESCE(sum(abs(score)) FILTER (WHERE quad_class = 'material_conflict'), 0) AS material_conflict_weight, "
           "COALESCE(sum(abs(score)) FILTER (WHERE quad_class = 'material_cooperation'), 0) "
           "AS material_cooperation_weight, "
           f"{quads} FROM ({pairs_sql(count, where)}) WHERE (a, b) IN (SELECT (x, y) FROM "
           "(SELECT unnest(?) AS x, unnest(?) AS y)) "
           # only events whose date span lies in one period (see "Imprecise dates")
           f"AND day IS NOT NULL AND date_trunc('{trunc}', day) = date_trunc('{trunc}', span_end) "
           "GROUP BY ALL ORDER BY a, b, period")
    sums = store.con.execute(sql, [*params, list(table["a"]), list(table["b"])]).df()
    sums["period"] = pd.PeriodIndex(pd.to_datetime(sums["period"]), freq=FREQS[freq])
    units = {(r.a, r.b): (float(r.unit), float(r.dispersion)) for r in table.itertuples(index=False)}
    for (a, b), group in sums.groupby(["a", "b"], sort=True):
        series = _series(group.drop(columns=["a", "b"]).set_index("period"), freq, *units[(a, b)])
        series.attrs.update(dyad=(str(a), str(b)), count=count)
        out[(str(a), str(b))] = series
    return out


def series_records(series: pd.DataFrame) -> list[dict[str, Any]]:
    """A series as JSON-ready rows: period is its label; NaN becomes None."""
    rows = []
    for r in series.to_dict(orient="records"):
        row: dict[str, Any] = {}
        for k, v in r.items():
            if k == "period":
                continue
            if isinstance(v, dt.date):
                v = v.isoformat()
            elif isinstance(v, (np.integer,)):
                v = int(v)
            elif isinstance(v, (float, np.floating)):
                v = None if math.isnan(v) else round(float(v), 4)
            row["period" if k == "label" else k] = v
        rows.append(row)
    return rows
