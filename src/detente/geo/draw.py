"""A world map as inline SVG: country outlines and one circle per place, sized by events and
coloured by quad class. No tiles, no scripts, no network: it renders in any browser, offline."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache
from typing import Any

from markupsafe import Markup, escape

from detente.geo.outline import VIEW, svg_paths

QUAD_COLORS = {"verbal_cooperation": "#5aae61", "material_cooperation": "#1b7837",
               "verbal_conflict": "#f4a582", "material_conflict": "#b2182b"}
QUAD_LABELS = {"verbal_cooperation": "verbal cooperation", "material_cooperation": "material cooperation",
               "verbal_conflict": "verbal conflict", "material_conflict": "material conflict"}


@cache
def _outline() -> str:
    return "".join(f'<path data-iso="{iso}" d="{d}"/>' for iso, d in sorted(svg_paths().items()))


def view_box(places: list[dict[str, Any]], fit: bool = True, min_span: float = 10.0) -> tuple[float, ...]:
    """(x, y, width, height) in degrees: the whole world, or the places with a margin."""
    if not fit or not places:
        return VIEW
    xs = [p["lon"] for p in places]
    ys = [-p["lat"] for p in places]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    width, height = max(x1 - x0, min_span), max(y1 - y0, min_span / 2)
    width, height = max(width, height * 2), max(height, width / 2)  # the world's 2.5:1 frame, roughly
    width, height = width * 1.3, height * 1.3
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    x, y = max(VIEW[0], cx - width / 2), max(VIEW[1], cy - height / 2)
    width, height = min(width, VIEW[0] + VIEW[2] - x), min(height, VIEW[1] + VIEW[3] - y)
    return round(x, 2), round(y, 2), round(width, 2), round(height, 2)


def map_svg(places: list[dict[str, Any]], href: Callable[[dict[str, Any]], str] | None = None,
            fit: bool = True, label: str = "Map of event locations") -> Markup:
    """The map. `places` are rows of detente.analysis.places.event_places; `href(place)` makes
    each circle a link (to the place's events)."""
    x, y, width, height = view_box(places, fit)
    top = max((p["events"] for p in places), default=1)
    unit = min(width / 220, 0.8)  # circle sizes follow the zoom; on the whole world, neighbours may overlap
    circles = []
    for p in sorted(places, key=lambda p: -p["events"]):  # small circles drawn last, on top
        r = unit * (0.8 + 2.2 * math.sqrt(p["events"] / top))
        counts = ", ".join(f"{p.get(q, 0)} {QUAD_LABELS[q]}" for q in QUAD_COLORS if p.get(q))
        where = ", ".join(str(v) for v in (p.get("name"), p.get("country")) if v)
        title = f"{where}: {p['events']} event{'s' if p['events'] != 1 else ''} ({counts})"
        circle = (f'<circle class="place q-{escape(p["quad"])}" cx="{p["lon"]:.3f}" cy="{-p["lat"]:.3f}" '
                  f'r="{r:.3f}" fill="{QUAD_COLORS.get(p["quad"], "#555")}" data-name="{escape(p.get("name") or "")}" '
                  f'data-events="{p["events"]}"><title>{escape(title)}</title></circle>')
        if href is not None:
            circle = f'<a href="{escape(href(p))}" aria-label="{escape(title)}">{circle}</a>'
        circles.append(circle)
    stroke = width / 900
    return Markup(
        f'<svg class="world-map" xmlns="http://www.w3.org/2000/svg" viewBox="{x} {y} {width} {height}" '
        f'role="img" aria-label="{escape(label)}" preserveAspectRatio="xMidYMid meet">'
        f'<rect x="{VIEW[0]}" y="{VIEW[1]}" width="{VIEW[2]}" height="{VIEW[3]}" fill="#eef3f8"/>'
        f'<g fill="#f7f5ef" stroke="#9aa4b1" stroke-width="{stroke:.4f}" stroke-linejoin="round">{_outline()}</g>'
        f'<g fill-opacity="0.78" stroke="#ffffff" stroke-width="{stroke * 1.5:.4f}">{"".join(circles)}</g></svg>')


def legend() -> Markup:
    """The colour key, as HTML."""
    items = "".join(f'<span class="map-key"><svg width="12" height="12" aria-hidden="true"><circle cx="6" cy="6" r="5" '
                    f'fill="{color}"/></svg> {QUAD_LABELS[q]}</span>' for q, color in QUAD_COLORS.items())
    return Markup(f'<p class="map-legend">{items} <span class="muted">· circle area: number of events</span></p>')
