"""Plotly figures of the report: a dyad's index with its changes, and the signed network."""

from __future__ import annotations

import math
from typing import Any

import networkx as nx
import pandas as pd
import plotly.graph_objects as go

LABEL_COLORS: dict[str, str] = {"detente": "#1b7837", "deterioration": "#d6604d", "escalation": "#b2182b",
                                "stable": "#777777"}
BLOC_COLORS = ["#1f77b4", "#ff7f0e", "#9467bd", "#17becf", "#bcbd22", "#e377c2", "#8c564b", "#2ca02c", "#d62728"]
_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
_FONT = {"family": "system-ui, -apple-system, Segoe UI, sans-serif", "size": 12}


def to_html(fig: go.Figure, div_id: str) -> str:
    """A figure as a <div> and its script; plotly.js itself is embedded once in the page."""
    return fig.to_html(full_html=False, include_plotlyjs=False, config=_CONFIG, div_id=div_id)


def series_figure(series: pd.DataFrame, changes: list[dict[str, Any]], title: str) -> go.Figure:
    """Smoothed index with its 90% band, raw index, segment levels, change points, event counts."""
    obs = series[series["n_events"] > 0]
    x = [pd.Timestamp(d) for d in obs["start"]]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=[pd.Timestamp(d) for d in series["start"]], y=series["n_events"], name="events",
                         yaxis="y2", marker={"color": "rgba(120,120,120,0.25)"}, hovertemplate="%{y} events<extra></extra>"))
    fig.add_trace(go.Scatter(x=x, y=obs["index_high"], mode="lines", line={"width": 0}, showlegend=False,
                             hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=x, y=obs["index_low"], mode="lines", line={"width": 0}, fill="tonexty",
                             fillcolor="rgba(49,130,189,0.18)", name="90% interval", hoverinfo="skip"))
    fig.add_trace(go.Scatter(
        x=x, y=obs["index_smoothed"], mode="lines+markers", name="index (smoothed)",
        line={"color": "#3182bd", "width": 2}, marker={"size": 5},
        customdata=list(zip(obs["label"], obs["n_events"], obs["index_low"], obs["index_high"])),
        hovertemplate="%{customdata[0]}: %{y:+.2f} [%{customdata[2]:+.2f}, %{customdata[3]:+.2f}], "
                      "%{customdata[1]} events<extra></extra>"))
    fig.add_trace(go.Scatter(
        x=x, y=obs["index"], mode="markers", name="index (raw)",
        marker={"size": [6 + 2.5 * math.sqrt(n) for n in obs["n_events"]], "color": "rgba(0,0,0,0)",
                "line": {"color": "#08519c", "width": 1}},
        hovertemplate="raw %{y:+.2f}<extra></extra>"))
    peak = max(1, int(series["n_events"].max()))
    shapes: list[dict[str, Any]] = []
    notes: list[dict[str, Any]] = []
    first, last = pd.Timestamp(series["start"].iloc[0]), pd.Timestamp(series["end"].iloc[-1])
    for i, c in enumerate(changes):
        color = LABEL_COLORS.get(c["label"], "#777")
        start = pd.Timestamp(c["start"])
        before_from = pd.Timestamp(_period_start(series, c["before_start"]) or first)
        before_to = pd.Timestamp(_period_end(series, c["before_end"]) or start)
        after_to = pd.Timestamp(_period_end(series, c["end_period"]) or last)
        for x0, x1, level in ((before_from, before_to, c["before"]), (start, after_to, c["after"])):
            shapes.append({"type": "line", "x0": x0, "x1": x1, "y0": level, "y1": level,
                           "line": {"color": color, "width": 2, "dash": "dash"}})
        shapes.append({"type": "line", "x0": start, "x1": start, "yref": "paper", "y0": 0, "y1": 1,
                       "line": {"color": color, "width": 2, "dash": "dot"}})
        notes.append({"x": start, "y": 1.0 - 0.09 * (i % 3), "yref": "paper", "xanchor": "left", "yanchor": "top",
                      "showarrow": False, "font": {"color": color, "size": 12},
                      "bgcolor": "rgba(255,255,255,0.85)",
                      "text": f"<b>{c['label']}</b> from {c['start_period']} ({c['before']:+.2f} → {c['after']:+.2f})"})
    fig.update_layout(
        title={"text": title, "x": 0, "font": {"size": 14}}, height=360, font=_FONT, shapes=shapes, annotations=notes,
        margin={"l": 60, "r": 60, "t": 40, "b": 40}, plot_bgcolor="#fbfbfd", paper_bgcolor="white",
        legend={"orientation": "h", "y": -0.15}, hovermode="closest", bargap=0.2,
        yaxis={"title": "relationship index", "range": [-1.08, 1.08], "zeroline": True, "zerolinecolor": "#999",
               "tickvals": [-1, -0.5, 0, 0.5, 1]},
        # Event bars fill the lower third of the plot, with ticks at 0 and the busiest period only.
        yaxis2={"title": "events", "overlaying": "y", "side": "right", "showgrid": False,
                "range": [0, peak * 3], "tickvals": [0, peak], "ticktext": ["0", str(peak)]},
        xaxis={"type": "date"},
    )
    return fig


def _period_start(series: pd.DataFrame, label: str) -> Any:
    rows = series[series["label"] == label]
    return rows["start"].iloc[0] if len(rows) else None


def _period_end(series: pd.DataFrame, label: str) -> Any:
    rows = series[series["label"] == label]
    return rows["end"].iloc[0] if len(rows) else None


def layout_positions(graph: nx.Graph) -> dict[str, tuple[float, float]]:
    """Node positions: friends close, enemies apart. Each connected component is laid out on its
    own (Kamada-Kawai, with short distances for positive edges and long ones for negative) and
    the components are packed in rows, largest first, so that small groups stay in view."""
    h = nx.Graph()
    h.add_nodes_from(sorted(graph.nodes))
    for u, v, d in sorted(graph.edges(data=True), key=lambda e: (min(e[0], e[1]), max(e[0], e[1]))):
        sign = d.get("sign", 0)
        h.add_edge(u, v, dist=1.0 if sign > 0 else 2.2 if sign < 0 else 1.6)
    components = sorted((sorted(c) for c in nx.connected_components(h)), key=lambda c: (-len(c), c[0]))
    pos: dict[str, tuple[float, float]] = {}
    x, y, row_height = 0.0, 0.0, 0.0
    width = max(8.0, 0.8 * math.sqrt(len(components[0])) * 2.6 * 2.2) if components else 8.0  # the row width
    for comp in components:
        size = 0.8 * math.sqrt(len(comp)) * (2.6 if len(comp) > 6 else 1.0)  # side of the component's box
        if x > 0 and x + size > width:
            x, y, row_height = 0.0, y - row_height - 0.6, 0.0
        if len(comp) == 1:
            local = {comp[0]: (0.0, 0.0)}
        elif len(comp) == 2:
            local = {comp[0]: (0.0, 0.0), comp[1]: (1.0, 0.0)}
        else:
            raw = nx.kamada_kawai_layout(h.subgraph(comp), weight="dist")
            local = {n: (float(p[0]), float(p[1])) for n, p in raw.items()}
        xs, ys = [p[0] for p in local.values()], [p[1] for p in local.values()]
        span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
        for n, (px, py) in local.items():
            pos[n] = (x + (px - min(xs)) / span * size, y - (py - min(ys)) / span * size)
        x += size + 0.8
        row_height = max(row_height, size)
    return pos


def network_figure(graph: nx.Graph, groups: list[list[str]], names: dict[str, str] | None = None,
                   max_edges: int = 250) -> go.Figure:
    """The signed network: green positive and red negative edges, nodes coloured by bloc."""
    names = names or {}
    pos = layout_positions(graph)
    bloc_of = {n: i for i, g in enumerate(groups) if len(g) > 1 for n in g}
    fig = go.Figure()
    edges = sorted(graph.edges(data=True), key=lambda e: -e[2].get("n_events", 0))[:max_edges]
    mid_x, mid_y, mid_text = [], [], []
    for u, v, d in edges:
        sign = d.get("sign", 0)
        color = {1: "rgba(27,120,55,0.75)", -1: "rgba(178,24,43,0.75)"}.get(sign, "rgba(150,150,150,0.6)")
        width = 1 + 1.2 * math.sqrt(d.get("n_events", 1))
        (x0, y0), (x1, y1) = pos[u], pos[v]
        fig.add_trace(go.Scatter(x=[x0, x1], y=[y0, y1], mode="lines", hoverinfo="skip", showlegend=False,
                                 line={"color": color, "width": min(width, 9), "dash": "solid" if sign else "dot"}))
        mid_x.append((x0 + x1) / 2)
        mid_y.append((y0 + y1) / 2)
        index = d.get("index")
        mid_text.append(f"{u}–{v}: {'+' if sign > 0 else '−' if sign < 0 else '0'} "
                        f"index {'n/a' if index is None else f'{index:+.2f}'}, {d.get('n_events', 0)} events")
    fig.add_trace(go.Scatter(x=mid_x, y=mid_y, mode="markers", marker={"size": 8, "opacity": 0}, showlegend=False,
                             hovertext=mid_text, hoverinfo="text"))
    nodes = sorted(graph.nodes)
    for bloc in sorted(set(bloc_of.values())) + [None]:
        members = [n for n in nodes if bloc_of.get(n) == bloc]
        if not members:
            continue
        color = BLOC_COLORS[bloc % len(BLOC_COLORS)] if bloc is not None else "#9e9e9e"
        label = f"bloc {bloc + 1}: " + ", ".join(members) if bloc is not None else "no bloc"
        fig.add_trace(go.Scatter(
            x=[pos[n][0] for n in members], y=[pos[n][1] for n in members], mode="markers+text", name=label,
            text=members, textposition="top center", textfont={"size": 11, "shadow": "1px 1px 2px white"},
            marker={"size": [10 + 2 * math.sqrt(graph.nodes[n].get("n_events", 1)) for n in members],
                    "color": color, "line": {"color": "white", "width": 1}},
            hovertext=[f"{n} ({names.get(n, n)}): {graph.nodes[n].get('n_events', 0)} events, degree {graph.degree(n)}"
                       for n in members], hoverinfo="text"))
    fig.update_layout(height=680, font=_FONT, margin={"l": 10, "r": 10, "t": 10, "b": 10}, plot_bgcolor="white",
                      paper_bgcolor="white", hovermode="closest",
                      legend={"orientation": "h", "y": -0.02, "yanchor": "top"},
                      xaxis={"visible": False}, yaxis={"visible": False, "scaleanchor": "x"})
    return fig
