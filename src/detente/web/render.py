"""HTML fragments built in Python: evidence highlighting, marked-up articles, chart figures.

Every piece of text from the store is escaped here with markupsafe before any markup is added.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable
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
# Bidirectional controls reorder what follows them: "report<RLO>fdp.exe" shows as "reportexe.pdf".
# Nothing on a page needs them, so they are removed from every value a template prints.
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_PRONOUNS = {"it", "its", "he", "she", "they", "them", "we", "us", "i", "his", "her", "their", "our", "who"}


def strip_bidi(value: Any) -> Any:
    """A printed value without bidirectional controls (Markup stays Markup: removing them adds no markup)."""
    if isinstance(value, Markup):
        return Markup(BIDI_CONTROLS.sub("", str(value)))
    if isinstance(value, str):
        return BIDI_CONTROLS.sub("", value)
    return value


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
#
# A clickable trace carries customdata [hover text, URL] per point; charts.js opens the URL
# (always a path on this server) when the point or bar is clicked.

_LAYOUT = {"margin": {"l": 56, "r": 56, "t": 24, "b": 40}, "font": {"family": "system-ui, sans-serif", "size": 12},
           "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "#fbfbfd", "legend": {"orientation": "h", "y": -0.18}}
CHANGE_COLORS = {"detente": "#1b7837", "deterioration": "#e08214", "escalation": "#b2182b", "stable": "#777777"}
# Half a period of margin on each side of the first and last period, so that a series of one
# period still has an axis of days (not fractions of a second around one instant).
_PAD_DAYS = {"week": 4, "month": 16, "quarter": 46}
_TICK_FORMATS = {"week": "%d %b %Y", "month": "%b %Y", "quarter": "%Y Q%q"}
COMPARE_COLORS = ["#3182bd", "#e6550d", "#31a354", "#756bb1", "#d6616b", "#8c6d31", "#17becf", "#bcbd22"]


def _start(row: dict[str, Any]) -> str:
    return str(row.get("start") or row.get("period"))[:10]


def date_axis(series: list[dict[str, Any]], freq: str) -> dict[str, Any]:
    """An x axis over the periods of `series`: padded by half a period, ticks on the periods
    themselves when there are few of them."""
    starts = [_start(r) for r in series]
    pad = dt.timedelta(days=_PAD_DAYS.get(freq, 16))
    try:
        lo, hi = dt.date.fromisoformat(min(starts)) - pad, dt.date.fromisoformat(max(starts)) + pad
    except ValueError:
        return {"type": "date"}
    axis: dict[str, Any] = {"type": "date", "range": [lo.isoformat(), hi.isoformat()],
                            "tickformat": _TICK_FORMATS.get(freq, "%b %Y")}
    if len(series) <= 8:
        labels = [str(r.get("period") or s) for r, s in zip(series, starts)]
        axis.update(tickmode="array", tickvals=starts, ticktext=labels)
    return axis


def _index_text(r: dict[str, Any], key: str = "index") -> str:
    v = r.get(key)
    return f"{v:+.2f}" if isinstance(v, (int, float)) else "n/a"


def series_figure(series: list[dict[str, Any]], changes: list[dict[str, Any]], freq: str = "month",
                  link: Callable[[dict[str, Any]], str] | None = None) -> dict[str, Any]:
    """A dyad's relations index (smoothed, with its 90% interval) per period with events, event counts
    as bars along the bottom, and change points as dotted lines; a click opens the period's events."""
    x = [_start(r) for r in series]
    active = [bool(r.get("n_events")) for r in series]
    smooth_key = "index_smoothed" if any(r.get("index_smoothed") is not None for r in series) else "index"
    y = [r.get(smooth_key) if on else None for r, on in zip(series, active)]
    urls = [link(r) if link else "" for r in series]
    hover = [f"{r.get('period')}: {r.get('n_events') or 0} events, index {_index_text(r)}"
             + (f", smoothed {r[smooth_key]:+.2f}" if smooth_key != "index" and r.get(smooth_key) is not None else "")
             + (f" [{r['index_low']:+.2f} … {r['index_high']:+.2f}]" if r.get("index_low") is not None
                and r.get("index_high") is not None else "")
             + (" (click for the events)" if link and r.get("n_events") else "")
             for r in series]
    trace: dict[str, Any] = {
        "type": "scatter", "x": x, "y": y, "mode": "lines+markers", "connectgaps": True,
        "name": "relations index" + (" (smoothed, 90% interval)" if smooth_key != "index" else ""),
        "line": {"color": "#3182bd", "width": 2}, "marker": {"size": 7, "color": "#3182bd"},
        "customdata": [[h, u] for h, u in zip(hover, urls)], "hovertemplate": "%{customdata[0]}<extra></extra>",
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
         "marker": {"color": "rgba(120,120,120,0.30)"}, "customdata": [[h, u] for h, u in zip(hover, urls)],
         "hovertemplate": "%{customdata[0]}<extra></extra>"},
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
              "xaxis": date_axis(series, freq), "bargap": 0.25}
    return {"data": data, "layout": layout}


def counts_figure(series: list[dict[str, Any]], freq: str = "month",
                  link: Callable[[dict[str, Any]], str] | None = None, height: int = 320) -> dict[str, Any]:
    """Events per period stacked by quad class, with the relations index of the same events as a
    line; a click on a bar or point opens that period's events."""
    x = [_start(r) for r in series]
    urls = [link(r) if link else "" for r in series]
    tail = " (click for the events)" if link else ""
    data: list[dict[str, Any]] = []
    for quad, color in QUAD_COLORS.items():
        if not any(r.get(quad) for r in series):
            continue
        data.append({"type": "bar", "name": QUAD_LABELS[quad], "x": x, "y": [r.get(quad) or 0 for r in series],
                     "marker": {"color": color},
                     "customdata": [[f"{r.get('period')}: {r.get(quad) or 0} {QUAD_LABELS[quad]}{tail}", u]
                                    for r, u in zip(series, urls)],
                     "hovertemplate": "%{customdata[0]}<extra></extra>"})
    if any(r.get("index") is not None for r in series):
        data.append({"type": "scatter", "mode": "lines+markers", "name": "relations index (right)", "yaxis": "y2",
                     "x": x, "y": [r.get("index") if r.get("n_events") else None for r in series], "connectgaps": False,
                     "line": {"color": "#1d2330", "width": 1.5}, "marker": {"size": 5, "color": "#1d2330"},
                     "customdata": [[f"{r.get('period')}: {r.get('n_events') or 0} events, index {_index_text(r)}"
                                     f"{tail}", u] for r, u in zip(series, urls)],
                     "hovertemplate": "%{customdata[0]}<extra></extra>"})
    most = max((r.get("n_events") or 0 for r in series), default=0)
    layout = {**_LAYOUT, "height": height, "barmode": "stack", "hovermode": "closest", "xaxis": date_axis(series, freq),
              "yaxis": {"title": {"text": "events"}, "rangemode": "tozero", "tickformat": ",d",
                        **({"dtick": 1} if most <= 8 else {})},
              "yaxis2": {"title": {"text": "index"}, "overlaying": "y", "side": "right", "range": [-1.1, 1.1],
                         "showgrid": False, "zeroline": False, "tickvals": [-1, 0, 1], "ticktext": ["−1", "0", "+1"]}}
    return {"data": data, "layout": layout}


def compare_figure(lines: list[tuple[str, list[dict[str, Any]]]], freq: str = "month",
                   link: Callable[[str, dict[str, Any]], str] | None = None) -> dict[str, Any]:
    """Several dyads' smoothed relations index on one chart; a click opens that dyad's events of the period."""
    data: list[dict[str, Any]] = []
    every: list[dict[str, Any]] = []
    for n, (name, series) in enumerate(lines):
        rows = [r for r in series if r.get("n_events")]
        every += rows
        color = COMPARE_COLORS[n % len(COMPARE_COLORS)]
        data.append({"type": "scatter", "mode": "lines+markers", "name": name, "x": [_start(r) for r in rows],
                     "y": [r.get("index_smoothed", r.get("index")) for r in rows],
                     "line": {"color": color, "width": 2}, "marker": {"size": 7, "color": color},
                     "customdata": [[f"{name} {r.get('period')}: {r.get('n_events')} events, index {_index_text(r)}"
                                     + (" (click for the events)" if link else ""),
                                     link(name, r) if link else ""] for r in rows],
                     "hovertemplate": "%{customdata[0]}<extra></extra>"})
    periods = sorted({_start(r): r for r in every}.items())
    layout = {**_LAYOUT, "height": 420, "hovermode": "closest", "xaxis": date_axis([r for _, r in periods], freq),
              "yaxis": {"title": {"text": "relations index (smoothed)"}, "range": [-1.1, 1.1], "zeroline": True,
                        "zerolinecolor": "#999", "tickvals": [-1, -0.5, 0, 0.5, 1],
                        "ticktext": ["−1", "−0.5", "0", "+0.5", "+1"]}}
    return {"data": data, "layout": layout}


def _num(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


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
