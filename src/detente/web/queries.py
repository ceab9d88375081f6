"""Read-only SQL for the pages and the API (parameterised; no user text in SQL).

`WebFilter` extends the store's EventFilter with the workbench's filters. Every event list,
count, facet and download takes its rows from the store (`Store.selected`, `EventFilter.rows`), so
count="clusters" (each event once, as the report that stands for it) and count="reports"
(every stored row) mean what they mean in the analyses and the CLI.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from detente.store import EventFilter, Store, row_to_record
from detente.store.schema import NEWEST_FIRST_SQL

# The store's orders (Store.events: an imprecise date after the precise ones of its period) and
# the other direction of each column the pages sort on.
STORE_ORDERS = ("date", "-date", "score", "-score", "confidence", "-confidence", "type", "doc")
ORDERS = {
    "-type": f"event_type DESC, {NEWEST_FIRST_SQL}, id",
    "sources": f"sources_count, {NEWEST_FIRST_SQL}, id",
    "-sources": f"sources_count DESC, {NEWEST_FIRST_SQL}, id",
}
_SECTORS = "list_transform(from_json({0}, '[{{\"sector\": \"VARCHAR\"}}]'), lambda x: x.sector)"


def like_pattern(text: str) -> str:
    """'%text%' for ILIKE ... ESCAPE '\\' with the text's own %, _ and \\ taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _clause(flt: EventFilter) -> tuple[str, list[Any]]:
    where, params = flt.where()
    return where.removeprefix(" WHERE "), list(params)


@dataclass
class WebFilter(EventFilter):
    """The store's filter plus: either side (party), sectors, CAMEO roots, score ranges, date
    precision, publisher, and a literal text search (no LIKE wildcards)."""

    party: str | None = None
    actor_sectors: list[str] | None = None
    recipient_sectors: list[str] | None = None
    cameo_roots: list[str] | None = None
    goldstein: tuple[float | None, float | None] = (None, None)
    score: tuple[float | None, float | None] = (None, None)
    confidence: tuple[float | None, float | None] = (None, None)
    precisions: list[str] | None = None
    sources: list[str] | None = None
    dated_only: bool = False  # series: events that can be placed in time

    def where(self) -> tuple[str, list[Any]]:
        base, params = _clause(EventFilter(**{f.name: getattr(self, f.name) for f in dataclasses.fields(EventFilter)
                                              if f.name != "text"}))
        clauses = [base] if base else []
        if self.text:
            clauses.append("(sentence ILIKE ? ESCAPE '\\' OR trigger ILIKE ? ESCAPE '\\')")
            params += [like_pattern(self.text)] * 2
        if self.party:
            (a, pa), (r, pr) = _clause(EventFilter(actor=self.party)), _clause(EventFilter(recipient=self.party))
            clauses.append(f"(({a}) OR ({r}))")
            params += pa + pr
        for side, sectors in (("actor", self.actor_sectors), ("recipient", self.recipient_sectors)):
            if sectors:
                clauses.append(f"list_has_any({_SECTORS.format(side)}, ?)")
                params.append(list(sectors))
        if self.cameo_roots:
            clauses.append("left(cameo_code, 2) IN (SELECT unnest(?))")
            params.append(list(self.cameo_roots))
        for column, (low, high) in (("goldstein", self.goldstein), ("plover_score", self.score),
                                    ("confidence", self.confidence)):
            if low is not None:
                clauses.append(f"{column} >= ?")
                params.append(low)
            if high is not None:
                clauses.append(f"{column} <= ?")
                params.append(high)
        if self.precisions:
            clauses.append("date_precision IN (SELECT unnest(?))")
            params.append(list(self.precisions))
        if self.sources:
            clauses.append("doc_id IN (SELECT doc_id FROM documents WHERE source IN (SELECT unnest(?)))")
            params.append(list(self.sources))
        if self.dated_only:
            clauses.append("COALESCE(date, pub_date) IS NOT NULL")
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def iter_events(store: Store, flt: EventFilter, order: str = "-date", limit: int | None = None,
                offset: int = 0) -> Iterator[dict[str, Any]]:
    """Event records, filtered, ordered and paged."""
    if order in STORE_ORDERS:
        yield from store.events(flt, limit=limit, offset=offset, order=order)
        return
    table, params = store.selected(flt)
    yield from store.ordered_records(f"SELECT * FROM {table} AS e ORDER BY {ORDERS[order]}", params, limit, offset)


FACETS = ("type", "quad", "cameo", "actor", "recipient", "actor_sector", "recipient_sector", "source", "precision")


def facets(store: Store, flt: EventFilter, top: int = 12) -> dict[str, list[dict[str, Any]]]:
    """Counts of the selected events by type, quad class, CAMEO root, actor and recipient
    country and sector, publisher and date precision; each list most frequent first."""
    rel, params = store.selected(flt)
    parts = {
        "type": "SELECT event_type AS v FROM e", "quad": "SELECT quad_class AS v FROM e",
        "cameo": "SELECT left(cameo_code, 2) AS v FROM e", "precision": "SELECT date_precision AS v FROM e",
        "actor": "SELECT unnest(actor_countries) AS v FROM e",
        "recipient": "SELECT unnest(recipient_countries) AS v FROM e",
        "actor_sector": f"SELECT unnest(list_distinct({_SECTORS.format('actor')})) AS v FROM e",
        "recipient_sector": f"SELECT unnest(list_distinct({_SECTORS.format('recipient')})) AS v FROM e",
        "source": "SELECT d.source AS v FROM e JOIN documents AS d ON d.doc_id = e.doc_id",
    }
    union = " UNION ALL ".join(f"SELECT '{name}' AS facet, v, count(*) AS n FROM ({sql}) GROUP BY v"
                               for name, sql in parts.items())
    rows = store.con.execute(f"WITH e AS {rel} SELECT * FROM ({union}) WHERE v IS NOT NULL AND v <> '' "
                             "ORDER BY facet, n DESC, v", params).fetchall()
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in FACETS}
    for facet, value, n in rows:
        if len(out[facet]) < top:
            out[facet].append({"value": value, "n": n})
    return out


def corpus_stats(store: Store, count: str = "clusters") -> dict[str, Any]:
    """Documents; events (each once, or every report: `count`) and reports; event-date and
    publication-date spans; counts by type and quad class."""
    stats = store.stats()
    first_pub, last_pub = store.con.execute("SELECT min(pub_date), max(pub_date) FROM documents").fetchone()
    table, params = EventFilter(count=count).rows()
    by_type = store.query(f"SELECT event_type, count(*) AS n FROM {table} GROUP BY 1 ORDER BY 2 DESC, 1", params)
    by_quad = store.query(f"SELECT quad_class, count(*) AS n FROM {table} GROUP BY 1 ORDER BY 1", params)
    modal = store.con.execute("SELECT count(*) FROM events WHERE negated OR hypothetical").fetchone()[0]
    actors = store.con.execute(
        "SELECT count(DISTINCT c) FROM (SELECT unnest(list_concat(actor_codes, recipient_codes)) AS c FROM events)"
    ).fetchone()[0]
    return {
        "documents": stats["documents"], "events": store.count(EventFilter(count=count)), "count": count,
        "reports": stats["events"], "actors": actors,
        "negated_or_hypothetical": modal,
        "first_date": _iso(stats["first_date"]), "last_date": _iso(stats["last_date"]),
        "first_pub_date": _iso(first_pub), "last_pub_date": _iso(last_pub),
        "event_types": {r["event_type"]: r["n"] for r in by_type},
        "quad_classes": {r["quad_class"]: r["n"] for r in by_quad},
    }


def _iso(value: Any) -> str | None:
    return value.isoformat()[:10] if value is not None else None


def documents(store: Store, q: str | None, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
    """Documents newest first, optionally those whose title, id or source contains `q` (literally)."""
    where, params = "", []
    if q:
        where = " WHERE title ILIKE ? ESCAPE '\\' OR doc_id ILIKE ? ESCAPE '\\' OR source ILIKE ? ESCAPE '\\'"
        params = [like_pattern(q)] * 3
    total = store.con.execute(f"SELECT count(*) FROM documents{where}", params).fetchone()[0]
    rows = store.query(
        f"SELECT doc_id, title, source, url, pub_date, n_events FROM documents{where} "
        "ORDER BY pub_date DESC NULLS LAST, doc_id LIMIT ? OFFSET ?", [*params, limit, offset])
    for r in rows:
        r["pub_date"] = _iso(r["pub_date"])
    return total, rows


def event_by_id(store: Store, event_id: str) -> dict[str, Any] | None:
    """One event record, or None."""
    rows = store.query("SELECT * FROM events WHERE id = ?", [event_id])
    return row_to_record(rows[0]) if rows else None


def document_titles(store: Store, doc_ids: list[str]) -> dict[str, str]:
    """doc_id -> title for the given documents."""
    if not doc_ids:
        return {}
    rows = store.query("SELECT doc_id, title FROM documents WHERE doc_id IN (SELECT unnest(?))", [list(set(doc_ids))])
    return {r["doc_id"]: r["title"] for r in rows if r["title"]}


def known_hashes(store: Store, doc_ids: list[str]) -> dict[str, str]:
    """doc_id -> content hash of those of the given documents already stored."""
    if not doc_ids:
        return {}
    return dict(store.con.execute("SELECT doc_id, content_hash FROM documents WHERE doc_id IN (SELECT unnest(?))",
                                  [list(set(doc_ids))]).fetchall())


def code_counts(store: Store) -> dict[str, int]:
    """Events per actor code and per country, either side (what the store knows of each actor)."""
    rows = store.con.execute(
        "SELECT c, count(DISTINCT id) FROM (SELECT id, unnest(list_distinct(list_concat(actor_codes, recipient_codes, "
        "actor_countries, recipient_countries))) AS c FROM events) GROUP BY c").fetchall()
    return {c: n for c, n in rows if c}


def actor_profile(store: Store, code: str, count: str = "clusters") -> dict[str, Any]:
    """An actor's events on each side, its event mix, sectors and active span."""
    out: dict[str, Any] = {}
    for side in ("actor", "recipient"):
        rel, params = store.selected(WebFilter(**{side: code}, count=count))
        n, first, last = store.con.execute(
            f"SELECT count(*), min(COALESCE(date, pub_date)), max(COALESCE(date, pub_date)) FROM {rel}",
            params).fetchone()
        mix = store.con.execute(f"SELECT event_type, quad_class, count(*) FROM {rel} GROUP BY 1, 2 "
                                "ORDER BY 3 DESC, 1", params).fetchall()
        out[side] = {"events": n, "first": _iso(first), "last": _iso(last),
                     "types": [{"event_type": t, "quad_class": q, "n": c} for t, q, c in mix]}
    rel, params = store.selected(WebFilter(party=code, count=count))
    own = ("list_transform(list_filter(from_json({0}, '[{{\"code\": \"VARCHAR\", \"sector\": \"VARCHAR\"}}]'), "
           "lambda x: starts_with(x.code, ?)), lambda x: x.sector)")
    sectors = store.con.execute(
        f"SELECT s, count(*) FROM (SELECT unnest(list_distinct(list_concat({own.format('actor')}, "
        f"{own.format('recipient')}))) AS s FROM {rel}) WHERE s IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1",
        [code, code, *params]).fetchall()
    out["sectors"] = [{"sector": s, "n": n} for s, n in sectors]
    out["events"] = store.con.execute(f"SELECT count(*) FROM {rel}", params).fetchone()[0]
    return out
