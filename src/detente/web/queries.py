"""Read-only SQL for the overview and lists (parameterised; no user text in SQL)."""

from __future__ import annotations

from typing import Any

from detente.store import EventFilter, Store, row_to_record
from detente.store.schema import DAY_SQL, SPAN_END_SQL


def corpus_stats(store: Store, count: str = "clusters") -> dict[str, Any]:
    """Documents, events (each once, or every report: `count`), event-date and publication-date
    spans, counts by type and quad class."""
    stats = store.stats()
    first_pub, last_pub = store.con.execute("SELECT min(pub_date), max(pub_date) FROM documents").fetchone()
    rows, params = EventFilter(count=count).rows()
    by_type = store.query(f"SELECT event_type, count(*) AS n FROM {rows} GROUP BY 1 ORDER BY 2 DESC, 1", params)
    by_quad = store.query(f"SELECT quad_class, count(*) AS n FROM {rows} GROUP BY 1 ORDER BY 1", params)
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


def monthly_quads(store: Store, count: str = "clusters") -> list[dict[str, Any]]:
    """Events per month (event date, else publication date) and quad class, counted as every view
    counts (EventFilter.counted: background left out); an event dated only to a year is in no month."""
    rows, params = EventFilter.counted(count=count).rows()
    return store.query(
        f"SELECT date_trunc('month', {DAY_SQL}) AS month, quad_class, count(*) AS n FROM {rows} "
        f"WHERE {DAY_SQL} IS NOT NULL AND date_trunc('month', {DAY_SQL}) = date_trunc('month', {SPAN_END_SQL}) "
        "GROUP BY 1, 2 ORDER BY 1", params)


def documents(store: Store, q: str | None, limit: int, offset: int) -> tuple[int, list[dict[str, Any]]]:
    """Documents newest first, optionally those whose title or id contains `q`."""
    where, params = "", []
    if q:
        where = " WHERE title ILIKE ? OR doc_id ILIKE ? OR source ILIKE ?"
        params = [f"%{q}%"] * 3
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
