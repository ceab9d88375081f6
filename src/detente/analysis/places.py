"""Where events happen: stored events counted by place, with their mix of quad classes."""

from __future__ import annotations

from typing import Any

from detente.store import EventFilter, Store
from detente.store.schema import REPRESENTATIVE_SQL

QUADS = ("verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict")


def event_places(store: Store, flt: EventFilter | None = None, limit: int = 500) -> list[dict[str, Any]]:
    """Places with located events, most events first: name, country, admin1, feature, lat, lon,
    events, one count per quad class and `quad`, the most frequent class.

    Duplicate reports count once (one row per event cluster), as the other analyses count.
    """
    if not store.has_locations:
        return []
    where, params = store._where(flt)
    located = "location_lat IS NOT NULL"
    where = f"{where} AND {located}" if where else f" WHERE {located}"
    counts = ", ".join(f"count(*) FILTER (WHERE quad_class = '{q}') AS {q}" for q in QUADS)
    rows = store.query(
        "SELECT location_name AS name, location_country AS country, any_value(location_admin1) AS admin1, "
        "any_value(json_extract_string(location, '$.feature')) AS feature, "
        "round(location_lat, 4) AS lat, round(location_lon, 4) AS lon, count(*) AS events, "
        f"{counts} FROM (SELECT * FROM events{where} QUALIFY row_number() OVER "
        f"(PARTITION BY COALESCE(event_cluster_id, id) ORDER BY {REPRESENTATIVE_SQL}) = 1) "
        "GROUP BY 1, 2, 5, 6 ORDER BY events DESC, name LIMIT ?", [*params, limit])
    for r in rows:
        r["quad"] = max(QUADS, key=lambda q: (r[q], -QUADS.index(q)))
    return rows
