"""Areas users filter by: "near a place" and bounding boxes, parsed with clear errors."""

from __future__ import annotations

from detente.errors import DetenteError

DEFAULT_KM = 50.0


def parse_near(spec: str, name: str = "--near") -> tuple[float, float, float]:
    """(lat, lon, km) from "Kabul", "Kabul:100" or "34.5,69.2:25" (default radius 50 km)."""
    where, _, radius = spec.strip().rpartition(":") if ":" in spec else (spec.strip(), "", "")
    try:
        km = float(radius) if radius.strip() else DEFAULT_KM
    except ValueError:
        raise DetenteError(f"{name}: invalid radius {radius!r} (use PLACE:KM, e.g. Kabul:100)") from None
    if not 0 < km <= 20_000:
        raise DetenteError(f"{name}: the radius must be between 0 and 20000 km, not {radius}")
    where = where.strip()
    if not where:
        raise DetenteError(f"{name}: give a place name or LAT,LON")
    parts = where.split(",")
    if len(parts) == 2 and all(_is_number(p) for p in parts):
        lat, lon = float(parts[0]), float(parts[1])
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise DetenteError(f"{name}: {where!r} is not a latitude,longitude")
        return lat, lon, km
    from detente.geo.gazetteer import resolve

    place = resolve(where)
    if place is None:
        raise DetenteError(f"{name}: unknown place {where!r} (give a city, region or LAT,LON)")
    return place.lat, place.lon, km


def parse_bbox(spec: str, name: str = "--bbox") -> tuple[float, float, float, float]:
    """(west, south, east, north) from "W,S,E,N" in degrees; west > east crosses the antimeridian."""
    parts = [p.strip() for p in spec.split(",")]
    if len(parts) != 4 or not all(_is_number(p) for p in parts):
        raise DetenteError(f"{name}: give WEST,SOUTH,EAST,NORTH in degrees, e.g. 60,23,78,37")
    west, south, east, north = (float(p) for p in parts)
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= north <= 90):
        raise DetenteError(f"{name}: longitudes must be in [-180, 180] and -90 <= SOUTH <= NORTH <= 90")
    return west, south, east, north


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
