"""De-duplication across documents: reports of the same event share one cluster.

Two event rows are reports of the same event when

- they have the same event type and the same negated and hypothetical flags;
- they have the same parties: actor and recipient sides compared as sets of countries (the
  actor's code when it has no country: IGONATO, TALIBAN). Direction counts, except for the
  reciprocal types AGREE, CONSULT and COOPERATE, where "A met B", "B met A" and "A and B met"
  are one event;
- their dates, COALESCE(date, pub_date), are at most `window_days` apart (day-precise dates),
  or are the same month or year with the same precision (month- or year-precise dates);
- their modes agree when both have one (a phone call is not a visit);
- the evidence agrees: the sentences' content words (stemmed, no stopwords) have a Jaccard
  similarity of at least `min_jaccard` (0.25), or at least TRIGGER_MIN_JACCARD (0.12) when
  the trigger words share a stem ("lifted" / "lift restrictions").

Clustering is a deterministic leader algorithm inside each block of rows with the same type,
flags and parties: rows are taken in (date, id) order; a row joins the open cluster with the
best-matching member, else it opens a cluster. A cluster stays open for `window_days` after
its earliest report, so no cluster spans more than that, however many reports chain up.

Blocks are independent, so clusters can be recomputed for the blocks that new or removed rows
touch (block_id in Python, block_sql() in DuckDB: the same string) with the same result as for
the whole store.

Every row gets `event_cluster_id`, the smallest event id in its cluster (so the rows with
`id = event_cluster_id` are one per cluster), and `sources_count`, the number of distinct
documents in the cluster. The result depends only on the set of rows, never on their order
or on how they were ingested.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

WINDOW_DAYS = 3
MIN_JACCARD = 0.25
TRIGGER_MIN_JACCARD = 0.12  # a shared trigger stem still needs some shared detail
SYMMETRIC_TYPES = frozenset({"AGREE", "CONSULT", "COOPERATE"})
COARSE_PRECISIONS = frozenset({"month", "year"})

_WORD = re.compile(r"[a-z0-9]+")
_SUFFIXES = (("ies", "y"), ("ied", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""), ("e", ""))
STOPWORDS = frozenset("""
    the and for with that this from have has had was were are its their his her they them
    which who whom will would could should been being also after before over into about than then
    there here not but all any our out off per via such other more most some what when where while
    said says say told tell according official officials spokesman spokeswoman spokesperson statement
    monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow week month year
    last next earlier later ago these those
""".split())


def _stem(word: str) -> str:
    for suffix, repl in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + repl
    return word


def content_tokens(text: str | None) -> frozenset[str]:
    """Stemmed content words of a sentence (lower case, no stopwords, 3+ letters)."""
    words = _WORD.findall((text or "").lower())
    return frozenset(_stem(w) for w in words if len(w) >= 3 and w not in STOPWORDS)


def trigger_stem(trigger: str | None) -> str:
    """The stem of a trigger's first word: "lifted restrictions" -> "lift"."""
    words = _WORD.findall((trigger or "").lower())
    return _stem(words[0]) if words else ""


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def parties(side: Any, countries: Any = None, codes: Any = None) -> tuple[str, ...]:
    """The sorted set of one side's parties: each actor's country, else its code.

    `side` is the stored JSON string, a list of dicts or a list of Actor models; without it,
    the side's country and code lists are used.
    """
    if isinstance(side, str):
        side = json.loads(side) if side else []
    if side is None:
        return tuple(sorted(set(countries or ()) or set(codes or ())))
    out = set()
    for actor in side:
        item = actor if isinstance(actor, Mapping) else actor.__dict__
        value = item.get("country") or item.get("code")
        if value:
            out.add(value)
    return tuple(sorted(out))


@dataclass
class _Report:
    id: str
    doc_id: str
    day: dt.date
    coarse: str | None
    mode: str | None
    trigger: str
    tokens: frozenset[str]


def _as_date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


class _Cluster:
    __slots__ = ("start", "members")

    def __init__(self, first: _Report) -> None:
        self.start = first.day
        self.members = [first]


def _similarity(a: _Report, b: _Report, window_days: int, min_jaccard: float) -> float | None:
    """How well report `a` matches report `b` (higher is better), or None when they differ."""
    if a.coarse or b.coarse:
        if a.coarse != b.coarse or a.day != b.day:
            return None
    elif abs((a.day - b.day).days) > window_days:
        return None
    if a.mode and b.mode and a.mode != b.mode:
        return None
    sim = jaccard(a.tokens, b.tokens)
    if a.trigger and a.trigger == b.trigger and sim >= min(TRIGGER_MIN_JACCARD, min_jaccard):
        return 1.0 + sim
    return sim if sim >= min_jaccard else None


def block_key(row: Mapping[str, Any]) -> tuple:
    """The blocking key: event type, flags and parties (undirected for reciprocal types)."""
    actor = parties(row.get("actor"), row.get("actor_countries"), row.get("actor_codes"))
    recipient = parties(row.get("recipient"), row.get("recipient_countries"), row.get("recipient_codes"))
    etype = row.get("event_type")
    flags = (bool(row.get("negated")), bool(row.get("hypothetical")))
    if etype in SYMMETRIC_TYPES:
        return (etype, *flags, tuple(sorted(set(actor) | set(recipient))), ())
    return (etype, *flags, actor, recipient)


def block_id(row: Mapping[str, Any]) -> str:
    """The blocking key as one string: "TYPE|negated|hypothetical|actor parties|recipient parties"."""
    etype, negated, hypothetical, actor, recipient = block_key(row)
    return f"{etype}|{int(negated)}|{int(hypothetical)}|{','.join(actor)}|{','.join(recipient)}"


def _parties_sql(column: str) -> str:
    return ("list_sort(list_distinct(list_filter(list_transform("
            f"from_json(COALESCE(CAST({column} AS VARCHAR), '[]'), '[{{\"code\": \"VARCHAR\", \"country\": \"VARCHAR\"}}]'), "
            "lambda x: COALESCE(NULLIF(x.country, ''), NULLIF(x.code, ''))), lambda x: x IS NOT NULL)))")


def block_sql() -> str:
    """A DuckDB expression over an events table giving each row's block_id (the same string)."""
    actor, recipient = _parties_sql("actor"), _parties_sql("recipient")
    symmetric = ", ".join(f"'{t}'" for t in sorted(SYMMETRIC_TYPES))
    return (f"concat_ws('|', event_type, CAST(COALESCE(negated, false) AS INTEGER), "
            f"CAST(COALESCE(hypothetical, false) AS INTEGER), "
            f"CASE WHEN event_type IN ({symmetric}) THEN array_to_string(list_sort(list_distinct(list_concat({actor}, "
            f"{recipient}))), ',') ELSE array_to_string({actor}, ',') END, "
            f"CASE WHEN event_type IN ({symmetric}) THEN '' ELSE array_to_string({recipient}, ',') END)")


def block_parties(block: str) -> list[str]:
    """The parties named in a block_id (or pending key)."""
    _, _, _, actor, recipient = block.split("#", 1)[0].split("|")
    return [p for p in (actor + "," + recipient).split(",") if p]


def cluster_events(
    rows: Iterable[Mapping[str, Any]],
    window_days: int = WINDOW_DAYS,
    min_jaccard: float = MIN_JACCARD,
) -> dict[str, tuple[str, int]]:
    """event id -> (event_cluster_id, sources_count) for every row.

    Rows need id, doc_id, event_type, date, pub_date, date_precision, mode, trigger, sentence,
    negated, hypothetical and the parties: actor and recipient (JSON or lists), or
    actor_countries/actor_codes and recipient_countries/recipient_codes.
    """
    blocks: dict[tuple, list[_Report]] = defaultdict(list)
    out: dict[str, tuple[str, int]] = {}
    token_cache: dict[str, frozenset[str]] = {}
    key_cache: dict[tuple, tuple] = {}
    for row in rows:
        day = _as_date(row.get("date")) or _as_date(row.get("pub_date"))
        if day is None:  # cannot be placed in time: its own cluster
            out[row["id"]] = (row["id"], 1)
            continue
        actor, recipient = row.get("actor"), row.get("recipient")
        raw_key: tuple = (row.get("event_type"), bool(row.get("negated")), bool(row.get("hypothetical")),
                          _hashable(actor), _hashable(recipient))
        if actor is None or recipient is None:
            raw_key += tuple(_hashable(row.get(k)) for k in ("actor_countries", "actor_codes",
                                                               "recipient_countries", "recipient_codes"))
        key = key_cache.get(raw_key)
        if key is None:
            key = key_cache[raw_key] = block_key(row)
        sentence = row.get("sentence") or ""
        tokens = token_cache.get(sentence)
        if tokens is None:
            tokens = token_cache[sentence] = content_tokens(sentence)
        precision = row.get("date_precision") if row.get("date") is not None else "publication"
        blocks[key].append(_Report(
            id=row["id"], doc_id=row.get("doc_id") or row["id"], day=day,
            coarse=precision if precision in COARSE_PRECISIONS else None, mode=row.get("mode") or None,
            trigger=trigger_stem(row.get("trigger")), tokens=tokens))
    for reports in blocks.values():
        for cluster in _cluster_block(reports, window_days, min_jaccard):
            cid = min(r.id for r in cluster.members)
            n_docs = len({r.doc_id for r in cluster.members})
            for r in cluster.members:
                out[r.id] = (cid, n_docs)
    return out


def _cluster_block(reports: list[_Report], window_days: int, min_jaccard: float,
                   seeded: list[_Cluster] | None = None) -> list[_Cluster]:
    """The leader algorithm over `reports`, after the clusters in `seeded` (made by earlier reports)."""
    reports.sort(key=lambda r: (r.day, r.id))
    clusters: list[_Cluster] = list(seeded or [])
    first_open = 0  # clusters before this index started more than window_days ago
    for report in reports:
        while first_open < len(clusters) and (report.day - clusters[first_open].start).days > window_days:
            first_open += 1
        best: _Cluster | None = None
        best_sim = -1.0
        for cluster in clusters[first_open:]:
            for member in cluster.members:
                sim = _similarity(report, member, window_days, min_jaccard)
                if sim is not None and sim > best_sim:
                    best, best_sim = cluster, sim
        if best is None:
            clusters.append(_Cluster(report))
        else:
            best.members.append(report)
    return clusters


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    return value


def apply_clusters(rows: list[dict[str, Any]], window_days: int = WINDOW_DAYS,
                   min_jaccard: float = MIN_JACCARD) -> list[dict[str, Any]]:
    """Set event_cluster_id and sources_count on `rows` (in place) and return them."""
    clusters = cluster_events(rows, window_days, min_jaccard)
    for row in rows:
        row["event_cluster_id"], row["sources_count"] = clusters[row["id"]]
    return rows


# -- re-clustering around new events ----------------------------------------------------------
#
# Inserting or removing a report changes no assignment before it in (date, id) order, and after
# it only until the clusters open at some later moment are again what was stored: from then on
# the algorithm sees the same state and the same rows as when the stored clusters were made. So
# a block is recomputed from `since` (the earliest changed date), seeded with the clusters
# stored before it, and only as far as needed: through `until` (the latest changed date) plus
# a horizon, further only if the open clusters there still differ from the stored ones.

HORIZON_DAYS = 3


def _report(row: Mapping[str, Any], tokens: dict[str, frozenset[str]]) -> _Report | None:
    day = _as_date(row.get("date")) or _as_date(row.get("pub_date"))
    if day is None:
        return None
    sentence = row.get("sentence") or ""
    if sentence not in tokens:
        tokens[sentence] = content_tokens(sentence)
    precision = row.get("date_precision") if row.get("date") is not None else "publication"
    return _Report(id=row["id"], doc_id=row.get("doc_id") or row["id"], day=day,
                   coarse=precision if precision in COARSE_PRECISIONS else None, mode=row.get("mode") or None,
                   trigger=trigger_stem(row.get("trigger")), tokens=tokens[sentence])


def recluster_block(
    rows: Iterable[Mapping[str, Any]],
    since: dt.date | None,
    through: dt.date | None = None,
    window_days: int = WINDOW_DAYS,
    min_jaccard: float = MIN_JACCARD,
) -> dict[str, tuple[str, int]] | None:
    """New (event_cluster_id, sources_count) of the stored rows of one block whose values change.

    `rows` are the block's stored rows (with their current event_cluster_id and sources_count)
    dated from `since` - 2 x window_days on (all of them when `since` is None) through `through`
    (None: to the end). Rows before `since` keep their clusters and seed the computation. Returns
    None when the clusters open at `through` differ from the stored ones: the caller must pass
    rows further on (or to the end).
    """
    tokens: dict[str, frozenset[str]] = {}
    stored: dict[str, tuple[str, int]] = {}
    reports: list[_Report] = []
    for row in rows:
        rep = _report(row, tokens)
        if rep is not None:
            reports.append(rep)
            stored[rep.id] = (row.get("event_cluster_id") or rep.id, row.get("sources_count") or 1)
    reports.sort(key=lambda r: (r.day, r.id))
    seed = [r for r in reports if since is not None and r.day < since]
    rest = reports[len(seed):]
    # The stored clusters before `since`, in the order the algorithm made them.
    groups: dict[str, _Cluster] = {}
    for rep in seed:
        label = stored[rep.id][0]
        if label in groups:
            groups[label].members.append(rep)
        else:
            groups[label] = _Cluster(rep)
    seeded = list(groups.values())
    open_from = 0 if since is None else next(
        (i for i, c in enumerate(seeded) if (since - c.start).days <= window_days), len(seeded))
    clusters = _cluster_block(rest, window_days, min_jaccard, seeded)
    if through is not None:
        def open_sets(cl: Iterable[tuple[dt.date, list[_Report]]]) -> set[frozenset[str]]:
            return {frozenset(r.id for r in members) for start, members in cl
                    if (through - start).days <= window_days}

        by_label: dict[str, list[_Report]] = defaultdict(list)
        for rep in reports:
            by_label[stored[rep.id][0]].append(rep)
        if open_sets((c.start, c.members) for c in clusters) != \
                open_sets((min(r.day for r in m), m) for m in by_label.values()):
            return None
    out: dict[str, tuple[str, int]] = {}
    for cluster in clusters[open_from:]:
        if through is not None and (through - cluster.start).days <= window_days:
            continue  # open at `through`: the same as stored (checked above), with members beyond it
        cid = min(r.id for r in cluster.members)
        n_docs = len({r.doc_id for r in cluster.members})
        for rep in cluster.members:
            if stored[rep.id] != (cid, n_docs):
                out[rep.id] = (cid, n_docs)
    return out


# Month- and year-precise reports only ever join reports of the same precision and date, and
# others never join them: within a block they are re-clustered apart, under the pending key
# "BLOCK#month" or "BLOCK#year" (so a report about "2019" reads the block's other 2019 reports,
# not every report of the weeks around 1 January 2019).
COARSE_SQL = "(date IS NOT NULL AND date_precision IN ('month', 'year'))"


def pending_key(row: Mapping[str, Any]) -> str:
    """What is re-clustered together: the row's block, apart for month- and year-precise dates."""
    precision = row.get("date_precision") if row.get("date") is not None else "publication"
    return block_id(row) + (f"#{precision}" if precision in COARSE_PRECISIONS else "")


def pending_key_sql() -> str:
    """pending_key as a DuckDB expression over an events table (the same string)."""
    return f"concat({block_sql()}, CASE WHEN {COARSE_SQL} THEN '#' || date_precision ELSE '' END)"


def block_rows_sql(source: str, windows: str, where: str, whole: bool) -> str:
    """SELECT of the rows of `source` in the windows of table `windows` (block, lo, hi), with
    `block` (the window's key): by pending key inside lo..hi, or with `whole` every row of the
    block (lo and hi NULL). A plain equality join: DuckDB hashes it."""
    from detente.store.schema import CLUSTER_INPUT_COLUMNS

    key = block_sql() if whole else pending_key_sql()
    return (f"SELECT * FROM (SELECT {', '.join(CLUSTER_INPUT_COLUMNS)}, {key} AS block, "
            f"COALESCE(date, pub_date) AS day FROM {source} WHERE {where}) e JOIN {windows} w USING (block) "
            "WHERE (w.lo IS NULL OR e.day >= w.lo) AND (w.hi IS NULL OR e.day <= w.hi)")


def pending_blocks(rows: Iterable[Mapping[str, Any]]) -> dict[str, tuple[dt.date, dt.date]]:
    """pending key -> (first, last) date of the dated `rows` under it: what a write makes pending."""
    out: dict[str, tuple[dt.date, dt.date]] = {}
    for row in rows:
        day = _as_date(row.get("date")) or _as_date(row.get("pub_date"))
        if day is None:
            continue  # an undated report is its own cluster: it changes nobody's
        block = pending_key(row)
        lo, hi = out.get(block, (day, day))
        out[block] = (min(lo, day), max(hi, day))
    return out


def merge_pending(into: dict[str, Any], more: Mapping[str, Any]) -> None:
    """Widen pending blocks' (since, until) by `more`; None (the whole block) absorbs any dates."""
    for block, span in more.items():
        if block in into and into[block] is None:
            continue
        if span is None or block not in into:
            into[block] = span
        else:
            into[block] = (min(into[block][0], span[0]), max(into[block][1], span[1]))


def block_row_filter(windows: list[tuple[str, dt.date | None, dt.date | None]]) -> tuple[str, list[Any], Any]:
    """A WHERE clause on plain columns that keeps the rows of `windows`' event types inside their
    dates (cheap: no JSON is parsed, so the exact block need only be computed for the rows it
    keeps), its parameters, and the windows as an Arrow table (block, lo, hi)."""
    import pyarrow as pa

    spans: dict[tuple[str, str], list[tuple[dt.date | None, dt.date | None]]] = defaultdict(list)
    for block, lo, hi in windows:
        key, _, precision = block.partition("#")
        spans[(key.split("|", 1)[0], precision if lo is not None else "any")].append((lo, hi))
    clauses: list[str] = []
    params: list[Any] = []
    for etype, precision in sorted(spans):
        if precision == "any":  # whole blocks
            clauses.append("event_type = ?")
            params.append(etype)
            continue
        kind = "date_precision = ? AND date IS NOT NULL" if precision else f"NOT {COARSE_SQL}"
        # Overlapping windows merged: usually one span of recent days, and a few around older
        # dates that new reports mention.
        merged: list[list[Any]] = []
        for lo, hi in sorted(spans[(etype, precision)], key=lambda s: s[0]):
            if merged and (merged[-1][1] is None or lo <= merged[-1][1]):
                merged[-1][1] = None if hi is None or merged[-1][1] is None else max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        for lo, hi in merged:
            clauses.append(f"(event_type = ? AND {kind} AND COALESCE(date, pub_date) >= ?"
                           + (" AND COALESCE(date, pub_date) <= ?)" if hi is not None else ")"))
            params += [etype] + ([precision] if precision else []) + [lo] + ([hi] if hi is not None else [])
    where = "(" + " OR ".join(clauses) + ")" if clauses else "false"

    table = pa.table({"block": [b for b, _, _ in windows], "lo": pa.array([lo for _, lo, _ in windows], pa.date32()),
                      "hi": pa.array([hi for _, _, hi in windows], pa.date32())})
    return where, params, table


def recluster_pending(
    pending: Iterable[tuple[str, dt.date | None, dt.date | None]],
    fetch: Callable[[list[tuple[str, dt.date | None, dt.date | None]]], list[dict[str, Any]]],
    window_days: int = WINDOW_DAYS,
    min_jaccard: float = MIN_JACCARD,
    horizon_days: int = HORIZON_DAYS,
) -> tuple[dict[str, tuple[str, int]], int]:
    """Re-cluster pending blocks ((block, since, until); since None: the whole block).

    `fetch(windows)` returns the stored rows (with a `block` column) of each window's block
    dated from its lo through its hi (None: unbounded). Returns the rows' new (event_cluster_id,
    sources_count) where they change, and how many rows were read.
    """
    changes: dict[str, tuple[str, int]] = {}
    read = 0
    whole = [(b, None, None) for b, since, _ in pending if since is None]
    dated = {b: (since, until) for b, since, until in pending if since is not None}
    if whole:
        rows = fetch(whole)
        read += len(rows)
        clusters = cluster_events(rows, window_days, min_jaccard)
        changes.update({r["id"]: clusters[r["id"]] for r in rows
                        if (r["event_cluster_id"], r["sources_count"]) != clusters[r["id"]]})
    margin = dt.timedelta(days=2 * window_days)
    # Past `until` by more than two windows: no cluster open there, stored or recomputed, holds
    # (or held) a row that changed, so its stored values stand if its members are the same.
    horizon = dt.timedelta(days=2 * window_days + 1 + horizon_days)
    rounds: list[dict[str, dt.date | None]] = [
        {b: _shift(until, horizon) for b, (_, until) in dated.items()},  # as far as the horizon
        {},  # to the end, for blocks whose clusters still differ there
    ]
    todo = sorted(dated)
    for limits in rounds:
        if not todo:
            break
        windows = [(b, _shift(dated[b][0], -margin), limits.get(b)) for b in todo]
        by_block: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in fetch(windows):
            by_block[row["block"]].append(row)
        read += sum(len(v) for v in by_block.values())
        again = []
        for b in todo:
            out = recluster_block(by_block.get(b, []), dated[b][0], limits.get(b), window_days, min_jaccard)
            if out is None:
                again.append(b)
            else:
                changes.update(out)
        todo = again
    return changes, read


def _shift(day: dt.date, delta: dt.timedelta) -> dt.date:
    try:
        return day + delta
    except OverflowError:
        return dt.date.min if delta.days < 0 else dt.date.max
