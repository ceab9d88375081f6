"""A static HTML report of a store's relations: one self-contained file that works offline.

`build_report(store, out_path)` writes the corpus summary, the most active dyads, each top
dyad's relationship index with its uncertainty band and labelled change points, the list of
changes with the events that drove them and the third parties' reactions, the signed network
coloured by bloc with its structural balance and bloc shift, and a table of the events with
their evidence. plotly.js is embedded once; every text from the store is HTML-escaped.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup, escape

from detente import __version__
from detente.analysis.changes import all_changes, dyad_changes, reactions
from detente.analysis.network import (
    bloc_shift,
    blocs,
    graph_edges,
    signed_network,
    structural_balance,
)
from detente.analysis.places import event_places
from detente.analysis.series import (
    check_count,
    check_freq,
    code_name,
    count_events,
    dyad_events,
    dyad_series,
    event_where,
    top_dyads,
)
from detente.errors import DetenteError
from detente.ontology import QUAD_CLASSES
from detente.report.figures import LABEL_COLORS, network_figure, series_figure, to_html
from detente.store import EventFilter, Store

__all__ = ["build_report", "highlight"]

QUAD_LABELS = {"verbal_cooperation": "verbal cooperation", "material_cooperation": "material cooperation",
               "verbal_conflict": "verbal conflict", "material_conflict": "material conflict"}
MAX_EVENTS_PER_DYAD = 60
MAX_PLACES = 300
PLACES_WITH_EVENTS = 40
MAX_EVENTS_PER_PLACE = 12


def highlight(sentence: str | None, trigger: str | None) -> Markup:
    """The sentence, HTML-escaped, with the trigger words wrapped in <mark>."""
    text = sentence or ""
    spans: list[tuple[int, int]] = []
    if trigger:
        m = re.search(re.escape(trigger), text, re.IGNORECASE)
        if m:
            spans = [m.span()]
        else:  # a trigger of separated words ("refused ... back"): mark each word
            for word in trigger.split():
                w = re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE)
                if w and all(w.end() <= s or w.start() >= e for s, e in spans):
                    spans.append(w.span())
    out, at = [], 0
    for s, e in sorted(spans):
        out += [escape(text[at:s]), Markup("<mark>"), escape(text[s:e]), Markup("</mark>")]
        at = e
    out.append(escape(text[at:]))
    return Markup("").join(out)


def _safe_url(url: str | None) -> str | None:
    return url if url and re.match(r"https?://", url, re.IGNORECASE) else None


def corpus_stats(store: Store, count: str = "clusters", include_historical: bool = False) -> dict[str, Any]:
    """Documents, events, coverage, events by quad class and what analyses leave out.

    ``counted`` is the number of events the analyses count (`count_events`: the one count of
    every page), ``events`` and ``clusters`` the stored reports and distinct events."""
    docs = store.query("SELECT count(*) AS n, min(pub_date) AS first, max(pub_date) AS last FROM documents")[0]
    ev = store.query(
        "SELECT count(*) AS n, count(*) FILTER (WHERE negated OR hypothetical) AS modal, "
        "count(*) FILTER (WHERE COALESCE(historical, FALSE)) AS historical, "
        "count(*) FILTER (WHERE COALESCE(date, pub_date) IS NULL) AS undated, "
        "count(DISTINCT COALESCE(event_cluster_id, id)) AS clusters FROM events")[0]
    where, params = event_where(include_historical=include_historical)
    distinct = "count(*)" if count == "reports" else "count(DISTINCT COALESCE(event_cluster_id, id))"
    quads = {r["quad_class"]: r["n"] for r in store.query(
        f"SELECT quad_class, {distinct} AS n FROM events{where} GROUP BY 1", params)}
    types = store.query(f"SELECT event_type, {distinct} AS n FROM events{where} GROUP BY 1 ORDER BY n DESC, 1 LIMIT 8",
                        params)
    counted = count_events(store, None, count, include_historical=include_historical)
    return {"documents": docs["n"], "first": docs["first"], "last": docs["last"], "events": ev["n"],
            "clusters": ev["clusters"], "modal": ev["modal"], "historical": ev["historical"], "undated": ev["undated"],
            "counted": counted, "count": count,
            "quads": [{"quad": q, "label": QUAD_LABELS[q], "n": quads.get(q, 0),
                       "share": quads.get(q, 0) / counted if counted else 0.0} for q in QUAD_CLASSES],
            "types": types}


def _dyad_events(store: Store, a: str, b: str, count: str, include_historical: bool) -> tuple[list[dict[str, Any]], int]:
    """The events of a dyad for the evidence table (strongest first, capped; then by date), and
    their number: the events its analyses count, as `dyad_events` lists them."""
    total, rows = dyad_events(store, a, b, count, include_historical=include_historical, order="strongest",
                              limit=MAX_EVENTS_PER_DYAD)
    titles = {r["doc_id"]: r for r in store.query(
        "SELECT doc_id, title, url FROM documents WHERE doc_id IN (SELECT unnest(?))", [[e["doc_id"] for e in rows]])}
    out = []
    for e in rows:
        doc = titles.get(e["doc_id"], {})
        out.append({"id": e["id"], "day": e.get("date") or e.get("pub_date"), "precision": e.get("date_precision"),
                    "event_type": e["event_type"], "quad_class": e["quad_class"], "score": e["plover_score"],
                    "trigger": e["trigger"], "sentence": e["sentence"], "doc_id": e["doc_id"],
                    "title": doc.get("title"), "url": _safe_url(doc.get("url")),
                    "html": highlight(e["sentence"], e["trigger"]),
                    "flags": ", ".join(f for f in ("future",) if e.get(f)),
                    "sources": e.get("sources_count") or 1,
                    "actors": " + ".join(a["code"] for a in e.get("actor") or []) or "?",
                    "recipients": " + ".join(r["code"] for r in e.get("recipient") or [])})
    out.sort(key=lambda r: (r["day"] or "", r["id"]))
    return out, total


def _places(store: Store, include_historical: bool = False) -> tuple[Markup | None, list[dict[str, Any]]]:
    """The map of where events happened and, per place, its events (the map links to them)."""
    from detente.geo.draw import legend, map_svg

    places = event_places(store, EventFilter.counted(include_background=include_historical), MAX_PLACES)
    background = "" if include_historical else "AND NOT COALESCE(historical, FALSE) "
    for i, p in enumerate(places):
        p["anchor"] = f"place-{i + 1}"
        p["rows"] = []
        if i < PLACES_WITH_EVENTS:
            p["rows"] = store.query(
                "SELECT COALESCE(date, pub_date) AS day, event_type, quad_class, actor_codes, recipient_codes, "
                "trigger, sentence FROM events WHERE location_name IS NOT DISTINCT FROM ? "
                "AND location_country IS NOT DISTINCT FROM ? AND round(location_lat, 4) = ? AND round(location_lon, 4) = ? "
                f"AND NOT negated AND NOT hypothetical {background}AND id = COALESCE(event_cluster_id, id) "
                "ORDER BY day, id LIMIT ?", [p["name"], p["country"], p["lat"], p["lon"], MAX_EVENTS_PER_PLACE])
            for r in p["rows"]:
                r["html"] = highlight(r["sentence"], r["trigger"])
                r["actors"] = " + ".join(r["actor_codes"] or []) or "?"
                r["recipients"] = " + ".join(r["recipient_codes"] or [])
    if not places:
        return None, []
    return Markup(map_svg(places, href=lambda p: f"#{p['anchor']}") + legend()), places


def _findings(changes: list[dict[str, Any]], balance: dict[str, Any], shift: dict[str, Any] | None,
              reacts: dict[str, list[dict[str, Any]]]) -> list[Markup]:
    out = []
    for c in changes[:5]:
        line = (f"<b>{escape(c['dyad'])}</b>: <span class='label {escape(c['label'])}'>{escape(c['label'])}</span> "
                f"from <b>{escape(c['start_period'])}</b>, index {c['before']:+.2f} → {c['after']:+.2f} "
                f"({c['events_before']} events before, {c['events_after']} after)")
        critics = [r for r in reacts.get(c["key"], []) if r["n_critical"]][:3]
        if critics:
            line += "; critical third parties: " + ", ".join(
                f"{escape(r['party'])} ({r['n_critical']} critical of {r['n_events']})" for r in critics)
        out.append(Markup(line))
    if balance["balance"] is not None:
        out.append(Markup(f"Structural balance: <b>{balance['balance']:.0%}</b> of {balance['n_triads']} signed triads "
                          "are balanced."))
    for t in balance["axes"][:3]:
        out.append(Markup(f"All-positive triad (axis): {escape(', '.join(t['nodes']))}"))
    if shift and shift["moved"]:
        moves = [f"{escape(m['node'])} joined {escape(', '.join(m['joined']))}" for m in shift["moved"] if m["joined"]]
        leaves = [f"{escape(m['node'])} left {escape(', '.join(m['left']))}" for m in shift["moved"]
                  if m["left"] and not m["joined"]]
        if moves or leaves:
            out.append(Markup(f"Bloc shift around {escape(shift['split'])}: " + "; ".join(moves + leaves) + "."))
    return out


def build_report(store: Store, out_path: str | Path, top: int = 6, freq: str = "month",
                 min_events: int = 8, count: str = "clusters", include_historical: bool = False) -> Path:
    """Write the HTML report of a store to out_path; returns the path. Events are counted by
    `count` (clusters: duplicate reports once) and background events left out unless
    include_historical, in every section alike."""
    import plotly.offline

    check_freq(freq)
    check_count(count)
    if top < 1:
        raise DetenteError("--top must be at least 1")
    out_path = Path(out_path)
    stats = corpus_stats(store, count, include_historical)
    dyads = top_dyads(store, max(top, 15), count=count, include_historical=include_historical)
    changes = all_changes(store, min_events, freq, count, include_historical=include_historical,
                          include_stable=False, n_evidence=5)
    for c in changes:
        c["key"] = c["dyad"]
        c["color"] = LABEL_COLORS.get(c["label"], "#777")
    reacts = {c["key"]: reactions(store, c["a"], c["b"], c["start"], include_historical=include_historical)
              for c in changes[:10]}

    chart_pairs: list[tuple[str, str]] = [(d["a"], d["b"]) for d in dyads[:top]]
    for c in changes:
        if (c["a"], c["b"]) not in chart_pairs and len(chart_pairs) < top + 4:
            chart_pairs.append((c["a"], c["b"]))
    charts, event_tables = [], []
    for i, (a, b) in enumerate(chart_pairs):
        series = dyad_series(store, a, b, freq, count, include_historical=include_historical)
        if series.empty:
            continue
        found = dyad_changes(store, a, b, freq, count, include_historical=include_historical, n_evidence=0)
        title = f"{a}–{b} ({code_name(a)} – {code_name(b)})"
        charts.append({"dyad": f"{a}-{b}", "title": title, "changes": found, "unplaced": series.attrs.get("unplaced", 0),
                       "html": Markup(to_html(series_figure(series, found, title), f"series-graph-{i}"))})
        rows, total = _dyad_events(store, a, b, count, include_historical)
        event_tables.append({"dyad": f"{a}-{b}", "title": title, "rows": rows, "total": total})

    graph = signed_network(store, count=count, include_historical=include_historical)
    balance = structural_balance(graph)
    groups = blocs(graph)
    names = {n: code_name(n) for n in graph.nodes}
    network_html = Markup(to_html(network_figure(graph, groups, names), "network-graph")) if len(graph) else None
    shift = None
    if changes:
        split = dt.date.fromisoformat(changes[0]["start"])
        shift = bloc_shift(store, (None, split - dt.timedelta(days=1)), (split, None), count=count,
                           include_historical=include_historical)
        shift["split"] = f"{changes[0]['start_period']} (start of the {changes[0]['dyad']} {changes[0]['label']})"

    place_map, places = _places(store, include_historical)

    env = jinja2.Environment(loader=jinja2.PackageLoader("detente.report", "templates"),
                             autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
                             undefined=jinja2.StrictUndefined)
    env.filters["signed"] = lambda v, fmt="+.2f": "–" if v is None else format(v, fmt)
    env.filters["highlight"] = highlight
    html = env.get_template("report.html.j2").render(
        version=__version__, generated=dt.datetime.now().strftime("%Y-%m-%d %H:%M"), store=store.path, freq=freq,
        stats=stats, dyads=dyads, charts=charts, changes=changes, reactions=reacts, min_events=min_events,
        balance=balance, blocs=groups, singles=[g[0] for g in groups if len(g) == 1], edges=graph_edges(graph), names=names, network_html=network_html,
        shift=shift, events=event_tables, place_map=place_map, places=places,
        places_with_events=PLACES_WITH_EVENTS, findings=_findings(changes, balance, shift, reacts),
        quad_labels=QUAD_LABELS, max_events=MAX_EVENTS_PER_DYAD, plotly_js=Markup(plotly.offline.get_plotlyjs()),
    )
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(html, encoding="utf-8")
    return out_path
