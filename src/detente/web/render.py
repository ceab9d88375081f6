"""HTML fragments built in Python: evidence highlighting, marked-up articles, chart figures.

Every piece of text from the store is escaped here with markupsafe before any markup is added.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote, urlencode

from markupsafe import Markup, escape

QUAD_COLORS = {
    "verbal_cooperation": "#5aae61", "material_cooperation": "#1b7837",
    "verbal_conflict": "#f4a582", "material_conflict": "#b2182b",
}
QUAD_LABELS = {
    "verbal_cooperation": "verbal cooperation", "material_cooperation": "material cooperation",
    "verbal_conflict": "verbal conflict", "material_conflict": "material conflict",
}
_PRONOUNS = {"it", "its", "he", "she", "they", "them", "we", "us", "i", "his", "her", "their", "our", "who"}


def script_json(obj: Any) -> Markup:
    """JSON safe to embed inside a <script type="application/json"> element."""
    text = json.dumps(obj, ensure_ascii=False, default=str, allow_nan=False)
    for ch, rep in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, rep)
    return Markup(text)


def path_part(value: str) -> str:
    """One URL path segment (doc ids may contain '/', '?' or '#')."""
    return quote(str(value), safe="")


def query_url(path: str, pairs: Iterable[tuple[str, Any]]) -> str:
    """`path?k=v&...` leaving out empty values."""
    items = [(k, str(v)) for k, v in pairs if v is not None and v != ""]
    return f"{path}?{urlencode(items)}" if items else path


def side_key(entity: dict[str, Any]) -> str:
    """The key of an actor in dyad URLs: its country, else its code."""
    return str(entity.get("country") or entity.get("code") or "")


def event_dyad(ev: dict[str, Any]) -> tuple[str, str] | None:
    """The first actor-recipient pair of an event (or two actors acting together), if any."""
    actors = [side_key(a) for a in ev.get("actor") or [] if side_key(a)]
    recipients = [side_key(r) for r in ev.get("recipient") or [] if side_key(r)]
    for a in actors:
        for r in recipients:
            if a != r:
                return a, r
    if not recipients and len(set(actors)) > 1:
        first = actors[0]
        return first, next(a for a in actors if a != first)
    return None


def entity_label(items: list[dict[str, Any]]) -> str:
    """'Russia (RUSGOV), Pakistan' for a list of actor dicts."""
    out = []
    for a in items or []:
        name = a.get("name") or a.get("text") or a.get("code") or "?"
        code = a.get("code")
        out.append(f"{name} ({code})" if code and code != name and code != a.get("country") else str(name))
    return ", ".join(out)


def _find_word(text: str, word: str, start: int = 0) -> tuple[int, int] | None:
    m = re.compile(r"(?<!\w)" + re.escape(word) + r"(?!\w)", re.IGNORECASE).search(text, start)
    return (m.start(), m.end()) if m else None


def _trigger_spans(sentence: str, trigger: str) -> list[tuple[int, int]]:
    trigger = " ".join((trigger or "").split())
    if not trigger:
        return []
    whole = _find_word(sentence, trigger)
    if whole:
        return [whole]
    spans, pos = [], 0
    for word in trigger.split():
        found = _find_word(sentence, word, pos) or _find_word(sentence, word)
        if found:
            spans.append(found)
            pos = found[1]
    return spans


def highlight(sentence: str, triggers: Iterable[str] = (), actors: Iterable[str] = (),
              recipients: Iterable[str] = ()) -> Markup:
    """The sentence, escaped, with trigger words in <mark> and actor/recipient mentions tagged."""
    wanted: list[tuple[int, int, str]] = []
    for trig in triggers:
        wanted += [(s, e, "trg") for s, e in _trigger_spans(sentence, trig)]
    for cls, texts in (("act", actors), ("rcp", recipients)):
        for text in texts:
            text = " ".join((text or "").split())
            if not text or text.lower() in _PRONOUNS:
                continue
            found = _find_word(sentence, text)
            if found:
                wanted.append((found[0], found[1], cls))
    chosen: list[tuple[int, int, str]] = []
    for s, e, cls in wanted:  # triggers first; drop anything overlapping an earlier span
        if all(e <= cs or s >= ce for cs, ce, _ in chosen):
            chosen.append((s, e, cls))
    chosen.sort()
    out, pos = [], 0
    for s, e, cls in chosen:
        out.append(escape(sentence[pos:s]))
        tag = "mark" if cls == "trg" else "span"
        out.append(Markup('<{0} class="{1}">{2}</{0}>').format(tag, cls, sentence[s:e]))
        pos = e
    out.append(escape(sentence[pos:]))
    return Markup("").join(out)


def _texts(items: Any) -> list[str]:
    return [str(a.get("text") or "") for a in items or [] if isinstance(a, dict)]


def event_evidence(ev: dict[str, Any]) -> Markup:
    """An event's sentence with its trigger and actors highlighted."""
    return highlight(ev.get("sentence") or "", [ev.get("trigger") or ""], _texts(ev.get("actor")),
                     _texts(ev.get("recipient")))


def clean_text(text: str) -> str:
    """The text as the coder saw it (same rule as detente.run.pipeline: paragraphs kept, spaces collapsed)."""
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)


def event_title(ev: dict[str, Any]) -> str:
    """'ACCUSE: Armenia → Azerbaijan (negated)' for tooltips."""
    parts = [ev.get("event_type") or "?", ": ", entity_label(ev.get("actor") or []) or "?"]
    if ev.get("recipient"):
        parts += [" → ", entity_label(ev["recipient"])]
    flags = [f for f in ("negated", "hypothetical", "future", "historical") if ev.get(f)]
    if flags:
        parts.append(f" ({', '.join(flags)})")
    return "".join(parts)


def mark_document(text: str, events: list[dict[str, Any]]) -> tuple[list[Markup], set[str]]:
    """The article as escaped paragraphs with each coded sentence marked; returns (paragraphs, placed ids)."""
    body = clean_text(text or "")
    groups: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for ev in sorted(events, key=lambda e: (e.get("sentence_index") or 0)):
        groups.setdefault((ev.get("sentence_index") or 0, ev.get("sentence") or ""), []).append(ev)
    spans: list[tuple[int, int, int, list[dict[str, Any]]]] = []
    cursor = 0
    for (index, sentence), evs in groups.items():
        needle = " ".join(sentence.split())
        if not needle:
            continue
        at = body.find(needle, cursor)
        if at < 0:
            at = body.find(needle)
        if at < 0 or any(not (at + len(needle) <= s or at >= e) for s, e, _, _ in spans):
            continue
        spans.append((at, at + len(needle), index, evs))
        cursor = at + len(needle)
    spans.sort(key=lambda s: s[0])
    placed: set[str] = set()
    paragraphs: list[Markup] = []
    start = 0
    for para in body.split("\n\n"):
        end = start + len(para)
        out, pos = [], start
        for s, e, index, evs in spans:
            if s < start or e > end:
                continue
            out.append(escape(body[pos:s]))
            quads = {ev.get("quad_class") for ev in evs}
            quad = quads.pop() if len(quads) == 1 else "mixed"
            title = "; ".join(event_title(ev) for ev in evs)
            inner = highlight(body[s:e], [ev.get("trigger") or "" for ev in evs],
                              [t for ev in evs for t in _texts(ev.get("actor"))],
                              [t for ev in evs for t in _texts(ev.get("recipient"))])
            tags = Markup("").join(
                Markup('<a class="ev-tag q-{0}{1}" href="#ev-{2}" title="{3}">{4}</a>').format(
                    ev.get("quad_class") or "none", " modal" if ev.get("negated") or ev.get("hypothetical") else "",
                    ev.get("id"), event_title(ev), ev.get("event_type"))
                for ev in evs)
            out.append(Markup('<span class="ev-sent q-{0}" id="s-{1}" title="{2}">{3}</span>{4}').format(
                quad, index, title, inner, tags))
            placed.update(str(ev.get("id")) for ev in evs)
            pos = e
        out.append(escape(body[pos:end]))
        paragraphs.append(Markup("").join(out))
        start = end + 2
    return paragraphs, placed


# -- chart figures (plain plotly JSON; drawn by static/charts.js) -----------------------------

_LAYOUT = {"margin": {"l": 56, "r": 56, "t": 24, "b": 40}, "font": {"family": "system-ui, sans-serif", "size": 12},
           "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "#fbfbfd", "legend": {"orientation": "h", "y": -0.18}}


CHANGE_COLORS = {"detente": "#1b7837", "deterioration": "#e08214", "escalation": "#b2182b", "stable": "#777777"}


def series_figure(series: list[dict[str, Any]], changes: list[dict[str, Any]]) -> dict[str, Any]:
    """A dyad's relations index (smoothed, with its 90% interval) per period with events, event counts
    as bars along the bottom, and change points as dotted lines."""
    x = [str(r.get("start") or r.get("period"))[:10] for r in series]
    active = [bool(r.get("n_events")) for r in series]
    smooth_key = "index_smoothed" if any(r.get("index_smoothed") is not None for r in series) else "index"
    y = [r.get(smooth_key) if on else None for r, on in zip(series, active)]
    hover = [f"{r.get('period')}: {r.get('n_events') or 0} events, index "
             + (f"{r['index']:+.2f}" if isinstance(r.get("index"), (int, float)) else "n/a")
             + (f", smoothed {r[smooth_key]:+.2f}" if smooth_key != "index" and r.get(smooth_key) is not None else "")
             + (f" [{r['index_low']:+.2f} … {r['index_high']:+.2f}]" if r.get("index_low") is not None
                and r.get("index_high") is not None else "")
             for r in series]
    trace: dict[str, Any] = {
        "type": "scatter", "x": x, "y": y, "mode": "lines+markers", "connectgaps": True,
        "name": "relations index" + (" (smoothed, 90% interval)" if smooth_key != "index" else ""),
        "line": {"color": "#3182bd", "width": 2}, "marker": {"size": 7, "color": "#3182bd"},
        "customdata": hover, "hovertemplate": "%{customdata}<extra></extra>",
    }
    if any(r.get("index_high") is not None for r in series):
        trace["error_y"] = {
            "type": "data", "symmetric": False, "color": "rgba(49,130,189,0.45)", "thickness": 1.2, "width": 3,
            "array": [(r["index_high"] - v) if v is not None and r.get("index_high") is not None else None
                      for r, v in zip(series, y)],
            "arrayminus": [(v - r["index_low"]) if v is not None and r.get("index_low") is not None else None
                           for r, v in zip(series, y)],
        }
    counts = [r.get("n_events") or 0 for r in series]
    data: list[dict[str, Any]] = [
        {"type": "bar", "x": x, "y": counts, "name": "events", "yaxis": "y2",
         "marker": {"color": "rgba(120,120,120,0.30)"}, "hoverinfo": "skip"},
        trace,
    ]
    shapes, notes = [], []
    for n, c in enumerate(changes):
        start = str(c.get("start") or "")[:10]
        if not start:
            continue
        color = CHANGE_COLORS.get(str(c.get("label")), "#555555")
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": start, "x1": start, "y0": 0, "y1": 1,
                       "line": {"color": color, "width": 2, "dash": "dot"}})
        notes.append({"x": start, "y": 1 - 0.07 * (n % 3), "xref": "x", "yref": "paper",
                      "text": str(c.get("label") or "change"), "showarrow": False, "xanchor": "left",
                      "yanchor": "top", "font": {"size": 11, "color": color}, "bgcolor": "rgba(255,255,255,0.85)"})
    layout = {**_LAYOUT, "height": 400, "shapes": shapes, "annotations": notes, "hovermode": "closest",
              "yaxis": {"title": {"text": "relations index (−1 conflict, +1 cooperation)"}, "range": [-1.1, 1.1],
                        "zeroline": True, "zerolinecolor": "#999", "tickvals": [-1, -0.5, 0, 0.5, 1],
                        "ticktext": ["−1", "−0.5", "0", "+0.5", "+1"]},
              "yaxis2": {"title": {"text": "events"}, "overlaying": "y", "side": "right", "showgrid": False,
                         "range": [0, max(counts or [1]) * 3], "tickmode": "auto", "nticks": 4, "rangemode": "tozero"},
              "xaxis": {"type": "date"}, "bargap": 0.25}
    return {"data": data, "layout": layout}


def _num(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def timeline_figure(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Stacked monthly event counts by quad class."""
    months = sorted({str(r["month"])[:10] for r in rows})
    data = []
    for quad, color in QUAD_COLORS.items():
        counts = {str(r["month"])[:10]: r["n"] for r in rows if r["quad_class"] == quad}
        data.append({"type": "bar", "name": QUAD_LABELS[quad], "x": months, "y": [counts.get(m, 0) for m in months],
                     "marker": {"color": color}})
    return {"data": data, "layout": {**_LAYOUT, "height": 300, "barmode": "stack", "xaxis": {"type": "date"},
                                     "yaxis": {"title": {"text": "events"}}}}


def network_figure(net: dict[str, Any]) -> dict[str, Any]:
    """The signed network: green edges for positive relations, red for negative, nodes coloured by bloc."""
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(n["id"] for n in net["nodes"])
    g.add_edges_from((e["source"], e["target"]) for e in net["edges"])
    pos = _packed_layout(g)
    data: list[dict[str, Any]] = []
    for sign, color, name in ((1, "#1b7837", "positive"), (-1, "#b2182b", "negative"), (0, "#999999", "neutral")):
        xs: list[Any] = []
        ys: list[Any] = []
        for e in net["edges"]:
            s = _num(e.get("sign"))
            if (s > 0) - (s < 0) != sign:
                continue
            (x0, y0), (x1, y1) = pos[e["source"]], pos[e["target"]]
            xs += [float(x0), float(x1), None]
            ys += [float(y0), float(y1), None]
        if xs:
            data.append({"type": "scatter", "x": xs, "y": ys, "mode": "lines", "name": f"{name} relation",
                         "line": {"color": color, "width": 2}, "hoverinfo": "skip"})
    palette = ["#3182bd", "#e6550d", "#31a354", "#756bb1", "#d6616b", "#8c6d31", "#17becf", "#bcbd22"]
    nodes = net["nodes"]
    sizes = {i: len(b) for i, b in enumerate(net.get("blocs") or [])}
    data.append({
        "type": "scatter", "mode": "markers+text", "name": "actors", "showlegend": False,
        "x": [float(pos[n["id"]][0]) for n in nodes], "y": [float(pos[n["id"]][1]) for n in nodes],
        "text": [n["id"] for n in nodes], "textposition": "top center",
        "hovertext": [f"{n.get('name') or n['id']} ({n['id']}): {n['degree']} relations"
                      + (f", bloc {n['bloc'] + 1}" if n["bloc"] is not None else "") for n in nodes],
        "hoverinfo": "text",
        "marker": {"size": [10 + 2 * min(n["degree"], 10) for n in nodes], "line": {"color": "#fff", "width": 1},
                   "color": [palette[n["bloc"] % len(palette)] if n["bloc"] is not None and sizes.get(n["bloc"], 0) > 1
                             else "#aaaaaa" for n in nodes]},
    })
    axis = {"visible": False, "zeroline": False, "showgrid": False, "scaleanchor": None}
    return {"data": data, "layout": {**_LAYOUT, "height": 520, "xaxis": axis, "yaxis": axis, "hovermode": "closest",
                                     "plot_bgcolor": "#fff"}}


def relink(path: str, pairs: Iterable[tuple[str, Any]], **changes: Any) -> str:
    """The URL of `path` with the current query pairs, some keys replaced (None removes them)."""
    kept = [(k, v) for k, v in pairs if k not in changes]
    kept += [(k, v) for k, v in changes.items() if v is not None and v != ""]
    return query_url(path, kept)


def _packed_layout(g: Any) -> dict[str, tuple[float, float]]:
    """Spring layout per connected component, components packed in rows (largest first), so that
    small components do not push the main one into a corner."""
    import networkx as nx

    comps = sorted((sorted(c) for c in nx.connected_components(g)), key=lambda c: (-len(c), c[0]))
    total = sum(len(c) for c in comps) or 1
    row_width = max(2.0, (total ** 0.5) * 2.2)
    pos: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for comp in comps:
        size = max(1.0, len(comp) ** 0.5 * (1.5 if len(comp) > 2 else 1.0))
        sub = g.subgraph(comp)
        if len(comp) == 1:
            local = {comp[0]: (0.0, 0.0)}
        elif len(comp) == 2:
            local = {comp[0]: (-0.5, 0.0), comp[1]: (0.5, 0.0)}
        else:
            raw = nx.spring_layout(sub, seed=7, k=1.6 / len(comp) ** 0.5, iterations=200)
            xs, ys = [float(p[0]) for p in raw.values()], [float(p[1]) for p in raw.values()]
            span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
            local = {n: ((float(p[0]) - (max(xs) + min(xs)) / 2) / span, (float(p[1]) - (max(ys) + min(ys)) / 2) / span)
                     for n, p in raw.items()}
        if x > 0 and x + size > row_width:
            x, y, row_height = 0.0, y - row_height - 0.6, 0.0
        for n, (px, py) in local.items():
            pos[n] = (x + size / 2 + px * size, y - size / 2 + py * size)
        x += size + 0.6
        row_height = max(row_height, size)
    return pos


def code_spans(text: str) -> Markup:
    """Escaped text with `backtick` spans as <code>."""
    parts = str(text or "").split("`")
    return Markup("").join(Markup("<code>{0}</code>").format(p) if i % 2 else escape(p) for i, p in enumerate(parts))
